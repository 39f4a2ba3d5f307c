//! Appointments that wait for the appointee (invitations) and the audit trail of every
//! change to who holds which role.

use chrono::{DateTime, Duration, Utc};
use linli_kernel::{AuditEntryId, InvitationId, Role, RoleGrantId, Scope, ScopePath, UserId};

/// How long an invitation waits for an answer.
pub const INVITATION_TTL_DAYS: i64 = 14;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Declined,
    /// Left unanswered past its expiry and superseded by a new invitation for the same role
    /// and scope (only one may be pending at a time).
    Expired,
}

impl InvitationStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Expired => "expired",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Pending, Self::Accepted, Self::Declined, Self::Expired]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// An appointment of someone the appointer did not already cover: it becomes a grant only
/// when the invitee accepts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: InvitationId,
    pub invitee: UserId,
    pub role: Role,
    pub scope: Scope,
    pub path: ScopePath,
    pub invited_by: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub status: InvitationStatus,
}

impl Invitation {
    pub fn new(
        invitee: UserId,
        role: Role,
        scope: Scope,
        path: ScopePath,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: InvitationId::new(),
            invitee,
            role,
            scope,
            path,
            invited_by: by,
            created_at: now,
            expires_at: now + Duration::days(INVITATION_TTL_DAYS),
            status: InvitationStatus::Pending,
        }
    }

    /// Still waiting for an answer at `now`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.status == InvitationStatus::Pending && now < self.expires_at
    }
}

/// What happened to a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    Granted,
    Invited,
    Accepted,
    Declined,
    Revoked,
}

impl AuditAction {
    pub const ALL: [AuditAction; 5] = [
        Self::Granted,
        Self::Invited,
        Self::Accepted,
        Self::Declined,
        Self::Revoked,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Granted => "granted",
            Self::Invited => "invited",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Revoked => "revoked",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == raw)
    }
}

/// One row of the audit trail: who did what to whose role, where and when. Written in the
/// transaction of the change it records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: AuditEntryId,
    /// `None` for the console (`linli admin grant`, bootstrap admins).
    pub actor: Option<UserId>,
    pub action: AuditAction,
    pub role: Role,
    pub scope: Scope,
    pub path: ScopePath,
    pub target: UserId,
    pub grant_id: Option<RoleGrantId>,
    pub invitation_id: Option<InvitationId>,
    pub at: DateTime<Utc>,
}

impl AuditEntry {
    pub fn new(
        actor: Option<UserId>,
        action: AuditAction,
        (role, scope, path): (Role, Scope, ScopePath),
        target: UserId,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            id: AuditEntryId::new(),
            actor,
            action,
            role,
            scope,
            path,
            target,
            grant_id: None,
            invitation_id: None,
            at,
        }
    }

    pub fn of_grant(mut self, id: RoleGrantId) -> Self {
        self.grant_id = Some(id);
        self
    }

    pub fn of_invitation(mut self, id: InvitationId) -> Self {
        self.invitation_id = Some(id);
        self
    }
}
