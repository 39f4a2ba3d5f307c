//! Uploaded files: a photo a resident or a staff member attaches (to a request, a finished
//! task). Only images are kept (JPEG, PNG, WebP, told by their content, never by their name),
//! and only after their metadata is stripped: residents photograph their own homes, and a
//! phone writes where it stood into the photo's EXIF.
//!
//! A file is known by its URL path, `/files/<uuid v7>.<ext>`, which is public: the
//! mini-program's `<image>` tag sends no `Authorization` header, so the name is the secret
//! (74 random bits). Other contexts check that the photos they keep were uploaded by the
//! person who gives them through the kernel's `Uploads` port.

pub mod error;
pub mod image;
pub mod models;
pub mod ports;
pub mod service;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use error::UploadError;
pub use models::{FileName, ImageKind, Upload, UploadId};
pub use service::{DEFAULT_MAX_BYTES, UploadService};
