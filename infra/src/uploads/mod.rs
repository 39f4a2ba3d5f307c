//! The uploads context's adapters: the `uploads` table and its migration, the files on local
//! disk, and the kernel's `Uploads` port (who uploaded which file), which the database alone
//! answers.

pub mod entity;
mod migration;

mod files;
mod owners;

pub use files::{LocalUploads, StoredFile};
pub(crate) use migration::migrations;
