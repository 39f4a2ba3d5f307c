//! The use cases: upload a file, read one back by name.

use img_parts::Bytes;
use linli_kernel::Actor;
use linli_kernel::ports::Clock;

use crate::error::UploadError;
use crate::image;
use crate::models::{FileName, Upload, UploadId};
use crate::ports::UploadStore;

/// 5 MiB: a phone's photo as the mini-program sends it (`wx.chooseMedia` compresses by default).
pub const DEFAULT_MAX_BYTES: usize = 5 * 1024 * 1024;

pub struct UploadService<S, C> {
    store: S,
    clock: C,
    max_bytes: usize,
}

impl<S: UploadStore, C: Clock> UploadService<S, C> {
    pub fn new(store: S, clock: C) -> Self {
        Self {
            store,
            clock,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }

    /// Files larger than `max_bytes` are refused (`LINLI_UPLOAD_MAX_BYTES`).
    #[must_use]
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// The largest file accepted, for the API to stop reading beyond it.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// Keeps `content` as the actor's upload, if it is a JPEG, PNG or WebP image by its
    /// content and within the size limit: stripped of its metadata (EXIF and the like), under
    /// a new unguessable name whose extension is its kind's. Any logged-in person may upload.
    ///
    /// # Errors
    /// `Forbidden` for the console, `TooLarge`, `Image` (unsupported, or not a whole image),
    /// `Unknown` when storage fails.
    pub async fn upload(&self, actor: &Actor, content: Bytes) -> Result<Upload, UploadError> {
        if actor.user_id().as_uuid().is_nil() {
            return Err(UploadError::Forbidden);
        }
        if content.len() > self.max_bytes {
            return Err(UploadError::TooLarge {
                max_bytes: self.max_bytes,
            });
        }
        let (kind, content) = image::clean(content)?;
        let id = UploadId::new();
        let upload = Upload {
            id,
            owner: actor.user_id(),
            name: FileName::new(id, kind),
            size: content.len() as u64,
            created_at: self.clock.now(),
        };
        self.store.keep(&upload, content).await?;
        Ok(upload)
    }

    /// The stored file a name (as it appears in its URL) names, with that name; `None` for
    /// an unknown name and for anything that is not a name this context gives out. Files are
    /// public by their unguessable name: no actor.
    ///
    /// # Errors
    /// Only when storage fails.
    pub async fn open(&self, name: &str) -> Result<Option<(FileName, S::File)>, UploadError> {
        let Some(name) = FileName::parse(name) else {
            return Ok(None);
        };
        Ok(self.store.open(&name).await?.map(|file| (name, file)))
    }
}

#[cfg(test)]
mod tests;
