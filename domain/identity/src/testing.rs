//! In-memory fakes of identity's ports, for the use-case tests of this and other crates
//! (`features = ["testing"]`). [`InMemoryIdentity`] keeps the rules of the database adapter
//! (`infra/src/identity`): one user per openid, a refresh token spent at most once, one grant
//! per user, role and scope, the events of each write stored with it. [`FakeWechat`] and
//! [`FakeTokens`] stand in for WeChat and the JWT signer. The scope directory is the kernel's
//! [`FakeDirectory`], a generic fake of a kernel port.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use chrono::{DateTime, Duration, Utc};
use linli_kernel::actor::Reach;
use linli_kernel::people::PersonRecord;
use linli_kernel::ports::PersonDirectory;
use linli_kernel::testing::lock;
pub use linli_kernel::testing::{FakeDirectory, ManualClock};
use linli_kernel::{
    ActorGrants, DomainEvent, InvitationId, Page, PageRequest, PlacedGrant, RoleGrant, RoleGrantId,
    ScopePath, SessionId, UserId,
};

use crate::appointments::{AuditEntry, Invitation, InvitationStatus};
use crate::models::{
    AccessClaims, AccessToken, LoginCode, OpenId, PhoneNumber, UnionId, User, UserUpdate, WechatIdentity,
};
use crate::ports::{
    AccessTokens, AppointmentRepository, GrantFilter, GrantInsertError, RefreshRecord, RoleGrantRepository,
    SessionRepository, TokenRejection, UserRepository, WechatApi, WechatFailure,
};

/// A session row: open until revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub id: SessionId,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A refresh token row, by the hash of the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRow {
    pub token_hash: String,
    pub session_id: SessionId,
    pub user_id: UserId,
    pub expires_at: DateTime<Utc>,
    pub spent_at: Option<DateTime<Utc>>,
    pub sealed_successor: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The identity tables, and the outbox.
#[derive(Debug, Default)]
pub struct IdentityRows {
    pub users: Vec<User>,
    pub sessions: Vec<SessionRow>,
    pub refresh_tokens: Vec<RefreshRow>,
    pub grants: Vec<PlacedGrant>,
    pub events: Vec<DomainEvent>,
    pub invitations: Vec<Invitation>,
    pub audit: Vec<AuditEntry>,
}

/// Users, sessions and grants in memory. Clones share the same rows.
#[derive(Debug, Clone, Default)]
pub struct InMemoryIdentity(pub Arc<Mutex<IdentityRows>>);

impl InMemoryIdentity {
    /// The events every write stored, oldest first.
    pub fn events(&self) -> Vec<DomainEvent> {
        lock(&self.0).events.clone()
    }

    /// The kinds of the stored events (`role_grant.created`…), oldest first.
    pub fn event_kinds(&self) -> Vec<String> {
        lock(&self.0).events.iter().map(|e| e.kind.clone()).collect()
    }

    pub fn users(&self) -> Vec<User> {
        lock(&self.0).users.clone()
    }

    pub fn grants(&self) -> Vec<PlacedGrant> {
        lock(&self.0).grants.clone()
    }

    pub fn invitations(&self) -> Vec<Invitation> {
        lock(&self.0).invitations.clone()
    }

    /// The audit trail's actions (`granted`, `invited`…), oldest first.
    pub fn audit_actions(&self) -> Vec<&'static str> {
        lock(&self.0).audit.iter().map(|a| a.action.as_str()).collect()
    }

    pub fn audit(&self) -> Vec<AuditEntry> {
        lock(&self.0).audit.clone()
    }

    pub fn session(&self, id: SessionId) -> Option<SessionRow> {
        lock(&self.0).sessions.iter().find(|s| s.id == id).cloned()
    }
}

/// Lets other futures run once. The reads a use case follows with a guarded write
/// ([`InMemoryIdentity::find_refresh`] before a rotation, [`InMemoryIdentity::find_grant`]
/// before a delete) await it after reading, so two use cases joined in one test both read
/// before either writes: the race the guard exists for, made certain instead of likely.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

