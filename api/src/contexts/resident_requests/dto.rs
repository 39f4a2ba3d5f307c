//! The bodies and answers of resident requests' operations.

use std::collections::BTreeMap;

use linli_kernel::ValidationError;
use linli_resident_requests::service::{RequestDetail, RequestView, TaskView};
use poem_openapi::{Enum, Object};
use serde_json::Value;
use uuid::Uuid;

use crate::http::dto::{Person, Text, Timestamp};

/// Where a request stands: `submitted → accepted | rejected | transferred | merged`;
/// `accepted → in_progress → resolved → closed`; a resolved request the author reopens goes
/// back to `accepted`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case", remote = "linli_resident_requests::RequestStatus")]
pub enum RequestStatus {
    /// Posted, waiting for the grid's staff to answer.
    Submitted,
    /// Sent on to another grid, waiting for its staff.
    Transferred,
    /// Taken on, with its tasks on the board.
    Accepted,
    /// A task is claimed: the work is under way.
    InProgress,
    /// The work is verified; waiting for the author to confirm (7 days).
    Resolved,
    /// Confirmed and rated by the author, or closed unrated when the window lapsed.
    Closed,
    /// Declined, with a reason.
    Rejected,
    /// Folded into another request (`merged_into`), which its author now follows.
    Merged,
}

/// Whether others may see a request yet.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case", remote = "linli_resident_requests::Moderation")]
pub enum Moderation {
    Visible,
    /// Held by the content check: shown only to its author and staff until staff approve it.
    PendingReview,
}

/// The level of the grid's team answerable for a request; an overdue request climbs it.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case", remote = "linli_resident_requests::Level")]
pub enum Level {
    GridWorker,
    GridLeader,
    CommunityAdmin,
}

/// What happened at a step of a request's timeline.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case", remote = "linli_resident_requests::Action")]
pub enum Action {
    Posted,
    /// Staff let a request the content check held be seen.
    Approved,
    Accepted,
    Rejected,
    Transferred,
    Merged,
    /// Another request was merged into this one (`facts.request_id`).
    Absorbed,
    TasksAdded,
    TaskClaimed,
    TaskReleased,
    TaskClaimExpired,
    TaskStarted,
    TaskCompleted,
    TaskVerified,
    Resolved,
    Reopened,
    /// The author confirmed and rated (`facts.rating`).
    Confirmed,
    /// The confirmation window lapsed: closed unrated.
    Closed,
    /// A deadline passed and the request went one level up (`facts.level`).
    Escalated,
}

/// Where a task stands: `open → claimed → in_progress → done → verified`; `claimed → open`
/// when released or when the claim lapses unstarted; `withdrawn` when the request was
/// resolved without it.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case", remote = "linli_resident_requests::TaskStatus")]
pub enum TaskStatus {
    Open,
    Claimed,
    InProgress,
    Done,
    Verified,
    Withdrawn,
}

/// The type of an extra question's answer.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum QuestionType {
    /// Free text of at most `max_length` characters.
    Text,
    /// A whole number from `min` to `max`.
    Number,
    /// One of `choices`.
    SingleChoice,
    /// Any of `choices`, each at most once (a list).
    MultipleChoice,
}

/// An extra question a category asks; the fields after `type` are those its type needs.
#[derive(Object, Debug, Clone)]
#[oai(deny_unknown_fields)]
pub struct Question {
    /// How an answer names the question: 1 to 32 lowercase letters, digits or `_`.
    pub key: Text,
    pub label: Text,
    pub required: bool,
    #[oai(rename = "type")]
    pub kind: QuestionType,
    /// `text`: the longest answer, 1 to 2000 characters.
    #[oai(skip_serializing_if_is_none)]
    pub max_length: Option<u32>,
    /// `number`: the smallest answer.
    #[oai(skip_serializing_if_is_none)]
    pub min: Option<i64>,
    /// `number`: the largest answer.
    #[oai(skip_serializing_if_is_none)]
    pub max: Option<i64>,
    /// `single_choice`, `multiple_choice`: 1 to 20 distinct choices.
    #[oai(skip_serializing_if_is_none)]
    pub choices: Option<Vec<String>>,
}

