//! `GET /files/{name}`: uploaded files, served back.
//!
//! Public: the mini-program shows photos with `<image src>`, which sends no `Authorization`
//! header, so a file is found by its name alone, which is unguessable (a UUID v7 with 74
//! random bits) and given only to its uploader, who passes it on (a request's photos) to
//! those the request is shown to. Names never change, so answers are cached for a year.

use linli_infra::uploads::StoredFile;
use linli_uploads::ImageKind;
use poem::http::{HeaderValue, StatusCode, header};
use poem::web::Data;
use poem::{Body, IntoResponse, Response};
use poem_openapi::param::Path;
use poem_openapi::registry::{
    MetaHeader, MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry,
};
use poem_openapi::types::Type;
use poem_openapi::{ApiResponse, OpenApi};

use super::{Files, UploadTags};
use crate::http::contract::{Answer, errors};
use crate::http::error::ApiError;

/// A year: a name always names the same bytes.
const CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// A stored file, answered with its type.
pub struct FileAnswer {
    kind: ImageKind,
    file: StoredFile,
}

impl IntoResponse for FileAnswer {
    fn into_response(self) -> Response {
        let mut response = Response::builder()
            .status(StatusCode::OK)
            .content_type(self.kind.content_type())
            .header(header::CONTENT_LENGTH, self.file.len)
            .header(header::CACHE_CONTROL, CACHE_CONTROL)
            .body(Body::from_async_read(self.file.file));
        // The browser must take it for what we say it is, never for HTML or a script.
        response
            .headers_mut()
            .insert("x-content-type-options", HeaderValue::from_static("nosniff"));
        response
    }
}

impl ApiResponse for FileAnswer {
    fn meta() -> MetaResponses {
        let binary = || {
            MetaSchemaRef::Inline(Box::new(MetaSchema {
                format: Some("binary"),
                ..MetaSchema::new("string")
            }))
        };
        let header = |name: &str, description: &str| MetaHeader {
            name: name.to_owned(),
            description: Some(description.to_owned()),
            required: true,
            deprecated: false,
            schema: String::schema_ref(),
        };
        MetaResponses {
            responses: vec![MetaResponse {
                description: "The file, with the type its content showed when it was uploaded.",
                status: Some(200),
                status_range: None,
                content: ImageKind::ALL
                    .iter()
                    .map(|kind| MetaMediaType {
                        content_type: kind.content_type(),
                        schema: binary(),
                    })
                    .collect(),
                headers: vec![
                    header(
                        "Cache-Control",
                        "`public, max-age=31536000, immutable`: names never change.",
                    ),
                    header("X-Content-Type-Options", "`nosniff`."),
                ],
            }],
        }
    }

    fn register(_registry: &mut Registry) {}
}

errors!(FilesGet: [Params] { 404: [file_not_found] });

#[derive(Default)]
pub struct FilesApi;

#[OpenApi(tag = "UploadTags::Files")]
impl FilesApi {
    /// An uploaded file
    ///
    /// The file an upload's `url` names, as stored (without its metadata), with its type
    /// (`image/jpeg`, `image/png`, `image/webp`), `X-Content-Type-Options: nosniff`, and
    /// cached for a year (names never change). No token: `<image>` cannot send one, and the
    /// name is unguessable. Any other name, including anything with a path in it, is
    /// `file_not_found` (404).
    #[oai(path = "/files/:name", method = "get", operation_id = "files_get")]
    async fn get(&self, files: Data<&Files>, name: Path<String>) -> Answer<FileAnswer, FilesGet> {
        match files.uploads.open(&name.0).await? {
            Some((name, file)) => Ok(FileAnswer {
                kind: name.kind(),
                file,
            }),
            None => Err(ApiError::new(StatusCode::NOT_FOUND, "file_not_found").into()),
        }
    }
}
