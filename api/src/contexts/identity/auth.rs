//! Logging in and out.

use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::Identity;
use super::IdentityTags;
use super::me::Profile;
use crate::http::dto::{Done, RoleName};
use crate::http::error::ApiResult;
use crate::http::security::BearerAuth;
use poem::web::Data;

#[derive(Object, Debug)]
pub struct WechatLoginRequest {
    /// The code `wx.login` returned.
    pub code: String,
}

#[derive(Object, Debug)]
pub struct DevLoginRequest {
    /// Any openid: dev login makes or finds the user without WeChat.
    pub openid: String,
    pub nickname: Option<String>,
}

#[derive(Object, Debug)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// A session: a short-lived access token and the refresh token that renews it.
#[derive(Object, Debug)]
pub struct SessionTokens {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires (900).
    pub expires_in: i64,
    /// Opaque; spend it once at `POST /auth/refresh`. Using a spent one ends the session
    /// (a retry within a few seconds of the refresh gets this same pair again).
    pub refresh_token: String,
    pub user: Profile,
}

impl From<linli_identity::TokenPair> for SessionTokens {
    fn from(pair: linli_identity::TokenPair) -> Self {
        Self {
            access_token: pair.access.token,
            token_type: "Bearer".to_owned(),
            expires_in: pair.access.expires_in_seconds,
            refresh_token: pair.refresh_token,
            user: Profile::from(&pair.user),
        }
    }
}

/// A role the session carries, and where.
#[derive(Object, Debug)]
pub struct SessionRole {
    pub role: RoleName,
    /// `district`, or `<kind>:<id>`.
    pub scope: String,
}

/// Who the access token speaks for, as the server sees it now.
#[derive(Object, Debug)]
pub struct CurrentSession {
    pub user_id: uuid::Uuid,
    /// Besides these, every logged-in user is a `resident`.
    pub roles: Vec<SessionRole>,
}

#[derive(Default)]
pub struct AuthApi;

#[OpenApi(prefix_path = "/api/v1/auth", tag = "IdentityTags::Auth")]
impl AuthApi {
    /// Log in with WeChat
    ///
    /// Exchanges the code from `wx.login` with WeChat (`jscode2session`) and opens a session.
    /// Codes: `invalid_code` (401, WeChat 40029/40163), `wechat_rate_limited` (429, 45011),
    /// `wechat_user_blocked` (403, 40226), `wechat_unavailable` (503: -1, timeout),
    /// `wechat_error` (503, any other errcode), `wechat_misconfigured` (500: 40013, 40125,
    /// 40164, the app id, secret or IP whitelist is wrong), `wechat_not_configured` (503: no
    /// app id or secret), `validation_failed`, `rate_limited`.
    #[oai(path = "/wechat/login", method = "post", operation_id = "auth_wechat_login")]
    async fn wechat_login(
        &self,
        identity: Data<&Identity>,
        body: Json<WechatLoginRequest>,
    ) -> ApiResult<Json<SessionTokens>> {
        Ok(Json(identity.auth.wechat_login(&body.code).await?.into()))
    }

    /// Log in without WeChat (development only)
    ///
    /// Answers only in dev mode with no WeChat app id configured; otherwise `not_found` (404).
    #[oai(path = "/dev/login", method = "post", operation_id = "auth_dev_login")]
    async fn dev_login(
        &self,
        identity: Data<&Identity>,
        body: Json<DevLoginRequest>,
    ) -> ApiResult<Json<SessionTokens>> {
        Ok(Json(
            identity
                .auth
                .dev_login(&body.openid, body.nickname.as_deref())
                .await?
                .into(),
        ))
    }

    /// Renew a session
    ///
    /// Spends the refresh token for a new pair. A retry with the same token within the leeway
    /// (10 s by default) gets the same pair again. Codes: `invalid_refresh_token` (401),
    /// `refresh_token_reused` (401: the token was spent before the leeway, and the whole
    /// session is now revoked), `session_revoked` (401), `session_expired` (401: the session
    /// reached its maximum lifetime; log in again).
    #[oai(path = "/refresh", method = "post", operation_id = "auth_refresh")]
    async fn refresh(
        &self,
        identity: Data<&Identity>,
        body: Json<RefreshRequest>,
    ) -> ApiResult<Json<SessionTokens>> {
        Ok(Json(identity.auth.refresh(&body.refresh_token).await?.into()))
    }

    /// The current session
    ///
    /// Who the access token speaks for and the roles held now; cheap (nothing is read beyond
    /// the session), so a client can check that its session still stands. Codes:
    /// `unauthorized`, `invalid_token`, `token_expired`, `session_revoked` (401).
    #[oai(path = "/session", method = "get", operation_id = "auth_session")]
    async fn session(&self, auth: BearerAuth) -> Json<CurrentSession> {
        Json(CurrentSession {
            user_id: auth.0.user_id().as_uuid(),
            roles: auth
                .0
                .grants()
                .iter()
                .map(|(role, scope)| SessionRole {
                    role: (*role).into(),
                    scope: scope.to_string(),
                })
                .collect(),
        })
    }

    /// Log out
    ///
    /// Ends the session of the access token: its refresh token and access tokens stop working.
    #[oai(path = "/logout", method = "post", operation_id = "auth_logout")]
    async fn logout(&self, identity: Data<&Identity>, auth: BearerAuth) -> ApiResult<Done> {
        identity.auth.logout(&auth.0).await?;
        Ok(Done::NoContent)
    }
}
