//! The structure's values, valid by construction.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use linli_kernel::text::checked_text;
use linli_kernel::{
    BuildingId, CommunityId, GridId, PartyBranchId, Rule, ScopePath, StairwellId, SubdistrictId,
    ValidationError,
};
use serde::Serialize;

/// The name of a place or an organisation: 1 to 64 characters, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlaceName(String);

impl PlaceName {
    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        checked_text(field, raw, 1, 64).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PlaceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GridKind {
    /// Where people live; these are the grids of 300–500 households.
    Residential,
    /// Kept for areas still being built or settled.
    Reserved,
    /// A school, hospital, market, park…
    Dedicated,
}

impl GridKind {
    pub const ALL: [GridKind; 3] = [GridKind::Residential, GridKind::Reserved, GridKind::Dedicated];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Residential => "residential",
            Self::Reserved => "reserved",
            Self::Dedicated => "dedicated",
        }
    }
}

impl FromStr for GridKind {
    type Err = ValidationError;

    /// Takes the code name, or the Chinese one a district's spreadsheet uses.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "residential" | "居民网格" | "居民" => Ok(Self::Residential),
            "reserved" | "预留网格" | "预留" => Ok(Self::Reserved),
            "dedicated" | "专属网格" | "专属" => Ok(Self::Dedicated),
            other => Err(ValidationError::new(
                "kind",
                Rule::UnknownValue,
                format!("`{other}` is not residential, reserved or dedicated"),
            )
            .with("value", other)),
        }
    }
}

/// Households in a grid. Residential grids are meant to hold 300–500; outside that range
/// is allowed (the world is untidy) but warned about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Households(u32);

impl Households {
    pub const MAX: u32 = 100_000;
    pub const NORM: std::ops::RangeInclusive<u32> = 300..=500;

