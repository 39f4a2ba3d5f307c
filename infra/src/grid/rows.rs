//! Rows of the structure's tables and the domain values they hold.

use anyhow::Context;
use linli_grid::{
    BranchKind, Building, Community, Grid, GridKind, Households, PartyBranch, PlaceName, Stairwell,
    Subdistrict,
};
use linli_kernel::{GridId, StairwellId};
use sea_orm::ActiveValue::Set;

use super::entity::{building, community, grid, party_branch, party_branch_grid, stairwell, subdistrict};
use crate::db::query::PathColumns;

pub(super) fn name(raw: &str) -> anyhow::Result<PlaceName> {
    PlaceName::parse("name", raw).with_context(|| format!("stored name `{raw}` is malformed"))
}

pub(super) fn to_subdistrict(m: subdistrict::Model) -> anyhow::Result<Subdistrict> {
    Ok(Subdistrict {
        id: m.id.into(),
        name: name(&m.name)?,
        created_at: m.created_at,
    })
}

pub(super) fn to_community(m: community::Model) -> anyhow::Result<Community> {
    Ok(Community {
        id: m.id.into(),
        subdistrict_id: m.subdistrict_id.into(),
        name: name(&m.name)?,
        created_at: m.created_at,
    })
}

pub(super) fn to_grid(m: grid::Model) -> anyhow::Result<Grid> {
    Ok(Grid {
        id: m.id.into(),
        community_id: m.community_id.into(),
        subdistrict_id: m.subdistrict_id.into(),
        name: name(&m.name)?,
        kind: m.kind.parse::<GridKind>()?,
        households: Households::new(i64::from(m.households))?,
        created_at: m.created_at,
    })
}

pub(super) fn to_building(m: building::Model, stairwells: &[stairwell::Model]) -> anyhow::Result<Building> {
    Ok(Building {
        id: m.id.into(),
        grid_id: m.grid_id.into(),
        community_id: m.community_id.into(),
        subdistrict_id: m.subdistrict_id.into(),
        name: name(&m.name)?,
        stairwells: stairwells
            .iter()
            .filter(|s| s.building_id == m.id)
            .map(|s| {
                Ok(Stairwell {
                    id: StairwellId::from_uuid(s.id),
                    building_id: m.id.into(),
                    name: name(&s.name)?,
                    civilized: s.civilized,
                })
            })
            .collect::<anyhow::Result<_>>()?,
        created_at: m.created_at,
    })
}

pub(super) fn to_branch(
    m: party_branch::Model,
    members: &[party_branch_grid::Model],
) -> anyhow::Result<PartyBranch> {
    let mut grid_ids: Vec<GridId> = members
        .iter()
        .filter(|g| g.branch_id == m.id)
        .map(|g| GridId::from_uuid(g.grid_id))
        .collect();
    grid_ids.sort();
    Ok(PartyBranch {
        id: m.id.into(),
        community_id: m.community_id.into(),
        subdistrict_id: m.subdistrict_id.into(),
        name: name(&m.name)?,
        kind: m.kind.parse::<BranchKind>()?,
        grid_ids,
        created_at: m.created_at,
    })
}

pub(super) fn subdistrict_row(s: &Subdistrict) -> subdistrict::ActiveModel {
    subdistrict::ActiveModel {
        id: Set(s.id.as_uuid()),
        name: Set(s.name.as_str().to_owned()),
        created_at: Set(s.created_at),
    }
}

pub(super) fn community_row(c: &Community) -> community::ActiveModel {
    community::ActiveModel {
        id: Set(c.id.as_uuid()),
        subdistrict_id: Set(c.subdistrict_id.as_uuid()),
        name: Set(c.name.as_str().to_owned()),
        created_at: Set(c.created_at),
    }
}

pub(super) fn branch_row(b: &PartyBranch) -> party_branch::ActiveModel {
    party_branch::ActiveModel {
        id: Set(b.id.as_uuid()),
        subdistrict_id: Set(b.subdistrict_id.as_uuid()),
        community_id: Set(b.community_id.as_uuid()),
        name: Set(b.name.as_str().to_owned()),
        kind: Set(b.kind.as_str().to_owned()),
        created_at: Set(b.created_at),
    }
}

pub(super) fn branch_grid_rows(b: &PartyBranch) -> impl Iterator<Item = party_branch_grid::ActiveModel> + '_ {
    b.grid_ids.iter().map(move |g| party_branch_grid::ActiveModel {
        grid_id: Set(g.as_uuid()),
        branch_id: Set(b.id.as_uuid()),
    })
}

pub(super) fn grid_row(g: &Grid) -> grid::ActiveModel {
    grid::ActiveModel {
        id: Set(g.id.as_uuid()),
        subdistrict_id: Set(g.subdistrict_id.as_uuid()),
        community_id: Set(g.community_id.as_uuid()),
        name: Set(g.name.as_str().to_owned()),
        kind: Set(g.kind.as_str().to_owned()),
        households: Set(i32::try_from(g.households.get()).unwrap_or(i32::MAX)),
        created_at: Set(g.created_at),
    }
}

pub(super) fn building_row(b: &Building) -> building::ActiveModel {
    building::ActiveModel {
        id: Set(b.id.as_uuid()),
        subdistrict_id: Set(b.subdistrict_id.as_uuid()),
        community_id: Set(b.community_id.as_uuid()),
        grid_id: Set(b.grid_id.as_uuid()),
        name: Set(b.name.as_str().to_owned()),
        created_at: Set(b.created_at),
    }
}

pub(super) fn stairwell_rows(b: &Building) -> impl Iterator<Item = stairwell::ActiveModel> + '_ {
    b.stairwells.iter().map(move |s| stairwell::ActiveModel {
        id: Set(s.id.as_uuid()),
        building_id: Set(b.id.as_uuid()),
        name: Set(s.name.as_str().to_owned()),
        civilized: Set(s.civilized),
        created_at: Set(b.created_at),
    })
}

pub(super) fn grid_columns() -> PathColumns<grid::Column> {
    PathColumns {
        subdistrict: Some(grid::Column::SubdistrictId),
        community: Some(grid::Column::CommunityId),
        grid: Some(grid::Column::Id),
        building: None,
        side: None,
    }
}
