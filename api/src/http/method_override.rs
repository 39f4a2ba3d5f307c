//! `wx.request` cannot send PATCH: a POST with `X-HTTP-Method-Override: PATCH` is served as
//! the PATCH of its path. Nothing else may be overridden (a POST asking for another method is
//! 400 `method_override_not_allowed`), and the header means nothing on other methods. It runs
//! before routing, so a path without PATCH answers 405 as a real PATCH would.

use std::sync::Arc;

use poem::http::{Method, StatusCode};
use poem::{Endpoint, IntoResponse, Request, Response};

use super::error::ApiError;

pub const METHOD_OVERRIDE_HEADER: &str = "x-http-method-override";

/// The method a request is served as: PATCH for a POST asking for it, else its own. For
/// labels read before `method_override` runs (metrics, the log line).
pub fn effective_method(req: &Request) -> &Method {
    match req.header(METHOD_OVERRIDE_HEADER) {
        Some(wanted) if req.method() == Method::POST && wanted.trim().eq_ignore_ascii_case("PATCH") => {
            &Method::PATCH
        }
        _ => req.method(),
    }
}

pub async fn method_override<E: Endpoint>(next: Arc<E>, mut req: Request) -> poem::Result<Response> {
    if req.method() == Method::POST
        && let Some(wanted) = req.header(METHOD_OVERRIDE_HEADER)
    {
        if !wanted.trim().eq_ignore_ascii_case("PATCH") {
            return Ok(ApiError::new(StatusCode::BAD_REQUEST, "method_override_not_allowed").into_response());
        }
        req.headers_mut().remove(METHOD_OVERRIDE_HEADER);
        req.set_method(Method::PATCH);
    }
    next.call(req).await.map(IntoResponse::into_response)
}
