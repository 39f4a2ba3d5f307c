//! Bearer authentication: the access token becomes an [`Actor`] with the grants it holds now.
//! Identity does the work; the API only knows it through [`Authenticate`], so that every
//! context's handlers can ask for a logged-in actor without knowing identity's services.

use std::sync::Arc;

use linli_kernel::Actor;
use linli_kernel::ports::BoxFuture;
use poem::{Request, RequestBody};
use poem_openapi::error::AuthorizationError;
use poem_openapi::registry::{MetaSecurityScheme, Registry};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

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
///
/// Written out rather than derived so that the header is read by [`bearer_token`], the one
/// parser every part of the server uses (the idempotency keys and the WebSocket too).
pub struct BearerAuth(pub Actor);

const SCHEME_NAME: &str = "BearerAuth";

impl<'a> ApiExtractor<'a> for BearerAuth {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        registry.create_security_scheme(
            SCHEME_NAME,
            MetaSecurityScheme {
                ty: "http",
                description: Some(
                    "`Authorization: Bearer <access_token>` from `POST /auth/wechat/login` or `/auth/refresh`.",
                ),
                name: None,
                key_in: None,
                scheme: Some("bearer"),
                bearer_format: Some("JWT"),
                flows: None,
                openid_connect_url: None,
            },
        );
    }

    fn security_schemes() -> Vec<&'static str> {
        vec![SCHEME_NAME]
    }

    async fn from_request(
        req: &'a Request,
        _body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let Some(token) = bearer_token(req) else {
            return Err(AuthorizationError.into());
        };
        let Some(Authenticator(auth)) = req.data::<Authenticator>() else {
            return Err(Rejected(ApiError::internal(&anyhow::anyhow!("authenticator missing"))).into());
        };
        auth.authenticate(token)
            .await
            .map(Self)
            .map_err(|e| Rejected(e).into())
    }
}

/// The token of an `Authorization: Bearer …` header. The scheme is matched without regard to
/// case (RFC 7235: `bearer`, `BEARER`), the token is what follows the spaces after it.
pub fn bearer_token(req: &Request) -> Option<&str> {
    parse_bearer(req.header("authorization")?)
}

fn parse_bearer(value: &str) -> Option<&str> {
    let (scheme, rest) = value.split_once(' ')?;
    let token = rest.trim_matches(' ');
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && !token.contains(' ')).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::parse_bearer;

    #[test]
    fn the_scheme_is_case_insensitive() {
        for value in ["Bearer abc", "bearer abc", "BEARER abc", "bEaReR  abc"] {
            assert_eq!(parse_bearer(value), Some("abc"), "{value}");
        }
    }

    #[test]
    fn other_schemes_and_empty_tokens_are_not_bearer_tokens() {
        for value in ["Basic abc", "Bearer", "Bearer ", "Bearerabc", "Bearer a b", "abc"] {
            assert_eq!(parse_bearer(value), None, "{value}");
        }
    }
}
