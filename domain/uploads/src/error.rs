use crate::image::ImageError;

/// Every way an upload can fail. The API maps each variant to one status and code.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Larger than the configured limit (checked as it arrives, and again here).
    #[error("the file is over {max_bytes} bytes")]
    TooLarge { max_bytes: usize },
    /// Not a JPEG, PNG or WebP by its content, or not a whole one.
    #[error(transparent)]
    Image(#[from] ImageError),
    /// Only people upload: the console has no files.
    #[error("only a logged-in person may upload")]
    Forbidden,
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}
