//! Files on local disk, one per upload, named as served (`<uuid v7>.<ext>`), in the upload
//! directory (`LINLI_UPLOAD_DIR`). Written under a temporary name and renamed, so a reader
//! never sees half a file; the row is written after the file and the file removed if the row
//! fails, so a row always has its file.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use img_parts::Bytes;
use linli_uploads::ports::UploadStore;
use linli_uploads::{FileName, Upload};
use sea_orm::{ActiveModelTrait, Set};
use tokio::io::AsyncWriteExt;

use super::entity::upload;
use crate::db::Database;

/// The uploads' store: their rows in the database, their files in a directory.
#[derive(Clone, Debug)]
pub struct LocalUploads {
    db: Database,
    dir: Arc<PathBuf>,
}

/// A stored file opened for reading, with its length.
#[derive(Debug)]
pub struct StoredFile {
    pub file: tokio::fs::File,
    pub len: u64,
}

impl LocalUploads {
    /// Files go in `dir`, which must exist (the configuration makes it, private).
    pub fn new(db: Database, dir: impl Into<PathBuf>) -> Self {
        Self {
            db,
            dir: Arc::new(dir.into()),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `content` to `path` through a temporary file in the same directory.
    async fn write(&self, name: &FileName, content: &[u8]) -> anyhow::Result<PathBuf> {
        let path = self.dir.join(name.to_string());
        let partial = self.dir.join(format!(".{name}.part"));
        let written = async {
            let mut file = tokio::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&partial)
                .await?;
            file.write_all(content).await?;
            file.sync_all().await?;
            tokio::fs::rename(&partial, &path).await
        }
        .await;
        if let Err(e) = written {
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(e).with_context(|| format!("writing {}", path.display()));
        }
        Ok(path)
    }
}

impl UploadStore for LocalUploads {
    type File = StoredFile;

    async fn keep(&self, upload: &Upload, content: Bytes) -> anyhow::Result<()> {
        let path = self.write(&upload.name, &content).await?;
        let row = upload::ActiveModel {
            id: Set(upload.id.as_uuid()),
            owner_id: Set(upload.owner.as_uuid()),
            stored_name: Set(upload.name.to_string()),
            content_type: Set(upload.kind().content_type().to_owned()),
            size: Set(i64::try_from(upload.size)?),
            created_at: Set(upload.created_at),
        };
        if let Err(e) = row.insert(&self.db.conn).await {
            if let Err(removed) = tokio::fs::remove_file(&path).await {
                tracing::error!(path = %path.display(), error = %removed, "an upload's file outlived its failed row");
            }
            return Err(e).context("recording an upload");
        }
        Ok(())
    }

    async fn open(&self, name: &FileName) -> anyhow::Result<Option<StoredFile>> {
        let path = self.dir.join(name.to_string());
        let file = match tokio::fs::File::open(&path).await {
            Ok(file) => file,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("opening {}", path.display())),
        };
        let len = file.metadata().await?.len();
        Ok(Some(StoredFile { file, len }))
    }
}
