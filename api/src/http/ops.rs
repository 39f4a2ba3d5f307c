//! Liveness and readiness for load balancers and orchestrators.

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use crate::http::state::AppState;

#[derive(Tags)]
pub enum OpsTags {
    /// Health and readiness.
    Operations,
}

#[derive(Object, Debug)]
pub struct Health {
    pub status: String,
}

#[derive(Object, Debug)]
pub struct Readiness {
    pub database: bool,
    /// Null when no Redis is configured.
    #[oai(nullable)]
    pub redis: Option<bool>,
}

#[derive(ApiResponse)]
pub enum ReadinessResponse {
    /// Everything this instance depends on answers.
    #[oai(status = 200)]
    Ready(Json<Readiness>),
    /// Something it depends on does not; send traffic elsewhere.
    #[oai(status = 503)]
    NotReady(Json<Readiness>),
}

#[derive(Default)]
pub struct OpsApi;

#[OpenApi(tag = "OpsTags::Operations")]
impl OpsApi {
    /// The process is up
    #[oai(path = "/healthz", method = "get", operation_id = "healthz")]
    async fn healthz(&self) -> Json<Health> {
        Json(Health {
            status: "ok".to_owned(),
        })
    }

    /// The database (and Redis, when configured) answer
    #[oai(path = "/readyz", method = "get", operation_id = "readyz")]
    async fn readyz(&self, state: Data<&AppState>) -> ReadinessResponse {
        let database = state.db.ping().await;
        let redis = if state.redis_configured {
            Some(state.bus.ping().await)
        } else {
            None
        };
        let readiness = Readiness { database, redis };
        if database && redis.unwrap_or(true) {
            ReadinessResponse::Ready(Json(readiness))
        } else {
            ReadinessResponse::NotReady(Json(readiness))
        }
    }
}
