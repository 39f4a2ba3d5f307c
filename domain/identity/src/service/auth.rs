//! Logging in (WeChat, or dev login in development), refreshing, logging out, and turning an
//! access token into an [`Actor`].

use chrono::{DateTime, Duration, Utc};
use linli_kernel::ports::Clock;
use linli_kernel::{Actor, SessionId, UserId};
use tracing::instrument;

use super::refresh_tokens::{hash_refresh_token, looks_like_refresh_token, new_refresh_token};
use crate::models::{AccessClaims, LoginCode, Nickname, OpenId, TokenPair, User};
use crate::ports::{
    AccessTokens, RefreshRecord, RoleGrantRepository, SessionRepository, TokenRejection, UserRepository,
    WechatApi,
};
use crate::{IdentityError, UserUpdate};

#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// Dev login answers only when this is set: in development without a WeChat app id.
    pub dev_login_enabled: bool,
    /// How long a session lives without being refreshed.
    pub refresh_token_ttl: Duration,
    /// How long a session lives at most, however often it is refreshed.
    pub session_max_lifetime: Duration,
    /// How long after a rotation the spent token still gets the same successor pair (a
    /// mobile client retrying a refresh whose answer it lost); after it, a reuse revokes the
    /// session.
    pub refresh_reuse_leeway: Duration,
}

pub struct AuthService<R, W, T, C> {
    repo: R,
    wechat: W,
    tokens: T,
    clock: C,
    settings: AuthSettings,
}