fn missing(field: &str) -> ValidationError {
    ValidationError::new(field, linli_kernel::Rule::Empty, "this question type needs it")
}

impl Question {
    pub fn into_domain(self, index: usize) -> Result<linli_resident_requests::Question, ValidationError> {
        use linli_resident_requests::QuestionKind;
        let field = |name: &str| format!("questions[{index}].{name}");
        let kind = match self.kind {
            QuestionType::Text => QuestionKind::Text {
                max_length: self.max_length.ok_or_else(|| missing(&field("max_length")))?,
            },
            QuestionType::Number => QuestionKind::Number {
                min: self.min.ok_or_else(|| missing(&field("min")))?,
                max: self.max.ok_or_else(|| missing(&field("max")))?,
            },
            QuestionType::SingleChoice => QuestionKind::SingleChoice {
                choices: self.choices.ok_or_else(|| missing(&field("choices")))?,
            },
            QuestionType::MultipleChoice => QuestionKind::MultipleChoice {
                choices: self.choices.ok_or_else(|| missing(&field("choices")))?,
            },
        };
        Ok(linli_resident_requests::Question {
            key: linli_resident_requests::CategoryKey::parse(&field("key"), &self.key)?,
            label: self.label.0,
            required: self.required,
            kind,
        })
    }
}

impl From<linli_resident_requests::Question> for Question {
    fn from(q: linli_resident_requests::Question) -> Self {
        use linli_resident_requests::QuestionKind;
        let mut out = Self {
            key: Text(q.key.to_string()),
            label: Text(q.label),
            required: q.required,
            kind: QuestionType::Text,
            max_length: None,
            min: None,
            max: None,
            choices: None,
        };
        match q.kind {
            QuestionKind::Text { max_length } => out.max_length = Some(max_length),
            QuestionKind::Number { min, max } => {
                out.kind = QuestionType::Number;
                (out.min, out.max) = (Some(min), Some(max));
            }
            QuestionKind::SingleChoice { choices } => {
                out.kind = QuestionType::SingleChoice;
                out.choices = Some(choices);
            }
            QuestionKind::MultipleChoice { choices } => {
                out.kind = QuestionType::MultipleChoice;
                out.choices = Some(choices);
            }
        }
        out
    }
}

/// Converts the questions of a body, naming each by its place in the list.
pub fn questions(list: Vec<Question>) -> Result<Vec<linli_resident_requests::Question>, ValidationError> {
    list.into_iter()
        .enumerate()
        .map(|(i, q)| q.into_domain(i))
        .collect()
}

/// A category of requests: its deadlines and extra questions.
#[derive(Object, Debug)]
pub struct RequestCategory {
    pub key: String,
    pub name: String,
    /// Minutes from posting within which staff must first answer.
    pub respond_within_minutes: u32,
    /// Minutes from posting within which the request must be resolved.
    pub resolve_within_minutes: u32,
    pub questions: Vec<Question>,
    /// A retired category takes no new requests.
    pub active: bool,
    pub updated_at: Timestamp,
}

impl From<linli_resident_requests::RequestCategory> for RequestCategory {
    fn from(c: linli_resident_requests::RequestCategory) -> Self {
        Self {
            key: c.key.to_string(),
            name: c.name,
            respond_within_minutes: c.deadlines.respond_within_minutes,
            resolve_within_minutes: c.deadlines.resolve_within_minutes,
            questions: c.questions.into_iter().map(Into::into).collect(),
            active: c.active,
            updated_at: c.updated_at.into(),
        }
    }
}

