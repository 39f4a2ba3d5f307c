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

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use linli_kernel::{CommunityId, GridId, RequestId, ScopePath, SubdistrictId, UserId};
    use linli_resident_requests::category::{Answers, CategoryKey};
    use linli_resident_requests::events::{TaskChange, category_saved, request_events, task_events};
    use linli_resident_requests::request::{
        Action, Level, Moderation, RequestStatus, ResidentRequest, Responsible, TimelineEntry,
    };
    use linli_resident_requests::task::{Claim, NewTask, TaskStatus};

    use super::conforms;

    fn request() -> ResidentRequest {
        let now = Utc::now();
        ResidentRequest {
            id: RequestId::new(),
            author: UserId::new(),
            anonymous: true,
            category: CategoryKey::parse("category", "general").unwrap(),
            title: "楼道灯不亮".to_owned(),
            description: "三单元".to_owned(),
            photos: vec![],
            answers: Answers::new(),
            place: ScopePath::grid(SubdistrictId::new(), CommunityId::new(), GridId::new()),
            status: RequestStatus::Submitted,
            moderation: Moderation::Visible,
            responsible: Some(Responsible {
                user_id: UserId::new(),
                level: Level::GridWorker,
            }),
            posted_at: now,
            respond_by: now,
            resolve_by: now,
            responded_at: None,
            resolved_at: None,
            closed_at: None,
            rating: None,
            merged_into: Some(RequestId::new()),
            version: 0,
        }
    }

    /// Every kind the domain makes holds to its documented shape, and an anonymous request's
    /// events never name its author.
    #[test]
    fn every_event_of_the_context_conforms_to_the_spec() {
        let r = request();
        let now = Utc::now();
        let mut events = Vec::new();
        for action in Action::ALL {
            let entry = TimelineEntry::new(r.id, action, None, now);
            events.extend(request_events(
                &r,
                &entry,
                &[UserId::new()],
                Some(CommunityId::new()),
            ));
        }
        let mut task = NewTask {
            title: "换灯泡".to_owned(),
            needed: 1,
            due_at: None,
        }
        .into_task(r.id, r.place, now);
        for change in [
            TaskChange::Opened,
            TaskChange::Claimed,
            TaskChange::Released,
            TaskChange::ClaimExpired,
            TaskChange::Started,
            TaskChange::Completed,
            TaskChange::Verified,
            TaskChange::Withdrawn,
        ] {
            task.status = TaskStatus::Claimed;
            task.claim = Some(Claim {
                claimant: UserId::new(),
                team_id: None,
                claimed_at: now,
            });
            events.extend(task_events(&task, change, now));
        }
        events.push(category_saved(&r.category, true, now));
        for event in &events {
            conforms(&event.kind, &event.data).unwrap();
            if event.kind.starts_with("request.") {
                assert!(
                    !event.data.to_string().contains(&r.author.to_string()),
                    "{} names the anonymous author",
                    event.kind
                );
            }
        }
    }
}
