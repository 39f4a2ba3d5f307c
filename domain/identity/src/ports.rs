//! What identity needs from the outside world. Errors are `anyhow` where only storage can
//! fail; the adapters translate the failures a use case must tell apart into typed outcomes.

use std::future::Future;

use chrono::{DateTime, Utc};
use linli_kernel::actor::Reach;
use linli_kernel::{
    ActorGrants, DomainEvent, InvitationId, Page, PageRequest, PlacedGrant, RoleGrant, RoleGrantId,
    ScopePath, SessionId, UserId,
};

use crate::appointments::{AuditEntry, Invitation};
use crate::models::{
    AccessClaims, AccessToken, LoginCode, OpenId, PhoneNumber, UnionId, User, UserUpdate, WechatIdentity,
};

/// How WeChat answered, reduced to what the use cases tell apart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WechatFailure {
    /// 40029 (invalid code) and 40163 (code already used).
    #[error("invalid code")]
    InvalidCode,
    /// 45011: too many calls.
    #[error("rate limited")]
    RateLimited,
    /// 40226: WeChat flags the user as high-risk.
    #[error("risky user")]
    RiskyUser,
    /// -1 (system busy), a timeout, a transport failure or an answer we could not read.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// 40013 (invalid app id), 40125 (invalid app secret), 40164 (our address is not on the
    /// app's IP whitelist): this server's configuration is wrong, not WeChat.
    #[error("WeChat refuses this server's credentials (errcode {errcode})")]
    Misconfigured { errcode: i64 },
    /// No app id or secret is configured (development): nothing was asked of WeChat.
    #[error("WeChat is not configured")]
    NotConfigured,
    /// Any other error code.
    #[error("errcode {errcode}: {errmsg}")]
    Rejected { errcode: i64, errmsg: String },
}

/// The WeChat server API, as far as identity uses it.
pub trait WechatApi: Send + Sync + 'static {
    /// `jscode2session`: who logged in with this code.
    fn code_to_session(
        &self,
        code: &LoginCode,
    ) -> impl Future<Output = Result<WechatIdentity, WechatFailure>> + Send;

    /// `getuserphonenumber`: the phone number a user agreed to share.
    fn phone_number(&self, code: &str) -> impl Future<Output = Result<PhoneNumber, WechatFailure>> + Send;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenRejection {
    #[error("expired")]
    Expired,
    #[error("invalid")]
    Invalid,
}

/// Signs and checks access tokens.
pub trait AccessTokens: Send + Sync + 'static {
    fn issue(&self, claims: AccessClaims, now: DateTime<Utc>) -> anyhow::Result<AccessToken>;
    fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<AccessClaims, TokenRejection>;

    /// Seals the successor of a rotated refresh token with a server key, bound to the spent
    /// token's hash, so a retry within the leeway can be given the same successor while the
    /// table never holds a usable token in clear.
    fn seal_successor(&self, successor: &str, spent_hash: &str) -> anyhow::Result<String>;

    /// Opens what [`seal_successor`](Self::seal_successor) sealed for `spent_hash`; `None`
    /// when it does not open (another key, another row, altered).
    fn open_successor(&self, sealed: &str, spent_hash: &str) -> Option<String>;
}

pub trait UserRepository: Send + Sync + 'static {
    /// Finds the user with this openid or creates them; a given unionid is kept.
    /// Concurrent calls for one new openid yield one user.
    fn upsert_by_openid(
        &self,
        openid: &OpenId,
        unionid: Option<&UnionId>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<User>> + Send;

    fn find_user(&self, id: UserId) -> impl Future<Output = anyhow::Result<Option<User>>> + Send;

    /// The user with the roles they hold, in one statement (`GET /me` reads three).
    fn find_user_with_grants(
        &self,
        id: UserId,
    ) -> impl Future<Output = anyhow::Result<Option<(User, Vec<RoleGrant>)>>> + Send;

    /// Writes the fields `update` gives (and `updated_at`) with the events describing the
    /// change, in one transaction.
    fn update_user(
        &self,
        id: UserId,
        update: &UserUpdate,
        now: DateTime<Utc>,
        events: &[DomainEvent],
    ) -> impl Future<Output = anyhow::Result<()>> + Send;
}

/// A stored refresh token, as far as a refresh must know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRecord {
    pub session_id: SessionId,
    pub user_id: UserId,
    pub expires_at: DateTime<Utc>,
    /// When the token was spent for a successor, if it was.
    pub spent_at: Option<DateTime<Utc>>,
    /// The successor, sealed, while the store still keeps it (the reuse leeway).
    pub sealed_successor: Option<String>,
    pub session_revoked: bool,
    /// When the session opened: it ends a fixed time later however often it is refreshed.
    pub session_started_at: DateTime<Utc>,
}

