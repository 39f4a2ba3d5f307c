//! A CSV request body: `text/csv` (or `text/plain`), with or without a charset parameter,
//! or a form (`multipart/form-data`) carrying the file; in UTF-8 or in the GBK that Chinese
//! Excel writes by default.

use poem::http::StatusCode;
use poem::{Body, Request, RequestBody};
use poem_openapi::ApiRequest;
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};

use super::error::ApiError;
use super::form::Form;
use super::middleware::MAX_BODY_BYTES;

/// An uploaded CSV file, not parsed yet (the body limit has buffered it): the handler decides
/// whether the caller may send it before anything of it is parsed.
pub struct Csv(pub Body);

/// The request body of a CSV upload: the file itself, or a form with the file (as
/// `wx.uploadFile` or a browser's file input sends it).
#[derive(ApiRequest)]
pub enum CsvUpload {
    Csv(Csv),
    Form(Form),
}

impl CsvUpload {
    /// Reads the file (at most [`MAX_BODY_BYTES`] of it, however it came) and gives its text.
    pub async fn read_text(self) -> Result<String, ApiError> {
        match self {
            Self::Csv(file) => file.read_text().await,
            Self::Form(form) => decode(
                form.read_file(MAX_BODY_BYTES)
                    .await
                    .map_err(|e| e.into_api("payload_too_large"))?,
            ),
        }
    }
}

impl Payload for Csv {
    const CONTENT_TYPE: &'static str = "text/csv";

    fn check_content_type(content_type: &str) -> bool {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        essence == "text/csv" || essence == "text/plain"
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            format: Some("binary"),
            ..MetaSchema::new("string")
        }))
    }
}

impl ParsePayload for Csv {
    const IS_REQUIRED: bool = true;

    async fn from_request(_request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        Ok(Self(body.take()?))
    }
}

impl Csv {
    /// Reads the file (the body limit still applies) and gives its text.
    pub async fn read_text(self) -> Result<String, ApiError> {
        let bytes = self.0.into_vec().await.map_err(|e| {
            ApiError::new(StatusCode::BAD_REQUEST, "malformed_request")
                .with_details(serde_json::json!({ "reason": e.to_string() }))
        })?;
        decode(bytes)
    }
}

/// The file's text: UTF-8 if it is (without a copy), else GBK (GB18030).
fn decode(bytes: Vec<u8>) -> Result<String, ApiError> {
    let bytes = match String::from_utf8(bytes) {
        Ok(text) => return Ok(text),
        Err(e) => e.into_bytes(),
    };
    let (text, _, had_errors) = encoding_rs::GB18030.decode(&bytes);
    if had_errors {
        return Err(ApiError::with_params(
            StatusCode::UNPROCESSABLE_ENTITY,
            "import_rejected",
            &[("count", "1".to_owned())],
        )
        .with_details(serde_json::json!({
            "errors": [{ "line": 1, "field": null, "code": "unreadable_row", "message": "save the file as CSV (UTF-8 or GBK)" }],
            "error_count": 1
        })));
    }
    Ok(text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_files_from_excel_are_read() {
        let (gbk, _, _) = encoding_rs::GBK.encode("社区,网格\n幸福里社区,一网格\n");
        assert_eq!(
            decode(gbk.into_owned()).ok().as_deref(),
            Some("社区,网格\n幸福里社区,一网格\n")
        );
        assert_eq!(decode("a,b".into()).ok().as_deref(), Some("a,b"));
    }

    #[test]
    fn csv_and_plain_text_with_any_charset_are_accepted() {
        assert!(Csv::check_content_type("text/csv"));
        assert!(Csv::check_content_type("text/csv; charset=gbk"));
        assert!(Csv::check_content_type("text/plain;charset=utf-8"));
        assert!(!Csv::check_content_type("application/json"));
    }
}
