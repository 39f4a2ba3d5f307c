//! Bearer authentication: the access token becomes an [`Actor`] with the grants it holds now.
//! Identity does the work; the API only knows it through [`Authenticate`], so that every
//! context's handlers can ask for a logged-in actor without knowing identity's services.

use std::sync::Arc;

use linli_kernel::Actor;
use linli_kernel::ports::BoxFuture;
use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;

use super::error::{ApiError, Rejected};

/// What a long-lived connection learns when it checks its actor again.
#[derive(Debug)]
pub enum Recheck {
    /// The session stands; the actor with the grants it holds now.
    Current(Actor),
    /// The session has ended (logged out, revoked).
    Ended,
    /// Storage could not say; keep the actor as it was.
    Unknown,
}

/// Turns access tokens into actors. Served by the identity context.
pub trait Authenticate: Send + Sync + 'static {
    fn authenticate<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<Actor, ApiError>>;
    fn recheck<'a>(&'a self, actor: &'a Actor) -> BoxFuture<'a, Recheck>;
}

/// The authenticator every request can reach (`req.data()`).
#[derive(Clone)]
pub struct Authenticator(pub Arc<dyn Authenticate>);

/// `Authorization: Bearer <access_token>` from `POST /auth/wechat/login` or `/auth/refresh`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "authenticate")]
pub struct BearerAuth(pub Actor);

async fn authenticate(req: &Request, bearer: Bearer) -> poem::Result<Actor> {
    let Some(Authenticator(auth)) = req.data::<Authenticator>() else {
        return Err(Rejected(ApiError::internal(&anyhow::anyhow!("authenticator missing"))).into());
    };
    auth.authenticate(&bearer.token)
        .await
        .map_err(|e| Rejected(e).into())
}

/// The token of an `Authorization: Bearer …` header, for what reads it outside the
/// OpenAPI operations (the WebSocket upgrade, idempotency keys).
pub fn bearer_token(req: &Request) -> Option<&str> {
    req.header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
}
