//! Bearer authentication: the access token becomes an [`Actor`] with the grants it holds now.

use linli_kernel::Actor;
use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;

use super::error::{ApiError, Rejected};
use crate::state::AppState;

/// `Authorization: Bearer <access_token>` from `POST /auth/wechat/login` or `/auth/refresh`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "authenticate")]
pub struct BearerAuth(pub Actor);

async fn authenticate(req: &Request, bearer: Bearer) -> poem::Result<Actor> {
    let Some(state) = req.data::<AppState>() else {
        return Err(Rejected(ApiError::internal(&anyhow::anyhow!("application state missing"))).into());
    };
    state
        .auth
        .authenticate(&bearer.token)
        .await
        .map_err(|e| Rejected(ApiError::from(e)).into())
}

/// The token of an `Authorization: Bearer …` header, for what reads it outside the
/// OpenAPI operations (the WebSocket upgrade, idempotency keys).
pub fn bearer_token(req: &Request) -> Option<&str> {
    req.header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
}
