//! The settings of uploaded files: their field, directory and size limit.

use std::path::PathBuf;

use anyhow::{Context, bail};

use super::Settings;
use super::files::create_private_dir;

/// Files are held in memory while their metadata is stripped: keep the limit sane.
const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;
const MIN_UPLOAD_BYTES: usize = 1024;

impl Settings {
    pub(super) fn check_uploads(&self) -> anyhow::Result<()> {
        if !(MIN_UPLOAD_BYTES..=MAX_UPLOAD_BYTES).contains(&self.upload_max_bytes) {
            bail!(
                "LINLI_UPLOAD_MAX_BYTES must be between {MIN_UPLOAD_BYTES} and {MAX_UPLOAD_BYTES} \
                 (files are held in memory while their metadata is stripped)"
            );
        }
        let field = &self.upload_field;
        if field.is_empty()
            || field.len() > 64
            || !field
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        {
            bail!("LINLI_UPLOAD_FIELD must be 1 to 64 letters, digits, `-`, `_` or `.`, not {field:?}");
        }
        Ok(())
    }

    /// The directory of uploaded files (`LINLI_UPLOAD_DIR`, or `uploads` in the data dir),
    /// made (0700) if it is not there.
    pub fn upload_dir(&self) -> anyhow::Result<PathBuf> {
        let dir = self
            .upload_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("uploads"));
        if !dir.is_dir() {
            if self.upload_dir.is_none() {
                create_private_dir(&self.data_dir)?;
            }
            create_private_dir(&dir)
                .with_context(|| format!("making the upload directory {}", dir.display()))?;
        }
        Ok(dir)
    }
}