#[derive(Object, Debug)]
pub struct RequestCategoryList {
    /// By key.
    pub items: Vec<RequestCategory>,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct NewRequestCategory {
    /// 1 to 32 lowercase letters, digits or `_`, starting with a letter, e.g. `noise`.
    pub key: Text,
    pub name: Text,
    /// 1 minute to 90 days.
    pub respond_within_minutes: u32,
    /// 1 minute to 90 days, not before the response.
    pub resolve_within_minutes: u32,
    /// At most 10.
    #[oai(default)]
    pub questions: Vec<Question>,
}

/// What to change; what is absent stays.
#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct RequestCategoryPatch {
    pub name: Option<Text>,
    pub respond_within_minutes: Option<u32>,
    pub resolve_within_minutes: Option<u32>,
    /// Replaces the questions; requests already posted keep their answers.
    pub questions: Option<Vec<Question>>,
    /// `false` retires the category: it takes no new requests.
    pub active: Option<bool>,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct NewRequest {
    /// A category's key (`GET /request-categories`), e.g. `general`.
    pub category: Text,
    /// 1 to 50 characters.
    pub title: Text,
    /// 1 to 1000 characters.
    pub description: Text,
    /// URL paths `POST /uploads` answered with (`/files/…`), your own, at most 9.
    #[oai(default)]
    pub photos: Vec<String>,
    /// Answers to the category's questions, by question key.
    #[oai(default)]
    pub answers: BTreeMap<String, Value>,
    /// The building concerned; else your registered home decides, else `grid_id`.
    pub building_id: Option<Uuid>,
    pub grid_id: Option<Uuid>,
    /// Hide your name from everyone but the grid's staff.
    #[oai(default)]
    pub anonymous: bool,
}

/// Who answers for a request now.
#[derive(Object, Debug)]
pub struct Responsible {
    pub user_id: Uuid,
    pub level: Level,
}

/// The author's rating of the outcome.
#[derive(Object, Debug)]
pub struct Rating {
    /// 1 to 5; 4 and 5 count as satisfied.
    pub stars: u8,
    pub comment: String,
}

/// A resident's request as you may see it.
#[derive(Object, Debug)]
pub struct ResidentRequest {
    pub id: Uuid,
    pub category: String,
    pub title: String,
    pub description: String,
    pub photos: Vec<String>,
    pub answers: BTreeMap<String, Value>,
    pub anonymous: bool,
    /// Null when the request is anonymous and you are neither its author nor the grid's staff.
    #[oai(nullable)]
    pub author: Option<Person>,
    pub grid_id: Uuid,
    pub community_id: Uuid,
    #[oai(nullable)]
    pub building_id: Option<Uuid>,
    pub status: RequestStatus,
    pub moderation: Moderation,
    #[oai(nullable)]
    pub responsible: Option<Responsible>,
    pub posted_at: Timestamp,
    /// When the first answer is due; a transfer keeps it.
    pub respond_by: Timestamp,
    /// When resolution is due; a transfer keeps it.
    pub resolve_by: Timestamp,
    #[oai(nullable)]
    pub responded_at: Option<Timestamp>,
    #[oai(nullable)]
    pub resolved_at: Option<Timestamp>,
    #[oai(nullable)]
    pub closed_at: Option<Timestamp>,
    #[oai(nullable)]
    pub rating: Option<Rating>,
    #[oai(nullable)]
    pub merged_into: Option<Uuid>,
}

impl TryFrom<RequestView> for ResidentRequest {
    type Error = anyhow::Error;

