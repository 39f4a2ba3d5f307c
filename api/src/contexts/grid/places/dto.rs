//! The bodies and answers of the places' operations.

use poem_openapi::{Enum, Object};
use uuid::Uuid;

use crate::http::dto::{Text, Timestamp};
use crate::http::pagination::list_of;

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct NewSubdistrict {
    pub name: Text,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct SubdistrictPatch {
    pub name: Text,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct CommunityPatch {
    pub name: Text,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct BuildingPatch {
    pub name: Text,
}

#[derive(Object, Debug)]
pub struct Subdistrict {
    pub id: Uuid,
    pub name: String,
    pub created_at: Timestamp,
}

impl From<linli_grid::Subdistrict> for Subdistrict {
    fn from(s: linli_grid::Subdistrict) -> Self {
        Self {
            id: s.id.as_uuid(),
            name: s.name.to_string(),
            created_at: s.created_at.into(),
        }
    }
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct NewCommunity {
    pub subdistrict_id: Uuid,
    pub name: Text,
}

#[derive(Object, Debug)]
pub struct Community {
    pub id: Uuid,
    pub subdistrict_id: Uuid,
    pub name: String,
    pub created_at: Timestamp,
}

impl From<linli_grid::Community> for Community {
    fn from(c: linli_grid::Community) -> Self {
        Self {
            id: c.id.as_uuid(),
            subdistrict_id: c.subdistrict_id.as_uuid(),
            name: c.name.to_string(),
            created_at: c.created_at.into(),
        }
    }
}

/// What a grid is for.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case", remote = "linli_grid::GridKind")]
pub enum GridKind {
    /// Where people live: 300–500 households.
    Residential,
    /// Kept for areas still being built or settled.
    Reserved,
    /// A school, hospital, market, park…
    Dedicated,
}

/// Something worth knowing that did not stop the change.
#[derive(Object, Debug, Clone)]
pub struct Warning {
    pub code: String,
    pub message: String,
}

impl From<linli_grid::Warning> for Warning {
    fn from(w: linli_grid::Warning) -> Self {
        Self {
            code: w.code.to_owned(),
            message: w.message,
        }
    }
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct NewGrid {
    pub community_id: Uuid,
    pub name: Text,
    pub kind: GridKind,
    pub households: i64,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct GridPatch {
    #[oai(nullable)]
    pub name: Option<Text>,
    #[oai(nullable)]
    pub kind: Option<GridKind>,
    #[oai(nullable)]
    pub households: Option<i64>,
}

#[derive(Object, Debug)]
pub struct Grid {
    pub id: Uuid,
    pub subdistrict_id: Uuid,
    pub community_id: Uuid,
    pub name: String,
    pub kind: GridKind,
    pub households: u32,
    pub created_at: Timestamp,
    /// E.g. `households_outside_norm` for a residential grid outside 300–500 households.
    /// Absent when there are none (so not required).
    #[oai(default, skip_serializing_if_is_empty)]
    pub warnings: Vec<Warning>,
}

impl From<linli_grid::Grid> for Grid {
    fn from(g: linli_grid::Grid) -> Self {
        Self::of(g, Vec::new())
    }
}

impl Grid {
    pub(super) fn of(g: linli_grid::Grid, warnings: Vec<linli_grid::Warning>) -> Self {
        Self {
            id: g.id.as_uuid(),
            subdistrict_id: g.subdistrict_id.as_uuid(),
            community_id: g.community_id.as_uuid(),
            name: g.name.to_string(),
            kind: g.kind.into(),
            households: g.households.get(),
            created_at: g.created_at.into(),
            warnings: warnings.into_iter().map(Warning::from).collect(),
        }
    }
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct NewBuilding {
    pub grid_id: Uuid,
    pub name: Text,
    /// The names of its stairwells (entrances), e.g. `["1单元", "2单元"]`.
    #[oai(default)]
    pub stairwells: Vec<Text>,
}

#[derive(Object, Debug)]
pub struct Stairwell {
    pub id: Uuid,
    pub name: String,
    pub civilized: bool,
}

#[derive(Object, Debug)]
pub struct Building {
    pub id: Uuid,
    pub subdistrict_id: Uuid,
    pub community_id: Uuid,
    pub grid_id: Uuid,
    pub name: String,
    pub stairwells: Vec<Stairwell>,
    pub created_at: Timestamp,
}

impl From<linli_grid::Building> for Building {
    fn from(b: linli_grid::Building) -> Self {
        Self {
            id: b.id.as_uuid(),
            subdistrict_id: b.subdistrict_id.as_uuid(),
            community_id: b.community_id.as_uuid(),
            grid_id: b.grid_id.as_uuid(),
            name: b.name.to_string(),
            stairwells: b
                .stairwells
                .into_iter()
                .map(|s| Stairwell {
                    id: s.id.as_uuid(),
                    name: s.name.to_string(),
                    civilized: s.civilized,
                })
                .collect(),
            created_at: b.created_at.into(),
        }
    }
}

list_of!(SubdistrictList, Subdistrict);
list_of!(CommunityList, Community);
list_of!(GridList, Grid);
list_of!(BuildingList, Building);

#[derive(Object, Debug)]
pub struct LineWarning {
    pub line: u64,
    pub code: String,
    pub message: String,
}

#[derive(Object, Debug)]
pub struct ImportReport {
    pub grids: u64,
    pub buildings: u64,
    pub warnings: Vec<LineWarning>,
}
