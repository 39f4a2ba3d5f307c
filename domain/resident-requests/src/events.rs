//! What resident requests announce. Every transition of a request is `request.<action>` on
//! `request:<id>` (its author, followers and staff), `community:<id>:requests` (staff) and
//! the author's and followers' own channels; every change of a task is `task.<what>` on
//! `grid:<id>:tasks` (the board) and `request:<id>`. Events carry ids and states, never a
//! person's name or phone, and never the author of an anonymous request.

use chrono::{DateTime, Utc};
use linli_kernel::events::{ContextEvent, topics};
use linli_kernel::{
    CommunityId, DomainEvent, GridId, RequestId, TaskId, TimelineEntryId, UserId, VolunteerTeamId,
};
use serde::Serialize;

use crate::category::CategoryKey;
use crate::request::{Action, Level, RequestStatus, ResidentRequest, TimelineEntry};
use crate::task::{Task, TaskStatus};

/// The topic of one request: its author, those following it, and the staff over its grid.
pub fn request_topic(id: RequestId) -> String {
    format!("request:{id}")
}

/// The topic of a community's requests, for its staff.
pub fn community_requests(id: CommunityId) -> String {
    format!("community:{id}:requests")
}

/// The task board of a grid.
pub fn grid_tasks(id: GridId) -> String {
    format!("grid:{id}:tasks")
}

/// The context's events: each variant is one family of kinds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum RequestEvent {
    /// `request.<action>`: a step of the request's timeline.
    Request {
        #[serde(skip)]
        kind: &'static str,
        request_id: RequestId,
        timeline_entry_id: TimelineEntryId,
        status: RequestStatus,
        category: CategoryKey,
        grid_id: Option<GridId>,
        /// The level answerable now (after an escalation, the new one).
        #[serde(skip_serializing_if = "Option::is_none")]
        level: Option<Level>,
        /// The request it was merged into (`request.merged`).
        #[serde(skip_serializing_if = "Option::is_none")]
        merged_into: Option<RequestId>,
    },
    /// `task.<status>`: a task opened, claimed, released, started, completed, verified or
    /// withdrawn.
    Task {
        #[serde(skip)]
        kind: &'static str,
        task_id: TaskId,
        request_id: RequestId,
        grid_id: Option<GridId>,
        status: TaskStatus,
        #[serde(skip_serializing_if = "Option::is_none")]
        claimant_id: Option<UserId>,
        #[serde(skip_serializing_if = "Option::is_none")]
        team_id: Option<VolunteerTeamId>,
    },
    /// `request_category.saved`: a category was created or changed.
    CategorySaved { key: CategoryKey, active: bool },
}

impl ContextEvent for RequestEvent {
    fn kind(&self) -> &'static str {
        match self {
            Self::Request { kind, .. } | Self::Task { kind, .. } => kind,
            Self::CategorySaved { .. } => "request_category.saved",
        }
    }
}

const fn request_kind(action: Action) -> &'static str {
    match action {
        Action::Posted => "request.posted",
        Action::Approved => "request.approved",
        Action::Accepted => "request.accepted",
        Action::Rejected => "request.rejected",
        Action::Transferred => "request.transferred",
        Action::Merged => "request.merged",
        Action::Absorbed => "request.absorbed",
        Action::TasksAdded => "request.tasks_added",
        Action::TaskClaimed
        | Action::TaskReleased
        | Action::TaskClaimExpired
        | Action::TaskStarted
        | Action::TaskCompleted
        | Action::TaskVerified => "request.task_changed",
        Action::Resolved => "request.resolved",
        Action::Reopened => "request.reopened",
        Action::Confirmed => "request.confirmed",
        Action::Closed => "request.closed",
        Action::Escalated => "request.escalated",
    }
}

/// What happened to a task (its event's kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskChange {
    Opened,
    Claimed,
    Released,
    ClaimExpired,
    Started,
    Completed,
    Verified,
    Withdrawn,
}

impl TaskChange {
    pub const fn kind(self) -> &'static str {
        match self {
            Self::Opened => "task.opened",
            Self::Claimed => "task.claimed",
            Self::Released => "task.released",
            Self::ClaimExpired => "task.claim_expired",
            Self::Started => "task.started",
            Self::Completed => "task.completed",
            Self::Verified => "task.verified",
            Self::Withdrawn => "task.withdrawn",
        }
    }
}

/// The events of one timeline step of `request` (in its state after the step): to the request,
/// its community's staff, its author and `followers`. The community topic of the grid it left
/// hears a transfer too (`left`).
pub fn request_events(
    request: &ResidentRequest,
    entry: &TimelineEntry,
    followers: &[UserId],
    left: Option<CommunityId>,
) -> Vec<DomainEvent> {
    let event = RequestEvent::Request {
        kind: request_kind(entry.action),
        request_id: request.id,
        timeline_entry_id: entry.id,
        status: request.status,
        category: request.category.clone(),
        grid_id: request.grid_id(),
        level: request.responsible.map(|r| r.level),
        merged_into: request.merged_into,
    };
    let mut names = vec![request_topic(request.id)];
    names.extend(request.community_id().map(community_requests));
    names.extend(
        left.filter(|c| Some(*c) != request.community_id())
            .map(community_requests),
    );
    names.push(topics::user(request.author));
    names.extend(
        followers
            .iter()
            .filter(|f| **f != request.author)
            .map(|f| topics::user(*f)),
    );
    names
        .into_iter()
        .map(|topic| DomainEvent::of(topic, &event, entry.at))
        .collect()
}

/// The events of a task's change (in its state after it): to the board of its grid and to its
/// request.
pub fn task_events(task: &Task, change: TaskChange, at: DateTime<Utc>) -> Vec<DomainEvent> {
    let event = RequestEvent::Task {
        kind: change.kind(),
        task_id: task.id,
        request_id: task.request_id,
        grid_id: task.place.grid,
        status: task.status,
        claimant_id: task.claim.map(|c| c.claimant),
        team_id: task.claim.and_then(|c| c.team_id),
    };
    let mut names: Vec<String> = task.place.grid.map(grid_tasks).into_iter().collect();
    names.push(request_topic(task.request_id));
    names
        .into_iter()
        .map(|topic| DomainEvent::of(topic, &event, at))
        .collect()
}

/// A category was saved: announced on the district's structure channel, where the staff who
/// keep dictionaries listen.
pub fn category_saved(key: &CategoryKey, active: bool, at: DateTime<Utc>) -> DomainEvent {
    DomainEvent::of(
        topics::DISTRICT_STRUCTURE.to_owned(),
        &RequestEvent::CategorySaved {
            key: key.clone(),
            active,
        },
        at,
    )
}
