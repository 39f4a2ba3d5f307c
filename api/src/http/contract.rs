//! What each operation may answer besides success, declared once next to its handler:
//!
//! ```ignore
//! errors!(GridsCreate: [Auth, Post, Idempotent] {
//!     403: [forbidden], 404: [community_not_found], 409: [name_taken],
//! });
//! async fn create_grid(…) -> Answer<Created<Grid>, GridsCreate> { … }
//! ```
//!
//! The spec then lists exactly those statuses, each with its own error schema whose `code` is
//! a string enum, so a generated client's `switch` on a misspelt code does not compile. The
//! groups in brackets add what the shared layers answer (authentication, body parsing and
//! size, idempotency keys, login rate limits); every operation may answer 500
//! `internal_error`. `contract_check` holds the running server to these declarations in debug builds.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use poem::http::{HeaderValue, StatusCode, header};
use poem::{IntoResponse, Response};
use poem_openapi::ApiResponse;
use poem_openapi::registry::{
    MetaHeader, MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry,
};
use poem_openapi::types::Type;

use super::error::{ApiError, from_poem_error};

/// What the shared layers add to an operation's answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// Bearer authentication: 401.
    Auth,
    /// Path or query parameters poem parses: 400 `malformed_request`.
    Params,
    /// A JSON body (POST, PUT, PATCH): 400 `malformed_request`, 408 `request_timeout`,
    /// 413 `payload_too_large`.
    Body,
    /// A POST: a body layer, and `X-HTTP-Method-Override` with another value than PATCH.
    Post,
    /// Honours `Idempotency-Key` (see the idempotency middleware).
    Idempotent,
    /// A login: rate limited per client address.
    Login,
}

/// One operation's declared failures; made by `errors!`.
pub trait Declared: Send + Sync + 'static {
    /// Prefix of its error schemas' names, e.g. `GridsCreate` → `GridsCreateConflict`.
    const NAME: &'static str;
    const LAYERS: &'static [Layer];
    const CODES: &'static [(u16, &'static [&'static str])];
}

/// Seconds a client should wait after a 429.
pub const RETRY_AFTER_SECONDS: u64 = 60;

/// Status → codes, the layers' first, then the operation's own.
pub fn declared<D: Declared>() -> BTreeMap<u16, Vec<&'static str>> {
    let mut map: BTreeMap<u16, Vec<&'static str>> = BTreeMap::new();
    let mut add = |status: u16, codes: &[&'static str]| {
        let known = map.entry(status).or_default();
        for code in codes {
            if !known.contains(code) {
                known.push(code);
            }
        }
    };
    for layer in D::LAYERS {
        match layer {
            Layer::Auth => add(
                401,
                &[
                    "unauthorized",
                    "invalid_token",
                    "token_expired",
                    "session_revoked",
                ],
            ),
            Layer::Params => add(400, &["malformed_request"]),
            Layer::Body => {
                add(400, &["malformed_request"]);
                add(408, &["request_timeout"]);
                add(413, &["payload_too_large"]);
            }
            Layer::Post => {
                add(400, &["malformed_request", "method_override_not_allowed"]);
                add(408, &["request_timeout"]);
                add(413, &["payload_too_large"]);
            }
            Layer::Idempotent => {
                add(400, &["validation_failed"]);
                add(409, &["idempotency_key_in_use"]);
                add(422, &["idempotency_key_reused"]);
            }
            Layer::Login => add(429, &["rate_limited"]),
        }
    }
    for (status, codes) in D::CODES {
        add(*status, codes);
    }
    add(500, &["internal_error"]);
    map
}

