//! What wraps every request: the request id, the span and log line, metrics, JSON errors
//! for what poem answers itself, idempotency keys on creating calls, and login rate limits.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use linli_infra::db::{IdempotencyClaim, StoredResponse};
use poem::PathPattern;
use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use poem_openapi::OperationId;
use sha2::{Digest, Sha256};
use tracing::Instrument;

use super::error::{ApiError, ErrorBody, REQUEST_ID, from_poem_error};
use super::i18n::{LOCALE, Locale};
use crate::http::state::AppState;
use crate::metrics::RequestLabels;

pub const REQUEST_ID_HEADER: &str = "x-request-id";
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";
pub const IDEMPOTENT_REPLAY_HEADER: &str = "idempotent-replayed";

/// An incoming request id is kept if it is short and plain; otherwise we make our own.
fn request_id_of(req: &Request) -> String {
    req.header(REQUEST_ID_HEADER)
        .filter(|id| {
            !id.is_empty()
                && id.len() <= 128
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned)
}

/// The outermost layer: request id, span, log line, metrics.
pub async fn observe<E: Endpoint>(next: Arc<E>, req: Request, state: AppState) -> poem::Result<Response> {
    let request_id = request_id_of(&req);
    let locale = Locale::from_accept_language(req.header(header::ACCEPT_LANGUAGE));
    // A fixed set, so a client cannot mint log fields or metric series with made-up methods.
    // The method served, so an overridden POST counts as the PATCH it is.
    let method = crate::metrics::method_label(super::method_override::effective_method(&req));
    let started = Instant::now();
    let span = tracing::info_span!("request", %method, route = tracing::field::Empty, %request_id);
    let result = REQUEST_ID
        .scope(
            request_id.clone(),
            LOCALE.scope(locale, next.call(req).instrument(span.clone())),
        )
        .await;
    let mut response = match result {
        Ok(response) => response.into_response(),
        Err(error) => REQUEST_ID.sync_scope(request_id.clone(), || {
            LOCALE.sync_scope(locale, || error_response(error))
        }),
    };
    let route = route_of(&response, &state.route_templates);
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    span.record("route", route.as_str());
    span.in_scope(|| log_served(status, elapsed));
    state.metrics.observe(
        RequestLabels {
            method: method.to_owned(),
            route,
            status,
        },
        elapsed.as_secs_f64(),
    );
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    Ok(response)
}

/// The request's log line: client errors are the client's business (INFO), server errors
/// are ours (ERROR, beside the `internal error` line that says why).
fn log_served(status: u16, elapsed: Duration) {
    let latency_ms = elapsed.as_secs_f64() * 1000.0;
    if status >= 500 {
        tracing::error!(status, latency_ms, "served");
    } else {
        tracing::info!(status, latency_ms, "served");
    }
}

/// The route template of an answer: the spec's path for API operations (`/api/v1/grids/{id}`),
/// poem's pattern for the rest, `unmatched` when no route matched.
fn route_of(response: &Response, templates: &HashMap<String, String>) -> String {
    if let Some(path) = response.data::<OperationId>().and_then(|id| templates.get(id.0)) {
        return path.clone();
    }
    response
        .data::<PathPattern>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.0.to_string())
}

/// Answers an error in our JSON shape, keeping the route template. Handlers' errors arrive
/// already shaped (poem wraps their response); poem's own (no route, wrong method) are shaped
/// here with their own status.
pub fn error_response(error: poem::Error) -> Response {
    let pattern = error.data::<PathPattern>().cloned();
    let operation = error.data::<OperationId>().copied();
    let mut response = if error.is_from_response() {
        error.into_response()
    } else if error.status() == StatusCode::METHOD_NOT_ALLOWED {
        // Not an `ApiError` variant: no operation declares 405.
        poem_openapi::payload::Json(ErrorBody::new("method_not_allowed", &[]))
            .with_status(StatusCode::METHOD_NOT_ALLOWED)
            .into_response()
    } else {
        from_poem_error(error).into_response()
    };
    if let Some(pattern) = pattern {
        response.set_data(pattern);
    }
    if let Some(operation) = operation {
        response.set_data(operation);
    }
    response
}

/// Requests larger than this are refused: the largest legitimate one, but for forms, is a
/// CSV import.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// How large a body may be.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    /// Any body but a form's, read whole before the handler runs.
    pub buffered: usize,
    /// A form's (`multipart/form-data`), streamed to its handler (see `super::form`).
    pub form: usize,
}

