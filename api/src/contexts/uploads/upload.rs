//! `POST /api/v1/uploads`: a photo, as `wx.uploadFile` sends it.

use hyper::body::Bytes;
use linli_uploads::image::ImageError;
use linli_uploads::{ImageKind, Upload};
use poem::web::Data;
use poem_openapi::param::Header;
use poem_openapi::payload::Json;
use poem_openapi::{ApiRequest, Enum, Object, OpenApi};
use uuid::Uuid;

use super::error::{too_large, unsupported};
use super::{Files, UploadTags};
use crate::http::contract::{Answer, errors};
use crate::http::dto::Created;
use crate::http::error::ApiError;
use crate::http::form::{FilePart, Form, FormError};
use crate::http::security::BearerAuth;

/// What a file is, by its content.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename = "UploadContentType")]
pub enum ContentType {
    #[oai(rename = "image/jpeg")]
    Jpeg,
    #[oai(rename = "image/png")]
    Png,
    #[oai(rename = "image/webp")]
    Webp,
}

impl From<ImageKind> for ContentType {
    fn from(kind: ImageKind) -> Self {
        match kind {
            ImageKind::Jpeg => Self::Jpeg,
            ImageKind::Png => Self::Png,
            ImageKind::WebP => Self::Webp,
        }
    }
}

/// A file kept.
#[derive(Object, Debug)]
#[oai(rename = "Upload")]
pub struct UploadDto {
    pub id: Uuid,
    /// Where it is served (`/files/<uuid v7>.<ext>`, on this server): what a request or a
    /// task keeps among its photos, and what an `<image>` shows.
    pub url: String,
    pub content_type: ContentType,
    /// Bytes stored, after the metadata was stripped.
    pub size: u64,
}

impl From<Upload> for UploadDto {
    fn from(upload: Upload) -> Self {
        Self {
            id: upload.id.as_uuid(),
            url: upload.url(),
            content_type: upload.kind().into(),
            size: upload.size,
        }
    }
}

/// The request body of an upload.
#[derive(ApiRequest)]
pub enum UploadForm {
    Form(Form),
}

errors!(UploadsCreate: [Auth, Post, Idempotent] {
    400: [file_expected],
    413: [file_too_large],
    422: [unsupported_file_type],
});

#[derive(Default)]
pub struct UploadsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "UploadTags::Uploads")]
impl UploadsApi {
    /// Upload a photo
    ///
    /// Any logged-in person. The body is a form (`multipart/form-data`, as `wx.uploadFile`
    /// sends it) with one file in the field `file` (the server's `LINLI_UPLOAD_FIELD`); other
    /// text fields are ignored; no file, or a second one, is `file_expected` (400). The file
    /// must be a JPEG, PNG or WebP image by its content, whatever its name or declared type,
    /// and a whole one (`unsupported_file_type`, 422, with `details.reason`), of at most
    /// 5 MiB (`LINLI_UPLOAD_MAX_BYTES`; `file_too_large`, 413, with `details.max_bytes`; the
    /// rest of a larger file is not kept, nor read beyond a bound).
    ///
    /// The file is kept stripped of its metadata: EXIF (where a phone writes where it
    /// stood), XMP, IPTC, comments and anything after the image. The answer's `url` serves
    /// it (`GET /files/{name}`, no token needed: the name is unguessable) and is what
    /// requests and tasks take among their photos: only the uploader's own count there.
    #[oai(path = "/uploads", method = "post", operation_id = "uploads_create")]
    async fn create(
        &self,
        files: Data<&Files>,
        auth: BearerAuth,
        /// A retry with the same key and body gets the first answer (`idempotent-replayed:
        /// true`) and keeps nothing twice; 1 to 128 visible ASCII characters.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        form: UploadForm,
    ) -> Answer<Created<UploadDto>, UploadsCreate> {
        let UploadForm::Form(form) = form;
        let max_bytes = files.uploads.max_bytes();
        let refused = |e: FormError| match e {
            FormError::TooLarge { .. } => too_large(max_bytes),
            other => other.into_api("file_too_large"),
        };
        let mut file = form.file(max_bytes).await.map_err(refused)?;
        let content = read_image(&mut file).await.map_err(|e| e.either(refused))?;
        file.finish().await.map_err(refused)?;
        let upload = files.uploads.upload(&auth.0, content).await?;
        Ok(Created::Created(Json(upload.into())))
    }
}

/// What stopped reading a file: the form, or its first bytes.
enum ReadError {
    Form(FormError),
    Refused(ApiError),
}

impl ReadError {
    fn either(self, form: impl FnOnce(FormError) -> ApiError) -> ApiError {
        match self {
            Self::Form(e) => form(e),
            Self::Refused(e) => e,
        }
    }
}

/// The file's bytes, refused as soon as its first bytes show it is no kept kind: the rest
/// of a program sent as a photo is never taken in.
async fn read_image(file: &mut FilePart) -> Result<Bytes, ReadError> {
    let mut content = Vec::new();
    let mut sniffed = false;
    while let Some(chunk) = file.chunk().await.map_err(ReadError::Form)? {
        content.extend_from_slice(&chunk);
        if !sniffed && content.len() >= ImageKind::SNIFF_BYTES {
            if ImageKind::sniff(&content).is_none() {
                return Err(ReadError::Refused(unsupported(&ImageError::Unsupported)));
            }
            sniffed = true;
        }
    }
    Ok(Bytes::from(content))
}
