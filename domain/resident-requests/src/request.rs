//! A resident's request and its life cycle (DOMAIN.md):
//! `submitted → accepted | rejected | transferred | merged`; `accepted → in_progress` (a task
//! is claimed) `→ resolved` (the work verified) `→ closed` (the resident rates it, or the
//! confirmation window lapses); `resolved → accepted` when the resident reopens it. A
//! transferred request waits at its new grid as a submitted one does. Every transition is a
//! [`TimelineEntry`]: who, when, why.

use chrono::{DateTime, Utc};
use linli_kernel::{
    CommunityId, GridId, RequestId, Rule, ScopePath, TimelineEntryId, UserId, ValidationError,
};
use serde::Serialize;

use crate::category::{Answers, CategoryKey};

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Submitted,
    /// Sent on to another grid, waiting for its staff as a submitted request does.
    Transferred,
    Accepted,
    InProgress,
    Resolved,
    Closed,
    Rejected,
    /// Folded into another open request, which its author now follows.
    Merged,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 8] = [
        Self::Submitted,
        Self::Transferred,
        Self::Accepted,
        Self::InProgress,
        Self::Resolved,
        Self::Closed,
        Self::Rejected,
        Self::Merged,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Transferred => "transferred",
            Self::Accepted => "accepted",
            Self::InProgress => "in_progress",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
            Self::Rejected => "rejected",
            Self::Merged => "merged",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| unknown(field, raw))
    }

    /// Waiting for staff's first answer (accept, reject, transfer, merge).
    pub const fn awaits_response(self) -> bool {
        matches!(self, Self::Submitted | Self::Transferred)
    }

    /// Taken on and not yet resolved: work may be added, claimed, done.
    pub const fn is_being_handled(self) -> bool {
        matches!(self, Self::Accepted | Self::InProgress)
    }

    /// Accepted at some point and not turned away since: its tasks are (or were) on the board.
    pub const fn was_taken_on(self) -> bool {
        matches!(
            self,
            Self::Accepted | Self::InProgress | Self::Resolved | Self::Closed
        )
    }

    /// Not finished with: a request another may be merged into, and one the overdue job
    /// watches.
    pub const fn is_open(self) -> bool {
        self.awaits_response() || self.is_being_handled()
    }
}

pub(crate) fn unknown(field: &str, raw: &str) -> ValidationError {
    ValidationError::new(field, Rule::UnknownValue, format!("unknown value `{raw}`")).with("value", raw)
}

/// Whether others may see a request yet: the content check may hold it for staff to approve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Moderation {
    Visible,
    /// Shown only to its author and to staff until a staff member approves it.
    PendingReview,
}

impl Moderation {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Visible => "visible",
            Self::PendingReview => "pending_review",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        [Self::Visible, Self::PendingReview]
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| unknown(field, raw))
    }
}

/// Who is answerable for a request now: one level of the grid's team (一网通办: a person for
/// every matter). Overdue requests climb: worker → grid leader → community admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    GridWorker,
    GridLeader,
    CommunityAdmin,
}

impl Level {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::GridWorker => "grid_worker",
            Self::GridLeader => "grid_leader",
            Self::CommunityAdmin => "community_admin",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        [Self::GridWorker, Self::GridLeader, Self::CommunityAdmin]
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| unknown(field, raw))
    }

    /// The level an overdue request escalates to; `None` at the top.
    pub const fn above(self) -> Option<Level> {
        match self {
            Self::GridWorker => Some(Self::GridLeader),
            Self::GridLeader => Some(Self::CommunityAdmin),
            Self::CommunityAdmin => None,
        }
    }
}

/// The responsible person and the level they answer at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Responsible {
    pub user_id: UserId,
    pub level: Level,
}

/// How the author closed the loop: a rating of 1 to 5 and a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rating {
    pub stars: u8,
    pub comment: String,
}

impl Rating {
    /// Ratings of 4 and 5 count as satisfied (the satisfaction rate).
    pub const fn is_satisfied(&self) -> bool {
        self.stars >= 4
    }
}