impl<R, W, T, C> AuthService<R, W, T, C>
where
    R: UserRepository + SessionRepository + RoleGrantRepository,
    W: WechatApi,
    T: AccessTokens,
    C: Clock,
{
    pub fn new(repo: R, wechat: W, tokens: T, clock: C, settings: AuthSettings) -> Self {
        Self {
            repo,
            wechat,
            tokens,
            clock,
            settings,
        }
    }

    pub fn dev_login_enabled(&self) -> bool {
        self.settings.dev_login_enabled
    }

    /// Exchanges a `wx.login` code for a session.
    #[instrument(skip_all, err)]
    pub async fn wechat_login(&self, code: &str) -> Result<TokenPair, IdentityError> {
        let code = LoginCode::parse(code)?;
        let who = self.wechat.code_to_session(&code).await?;
        let now = self.clock.now();
        let user = self
            .repo
            .upsert_by_openid(&who.openid, who.unionid.as_ref(), now)
            .await?;
        self.open_session(user).await
    }

    /// Logs in as any openid, without WeChat. Only in development.
    #[instrument(skip_all, err)]
    pub async fn dev_login(&self, openid: &str, nickname: Option<&str>) -> Result<TokenPair, IdentityError> {
        if !self.settings.dev_login_enabled {
            return Err(IdentityError::DevLoginDisabled);
        }
        let openid = OpenId::parse(openid)?;
        let nickname = nickname.map(Nickname::parse).transpose()?;
        let now = self.clock.now();
        let mut user = self.repo.upsert_by_openid(&openid, None, now).await?;
        if let Some(nickname) = nickname
            && user.nickname.as_ref() != Some(&nickname)
        {
            let update = UserUpdate {
                nickname: Some(nickname.clone()),
                ..UserUpdate::default()
            };
            self.repo.update_user(user.id, &update, now, &[]).await?;
            user.nickname = Some(nickname);
        }
        self.open_session(user).await
    }

    async fn open_session(&self, user: User) -> Result<TokenPair, IdentityError> {
        let now = self.clock.now();
        let session_id = SessionId::new();
        let refresh_token = new_refresh_token();
        let expires_at = now
            + self
                .settings
                .refresh_token_ttl
                .min(self.settings.session_max_lifetime);
        self.repo
            .open_session(
                session_id,
                user.id,
                &hash_refresh_token(&refresh_token),
                expires_at,
                now,
            )
            .await?;
        let access = self.tokens.issue(
            AccessClaims {
                user_id: user.id,
                session_id,
            },
            now,
        )?;
        Ok(TokenPair {
            access,
            refresh_token,
            user,
        })
    }

    /// Spends a refresh token for a new pair. A token spent twice means it leaked (or a
    /// client replayed it): the whole session is revoked, for the thief and the owner alike;
    /// except within the leeway after its rotation, where the retry of a client that lost the
    /// answer gets the same pair again.
    #[instrument(skip_all, err)]
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenPair, IdentityError> {
        if !looks_like_refresh_token(refresh_token) {
            return Err(IdentityError::InvalidRefreshToken);
        }
        let now = self.clock.now();
        let spent_hash = hash_refresh_token(refresh_token);
        let record = self.find_refresh(&spent_hash).await?;
        let session_ends = record.session_started_at + self.settings.session_max_lifetime;
        if now >= session_ends {
            return Err(IdentityError::SessionExpired);
        }
        if record.spent_at.is_some() {
            return self.answer_reuse(&record, &spent_hash, now).await;
        }
        if record.expires_at <= now {
            return Err(IdentityError::InvalidRefreshToken);
        }
        let next = new_refresh_token();
        let sealed = self.tokens.seal_successor(&next, &spent_hash)?;
        let expires_at = (now + self.settings.refresh_token_ttl).min(session_ends);
        let rotated = self
            .repo
            .rotate_refresh(&spent_hash, &hash_refresh_token(&next), &sealed, expires_at, now)
            .await?;
        if !rotated {
            // Another request spent it between our read and our write: a reuse, which the
            // winner's rotation (committed by now) may answer.
            let record = self.find_refresh(&spent_hash).await?;
            return self.answer_reuse(&record, &spent_hash, now).await;
        }
        self.pair(&record, next, now).await
    }

    async fn find_refresh(&self, hash: &str) -> Result<RefreshRecord, IdentityError> {
        let record = self
            .repo
            .find_refresh(hash)
            .await?
            .ok_or(IdentityError::InvalidRefreshToken)?;
        if record.session_revoked {
            return Err(IdentityError::SessionRevoked);
        }
        Ok(record)
    }

    /// A spent token presented again: within the leeway after its rotation, the same
    /// successor pair (the access token signed again with the rotation's time is the same
    /// token); otherwise the session is revoked.
    async fn answer_reuse(
        &self,
        record: &RefreshRecord,
        spent_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<TokenPair, IdentityError> {
        // A zero leeway is off, even for a racing request whose clock read came before the
        // rotation (its negative age would otherwise fall "within" the window).
        if let Some(rotated_at) = record.spent_at
            && !self.settings.refresh_reuse_leeway.is_zero()
            && now - rotated_at < self.settings.refresh_reuse_leeway
            && let Some(successor) = record
                .sealed_successor
                .as_deref()
                .and_then(|sealed| self.tokens.open_successor(sealed, spent_hash))
        {
            return self.pair(record, successor, rotated_at).await;
        }
        self.repo.revoke_session(record.session_id, now).await?;
        Err(IdentityError::RefreshTokenReused)
    }

    /// The pair handed out for a rotation at `issued_at`.
    async fn pair(
        &self,
        record: &RefreshRecord,
        refresh_token: String,
        issued_at: DateTime<Utc>,
    ) -> Result<TokenPair, IdentityError> {
        let user = self
            .repo
            .find_user(record.user_id)
            .await?
            .ok_or(IdentityError::InvalidRefreshToken)?;
        let access = self.tokens.issue(
            AccessClaims {
                user_id: user.id,
                session_id: record.session_id,
            },
            issued_at,
        )?;
        Ok(TokenPair {
            access,
            refresh_token,
            user,
        })
    }

    /// Ends the actor's session: its refresh token stops working, and so do its access
    /// tokens, which are checked against the session on every request.
    #[instrument(skip_all, err)]
    pub async fn logout(&self, actor: &Actor) -> Result<(), IdentityError> {
        if let Some(session_id) = actor.session_id() {
            self.repo.revoke_session(session_id, self.clock.now()).await?;
        }
        Ok(())
    }

    /// The same actor as it stands now: its session still open, its grants reloaded. For
    /// long-lived connections, which outlive the check made when they opened.
    pub async fn refresh_actor(&self, actor: &Actor) -> Result<Actor, IdentityError> {
        let Some(session_id) = actor.session_id() else {
            return Err(IdentityError::SessionRevoked);
        };
        self.live_actor(session_id, actor.user_id()).await
    }

    /// The actor behind an access token, with the grants they hold now.
    pub async fn authenticate(&self, access_token: &str) -> Result<Actor, IdentityError> {
        let claims =
            self.tokens
                .verify(access_token, self.clock.now())
                .map_err(|rejection| match rejection {
                    TokenRejection::Expired => IdentityError::TokenExpired,
                    TokenRejection::Invalid => IdentityError::InvalidToken,
                })?;
        self.live_actor(claims.session_id, claims.user_id).await
    }

    /// The actor of a live session of `user_id`; a session of someone else, or one that has
    /// ended, is refused alike.
    async fn live_actor(&self, session_id: SessionId, user_id: UserId) -> Result<Actor, IdentityError> {
        let grants = self
            .repo
            .live_grants(session_id, user_id)
            .await?
            .ok_or(IdentityError::SessionRevoked)?;
        Ok(Actor::new(user_id, Some(session_id), grants))
    }
}