impl UserRepository for InMemoryIdentity {
    async fn upsert_by_openid(
        &self,
        openid: &OpenId,
        unionid: Option<&UnionId>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<User> {
        let mut rows = lock(&self.0);
        // As `ON CONFLICT (openid)`: a known openid keeps its row, taking a unionid when one
        // is given and keeping the stored one otherwise.
        if let Some(user) = rows.users.iter_mut().find(|u| &u.openid == openid) {
            if let Some(unionid) = unionid {
                user.unionid = Some(unionid.clone());
            }
            return Ok(user.clone());
        }
        let user = User {
            id: UserId::new(),
            openid: openid.clone(),
            unionid: unionid.cloned(),
            nickname: None,
            real_name: None,
            phone: None,
            residence: None,
            created_at: now,
            updated_at: now,
        };
        rows.users.push(user.clone());
        Ok(user)
    }

    async fn find_user(&self, id: UserId) -> anyhow::Result<Option<User>> {
        Ok(lock(&self.0).users.iter().find(|u| u.id == id).cloned())
    }

    async fn find_user_with_grants(&self, id: UserId) -> anyhow::Result<Option<(User, Vec<RoleGrant>)>> {
        let Some(user) = self.find_user(id).await? else {
            return Ok(None);
        };
        Ok(Some((user, RoleGrantRepository::grants_of(self, id).await?)))
    }

    async fn update_user(
        &self,
        id: UserId,
        update: &UserUpdate,
        now: DateTime<Utc>,
        events: &[DomainEvent],
    ) -> anyhow::Result<()> {
        let mut rows = lock(&self.0);
        // As the adapter's `UPDATE … WHERE id = ?`: an unknown id changes no row, and the
        // events are stored all the same.
        if let Some(user) = rows.users.iter_mut().find(|u| u.id == id) {
            if let Some(nickname) = &update.nickname {
                user.nickname = Some(nickname.clone());
            } else if update.clear_nickname {
                user.nickname = None;
            }
            if let Some(real_name) = &update.real_name {
                user.real_name = Some(real_name.clone());
            } else if update.clear_real_name {
                user.real_name = None;
            }
            if let Some(phone) = &update.phone {
                user.phone = Some(phone.clone());
            }
            if let Some(residence) = update.residence {
                user.residence = Some(residence);
            }
            user.updated_at = now;
        }
        rows.events.extend_from_slice(events);
        Ok(())
    }
}

impl SessionRepository for InMemoryIdentity {
    async fn open_session(
        &self,
        session_id: SessionId,
        user_id: UserId,
        refresh_hash: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let mut rows = lock(&self.0);
        if rows.sessions.iter().any(|s| s.id == session_id)
            || rows.refresh_tokens.iter().any(|t| t.token_hash == refresh_hash)
        {
            anyhow::bail!("session {session_id} or its refresh token exists already");
        }
        rows.sessions.push(SessionRow {
            id: session_id,
            user_id,
            created_at: now,
            revoked_at: None,
        });
        rows.refresh_tokens.push(RefreshRow {
            token_hash: refresh_hash.to_owned(),
            session_id,
            user_id,
            expires_at,
            spent_at: None,
            sealed_successor: None,
            created_at: now,
        });
        Ok(())
    }

    async fn find_refresh(&self, refresh_hash: &str) -> anyhow::Result<Option<RefreshRecord>> {
        let record = {
            let rows = lock(&self.0);
            rows.refresh_tokens
                .iter()
                .find(|t| t.token_hash == refresh_hash)
                .map(|t| RefreshRecord {
                    session_id: t.session_id,
                    user_id: t.user_id,
                    expires_at: t.expires_at,
                    spent_at: t.spent_at,
                    sealed_successor: t.sealed_successor.clone(),
                    // A missing session counts as revoked, as in the adapter.
                    session_revoked: rows
                        .sessions
                        .iter()
                        .find(|s| s.id == t.session_id)
                        .is_none_or(|s| s.revoked_at.is_some()),
                    session_started_at: rows
                        .sessions
                        .iter()
                        .find(|s| s.id == t.session_id)
                        .map_or(t.created_at, |s| s.created_at),
                })
        };
        YieldOnce(false).await;
        Ok(record)
    }

    async fn rotate_refresh(
        &self,
        spent_hash: &str,
        next_hash: &str,
        sealed_successor: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let mut rows = lock(&self.0);
        // Guarded as `WHERE spent_at IS NULL`: of two spends of one token, one wins.
        let Some(spent) = rows
            .refresh_tokens
            .iter_mut()
            .find(|t| t.token_hash == spent_hash && t.spent_at.is_none())
        else {
            return Ok(false);
        };
        spent.spent_at = Some(now);
        spent.sealed_successor = Some(sealed_successor.to_owned());
        let next = RefreshRow {
            token_hash: next_hash.to_owned(),
            session_id: spent.session_id,
            user_id: spent.user_id,
            expires_at,
            spent_at: None,
            sealed_successor: None,
            created_at: now,
        };
        rows.refresh_tokens.push(next);
        Ok(true)
    }