pub trait SessionRepository: Send + Sync + 'static {
    /// Opens a session whose first refresh token has this hash.
    fn open_session(
        &self,
        session_id: SessionId,
        user_id: UserId,
        refresh_hash: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;

    fn find_refresh(
        &self,
        refresh_hash: &str,
    ) -> impl Future<Output = anyhow::Result<Option<RefreshRecord>>> + Send;

    /// Marks the token spent (keeping its sealed successor beside it) and stores its
    /// successor, atomically. Returns `false` when the token was already spent (someone else
    /// won the race) and nothing was stored.
    fn rotate_refresh(
        &self,
        spent_hash: &str,
        next_hash: &str,
        sealed_successor: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<bool>> + Send;

    fn revoke_session(
        &self,
        session_id: SessionId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// Whether the session exists and was not revoked.
    fn session_active(&self, session_id: SessionId) -> impl Future<Output = anyhow::Result<bool>> + Send;

    /// What the user of a live session may do: their role grants, when `session_id` names a
    /// session of `user_id` that has not ended; `None` otherwise. Asked on every request, so
    /// an adapter may cache it, as long as a change of the session or of the user's grants
    /// takes effect on the next request on every instance.
    fn live_grants(
        &self,
        session_id: SessionId,
        user_id: UserId,
    ) -> impl Future<Output = anyhow::Result<Option<ActorGrants>>> + Send;
}

#[derive(Debug, thiserror::Error)]
pub enum GrantInsertError {
    #[error("the user already holds this role at this scope")]
    Duplicate,
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantFilter {
    /// Only grants whose scope lies inside this reach.
    pub reach: Reach,
    pub user_id: Option<UserId>,
}

pub trait RoleGrantRepository: Send + Sync + 'static {
    fn grants_of(&self, user_id: UserId) -> impl Future<Output = anyhow::Result<Vec<RoleGrant>>> + Send;

    /// Stores a grant with the path of its scope, the event and the audit row, in one
    /// transaction.
    fn insert_grant(
        &self,
        grant: &RoleGrant,
        path: &ScopePath,
        event: &DomainEvent,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<(), GrantInsertError>> + Send;

    fn find_grant(&self, id: RoleGrantId)
    -> impl Future<Output = anyhow::Result<Option<PlacedGrant>>> + Send;

    /// Deletes the grant with the event and the audit row; `false` when it was already gone
    /// (and nothing was written).
    fn delete_grant(
        &self,
        id: RoleGrantId,
        event: &DomainEvent,
        audit: &AuditEntry,
    ) -> impl Future<Output = anyhow::Result<bool>> + Send;

    fn list_grants(
        &self,
        filter: &GrantFilter,
        page: PageRequest,
    ) -> impl Future<Output = anyhow::Result<Page<PlacedGrant>>> + Send;
}

/// Invitations (appointments waiting for the appointee) and the audit trail of grants.
pub trait AppointmentRepository: Send + Sync + 'static {
    /// Stores the invitation with its audit row, in one transaction, and answers with it;
    /// or, when an invitation of the same person to the same role and scope is already
    /// pending (a concurrent duplicate), stores nothing and answers with that one. A pending
    /// one past its expiry is marked expired first, so it never blocks a new invitation.
    fn insert_invitation(
        &self,
        invitation: &Invitation,
        audit: &AuditEntry,
    ) -> impl Future<Output = anyhow::Result<Invitation>> + Send;

    fn find_invitation(
        &self,
        id: InvitationId,
    ) -> impl Future<Output = anyhow::Result<Option<Invitation>>> + Send;

    /// The user's invitations still pending and not expired at `now`, oldest first.
    fn open_invitations_of(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<Vec<Invitation>>> + Send;

    /// Marks a pending invitation accepted and stores the grant, its event and the audit
    /// row, in one transaction. `appointer_may` is given the appointer's grants as they
    /// stand inside that transaction (held there until it ends, so a revocation cannot slip
    /// between the check and the grant). `Ok(false)` when the invitation was no longer
    /// pending (its answer raced another one) or `appointer_may` said no; nothing was written.
    fn accept_invitation<F>(
        &self,
        id: InvitationId,
        grant: &RoleGrant,
        path: &ScopePath,
        event: &DomainEvent,
        audit: &AuditEntry,
        appointer_may: F,
    ) -> impl Future<Output = Result<bool, GrantInsertError>> + Send
    where
        F: FnOnce(&[RoleGrant]) -> bool + Send;

    /// Marks a pending invitation declined with the audit row; `false` when it was no
    /// longer pending.
    fn decline_invitation(
        &self,
        id: InvitationId,
        audit: &AuditEntry,
    ) -> impl Future<Output = anyhow::Result<bool>> + Send;

    /// The audit rows whose scope lies inside the reach, oldest first.
    fn list_audit(
        &self,
        reach: &Reach,
        page: PageRequest,
    ) -> impl Future<Output = anyhow::Result<Page<AuditEntry>>> + Send;
}
