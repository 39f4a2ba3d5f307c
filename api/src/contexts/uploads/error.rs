//! Uploads' errors in the API's terms: one status and one stable code per variant.

use linli_uploads::UploadError;
use linli_uploads::image::ImageError;
use poem::http::StatusCode;
use serde_json::json;

use crate::http::contract::{Declared, Fail};
use crate::http::error::ApiError;
use crate::http::form::readable_size;

impl From<UploadError> for ApiError {
    fn from(error: UploadError) -> Self {
        match error {
            UploadError::TooLarge { max_bytes } => too_large(max_bytes),
            UploadError::Image(image) => unsupported(&image),
            // The API's actors are people; the console uploads nothing.
            UploadError::Forbidden => ApiError::internal(&anyhow::anyhow!("the console tried to upload")),
            UploadError::Unknown(e) => ApiError::internal(&e),
        }
    }
}

/// 413 `file_too_large`, with the limit.
pub fn too_large(max_bytes: usize) -> ApiError {
    ApiError::with_params(
        StatusCode::PAYLOAD_TOO_LARGE,
        "file_too_large",
        &[("max_size", readable_size(max_bytes))],
    )
    .with_details(json!({ "max_bytes": max_bytes }))
}

/// 422 `unsupported_file_type`: not an image of a kept kind by its content, or not a whole one.
pub fn unsupported(error: &ImageError) -> ApiError {
    let details = match error {
        ImageError::Unsupported => json!({ "reason": error.to_string() }),
        ImageError::Malformed { kind, .. } => {
            json!({ "reason": error.to_string(), "claimed": kind.content_type() })
        }
    };
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unsupported_file_type").with_details(details)
}

impl<D: Declared> From<UploadError> for Fail<D> {
    fn from(error: UploadError) -> Self {
        ApiError::from(error).into()
    }
}