    async fn revoke_session(&self, session_id: SessionId, now: DateTime<Utc>) -> anyhow::Result<()> {
        let mut rows = lock(&self.0);
        if let Some(session) = rows
            .sessions
            .iter_mut()
            .find(|s| s.id == session_id && s.revoked_at.is_none())
        {
            session.revoked_at = Some(now);
        }
        Ok(())
    }

    async fn session_active(&self, session_id: SessionId) -> anyhow::Result<bool> {
        Ok(lock(&self.0)
            .sessions
            .iter()
            .any(|s| s.id == session_id && s.revoked_at.is_none()))
    }

    async fn live_grants(
        &self,
        session_id: SessionId,
        user_id: UserId,
    ) -> anyhow::Result<Option<ActorGrants>> {
        let rows = lock(&self.0);
        let live = rows
            .sessions
            .iter()
            .any(|s| s.id == session_id && s.user_id == user_id && s.revoked_at.is_none());
        Ok(live.then(|| {
            rows.grants
                .iter()
                .filter(|p| p.grant.user_id() == user_id)
                .map(|p| (p.grant.role(), p.grant.scope()))
                .collect()
        }))
    }
}

/// The unique key of `role_grants`: user, role and scope.
fn same_holding(a: &RoleGrant, b: &RoleGrant) -> bool {
    a.user_id() == b.user_id() && a.role() == b.role() && a.scope() == b.scope()
}

impl RoleGrantRepository for InMemoryIdentity {
    async fn grants_of(&self, user_id: UserId) -> anyhow::Result<Vec<RoleGrant>> {
        Ok(lock(&self.0)
            .grants
            .iter()
            .filter(|p| p.grant.user_id() == user_id)
            .map(|p| p.grant.clone())
            .collect())
    }

    async fn insert_grant(
        &self,
        grant: &RoleGrant,
        path: &ScopePath,
        event: &DomainEvent,
        audit: &AuditEntry,
    ) -> Result<(), GrantInsertError> {
        let mut rows = lock(&self.0);
        if rows.grants.iter().any(|p| same_holding(&p.grant, grant)) {
            return Err(GrantInsertError::Duplicate);
        }
        // The foreign key to `users`.
        if !rows.users.iter().any(|u| u.id == grant.user_id()) {
            return Err(GrantInsertError::Storage(anyhow::anyhow!(
                "no user {} to hold a grant",
                grant.user_id()
            )));
        }
        rows.grants.push(PlacedGrant {
            grant: grant.clone(),
            path: *path,
        });
        rows.events.push(event.clone());
        rows.audit.push(audit.clone());
        Ok(())
    }

    async fn find_grant(&self, id: RoleGrantId) -> anyhow::Result<Option<PlacedGrant>> {
        let found = lock(&self.0).grants.iter().find(|p| p.grant.id() == id).cloned();
        YieldOnce(false).await;
        Ok(found)
    }

    async fn delete_grant(
        &self,
        id: RoleGrantId,
        event: &DomainEvent,
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let mut rows = lock(&self.0);
        let before = rows.grants.len();
        rows.grants.retain(|p| p.grant.id() != id);
        let deleted = rows.grants.len() < before;
        if deleted {
            rows.events.push(event.clone());
            rows.audit.push(audit.clone());
        }
        Ok(deleted)
    }

    async fn list_grants(
        &self,
        filter: &GrantFilter,
        page: PageRequest,
    ) -> anyhow::Result<Page<PlacedGrant>> {
        let id = |p: &PlacedGrant| p.grant.id().as_uuid();
        let mut rows: Vec<PlacedGrant> = lock(&self.0)
            .grants
            .iter()
            .filter(|p| filter.reach.covers(&p.path))
            .filter(|p| filter.user_id.is_none_or(|u| p.grant.user_id() == u))
            .filter(|p| page.after().is_none_or(|after| id(p) > after))
            .cloned()
            .collect();
        rows.sort_by_key(id);
        rows.truncate(usize::try_from(page.fetch_limit()).unwrap_or(usize::MAX));
        Ok(Page::from_rows(rows, page, id))
    }
}

impl AppointmentRepository for InMemoryIdentity {
    async fn insert_invitation(
        &self,
        invitation: &Invitation,
        audit: &AuditEntry,
    ) -> anyhow::Result<Invitation> {
        let mut rows = lock(&self.0);
        let same = |i: &Invitation| {
            i.invitee == invitation.invitee
                && i.role == invitation.role
                && i.scope == invitation.scope
                && i.status == InvitationStatus::Pending
        };
        for stale in rows.invitations.iter_mut().filter(|i| same(i)) {
            if stale.expires_at <= invitation.created_at {
                stale.status = InvitationStatus::Expired;
            }
        }
        if let Some(waiting) = rows.invitations.iter().find(|i| same(i)) {
            return Ok(waiting.clone());
        }
        rows.invitations.push(invitation.clone());
        rows.audit.push(audit.clone());
        Ok(invitation.clone())
    }