    pub fn new(count: i64) -> Result<Self, ValidationError> {
        u32::try_from(count)
            .ok()
            .filter(|n| *n <= Self::MAX)
            .map(Self)
            .ok_or_else(|| {
                ValidationError::new(
                    "households",
                    Rule::Range,
                    format!("must be between 0 and {}", Self::MAX),
                )
                .with("min", 0)
                .with("max", Self::MAX)
            })
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// Something worth the caller's attention that does not stop the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub code: &'static str,
    pub message: String,
}

impl Warning {
    /// The warning for a residential grid whose size is outside the norm, if it is.
    pub fn for_grid_size(kind: GridKind, households: Households) -> Option<Warning> {
        (kind == GridKind::Residential && !Households::NORM.contains(&households.get())).then(|| Warning {
            code: "households_outside_norm",
            message: format!(
                "a residential grid is meant to hold 300–500 households; this one has {}",
                households.get()
            ),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subdistrict {
    pub id: SubdistrictId,
    pub name: PlaceName,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Community {
    pub id: CommunityId,
    pub subdistrict_id: SubdistrictId,
    pub name: PlaceName,
    pub created_at: DateTime<Utc>,
}

impl Community {
    pub fn path(&self) -> ScopePath {
        ScopePath::community(self.subdistrict_id, self.id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    pub id: GridId,
    pub community_id: CommunityId,
    pub subdistrict_id: SubdistrictId,
    pub name: PlaceName,
    pub kind: GridKind,
    pub households: Households,
    pub created_at: DateTime<Utc>,
}

impl Grid {
    pub fn path(&self) -> ScopePath {
        ScopePath::grid(self.subdistrict_id, self.community_id, self.id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stairwell {
    pub id: StairwellId,
    pub building_id: BuildingId,
    pub name: PlaceName,
    /// Rated a "civilized stairwell" after inspection.
    pub civilized: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Building {
    pub id: BuildingId,
    pub grid_id: GridId,
    pub community_id: CommunityId,
    pub subdistrict_id: SubdistrictId,
    pub name: PlaceName,
    pub stairwells: Vec<Stairwell>,
    pub created_at: DateTime<Utc>,
}

impl Building {
    pub fn path(&self) -> ScopePath {
        ScopePath::building(self.subdistrict_id, self.community_id, self.grid_id, self.id)
    }

    /// A building in `grid` with stairwells of these names (which must differ).
    pub fn new(
        grid: &Grid,
        name: PlaceName,
        stairwells: &[String],
        now: DateTime<Utc>,
    ) -> Result<Self, ValidationError> {
        if stairwells.len() > 64 {
            return Err(ValidationError::new(
                "stairwells",
                Rule::TooMany,
                "a building has at most 64 stairwells",
            )
            .with("max", 64));
        }
        let id = BuildingId::new();
        let mut built: Vec<Stairwell> = Vec::with_capacity(stairwells.len());
        for raw in stairwells {
            let name = PlaceName::parse("stairwells", raw)?;
            if built.iter().any(|s| s.name == name) {
                return Err(ValidationError::new(
                    "stairwells",
                    Rule::Duplicate,
                    format!("`{name}` is listed twice"),
                )
                .with("value", &name));
            }
            built.push(Stairwell {
                id: StairwellId::new(),
                building_id: id,
                name,
                civilized: false,
            });
        }
        Ok(Self {
            id,
            grid_id: grid.id,
            community_id: grid.community_id,
            subdistrict_id: grid.subdistrict_id,
            name,
            stairwells: built,
            created_at: now,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BranchKind {
    /// A grid Party branch over one grid.
    Independent,
    /// One branch over several neighbouring grids of a community, each with fewer than three
    /// Party members.
    Joint,
}

impl BranchKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Independent => "independent",
            Self::Joint => "joint",
        }
    }
}

impl FromStr for BranchKind {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "independent" => Ok(Self::Independent),
            "joint" => Ok(Self::Joint),
            other => Err(ValidationError::new(
                "kind",
                Rule::UnknownValue,
                format!("`{other}` is not independent or joint"),
            )
            .with("value", other)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyBranch {
    pub id: PartyBranchId,
    pub community_id: CommunityId,
    pub subdistrict_id: SubdistrictId,
    pub name: PlaceName,
    pub kind: BranchKind,
    pub grid_ids: Vec<GridId>,
    pub created_at: DateTime<Utc>,
}

impl PartyBranch {
    /// Joint branches group a handful of neighbouring grids; far more is a mistake.
    pub const MAX_GRIDS: usize = 50;

    pub fn path(&self) -> ScopePath {
        ScopePath::community(self.subdistrict_id, self.community_id)
    }
}

/// How far the Party organisation reaches into the grids of a scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CoverageStats {
    pub subdistricts: u64,
    pub communities: u64,
    pub grids: u64,
    pub residential_grids: u64,
    pub reserved_grids: u64,
    pub dedicated_grids: u64,
    /// Residential grids included in some branch, independent or joint.
    pub covered_residential_grids: u64,
    pub independent_branches: u64,
    pub joint_branches: u64,
    /// Residential grids included in joint branches.
    pub residential_grids_in_joint_branches: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn residential_grids_outside_300_to_500_households_are_warned_about() {
        let h = |n| Households::new(n).unwrap_or_else(|_| panic!("valid"));
        assert!(Warning::for_grid_size(GridKind::Residential, h(299)).is_some());
        assert!(Warning::for_grid_size(GridKind::Residential, h(300)).is_none());
        assert!(Warning::for_grid_size(GridKind::Residential, h(500)).is_none());
        assert!(Warning::for_grid_size(GridKind::Residential, h(501)).is_some());
        assert!(Warning::for_grid_size(GridKind::Dedicated, h(20)).is_none());
    }

    #[test]
    fn households_are_never_negative_or_absurd() {
        assert!(Households::new(-1).is_err());
        assert!(Households::new(100_001).is_err());
    }

    #[test]
    fn grid_kinds_take_code_or_chinese_names() {
        assert_eq!("dedicated".parse::<GridKind>(), Ok(GridKind::Dedicated));
        assert_eq!("居民网格".parse::<GridKind>(), Ok(GridKind::Residential));
        assert!("mixed".parse::<GridKind>().is_err());
    }
}