    fn try_from(v: RequestView) -> anyhow::Result<Self> {
        let r = v.request;
        let place = |what: &str, id: Option<Uuid>| {
            id.ok_or_else(|| anyhow::anyhow!("request {} has no {what}", r.id))
        };
        Ok(Self {
            grid_id: place("grid", r.place.grid.map(|g| g.as_uuid()))?,
            community_id: place("community", r.place.community.map(|c| c.as_uuid()))?,
            building_id: r.place.building.map(|b| b.as_uuid()),
            id: r.id.as_uuid(),
            category: r.category.to_string(),
            title: r.title,
            description: r.description,
            photos: r.photos,
            answers: r.answers.into_iter().collect(),
            anonymous: r.anonymous,
            author: v.author.map(Into::into),
            status: r.status.into(),
            moderation: r.moderation.into(),
            responsible: r.responsible.map(|p| Responsible {
                user_id: p.user_id.as_uuid(),
                level: p.level.into(),
            }),
            posted_at: r.posted_at.into(),
            respond_by: r.respond_by.into(),
            resolve_by: r.resolve_by.into(),
            responded_at: r.responded_at.map(Into::into),
            resolved_at: r.resolved_at.map(Into::into),
            closed_at: r.closed_at.map(Into::into),
            rating: r.rating.map(|x| Rating {
                stars: x.stars,
                comment: x.comment,
            }),
            merged_into: r.merged_into.map(|m| m.as_uuid()),
        })
    }
}

#[derive(Object, Debug)]
pub struct RequestList {
    /// Newest first.
    pub items: Vec<ResidentRequest>,
    /// Pass as `cursor` for the next page; null on the last page.
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

impl TryFrom<linli_kernel::Page<RequestView>> for RequestList {
    type Error = anyhow::Error;

    fn try_from(page: linli_kernel::Page<RequestView>) -> anyhow::Result<Self> {
        Ok(Self {
            next_cursor: crate::http::pagination::encode_cursor(page.next_after),
            items: page
                .items
                .into_iter()
                .map(TryInto::try_into)
                .collect::<anyhow::Result<_>>()?,
        })
    }
}

/// What the claimant reported when the work was done.
#[derive(Object, Debug)]
pub struct Completion {
    pub note: String,
    pub photos: Vec<String>,
    pub completed_at: Timestamp,
}

/// A piece of a request's work, on its grid's task board.
#[derive(Object, Debug)]
pub struct Task {
    pub id: Uuid,
    pub request_id: Uuid,
    pub grid_id: Uuid,
    /// The building concerned, when the request named one (or is about the author's home).
    #[oai(nullable)]
    pub building_id: Option<Uuid>,
    pub title: String,
    /// How many people the work takes.
    pub needed: u32,
    #[oai(nullable)]
    pub due_at: Option<Timestamp>,
    pub status: TaskStatus,
    /// Who holds it, as you may see them.
    #[oai(nullable)]
    pub claimant: Option<Person>,
    /// The volunteer team it was claimed for.
    #[oai(nullable)]
    pub team_id: Option<Uuid>,
    #[oai(nullable)]
    pub claimed_at: Option<Timestamp>,
    #[oai(nullable)]
    pub started_at: Option<Timestamp>,
    #[oai(nullable)]
    pub completion: Option<Completion>,
    #[oai(nullable)]
    pub verified_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

impl TryFrom<TaskView> for Task {
    type Error = anyhow::Error;

    fn try_from(v: TaskView) -> anyhow::Result<Self> {
        let t = v.task;
        Ok(Self {
            grid_id: t
                .place
                .grid
                .ok_or_else(|| anyhow::anyhow!("task {} has no grid", t.id))?
                .as_uuid(),
            building_id: t.place.building.map(|b| b.as_uuid()),
            id: t.id.as_uuid(),
            request_id: t.request_id.as_uuid(),
            title: t.title,
            needed: t.needed,
            due_at: t.due_at.map(Into::into),
            status: t.status.into(),
            claimant: v.claimant.map(Into::into),
            team_id: t.claim.and_then(|c| c.team_id).map(|team| team.as_uuid()),
            claimed_at: t.claim.map(|c| c.claimed_at.into()),
            started_at: t.started_at.map(Into::into),
            completion: t.completion.map(|c| Completion {
                note: c.note,
                photos: c.photos,
                completed_at: c.completed_at.into(),
            }),
            verified_at: t.verified_at.map(Into::into),
            created_at: t.created_at.into(),
        })
    }
}

#[derive(Object, Debug)]
pub struct TaskList {
    pub items: Vec<Task>,
    /// Pass as `cursor` for the next page; null on the last page.
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

impl TryFrom<linli_kernel::Page<TaskView>> for TaskList {
    type Error = anyhow::Error;

