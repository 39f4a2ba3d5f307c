//! The identity context's face: logging in and out, one's own profile, role grants; and the
//! authenticator every other context's handlers rely on.

mod appointments;
mod auth;
pub mod demo;
mod error;
pub mod events;
mod grants;
mod me;

use std::sync::Arc;

use linli_identity::{AuthService, AuthSettings, GrantService, IdentityError, ProfileService};
use linli_infra::db::Database;
use linli_infra::identity::tokens::JwtTokens;
use linli_infra::wechat::WechatClient;
use linli_kernel::Actor;
use linli_kernel::ports::{BoxFuture, Directory, SystemClock};
use poem_openapi::Tags;

use crate::http::error::ApiError;
use crate::http::security::{Authenticate, Recheck};

pub use me::Profile;

#[derive(Tags)]
pub enum IdentityTags {
    /// Logging in with WeChat, refreshing, logging out.
    Auth,
    /// Your own profile, phone number and residence.
    Me,
    /// Roles held at scopes of the district tree.
    RoleGrants,
}

/// The context's API groups.
pub type Apis = (
    auth::AuthApi,
    me::MeApi,
    appointments::InvitationsApi,
    grants::GrantsApi,
    appointments::AuditApi,
);

pub type Auth = AuthService<Database, WechatClient, JwtTokens, SystemClock>;
pub type Profiles = ProfileService<Database, WechatClient, Directory<Database>, SystemClock>;
pub type Grants = GrantService<Database, Directory<Database>, SystemClock>;

pub struct Services {
    pub auth: Auth,
    pub profiles: Profiles,
    pub grants: Grants,
}

/// What identity's handlers reach (`Data<&Identity>`).
#[derive(Clone)]
pub struct Identity(pub Arc<Services>);

impl std::ops::Deref for Identity {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

impl Identity {
    pub fn build(
        db: &Database,
        wechat: &WechatClient,
        tokens: &JwtTokens,
        directory: &Directory<Database>,
        settings: AuthSettings,
    ) -> Self {
        Self(Arc::new(Services {
            auth: AuthService::new(db.clone(), wechat.clone(), tokens.clone(), SystemClock, settings),
            profiles: ProfileService::new(db.clone(), wechat.clone(), directory.clone(), SystemClock),
            grants: grant_service(db, directory),
        }))
    }
}

/// The grant use cases, for the console (`linli admin grant`) as for the API.
pub fn grant_service(db: &Database, directory: &Directory<Database>) -> Grants {
    GrantService::new(db.clone(), directory.clone(), SystemClock)
}

impl Authenticate for Identity {
    fn authenticate<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<Actor, ApiError>> {
        Box::pin(async move { self.auth.authenticate(token).await.map_err(ApiError::from) })
    }

    fn recheck<'a>(&'a self, actor: &'a Actor) -> BoxFuture<'a, Recheck> {
        Box::pin(async move {
            match self.auth.refresh_actor(actor).await {
                Ok(actor) => Recheck::Current(actor),
                Err(IdentityError::Unknown(e)) => {
                    tracing::warn!(error = format!("{e:#}"), "could not recheck a session");
                    Recheck::Unknown
                }
                Err(_) => Recheck::Ended,
            }
        })
    }
}
