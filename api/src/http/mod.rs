//! The HTTP face: the OpenAPI groups, built in one place that both serves and exports the
//! spec, and the middleware around them.

mod auth_api;
mod csv;
pub mod dto;
pub mod error;
mod grants_api;
mod me_api;
pub mod middleware;
mod ops_api;
mod pagination;
pub mod security;
mod stats_api;
mod structure_api;
mod teams_api;

use poem::endpoint::make_sync;
use poem::middleware::CatchPanic;
use poem::web::Data;
use poem::{Endpoint, EndpointExt, IntoResponse, Route, handler};
use poem_openapi::{OpenApiService, Tags};

use crate::state::AppState;
use error::ApiError;

#[derive(Tags)]
pub enum ApiTags {
    /// Logging in with WeChat, refreshing, logging out.
    Auth,
    /// Your own profile, phone number and residence.
    Me,
    /// Roles held at scopes of the district tree.
    RoleGrants,
    /// Subdistricts, communities, grids, buildings, grid teams and Party branches.
    Structure,
    /// Figures of a scope.
    Stats,
    /// Health and readiness.
    Operations,
}

type Apis = (
    auth_api::AuthApi,
    me_api::MeApi,
    grants_api::GrantsApi,
    structure_api::StructureApi,
    teams_api::TeamsApi,
    stats_api::StatsApi,
    ops_api::OpsApi,
);

const DESCRIPTION: &str = "The backend of the linli (邻里) WeChat mini-program: Party-building-led \
community governance for a district.\n\n\
Conventions: JSON in and out with snake_case fields; times in RFC 3339 UTC; ids are UUID v7. \
Errors are `{code, message, details?, request_id}` with a stable `code`. Lists take `limit` \
(default 20, max 100) and `cursor`, and answer `{items, next_cursor}`. Creating calls (POST) \
accept an `Idempotency-Key` header: a retry with the same key and body returns the first answer \
(with `idempotent-replayed: true`) and does nothing twice (not on `/auth/*`, whose answers hold tokens). Every response carries `x-request-id`.";

/// The one place the API is assembled; `linli openapi` prints its spec.
pub fn api_service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(Apis::default(), "linli", env!("CARGO_PKG_VERSION")).description(DESCRIPTION)
}

/// The OpenAPI document, as committed in `openapi/openapi.json`.
pub fn openapi_spec() -> String {
    api_service().spec()
}

#[handler]
fn metrics(Data(state): Data<&AppState>) -> impl IntoResponse {
    state
        .metrics
        .render()
        .with_content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
}

/// Requests larger than this are refused: the largest legitimate one is a CSV import.
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

pub fn routes(state: AppState) -> impl Endpoint {
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
    app.around(move |ep, req| middleware::idempotency(ep, req, s1.clone()))
        .around(move |ep, req| middleware::rate_limit_logins(ep, req, s2.clone()))
        .around(|ep, req| middleware::limit_body(ep, req, MAX_BODY_BYTES))
        .catch_all_error(|e| async move { middleware::error_response(e) })
        .with(CatchPanic::new().with_handler(|_| {
            ApiError::internal(&anyhow::anyhow!("a request handler panicked")).into_response()
        }))
        .data(state)
        .around(move |ep, req| middleware::observe(ep, req, s3.clone()))
}
