//! The one place the API is assembled: every context's groups and the shared ones, served
//! and exported (`linli openapi`) from the same service, with the middleware around them.

use std::collections::HashMap;
use std::sync::Arc;

use poem::endpoint::make_sync;
use poem::middleware::CatchPanic;
use poem::web::Data;
use poem::{Endpoint, EndpointExt, IntoResponse, Route, handler};
use poem_openapi::OpenApiService;

use crate::contexts::Contexts;
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::http::{contract_check, method_override, middleware, ops};

type Apis = (ops::OpsApi, crate::ws::docs::RealtimeDocs, crate::contexts::Apis);

const DESCRIPTION: &str = "The backend of the linli (邻里) WeChat mini-program: Party-building-led \
community governance for a district.\n\n\
Conventions: JSON in and out with snake_case fields; times in RFC 3339 UTC with exactly \
milliseconds (`2026-11-26T08:30:00.123Z`); ids are UUID v7. Request bodies are strict: an \
unknown field or a value of the wrong type is 400 `malformed_request`. Errors are \
`{code, message, details?, request_id}` with a stable `code`; each operation lists the codes \
of each of its statuses. `message` is for people: Simplified Chinese, or English when \
`Accept-Language` prefers `en` (WebSocket error frames follow the upgrade request's header); \
a `validation_failed` names the `field` and the `rule` in `details`. Lists take `limit` (default 20, max 100) and `cursor`, and answer \
`{items, next_cursor}`. Creating calls (POST) accept an `Idempotency-Key` header: a retry with \
the same key and body returns the first answer (with `idempotent-replayed: true`) and does \
nothing twice (not on `/auth/*`, whose answers hold tokens). `wx.request` cannot send PATCH: \
send POST with `X-HTTP-Method-Override: PATCH` instead (only PATCH may be asked for; any other \
value is 400 `method_override_not_allowed`). 429 answers carry `Retry-After` (seconds). Every \
response carries `x-request-id`.";

/// The OpenAPI service of every group.
pub fn api_service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(Apis::default(), "linli", env!("CARGO_PKG_VERSION")).description(DESCRIPTION)
}

/// The OpenAPI document, as committed in `openapi/openapi.json`.
pub fn openapi_spec() -> String {
    api_service().spec()
}

/// Operation id → the spec's path template (`/api/v1/grids/{id}`), for metrics and logs.
pub fn route_templates() -> Arc<HashMap<String, String>> {
    let spec: serde_json::Value = serde_json::from_str(&openapi_spec()).unwrap_or_default();
    let mut map = HashMap::new();
    if let Some(paths) = spec.get("paths").and_then(|p| p.as_object()) {
        for (path, operations) in paths {
            for operation in operations.as_object().into_iter().flat_map(|o| o.values()) {
                if let Some(id) = operation.get("operationId").and_then(|i| i.as_str()) {
                    map.insert(id.to_owned(), path.clone());
                }
            }
        }
    }
    Arc::new(map)
}

#[handler]
fn metrics(Data(state): Data<&AppState>) -> impl IntoResponse {
    if let Some(redis) = &state.redis {
        state.metrics.record_redis(redis);
    }
    state
        .metrics
        .render()
        .with_content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
}

pub fn routes(state: AppState, contexts: &Contexts) -> impl Endpoint + use<> {
    let api = api_service();
    let docs = api.swagger_ui();
    let spec = openapi_spec();
    let app = Route::new()
        .nest("/", api)
        .nest("/docs", docs)
        .at(
            "/openapi.json",
            make_sync(move |_| spec.clone().with_content_type("application/json")),
        )
        .at("/metrics", metrics)
        .at("/api/v1/ws", crate::ws::connect);
    let (s1, s2, s3) = (state.clone(), state.clone(), state.clone());
    let body_deadline = std::time::Duration::from_secs(state.transport.body_read_timeout_seconds.max(1));
    let body_limits = middleware::BodyLimits {
        buffered: middleware::MAX_BODY_BYTES,
        form: state.forms.max_body_bytes,
    };
    let app = app
        .around(move |ep, req| middleware::idempotency(ep, req, s1.clone()))
        .around(move |ep, req| middleware::rate_limit_logins(ep, req, s2.clone()))
        .around(move |ep, req| middleware::limit_body(ep, req, body_limits, body_deadline))
        .around(contract_check::contract_guard)
        .around(method_override::method_override)
        // Boxed: the stack's type is deep enough to overflow the compiler's query depth.
        .boxed()
        .catch_all_error(|e| async move { middleware::error_response(e) })
        .with(CatchPanic::new().with_handler(|_| {
            ApiError::internal(&anyhow::anyhow!("a request handler panicked")).into_response()
        }));
    contexts
        .attach(app)
        .data(state.authenticator.clone())
        .data(state)
        .around(move |ep, req| middleware::observe(ep, req, s3.clone()))
}
