//! Rows to models and back. A stored row was written from a valid model, so a row that does
//! not read back is corruption, reported as an error rather than guessed at.

use anyhow::Context;
use linli_kernel::{BuildingId, ScopePath, UserId};
use linli_resident_requests::category::{CategoryKey, Deadlines, RequestCategory};
use linli_resident_requests::request::{
    Action, Level, Moderation, Rating, RequestStatus, ResidentRequest, Responsible, TimelineEntry,
};
use linli_resident_requests::task::{Claim, Completion, Task, TaskStatus};
use sea_orm::ActiveValue::Set;
use uuid::Uuid;

use super::entity::{request, request_category, task, timeline_entry};

/// The tree ids of a path at or under a grid: subdistrict, community, grid, building.
fn tree_ids(path: &ScopePath) -> anyhow::Result<(Uuid, Uuid, Uuid, Option<Uuid>)> {
    Ok((
        path.subdistrict
            .context("a path without a subdistrict")?
            .as_uuid(),
        path.community.context("a path without a community")?.as_uuid(),
        path.grid.context("a path without a grid")?.as_uuid(),
        path.building.map(|b| b.as_uuid()),
    ))
}

fn path(subdistrict: Uuid, community: Uuid, grid: Uuid, building: Option<Uuid>) -> ScopePath {
    let at_grid = ScopePath::grid(subdistrict.into(), community.into(), grid.into());
    ScopePath {
        building: building.map(BuildingId::from_uuid),
        ..at_grid
    }
}

fn count(n: u32) -> anyhow::Result<i32> {
    Ok(i32::try_from(n)?)
}

pub(super) fn category_row(c: &RequestCategory) -> anyhow::Result<request_category::ActiveModel> {
    Ok(request_category::ActiveModel {
        key: Set(c.key.as_str().to_owned()),
        name: Set(c.name.clone()),
        respond_within_minutes: Set(count(c.deadlines.respond_within_minutes)?),
        resolve_within_minutes: Set(count(c.deadlines.resolve_within_minutes)?),
        questions: Set(serde_json::to_string(&c.questions)?),
        active: Set(c.active),
        updated_at: Set(c.updated_at),
    })
}

pub(super) fn to_category(row: request_category::Model) -> anyhow::Result<RequestCategory> {
    Ok(RequestCategory {
        key: CategoryKey::parse("key", &row.key)?,
        name: row.name,
        deadlines: Deadlines::new(
            u32::try_from(row.respond_within_minutes)?,
            u32::try_from(row.resolve_within_minutes)?,
        )?,
        questions: serde_json::from_str(&row.questions).context("a category's questions")?,
        active: row.active,
        updated_at: row.updated_at,
    })
}

pub(super) fn request_row(r: &ResidentRequest) -> anyhow::Result<request::ActiveModel> {
    let (subdistrict, community, grid, building) = tree_ids(&r.place)?;
    Ok(request::ActiveModel {
        id: Set(r.id.as_uuid()),
        author_id: Set(r.author.as_uuid()),
        anonymous: Set(r.anonymous),
        category: Set(r.category.as_str().to_owned()),
        title: Set(r.title.clone()),
        description: Set(r.description.clone()),
        photos: Set(serde_json::to_string(&r.photos)?),
        answers: Set(serde_json::to_string(&r.answers)?),
        subdistrict_id: Set(subdistrict),
        community_id: Set(community),
        grid_id: Set(grid),
        building_id: Set(building),
        status: Set(r.status.as_str().to_owned()),
        moderation: Set(r.moderation.as_str().to_owned()),
        responsible_id: Set(r.responsible.map(|p| p.user_id.as_uuid())),
        responsible_level: Set(r.responsible.map(|p| p.level.as_str().to_owned())),
        posted_at: Set(r.posted_at),
        respond_by: Set(r.respond_by),
        resolve_by: Set(r.resolve_by),
        responded_at: Set(r.responded_at),
        resolved_at: Set(r.resolved_at),
        closed_at: Set(r.closed_at),
        rating: Set(r.rating.as_ref().map(|x| i16::from(x.stars))),
        rating_comment: Set(r.rating.as_ref().map(|x| x.comment.clone())),
        merged_into: Set(r.merged_into.map(|m| m.as_uuid())),
        version: Set(count(r.version)?),
    })
}

