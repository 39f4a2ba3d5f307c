//! What uploads need from storage: somewhere to keep a file with its record, and to read it
//! back by name.

use std::future::Future;

use img_parts::Bytes;

use crate::models::{FileName, Upload};

pub trait UploadStore: Send + Sync + 'static {
    /// An opened stored file, as the adapter reads it (a file on disk, bytes in memory).
    type File: Send + 'static;

    /// Keeps `content` under the upload's name and records the upload: both, or neither.
    ///
    /// # Errors
    /// Only when storage fails.
    fn keep(&self, upload: &Upload, content: Bytes) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// The stored file of this name, or `None` when there is none.
    ///
    /// # Errors
    /// Only when storage fails.
    fn open(&self, name: &FileName) -> impl Future<Output = anyhow::Result<Option<Self::File>>> + Send;
}