/// Refuses bodies over their limit, whether or not the client declared a length, and
/// bodies that take longer than `deadline` to arrive: a body trickled a byte at a time keeps
/// the connection busy, so the idle timeout alone would never close it. A form is streamed to
/// its handler under the same bounds rather than read here.
pub async fn limit_body<E: Endpoint>(
    next: Arc<E>,
    mut req: Request,
    limits: BodyLimits,
    deadline: Duration,
) -> poem::Result<Response> {
    if matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH) && super::form::is_form(&req) {
        super::form::stream_body(&mut req, limits.form, deadline);
    } else if matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH) {
        let limit = limits.buffered;
        let read = tokio::time::timeout(deadline, req.take_body().into_bytes_limit(limit)).await;
        match read {
            Ok(Ok(bytes)) => req.set_body(bytes),
            Ok(Err(poem::error::ReadBodyError::PayloadTooLarge)) => {
                return Ok(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
                    .with_details(serde_json::json!({ "max_bytes": limit }))
                    .into_response());
            }
            Ok(Err(e)) => {
                return Ok(ApiError::new(StatusCode::BAD_REQUEST, "malformed_request")
                    .with_details(serde_json::json!({ "reason": e.to_string() }))
                    .into_response());
            }
            Err(_) => {
                // The rest of the body may still be coming: close rather than read it.
                let mut response = ApiError::with_params(
                    StatusCode::REQUEST_TIMEOUT,
                    "request_timeout",
                    &[("seconds", deadline.as_secs().to_string())],
                )
                .into_response();
                response
                    .headers_mut()
                    .insert(poem::http::header::CONNECTION, HeaderValue::from_static("close"));
                return Ok(response);
            }
        }
    }
    next.call(req).await.map(IntoResponse::into_response)
}

/// The answer to a body that could not be read: over its bound (413), too slow (408), or
/// broken off (400).
fn body_error(error: &poem::error::ReadBodyError) -> ApiError {
    match super::form::body_limit_of(error) {
        Some(super::form::BodyLimit::TooLarge { max_bytes }) => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
                .with_details(serde_json::json!({ "max_bytes": max_bytes }))
        }
        Some(super::form::BodyLimit::TimedOut { seconds }) => ApiError::with_params(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            &[("seconds", seconds.to_string())],
        ),
        None => ApiError::new(StatusCode::BAD_REQUEST, "malformed_request")
            .with_details(serde_json::json!({ "reason": error.to_string() })),
    }
}

/// Login attempts per client address and minute; a shared limit when Redis is configured.
/// Only logins: refreshes carry a 256-bit secret, and users behind one carrier NAT must not
/// throttle each other's.
pub async fn rate_limit_logins<E: Endpoint>(
    next: Arc<E>,
    req: Request,
    state: AppState,
) -> poem::Result<Response> {
    let path = req.uri().path();
    let is_login = path == "/api/v1/auth/wechat/login" || path == "/api/v1/auth/dev/login";
    if req.method() == Method::POST && is_login {
        let client = client_address(&req, state.behind_proxy);
        let allowed = state
            .rate_limiter
            .allow(
                &format!("login:{client}"),
                state.auth_rate_limit_per_minute,
                Duration::from_secs(60),
            )
            .await;
        if !allowed {
            return Ok(super::contract::with_retry_after(
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited").into_response(),
            ));
        }
    }
    next.call(req).await.map(IntoResponse::into_response)
}

/// The client's address. Behind our load balancer it is the last `X-Forwarded-For` entry,
/// the one the balancer added; earlier entries are whatever the client chose to send.
fn client_address(req: &Request, behind_proxy: bool) -> String {
    if behind_proxy
        && let Some(last) = req.header("x-forwarded-for").and_then(|v| v.rsplit(',').next())
        && !last.trim().is_empty()
    {
        return last.trim().to_owned();
    }
    match req.remote_addr().as_socket_addr() {
        Some(addr) => addr.ip().to_string(),
        None => "unknown".to_owned(),
    }
}