/// A resident's request.
#[derive(Debug, Clone, PartialEq)]
pub struct ResidentRequest {
    pub id: RequestId,
    pub author: UserId,
    /// Hidden from everyone but the author and the staff of its grid.
    pub anonymous: bool,
    pub category: CategoryKey,
    pub title: String,
    pub description: String,
    /// URL paths of the author's uploads (`/files/…`), at most [`MAX_PHOTOS`].
    pub photos: Vec<String>,
    pub answers: Answers,
    /// The grid it is routed to, with the building when one was given (or is the author's home).
    pub place: ScopePath,
    pub status: RequestStatus,
    pub moderation: Moderation,
    /// `None` only when the grid had no team and no community admin could be found.
    pub responsible: Option<Responsible>,
    pub posted_at: DateTime<Utc>,
    /// When the first response is due, and resolution; a transfer keeps both.
    pub respond_by: DateTime<Utc>,
    pub resolve_by: DateTime<Utc>,
    /// When staff first answered (accepted, rejected, transferred or merged it).
    pub responded_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub rating: Option<Rating>,
    pub merged_into: Option<RequestId>,
    /// Each transition adds one; storage writes a transition only over the version it was
    /// read at, so of two concurrent transitions one wins and the other is told.
    pub version: u32,
}

/// Photos one request or one finished task may carry.
pub const MAX_PHOTOS: usize = 9;

impl ResidentRequest {
    pub fn grid_id(&self) -> Option<GridId> {
        self.place.grid
    }

    pub fn community_id(&self) -> Option<CommunityId> {
        self.place.community
    }
}

/// What happened at one step of a request's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Posted,
    /// Staff let a request held by the content check be seen.
    Approved,
    Accepted,
    Rejected,
    Transferred,
    Merged,
    /// Another request was merged into this one.
    Absorbed,
    /// Work was added to a request being handled.
    TasksAdded,
    TaskClaimed,
    TaskReleased,
    /// A claim not started in time went back to the board.
    TaskClaimExpired,
    TaskStarted,
    TaskCompleted,
    TaskVerified,
    Resolved,
    Reopened,
    /// The author confirmed and rated.
    Confirmed,
    /// The confirmation window lapsed: closed unrated.
    Closed,
    /// A deadline passed and the request went one level up.
    Escalated,
}

impl Action {
    pub const ALL: [Action; 19] = [
        Self::Posted,
        Self::Approved,
        Self::Accepted,
        Self::Rejected,
        Self::Transferred,
        Self::Merged,
        Self::Absorbed,
        Self::TasksAdded,
        Self::TaskClaimed,
        Self::TaskReleased,
        Self::TaskClaimExpired,
        Self::TaskStarted,
        Self::TaskCompleted,
        Self::TaskVerified,
        Self::Resolved,
        Self::Reopened,
        Self::Confirmed,
        Self::Closed,
        Self::Escalated,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Posted => "posted",
            Self::Approved => "approved",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Transferred => "transferred",
            Self::Merged => "merged",
            Self::Absorbed => "absorbed",
            Self::TasksAdded => "tasks_added",
            Self::TaskClaimed => "task_claimed",
            Self::TaskReleased => "task_released",
            Self::TaskClaimExpired => "task_claim_expired",
            Self::TaskStarted => "task_started",
            Self::TaskCompleted => "task_completed",
            Self::TaskVerified => "task_verified",
            Self::Resolved => "resolved",
            Self::Reopened => "reopened",
            Self::Confirmed => "confirmed",
            Self::Closed => "closed",
            Self::Escalated => "escalated",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| unknown(field, raw))
    }

    /// Whether this step is staff's first response to a request (the response rate).
    pub const fn is_response(self) -> bool {
        matches!(
            self,
            Self::Accepted | Self::Rejected | Self::Transferred | Self::Merged
        )
    }
}

/// One step of a request's timeline. The rates are computed from these, never from counters.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    pub id: TimelineEntryId,
    pub request_id: RequestId,
    pub action: Action,
    /// Who did it; `None` for what the system did (a lapsed window, an escalation).
    pub actor: Option<UserId>,
    pub at: DateTime<Utc>,
    /// The reason, the comment, the note given.
    pub note: Option<String>,
    /// The facts of the step: the grid transferred to, the task, the rating, the new level.
    pub facts: serde_json::Value,
}

impl TimelineEntry {
    pub fn new(request_id: RequestId, action: Action, actor: Option<UserId>, at: DateTime<Utc>) -> Self {
        Self {
            id: TimelineEntryId::new(),
            request_id,
            action,
            actor,
            at,
            note: None,
            facts: serde_json::Value::Object(serde_json::Map::new()),
        }
    }

    #[must_use]
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Adds one fact (`{"grid_id": …}`).
    #[must_use]
    pub fn with_fact(mut self, name: &str, value: impl Serialize) -> Self {
        if let (serde_json::Value::Object(map), Ok(value)) = (&mut self.facts, serde_json::to_value(value)) {
            map.insert(name.to_owned(), value);
        }
        self
    }
}
