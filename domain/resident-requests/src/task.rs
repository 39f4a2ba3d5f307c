//! Tasks: the pieces of work an accepted request is broken into, posted on the task board of
//! its grid. `open → claimed → in_progress → done → verified`; `claimed → open` when the
//! claimant releases it or the claim lapses unstarted; `open → withdrawn` when staff resolve
//! the request without it. Exactly one claimant holds a task at a time, whatever the
//! concurrency: a claim is a write guarded by `status = 'open'`.

use chrono::{DateTime, Utc};
use linli_kernel::text::checked_text;
use linli_kernel::{RequestId, Rule, ScopePath, TaskId, UserId, ValidationError, VolunteerTeamId};
use serde::Serialize;

use crate::request::unknown;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Open,
    Claimed,
    InProgress,
    Done,
    Verified,
    /// Taken off the board: its request was resolved, merged or rejected without it.
    Withdrawn,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 6] = [
        Self::Open,
        Self::Claimed,
        Self::InProgress,
        Self::Done,
        Self::Verified,
        Self::Withdrawn,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Claimed => "claimed",
            Self::InProgress => "in_progress",
            Self::Done => "done",
            Self::Verified => "verified",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| unknown(field, raw))
    }

    /// Someone holds it and has not finished (claimed or started), or finished and waits for
    /// staff to verify.
    pub const fn is_held(self) -> bool {
        matches!(self, Self::Claimed | Self::InProgress | Self::Done)
    }

    /// Nothing more will happen to it.
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Verified | Self::Withdrawn)
    }
}

/// Who holds a task: a Party member for themselves, or a volunteer team's leader for the team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Claim {
    pub claimant: UserId,
    pub team_id: Option<VolunteerTeamId>,
    pub claimed_at: DateTime<Utc>,
}

/// What the claimant reports when the work is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Completion {
    pub note: String,
    pub photos: Vec<String>,
    pub completed_at: DateTime<Utc>,
}

/// The most people a task may ask for.
pub const MAX_NEEDED: u32 = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: TaskId,
    pub request_id: RequestId,
    /// The request's grid (and building): whose board shows it.
    pub place: ScopePath,
    pub title: String,
    /// How many people the work takes: a team claims it for several, a member alone.
    pub needed: u32,
    pub due_at: Option<DateTime<Utc>>,
    pub status: TaskStatus,
    pub claim: Option<Claim>,
    pub started_at: Option<DateTime<Utc>>,
    pub completion: Option<Completion>,
    pub verified_by: Option<UserId>,
    pub verified_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// As a request's: each change adds one, and storage writes a change only over the
    /// version it was read at.
    pub version: u32,
}

/// A task as staff describe it when they accept a request or add work to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    pub title: String,
    pub needed: u32,
    pub due_at: Option<DateTime<Utc>>,
}

/// Tasks one request may have at most.
pub const MAX_TASKS: usize = 20;

impl NewTask {
    /// Checks the work described: a title, 1 to [`MAX_NEEDED`] people, a due time not already
    /// past.
    pub fn checked(self, index: usize, now: DateTime<Utc>) -> Result<Self, ValidationError> {
        let field = format!("tasks[{index}]");
        let title = checked_text(&format!("{field}.title"), &self.title, 1, 100)?;
        if !(1..=MAX_NEEDED).contains(&self.needed) {
            return Err(
                ValidationError::new(format!("{field}.needed"), Rule::Range, "1 to 50 people")
                    .with("min", 1)
                    .with("max", MAX_NEEDED),
            );
        }
        if self.due_at.is_some_and(|due| due <= now) {
            return Err(ValidationError::new(
                format!("{field}.due_at"),
                Rule::Range,
                "the due time has passed already",
            )
            .with("min", now.to_rfc3339())
            .with("max", "-"));
        }
        Ok(Self { title, ..self })
    }

    pub fn into_task(self, request_id: RequestId, place: ScopePath, now: DateTime<Utc>) -> Task {
        Task {
            id: TaskId::new(),
            request_id,
            place,
            title: self.title,
            needed: self.needed,
            due_at: self.due_at,
            status: TaskStatus::Open,
            claim: None,
            started_at: None,
            completion: None,
            verified_by: None,
            verified_at: None,
            created_at: now,
            version: 0,
        }
    }
}

/// Checks the tasks staff give a request: at least `min`, at most [`MAX_TASKS`] in all with
/// the `existing` ones.
pub fn checked_tasks(
    tasks: Vec<NewTask>,
    min: usize,
    existing: usize,
    now: DateTime<Utc>,
) -> Result<Vec<NewTask>, ValidationError> {
    if tasks.len() < min {
        return Err(ValidationError::new(
            "tasks",
            Rule::Empty,
            "give at least one task",
        ));
    }
    if tasks.len() + existing > MAX_TASKS {
        return Err(
            ValidationError::new("tasks", Rule::TooMany, "at most 20 tasks a request").with("max", MAX_TASKS),
        );
    }
    tasks
        .into_iter()
        .enumerate()
        .map(|(i, t)| t.checked(i, now))
        .collect()
}