/// `Idempotency-Key` on a POST: the first request runs; a retry with the same key and body
/// gets the stored answer; the same key with another body is refused. Only successful
/// answers are kept, so a failed request can be retried. Never on `/auth/*`: their answers
/// hold tokens, which are stored nowhere in clear, and a replayed refresh must meet reuse
/// detection.
pub async fn idempotency<E: Endpoint>(
    next: Arc<E>,
    mut req: Request,
    state: AppState,
) -> poem::Result<Response> {
    let Some(key) = req.header(IDEMPOTENCY_KEY_HEADER).map(str::to_owned) else {
        return next.call(req).await.map(IntoResponse::into_response);
    };
    if req.method() != Method::POST || req.uri().path().starts_with("/api/v1/auth/") {
        return next.call(req).await.map(IntoResponse::into_response);
    }
    if key.is_empty() || key.len() > 128 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Ok(ApiError::validation(&linli_kernel::ValidationError::new(
            "Idempotency-Key",
            linli_kernel::Rule::HeaderFormat,
            "must be 1 to 128 visible ASCII characters",
        ))
        .into_response());
    }
    // Keys belong to the caller, known by a live session: two users' keys never meet, and a
    // request without one is never replayed.
    let owner = match super::security::bearer_token(&req) {
        Some(token) => state.authenticator.0.authenticate(token).await.ok(),
        None => None,
    };
    let Some(owner) = owner.map(|actor| format!("user:{}", actor.user_id())) else {
        return next.call(req).await.map(IntoResponse::into_response);
    };
    // A form streamed here is read whole too (within its bound) to compare retries.
    let body = match req.take_body().into_bytes().await {
        Ok(body) => body,
        Err(e) => return Ok(body_error(&e).into_response()),
    };
    let request_hash = request_hash(&req, &body);
    req.set_body(body);

    let claim = state
        .db
        .claim_idempotency_key(&owner, &key, &request_hash, Utc::now())
        .await;
    if let Some(answer) = answer_for_taken_key(claim) {
        return Ok(answer);
    }

    let response = match next.call(req).await {
        Ok(response) => response.into_response(),
        Err(error) => error_response(error),
    };
    if response.status().is_success() {
        store_answer(&state, &owner, &key, response).await
    } else {
        if let Err(e) = state.db.release_idempotency_key(&owner, &key).await {
            tracing::warn!(error = format!("{e:#}"), "could not release an idempotency key");
        }
        Ok(response)
    }
}

/// What makes two requests with one key the same request: method, URI and body.
fn request_hash(req: &Request, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(req.method().as_str());
    hasher.update(req.uri().to_string());
    hasher.update([0]);
    hasher.update(body);
    format!("{:x}", hasher.finalize())
}

/// The answer when the key was taken before (a replay, or a refusal); `None` when this
/// request may run.
fn answer_for_taken_key(claim: anyhow::Result<IdempotencyClaim>) -> Option<Response> {
    Some(match claim {
        Err(e) => ApiError::internal(&e).into_response(),
        Ok(IdempotencyClaim::InProgress) => {
            ApiError::new(StatusCode::CONFLICT, "idempotency_key_in_use").into_response()
        }
        Ok(IdempotencyClaim::Mismatch) => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused").into_response()
        }
        Ok(IdempotencyClaim::Replay(stored)) => Response::builder()
            .status(StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK))
            .content_type("application/json; charset=utf-8")
            .header(IDEMPOTENT_REPLAY_HEADER, "true")
            .body(stored.body),
        Ok(IdempotencyClaim::Fresh) => return None,
    })
}

/// Keeps a successful answer for replays and hands it on whole (the body is read to store
/// it, so the response is rebuilt with its headers and route data).
async fn store_answer(
    state: &AppState,
    owner: &str,
    key: &str,
    mut response: Response,
) -> poem::Result<Response> {
    let pattern = response.data::<PathPattern>().cloned();
    let operation = response.data::<OperationId>().copied();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.take_body().into_bytes().await?;
    let stored = StoredResponse {
        status: status.as_u16(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    if let Err(e) = state.db.complete_idempotency_key(owner, key, &stored).await {
        tracing::warn!(error = format!("{e:#}"), "could not store the idempotent answer");
    }
    let mut rebuilt = Response::builder().status(status).body(bytes);
    *rebuilt.headers_mut() = headers;
    if let Some(pattern) = pattern {
        rebuilt.set_data(pattern);
    }
    if let Some(operation) = operation {
        rebuilt.set_data(operation);
    }
    Ok(rebuilt)
}