    async fn find_invitation(&self, id: InvitationId) -> anyhow::Result<Option<Invitation>> {
        let found = lock(&self.0).invitations.iter().find(|i| i.id == id).cloned();
        YieldOnce(false).await;
        Ok(found)
    }

    async fn open_invitations_of(&self, user: UserId, now: DateTime<Utc>) -> anyhow::Result<Vec<Invitation>> {
        Ok(lock(&self.0)
            .invitations
            .iter()
            .filter(|i| i.invitee == user && i.is_open(now))
            .cloned()
            .collect())
    }

    async fn accept_invitation<F>(
        &self,
        id: InvitationId,
        grant: &RoleGrant,
        path: &ScopePath,
        event: &DomainEvent,
        audit: &AuditEntry,
        appointer_may: F,
    ) -> Result<bool, GrantInsertError>
    where
        F: FnOnce(&[RoleGrant]) -> bool + Send,
    {
        let mut rows = lock(&self.0);
        // Guarded as `WHERE status = 'pending'`, and undone whole when the grant is refused.
        let Some(at) = rows
            .invitations
            .iter()
            .position(|i| i.id == id && i.status == InvitationStatus::Pending)
        else {
            return Ok(false);
        };
        let appointer = grant.granted_by();
        let held: Vec<RoleGrant> = rows
            .grants
            .iter()
            .filter(|p| Some(p.grant.user_id()) == appointer)
            .map(|p| p.grant.clone())
            .collect();
        if !appointer_may(&held) {
            return Ok(false);
        }
        if rows.grants.iter().any(|p| same_holding(&p.grant, grant)) {
            return Err(GrantInsertError::Duplicate);
        }
        if let Some(invitation) = rows.invitations.get_mut(at) {
            invitation.status = InvitationStatus::Accepted;
        }
        rows.grants.push(PlacedGrant {
            grant: grant.clone(),
            path: *path,
        });
        rows.events.push(event.clone());
        rows.audit.push(audit.clone());
        Ok(true)
    }

    async fn decline_invitation(&self, id: InvitationId, audit: &AuditEntry) -> anyhow::Result<bool> {
        let mut rows = lock(&self.0);
        let Some(invitation) = rows
            .invitations
            .iter_mut()
            .find(|i| i.id == id && i.status == InvitationStatus::Pending)
        else {
            return Ok(false);
        };
        invitation.status = InvitationStatus::Declined;
        rows.audit.push(audit.clone());
        Ok(true)
    }

    async fn list_audit(&self, reach: &Reach, page: PageRequest) -> anyhow::Result<Page<AuditEntry>> {
        let id = |a: &AuditEntry| a.id.as_uuid();
        let mut rows: Vec<AuditEntry> = lock(&self.0)
            .audit
            .iter()
            .filter(|a| reach.covers(&a.path))
            .filter(|a| page.after().is_none_or(|after| id(a) > after))
            .cloned()
            .collect();
        rows.sort_by_key(id);
        rows.truncate(usize::try_from(page.fetch_limit()).unwrap_or(usize::MAX));
        Ok(Page::from_rows(rows, page, id))
    }
}

impl PersonDirectory for InMemoryIdentity {
    /// As the adapter: a person's places are their residence and the scopes of their grants.
    async fn people(&self, ids: &[UserId]) -> anyhow::Result<Vec<PersonRecord>> {
        let rows = lock(&self.0);
        Ok(rows
            .users
            .iter()
            .filter(|u| ids.contains(&u.id))
            .map(|u| PersonRecord {
                id: u.id,
                nickname: u.nickname.as_ref().map(|n| n.as_str().to_owned()),
                real_name: u.real_name.as_ref().map(|n| n.as_str().to_owned()),
                phone: u.phone.as_ref().map(|p| p.as_str().to_owned()),
                places: u
                    .residence
                    .map(|r| r.path)
                    .into_iter()
                    .chain(
                        rows.grants
                            .iter()
                            .filter(|p| p.grant.user_id() == u.id)
                            .map(|p| p.path),
                    )
                    .collect(),
            })
            .collect())
    }
}

#[derive(Debug, Default)]
struct WechatState {
    logins: HashMap<String, WechatIdentity>,
    phones: HashMap<String, PhoneNumber>,
    failure: Option<WechatFailure>,
}

/// WeChat as the tests tell it to answer. Codes work once, as WeChat's do (a spent or
/// unknown code is `InvalidCode`, as 40029 and 40163 are); a failure set with
/// [`FakeWechat::fail_with`] answers every call until [`FakeWechat::recover`].
#[derive(Debug, Clone, Default)]
pub struct FakeWechat(Arc<Mutex<WechatState>>);

impl FakeWechat {
    /// `code` logs in the user with this openid. A malformed openid is a mistake in the test;
    /// the code then stays unknown.
    pub fn login_code(&self, code: &str, openid: &str) {
        self.login_code_with_unionid(code, openid, None);
    }