pub(super) fn to_request(row: request::Model) -> anyhow::Result<ResidentRequest> {
    let responsible = match (row.responsible_id, row.responsible_level) {
        (Some(user), Some(level)) => Some(Responsible {
            user_id: UserId::from_uuid(user),
            level: Level::parse("responsible_level", &level)?,
        }),
        _ => None,
    };
    let rating = match row.rating {
        Some(stars) => Some(Rating {
            stars: u8::try_from(stars)?,
            comment: row.rating_comment.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(ResidentRequest {
        id: row.id.into(),
        author: UserId::from_uuid(row.author_id),
        anonymous: row.anonymous,
        category: CategoryKey::parse("category", &row.category)?,
        title: row.title,
        description: row.description,
        photos: serde_json::from_str(&row.photos).context("a request's photos")?,
        answers: serde_json::from_str(&row.answers).context("a request's answers")?,
        place: path(row.subdistrict_id, row.community_id, row.grid_id, row.building_id),
        status: RequestStatus::parse("status", &row.status)?,
        moderation: Moderation::parse("moderation", &row.moderation)?,
        responsible,
        posted_at: row.posted_at,
        respond_by: row.respond_by,
        resolve_by: row.resolve_by,
        responded_at: row.responded_at,
        resolved_at: row.resolved_at,
        closed_at: row.closed_at,
        rating,
        merged_into: row.merged_into.map(Into::into),
        version: u32::try_from(row.version)?,
    })
}

pub(super) fn entry_row(e: &TimelineEntry) -> anyhow::Result<timeline_entry::ActiveModel> {
    Ok(timeline_entry::ActiveModel {
        id: Set(e.id.as_uuid()),
        request_id: Set(e.request_id.as_uuid()),
        action: Set(e.action.as_str().to_owned()),
        actor_id: Set(e.actor.map(|a| a.as_uuid())),
        at: Set(e.at),
        note: Set(e.note.clone()),
        facts: Set(serde_json::to_string(&e.facts)?),
    })
}

pub(super) fn to_entry(row: timeline_entry::Model) -> anyhow::Result<TimelineEntry> {
    Ok(TimelineEntry {
        id: row.id.into(),
        request_id: row.request_id.into(),
        action: Action::parse("action", &row.action)?,
        actor: row.actor_id.map(UserId::from_uuid),
        at: row.at,
        note: row.note,
        facts: serde_json::from_str(&row.facts).context("a timeline entry's facts")?,
    })
}

pub(super) fn task_row(t: &Task) -> anyhow::Result<task::ActiveModel> {
    let (subdistrict, community, grid, building) = tree_ids(&t.place)?;
    Ok(task::ActiveModel {
        id: Set(t.id.as_uuid()),
        request_id: Set(t.request_id.as_uuid()),
        subdistrict_id: Set(subdistrict),
        community_id: Set(community),
        grid_id: Set(grid),
        building_id: Set(building),
        title: Set(t.title.clone()),
        needed: Set(count(t.needed)?),
        due_at: Set(t.due_at),
        status: Set(t.status.as_str().to_owned()),
        claimant_id: Set(t.claim.map(|c| c.claimant.as_uuid())),
        team_id: Set(t.claim.and_then(|c| c.team_id).map(|team| team.as_uuid())),
        claimed_at: Set(t.claim.map(|c| c.claimed_at)),
        started_at: Set(t.started_at),
        completion_note: Set(t.completion.as_ref().map(|c| c.note.clone())),
        completion_photos: Set(t
            .completion
            .as_ref()
            .map(|c| serde_json::to_string(&c.photos))
            .transpose()?),
        completed_at: Set(t.completion.as_ref().map(|c| c.completed_at)),
        verified_by: Set(t.verified_by.map(|v| v.as_uuid())),
        verified_at: Set(t.verified_at),
        created_at: Set(t.created_at),
        version: Set(count(t.version)?),
    })
}

pub(super) fn to_task(row: task::Model) -> anyhow::Result<Task> {
    let claim = match (row.claimant_id, row.claimed_at) {
        (Some(claimant), Some(claimed_at)) => Some(Claim {
            claimant: UserId::from_uuid(claimant),
            team_id: row.team_id.map(Into::into),
            claimed_at,
        }),
        _ => None,
    };
    let completion = match row.completed_at {
        Some(completed_at) => Some(Completion {
            note: row.completion_note.unwrap_or_default(),
            photos: match row.completion_photos {
                Some(photos) => serde_json::from_str(&photos).context("a task's photos")?,
                None => Vec::new(),
            },
            completed_at,
        }),
        None => None,
    };
    Ok(Task {
        id: row.id.into(),
        request_id: row.request_id.into(),
        place: path(row.subdistrict_id, row.community_id, row.grid_id, row.building_id),
        title: row.title,
        needed: u32::try_from(row.needed)?,
        due_at: row.due_at,
        status: TaskStatus::parse("status", &row.status)?,
        claim,
        started_at: row.started_at,
        completion,
        verified_by: row.verified_by.map(UserId::from_uuid),
        verified_at: row.verified_at,
        created_at: row.created_at,
        version: u32::try_from(row.version)?,
    })
}