/// Declares an operation's failures: `errors!(Name: [Layer, …] { status: [code, …], … });`
macro_rules! errors {
    ($name:ident: [$($layer:ident),* $(,)?] { $($status:literal: [$($code:ident),* $(,)?]),* $(,)? }) => {
        pub struct $name;

        impl $crate::http::contract::Declared for $name {
            const NAME: &'static str = stringify!($name);
            const LAYERS: &'static [$crate::http::contract::Layer] =
                &[$($crate::http::contract::Layer::$layer),*];
            const CODES: &'static [(u16, &'static [&'static str])] =
                &[$(($status, &[$(stringify!($code)),*])),*];
        }
    };
}
pub(crate) use errors;

/// The error half of a handler's result, typed by its declaration.
pub struct Fail<D>(pub ApiError, PhantomData<D>);

/// A handler's result: its success, or one of its declared failures.
pub type Answer<T, D> = Result<T, Fail<D>>;

impl<D> std::fmt::Debug for Fail<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<D> From<ApiError> for Fail<D> {
    fn from(error: ApiError) -> Self {
        Self(error, PhantomData)
    }
}

impl<D> From<linli_kernel::ValidationError> for Fail<D> {
    fn from(error: linli_kernel::ValidationError) -> Self {
        ApiError::from(error).into()
    }
}

impl<D: Declared> IntoResponse for Fail<D> {
    fn into_response(self) -> Response {
        with_retry_after(self.0.into_response())
    }
}

/// 429 answers say when to come back.
pub fn with_retry_after(mut response: Response) -> Response {
    if response.status() == StatusCode::TOO_MANY_REQUESTS {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
    }
    response
}

impl<D: Declared> From<Fail<D>> for poem::Error {
    fn from(fail: Fail<D>) -> Self {
        poem::Error::from_response(fail.into_response())
    }
}

fn status_word(status: u16) -> (&'static str, &'static str) {
    match status {
        400 => ("BadRequest", "Malformed request or invalid input."),
        401 => ("Unauthorized", "No token, or a bad, expired or revoked one."),
        403 => ("Forbidden", "Outside your scope, or refused by WeChat."),
        404 => ("NotFound", "Unknown, or not visible to you."),
        408 => (
            "RequestTimeout",
            "The body did not arrive in time (30 s by default).",
        ),
        409 => ("Conflict", "Conflicts with the current state."),
        413 => (
            "PayloadTooLarge",
            "The body, or the file it carries, is over its limit (4 MiB; an upload's file 5 MiB).",
        ),
        422 => ("Unprocessable", "A rule of the domain refused it."),
        429 => ("TooManyRequests", "Rate limited: wait `Retry-After` seconds."),
        500 => (
            "InternalError",
            "A bug or a misconfiguration; the request id finds it in the logs.",
        ),
        503 => (
            "Unavailable",
            "An upstream (WeChat) is unavailable or not configured.",
        ),
        _ => ("Error", "An error."),
    }
}

fn schema_name<D: Declared>(status: u16) -> String {
    format!("{}{}", D::NAME, status_word(status).0)
}

fn error_schema(codes: &[&'static str]) -> MetaSchema {
    let string = || MetaSchemaRef::Inline(Box::new(MetaSchema::new("string")));
    let code = MetaSchema {
        description: Some("Stable and machine-readable."),
        enum_items: codes.iter().map(|c| serde_json::Value::from(*c)).collect(),
        ..MetaSchema::new("string")
    };
    let message = MetaSchema {
        description: Some(
            "For people: Simplified Chinese, or English with `Accept-Language: en`; may change.",
        ),
        ..MetaSchema::new("string")
    };
    let details = <serde_json::Value as Type>::schema_ref().merge(MetaSchema {
        description: Some("Facts about the error, e.g. the bad rows of an import."),
        ..MetaSchema::ANY
    });
    MetaSchema {
        required: vec!["code", "message", "request_id"],
        properties: vec![
            ("code", MetaSchemaRef::Inline(Box::new(code))),
            ("message", MetaSchemaRef::Inline(Box::new(message))),
            ("details", details),
            ("request_id", string()),
        ],
        ..MetaSchema::new("object")
    }
}

impl<D: Declared> ApiResponse for Fail<D> {
    const BAD_REQUEST_HANDLER: bool = true;

    fn meta() -> MetaResponses {
        let responses = declared::<D>()
            .into_keys()
            .map(|status| MetaResponse {
                description: status_word(status).1,
                status: Some(status),
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: "application/json; charset=utf-8",
                    schema: MetaSchemaRef::Reference(schema_name::<D>(status)),
                }],
                headers: if status == 429 {
                    vec![MetaHeader {
                        name: "Retry-After".to_owned(),
                        description: Some("Seconds to wait before trying again.".to_owned()),
                        required: true,
                        deprecated: false,
                        schema: u64::schema_ref(),
                    }]
                } else {
                    Vec::new()
                },
            })
            .collect();
        MetaResponses { responses }
    }

    fn register(registry: &mut Registry) {
        for (status, codes) in declared::<D>() {
            registry
                .schemas
                .insert(schema_name::<D>(status), error_schema(&codes));
        }
    }

    fn from_parse_request_error(error: poem::Error) -> Self {
        from_poem_error(error).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    errors!(Sample: [Auth, Post] { 404: [grid_not_found], 400: [validation_failed] });

    #[test]
    fn layers_and_own_codes_merge_by_status() {
        let map = declared::<Sample>();
        assert_eq!(
            map[&400],
            vec![
                "malformed_request",
                "method_override_not_allowed",
                "validation_failed"
            ]
        );
        assert_eq!(map[&404], vec!["grid_not_found"]);
        assert_eq!(map[&500], vec!["internal_error"]);
        assert!(map.contains_key(&401) && map.contains_key(&413));
    }
}