    pub fn login_code_with_unionid(&self, code: &str, openid: &str, unionid: Option<&str>) {
        let Ok(openid) = OpenId::parse(openid) else {
            return;
        };
        let unionid = unionid.and_then(|u| UnionId::parse(u).ok());
        lock(&self.0)
            .logins
            .insert(code.to_owned(), WechatIdentity { openid, unionid });
    }

    /// `code` shares this phone number.
    pub fn phone_code(&self, code: &str, phone: &str) {
        if let Ok(phone) = PhoneNumber::parse(phone) {
            lock(&self.0).phones.insert(code.to_owned(), phone);
        }
    }

    pub fn fail_with(&self, failure: WechatFailure) {
        lock(&self.0).failure = Some(failure);
    }

    pub fn recover(&self) {
        lock(&self.0).failure = None;
    }
}

impl WechatApi for FakeWechat {
    async fn code_to_session(&self, code: &LoginCode) -> Result<WechatIdentity, WechatFailure> {
        let mut state = lock(&self.0);
        if let Some(failure) = &state.failure {
            return Err(failure.clone());
        }
        state
            .logins
            .remove(code.as_str())
            .ok_or(WechatFailure::InvalidCode)
    }

    async fn phone_number(&self, code: &str) -> Result<PhoneNumber, WechatFailure> {
        let mut state = lock(&self.0);
        if let Some(failure) = &state.failure {
            return Err(failure.clone());
        }
        state.phones.remove(code).ok_or(WechatFailure::InvalidCode)
    }
}

/// Readable, unsigned access tokens: `<user>:<session>:<expiry, unix seconds>`. Expiry is
/// checked against the `now` given, as the JWT adapter checks it.
#[derive(Debug, Clone, Copy)]
pub struct FakeTokens {
    pub ttl: Duration,
}

impl Default for FakeTokens {
    /// Fifteen minutes, as the server's access tokens.
    fn default() -> Self {
        Self {
            ttl: Duration::minutes(15),
        }
    }
}

impl AccessTokens for FakeTokens {
    fn issue(&self, claims: AccessClaims, now: DateTime<Utc>) -> anyhow::Result<AccessToken> {
        let expires = (now + self.ttl).timestamp();
        Ok(AccessToken {
            token: format!("{}:{}:{expires}", claims.user_id, claims.session_id),
            expires_in_seconds: self.ttl.num_seconds(),
        })
    }

    fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<AccessClaims, TokenRejection> {
        let mut parts = token.split(':');
        let (Some(user), Some(session), Some(expires), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenRejection::Invalid);
        };
        let claims = AccessClaims {
            user_id: user.parse().map_err(|_| TokenRejection::Invalid)?,
            session_id: session.parse().map_err(|_| TokenRejection::Invalid)?,
        };
        let expires: i64 = expires.parse().map_err(|_| TokenRejection::Invalid)?;
        if expires <= now.timestamp() {
            return Err(TokenRejection::Expired);
        }
        Ok(claims)
    }

    /// Not secret, but bound to the spent token as the real seal is.
    fn seal_successor(&self, successor: &str, spent_hash: &str) -> anyhow::Result<String> {
        Ok(format!("sealed:{spent_hash}:{successor}"))
    }

    fn open_successor(&self, sealed: &str, spent_hash: &str) -> Option<String> {
        sealed
            .strip_prefix("sealed:")?
            .strip_prefix(spent_hash)?
            .strip_prefix(':')
            .map(str::to_owned)
    }
}