    fn try_from(page: linli_kernel::Page<TaskView>) -> anyhow::Result<Self> {
        Ok(Self {
            next_cursor: crate::http::pagination::encode_cursor(page.next_after),
            items: page
                .items
                .into_iter()
                .map(TryInto::try_into)
                .collect::<anyhow::Result<_>>()?,
        })
    }
}

/// One step of a request's life.
#[derive(Object, Debug)]
pub struct TimelineStep {
    pub id: Uuid,
    pub action: Action,
    /// Who did it; null for the system, and for an anonymous author to anyone but them and
    /// staff.
    #[oai(nullable)]
    pub actor: Option<Person>,
    pub at: Timestamp,
    /// The reason, comment or note given.
    #[oai(nullable)]
    pub note: Option<String>,
    /// The step's facts: `grid_id` of a transfer, `task_id`, `rating`, `level`…
    pub facts: Value,
}

impl From<linli_resident_requests::service::TimelineStep> for TimelineStep {
    fn from(s: linli_resident_requests::service::TimelineStep) -> Self {
        Self {
            id: s.entry.id.as_uuid(),
            action: s.entry.action.into(),
            actor: s.actor.map(Into::into),
            at: s.entry.at.into(),
            note: s.entry.note,
            facts: s.entry.facts,
        }
    }
}

/// A request with its tasks and its timeline.
#[derive(Object, Debug)]
pub struct ResidentRequestDetail {
    #[oai(flatten)]
    pub request: ResidentRequest,
    pub tasks: Vec<Task>,
    /// Oldest first.
    pub timeline: Vec<TimelineStep>,
    /// For the grid's staff: open requests of the same category in the same grid from the 30
    /// days before this one, newest first. Empty for anyone else.
    pub possible_duplicates: Vec<Uuid>,
}

impl TryFrom<RequestDetail> for ResidentRequestDetail {
    type Error = anyhow::Error;

    fn try_from(d: RequestDetail) -> anyhow::Result<Self> {
        Ok(Self {
            request: d.view.try_into()?,
            tasks: d
                .tasks
                .into_iter()
                .map(TryInto::try_into)
                .collect::<anyhow::Result<_>>()?,
            timeline: d.timeline.into_iter().map(Into::into).collect(),
            possible_duplicates: d.possible_duplicates.into_iter().map(|r| r.as_uuid()).collect(),
        })
    }
}

/// A task as staff describe it.
#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct NewTask {
    /// 1 to 100 characters.
    pub title: Text,
    /// How many people it takes, 1 to 50.
    #[oai(default = "one")]
    pub needed: u32,
    #[oai(nullable)]
    pub due_at: Option<Timestamp>,
}

fn one() -> u32 {
    1
}

impl From<NewTask> for linli_resident_requests::NewTask {
    fn from(t: NewTask) -> Self {
        Self {
            title: t.title.0,
            needed: t.needed,
            due_at: t.due_at.map(|d| d.0),
        }
    }
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct Acceptance {
    /// The work it needs: 1 to 20 tasks.
    pub tasks: Vec<NewTask>,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct Reason {
    /// 1 to 200 characters: the author reads it.
    pub reason: Text,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct TransferBody {
    pub grid_id: Uuid,
    /// Up to 200 characters.
    #[oai(default)]
    pub note: Text,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct MergeBody {
    /// The open request to merge into.
    pub into: Uuid,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct NoteBody {
    /// Up to 200 characters.
    #[oai(default)]
    pub note: Text,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct Confirmation {
    /// 1 to 5.
    pub rating: u8,
    /// Up to 200 characters.
    #[oai(default)]
    pub comment: Text,
}

#[derive(Object, Debug, Default)]
#[oai(deny_unknown_fields)]
pub struct ClaimBody {
    /// Claim for a volunteer team you lead (once volunteering lands; until then any team is
    /// `team_unknown`).
    pub team_id: Option<Uuid>,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct CompletionBody {
    /// Up to 500 characters.
    #[oai(default)]
    pub note: Text,
    /// Your own uploads (`/files/…`), at most 9.
    #[oai(default)]
    pub photos: Vec<String>,
}
