//! The one error shape of the API, and the one place that maps domain errors to HTTP:
//! `{"code": "…", "message": "…", "details": {…}, "request_id": "…"}`.
//! `code` is stable; `message` is for people, worded from the catalogue (`super::i18n`) in
//! the request's language; internal causes are logged, never returned.

use linli_kernel::ValidationError;
use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};
use serde_json::json;

use super::i18n::{self, Locale};

tokio::task_local! {
    /// The id of the request being served; error bodies and logs carry it.
    pub static REQUEST_ID: String;
}

pub fn current_request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_default()
}

#[derive(Object, Debug, Clone, PartialEq)]
pub struct ErrorBody {
    /// Stable and machine-readable, e.g. `grid_already_in_branch`.
    pub code: String,
    /// For people, in Simplified Chinese (English with `Accept-Language: en`); may change.
    pub message: String,
    /// Facts about the error, e.g. the bad rows of an import.
    #[oai(skip_serializing_if_is_none)]
    pub details: Option<serde_json::Value>,
    /// The `x-request-id` of the request, for support.
    pub request_id: String,
}

impl ErrorBody {
    /// The body of error `code`, worded from the catalogue in the request's language.
    pub fn new(code: &str, params: &[(&str, String)]) -> Self {
        Self::worded(code, i18n::message(Locale::current(), code, params))
    }

    fn worded(code: &str, message: String) -> Self {
        Self {
            code: code.to_owned(),
            message,
            details: None,
            request_id: current_request_id(),
        }
    }
}

/// Every error answer. Each endpoint's description lists the codes it gives.
#[derive(ApiResponse, Debug, Clone)]
#[oai(bad_request_handler = "from_poem_error")]
pub enum ApiError {
    /// Malformed request: unreadable JSON, a missing or invalid field (`malformed_request`,
    /// `validation_failed`).
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// No token, or a bad, expired or revoked one (`unauthorized`, `invalid_token`,
    /// `token_expired`, `session_revoked`…).
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    /// Outside your scope (`forbidden`).
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// Unknown, or not visible to you (`…_not_found`).
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The body did not arrive in time (`request_timeout`).
    #[oai(status = 408)]
    RequestTimeout(Json<ErrorBody>),
    /// Conflicts with the current state (`name_taken`, `grid_already_in_branch`…).
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// The body is over the limit (`payload_too_large`).
    #[oai(status = 413)]
    PayloadTooLarge(Json<ErrorBody>),
    /// A rule of the domain refused it (`import_rejected`, `branch_grid_count`…).
    #[oai(status = 422)]
    Unprocessable(Json<ErrorBody>),
    /// Rate limited (`rate_limited`, `wechat_rate_limited`).
    #[oai(status = 429)]
    TooManyRequests(Json<ErrorBody>),
    /// A bug (`internal_error`), or WeChat refusing this server's app id, secret or address
    /// (`wechat_misconfigured`); the request id finds it in the logs.
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
    /// An upstream (WeChat) is unavailable (`wechat_unavailable`, `wechat_error`), or no
    /// WeChat app is configured (`wechat_not_configured`, development only).
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>),
}

impl ApiError {
    /// An error whose message is the catalogue's entry for `code`, in the request's language.
    pub fn new(status: StatusCode, code: &str) -> Self {
        Self::with_params(status, code, &[])
    }

    /// The same, with the facts the entry names as `%{name}`.
    pub fn with_params(status: StatusCode, code: &str, params: &[(&str, String)]) -> Self {
        Self::worded(status, code, i18n::message(Locale::current(), code, params))
    }

    fn worded(status: StatusCode, code: &str, message: String) -> Self {
        let body = Json(ErrorBody::worded(code, message));
        match status.as_u16() {
            400 => Self::BadRequest(body),
            401 => Self::Unauthorized(body),
            403 => Self::Forbidden(body),
            404 => Self::NotFound(body),
            408 => Self::RequestTimeout(body),
            409 => Self::Conflict(body),
            413 => Self::PayloadTooLarge(body),
            422 => Self::Unprocessable(body),
            429 => Self::TooManyRequests(body),
            503 => Self::Unavailable(body),
            _ => Self::Internal(body),
        }
    }

    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.body_mut().details = Some(details);
        self
    }

    fn body_mut(&mut self) -> &mut ErrorBody {
        match self {
            Self::BadRequest(b)
            | Self::Unauthorized(b)
            | Self::Forbidden(b)
            | Self::NotFound(b)
            | Self::RequestTimeout(b)
            | Self::Conflict(b)
            | Self::PayloadTooLarge(b)
            | Self::Unprocessable(b)
            | Self::TooManyRequests(b)
            | Self::Internal(b)
            | Self::Unavailable(b) => &mut b.0,
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, &format!("{what}_not_found"))
    }

    /// 400 `validation_failed`, worded by the rule (`validation.<rule>`) and naming the field;
    /// `details` keep the field and the rule for programs.
    pub fn validation(error: &ValidationError) -> Self {
        let locale = Locale::current();
        let mut params = vec![("field", i18n::term(locale, "field", &error.field))];
        params.extend(error.params.iter().map(|(name, value)| (*name, value.clone())));
        let message = i18n::message(locale, &format!("validation.{}", error.rule.as_str()), &params);
        Self::worded(StatusCode::BAD_REQUEST, "validation_failed", message)
            .with_details(json!({ "field": error.field, "rule": error.rule.as_str() }))
    }

    /// A failure we did not expect: logged whole, answered without its cause.
    pub fn internal(error: &anyhow::Error) -> Self {
        tracing::error!(error = format!("{error:#}"), "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error")
    }
}

/// An error raised before a handler runs (the security scheme), carried through poem.
#[derive(Debug)]
pub struct Rejected(pub ApiError);

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("request rejected")
    }
}

impl std::error::Error for Rejected {}

impl poem::error::ResponseError for Rejected {
    fn status(&self) -> StatusCode {
        self.0.clone().into_response().status()
    }

    fn as_response(&self) -> Response {
        self.0.clone().into_response()
    }
}

/// Errors poem raises itself (bad JSON, a missing parameter, no route) in our shape.
pub fn from_poem_error(error: poem::Error) -> ApiError {
    if let Some(Rejected(api_error)) = error.downcast_ref::<Rejected>() {
        return api_error.clone();
    }
    let status = error.status();
    match status {
        StatusCode::UNAUTHORIZED => ApiError::new(status, "unauthorized"),
        StatusCode::NOT_FOUND => ApiError::new(status, "not_found"),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(status, "method_not_allowed"),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(status, "payload_too_large"),
        s if s.is_server_error() => ApiError::internal(&anyhow::anyhow!("{error}")),
        // The parser's own words (English) help a developer find the fault.
        _ => ApiError::new(StatusCode::BAD_REQUEST, "malformed_request")
            .with_details(json!({ "reason": error.to_string() })),
    }
}

impl From<linli_kernel::ValidationError> for ApiError {
    fn from(e: linli_kernel::ValidationError) -> Self {
        ApiError::validation(&e)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
