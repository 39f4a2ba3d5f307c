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

mod appointments;
mod grants;
mod sessions;
mod users;
mod wechat;

pub use wechat::{FakeTokens, FakeWechat};

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

/// The unique key of `role_grants`: user, role and scope.
fn same_holding(a: &RoleGrant, b: &RoleGrant) -> bool {
    a.user_id() == b.user_id() && a.role() == b.role() && a.scope() == b.scope()
}
