//! The uploads context's face: `POST /api/v1/uploads` keeps a photo (stripped of its
//! metadata), `GET /files/{name}` serves it back. Other contexts check photos they are given
//! through the kernel's `Uploads` port, which `linli_infra`'s `Database` serves.

mod error;
mod files;
mod upload;

use std::path::PathBuf;
use std::sync::Arc;

use linli_infra::db::Database;
use linli_infra::uploads::LocalUploads;
use linli_kernel::ports::SystemClock;
use linli_uploads::UploadService;
use poem_openapi::Tags;

#[derive(Tags)]
pub enum UploadTags {
    /// Files uploaded (photos of requests and tasks): JPEG, PNG or WebP, stripped of their
    /// metadata.
    Uploads,
    /// Uploaded files served back, public by their unguessable names.
    Files,
}

/// The context's API groups.
pub type Apis = (upload::UploadsApi, files::FilesApi);

/// Where files go and how large they may be (`LINLI_UPLOAD_DIR`, `LINLI_UPLOAD_MAX_BYTES`).
#[derive(Debug, Clone)]
pub struct UploadSettings {
    pub dir: PathBuf,
    pub max_bytes: usize,
}

pub struct Services {
    pub uploads: UploadService<LocalUploads, SystemClock>,
}

/// What the uploads handlers reach (`Data<&Files>`).
#[derive(Clone)]
pub struct Files(pub Arc<Services>);

impl std::ops::Deref for Files {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

impl Files {
    pub fn build(db: &Database, settings: &UploadSettings) -> Self {
        let store = LocalUploads::new(db.clone(), settings.dir.clone());
        Self(Arc::new(Services {
            uploads: UploadService::new(store, SystemClock).with_max_bytes(settings.max_bytes),
        }))
    }
}
