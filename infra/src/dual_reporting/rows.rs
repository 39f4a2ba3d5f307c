//! Rows to models and back. A stored row was written from a valid model, so a row that does
//! not read back is corruption, reported as an error rather than guessed at.

use anyhow::{Context, anyhow};
use linli_dual_reporting::{
    Assignment, CategoryKey, MemberReport, MemberReportId, ReportStatus, ServiceCategory, Unit, UnitKind,
    UnitReport, UnitReportId, UnitReportStatus,
};
use linli_kernel::{ScopePath, UserId};
use sea_orm::ActiveValue::Set;

use super::entity::{member_report, service_category, unit, unit_report};

fn grid_path(subdistrict: uuid::Uuid, community: uuid::Uuid, grid: uuid::Uuid) -> ScopePath {
    ScopePath::grid(subdistrict.into(), community.into(), grid.into())
}

/// The tree ids of a path at or under a community.
fn tree_ids(path: &ScopePath) -> anyhow::Result<(uuid::Uuid, uuid::Uuid)> {
    let subdistrict = path.subdistrict.context("a path without a subdistrict")?;
    let community = path.community.context("a path without a community")?;
    Ok((subdistrict.as_uuid(), community.as_uuid()))
}

pub(super) fn unit_row(u: &Unit) -> anyhow::Result<unit::ActiveModel> {
    let (subdistrict, community) = tree_ids(&u.grid)?;
    Ok(unit::ActiveModel {
        id: Set(u.id.as_uuid()),
        name: Set(u.name.clone()),
        kind: Set(u.kind.as_str().to_owned()),
        party_organisation: Set(u.party_organisation.clone()),
        contact_name: Set(u.contact_name.clone()),
        contact_phone: Set(u.contact_phone.clone()),
        roll_count: Set(i32::try_from(u.roll_count)?),
        subdistrict_id: Set(subdistrict),
        community_id: Set(community),
        grid_id: Set(u.grid_id().context("a unit without a grid")?.as_uuid()),
        created_at: Set(u.created_at),
    })
}

pub(super) fn to_unit(row: unit::Model) -> anyhow::Result<Unit> {
    Ok(Unit {
        id: row.id.into(),
        kind: UnitKind::parse("kind", &row.kind)?,
        name: row.name,
        party_organisation: row.party_organisation,
        contact_name: row.contact_name,
        contact_phone: row.contact_phone,
        roll_count: u32::try_from(row.roll_count)?,
        grid: grid_path(row.subdistrict_id, row.community_id, row.grid_id),
        created_at: row.created_at,
    })
}

pub(super) fn unit_report_row(r: &UnitReport) -> anyhow::Result<unit_report::ActiveModel> {
    let (subdistrict, community) = tree_ids(&r.grid)?;
    Ok(unit_report::ActiveModel {
        id: Set(r.id.as_uuid()),
        unit_id: Set(r.unit_id.as_uuid()),
        subdistrict_id: Set(subdistrict),
        community_id: Set(community),
        grid_id: Set(r.grid.grid.context("a unit report without a grid")?.as_uuid()),
        status: Set(r.status.as_str().to_owned()),
        filed_by: Set(r.filed_by.as_uuid()),
        filed_at: Set(r.filed_at),
        accepted_by: Set(r.accepted_by.map(|u| u.as_uuid())),
        accepted_at: Set(r.accepted_at),
    })
}

pub(super) fn to_unit_report(row: unit_report::Model) -> anyhow::Result<UnitReport> {
    Ok(UnitReport {
        id: UnitReportId::from_uuid(row.id),
        unit_id: row.unit_id.into(),
        grid: grid_path(row.subdistrict_id, row.community_id, row.grid_id),
        status: UnitReportStatus::parse(&row.status)
            .ok_or_else(|| anyhow!("unit report status `{}`", row.status))?,
        filed_by: UserId::from_uuid(row.filed_by),
        filed_at: row.filed_at,
        accepted_by: row.accepted_by.map(UserId::from_uuid),
        accepted_at: row.accepted_at,
    })
}

pub(super) fn category_row(c: &ServiceCategory) -> service_category::ActiveModel {
    service_category::ActiveModel {
        key: Set(c.key.as_str().to_owned()),
        name: Set(c.name.clone()),
        created_at: Set(c.created_at),
    }
}

pub(super) fn to_category(row: service_category::Model) -> anyhow::Result<ServiceCategory> {
    Ok(ServiceCategory {
        key: CategoryKey::parse("key", &row.key)?,
        name: row.name,
        created_at: row.created_at,
    })
}

pub(super) fn report_row(r: &MemberReport) -> anyhow::Result<member_report::ActiveModel> {
    let (subdistrict, community) = tree_ids(&r.place)?;
    let assignment = r.assignment.as_ref();
    Ok(member_report::ActiveModel {
        id: Set(r.id.as_uuid()),
        user_id: Set(r.user_id.as_uuid()),
        unit_id: Set(r.unit_id.as_uuid()),
        subdistrict_id: Set(subdistrict),
        community_id: Set(community),
        grid_id: Set(r.place.grid.map(|g| g.as_uuid())),
        skills: Set(serde_json::to_string(&r.skills)?),
        availability: Set(r.availability.clone()),
        note: Set(r.note.clone()),
        status: Set(r.status.as_str().to_owned()),
        category: Set(assignment.map(|a| a.category.as_str().to_owned())),
        post: Set(assignment.map(|a| a.post.clone())),
        reason: Set(r.reason.clone()),
        filed_at: Set(r.filed_at),
        decided_by: Set(r.decided_by.map(|u| u.as_uuid())),
        decided_at: Set(r.decided_at),
    })
}

pub(super) fn to_report(row: member_report::Model) -> anyhow::Result<MemberReport> {
    let assignment = match (row.grid_id, row.category.as_deref(), row.post.as_deref()) {
        (Some(grid), Some(category), Some(post)) => Some(Assignment::new(
            grid.into(),
            CategoryKey::parse("category", category)?,
            post,
        )?),
        _ => None,
    };
    let mut place = ScopePath::community(row.subdistrict_id.into(), row.community_id.into());
    place.grid = row.grid_id.map(Into::into);
    Ok(MemberReport {
        id: MemberReportId::from_uuid(row.id),
        user_id: UserId::from_uuid(row.user_id),
        unit_id: row.unit_id.into(),
        place,
        skills: serde_json::from_str(&row.skills)?,
        availability: row.availability,
        note: row.note,
        status: ReportStatus::parse("status", &row.status)?,
        assignment,
        reason: row.reason,
        filed_at: row.filed_at,
        decided_by: row.decided_by.map(UserId::from_uuid),
        decided_at: row.decided_at,
    })
}
