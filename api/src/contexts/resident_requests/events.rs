//! The data of resident requests' events (`linli_resident_requests::events::RequestEvent`), as
//! the spec documents them for WebSocket subscribers. Every step of a request is one kind
//! (`request.posted`, `request.accepted`, … the timeline's actions) with the same data, and so
//! is every change of a task (`task.opened`, `task.claimed`, …). A test holds every kind the
//! domain makes to its shape here.

use poem_openapi::types::ParseFromJSON;
use uuid::Uuid;

use super::dto::{Level, RequestStatus, TaskStatus};

/// A step of a request: `request.<action>` (`posted`, `approved`, `accepted`, `rejected`,
/// `transferred`, `merged`, `absorbed`, `tasks_added`, `task_changed`, `resolved`, `reopened`,
/// `confirmed`, `closed`, `escalated`). Fetch the request for what changed.
#[derive(poem_openapi::Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct RequestStepData {
    pub request_id: Uuid,
    pub timeline_entry_id: Uuid,
    pub status: RequestStatus,
    pub category: String,
    #[oai(nullable)]
    pub grid_id: Option<Uuid>,
    /// The level answerable now.
    pub level: Option<Level>,
    /// `request.merged`: the request it went into.
    pub merged_into: Option<Uuid>,
}

/// A task changed: `task.<what>` (`opened`, `claimed`, `released`, `claim_expired`,
/// `started`, `completed`, `verified`, `withdrawn`).
#[derive(poem_openapi::Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct TaskChangeData {
    pub task_id: Uuid,
    pub request_id: Uuid,
    #[oai(nullable)]
    pub grid_id: Option<Uuid>,
    pub status: TaskStatus,
    pub claimant_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
}

/// `request_category.saved`: a category was created or changed.
#[derive(poem_openapi::Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct RequestCategorySavedData {
    pub key: String,
    pub active: bool,
}

/// The data of one of the context's events; the frame's `kind` says which.
#[derive(poem_openapi::Union, Debug)]
#[oai(one_of)]
pub enum RequestEventData {
    RequestStep(RequestStepData),
    TaskChange(TaskChangeData),
    CategorySaved(RequestCategorySavedData),
}

/// Whether `data` has the documented shape of `kind`.
pub fn conforms(kind: &str, data: &serde_json::Value) -> Result<(), String> {
    fn parse<T: ParseFromJSON>(kind: &str, data: &serde_json::Value) -> Result<(), String> {
        T::parse_from_json(Some(data.clone()))
            .map(|_| ())
            .map_err(|e| format!("{kind}: {}", e.into_message()))
    }
    if kind == "request_category.saved" {
        parse::<RequestCategorySavedData>(kind, data)
    } else if kind.starts_with("request.") {
        parse::<RequestStepData>(kind, data)
    } else if kind.starts_with("task.") {
        parse::<TaskChangeData>(kind, data)
    } else {
        Err(format!("`{kind}` is not a documented event"))
    }
}
