//! Scopes: the nodes of district → subdistrict → community → grid → building (plus units and
//! volunteer teams, which stand beside the tree), and the path that places a thing in it.

use std::fmt;
use std::str::FromStr;

use crate::{BuildingId, CommunityId, GridId, SubdistrictId, TeamId, UnitId, ValidationError};

/// Where a role holds: a role held at a node covers that node's subtree and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The whole district; there is one per deployment, so it carries no id.
    District,
    Subdistrict(SubdistrictId),
    Community(CommunityId),
    Grid(GridId),
    Building(BuildingId),
    Unit(UnitId),
    Team(TeamId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScopeKind {
    District,
    Subdistrict,
    Community,
    Grid,
    Building,
    Unit,
    Team,
}

impl ScopeKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::District => "district",
            Self::Subdistrict => "subdistrict",
            Self::Community => "community",
            Self::Grid => "grid",
            Self::Building => "building",
            Self::Unit => "unit",
            Self::Team => "team",
        }
    }
}

impl fmt::Display for ScopeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Scope {
    pub const fn kind(&self) -> ScopeKind {
        match self {
            Self::District => ScopeKind::District,
            Self::Subdistrict(_) => ScopeKind::Subdistrict,
            Self::Community(_) => ScopeKind::Community,
            Self::Grid(_) => ScopeKind::Grid,
            Self::Building(_) => ScopeKind::Building,
            Self::Unit(_) => ScopeKind::Unit,
            Self::Team(_) => ScopeKind::Team,
        }
    }

    /// The id of the node, absent for the district.
    pub fn id(&self) -> Option<uuid::Uuid> {
        match self {
            Self::District => None,
            Self::Subdistrict(id) => Some(id.as_uuid()),
            Self::Community(id) => Some(id.as_uuid()),
            Self::Grid(id) => Some(id.as_uuid()),
            Self::Building(id) => Some(id.as_uuid()),
            Self::Unit(id) => Some(id.as_uuid()),
            Self::Team(id) => Some(id.as_uuid()),
        }
    }

    pub fn from_parts(kind: ScopeKind, id: Option<uuid::Uuid>) -> Result<Self, ValidationError> {
        let missing = || ValidationError::new("scope", format!("a {kind} scope needs an id"));
        Ok(match kind {
            ScopeKind::District => Self::District,
            ScopeKind::Subdistrict => Self::Subdistrict(id.ok_or_else(missing)?.into()),
            ScopeKind::Community => Self::Community(id.ok_or_else(missing)?.into()),
            ScopeKind::Grid => Self::Grid(id.ok_or_else(missing)?.into()),
            ScopeKind::Building => Self::Building(id.ok_or_else(missing)?.into()),
            ScopeKind::Unit => Self::Unit(id.ok_or_else(missing)?.into()),
            ScopeKind::Team => Self::Team(id.ok_or_else(missing)?.into()),
        })
    }

    /// Whether this node is `path`'s node or one of its ancestors.
    pub fn covers(&self, path: &ScopePath) -> bool {
        match self {
            Self::District => true,
            Self::Subdistrict(id) => path.subdistrict == Some(*id),
            Self::Community(id) => path.community == Some(*id),
            Self::Grid(id) => path.grid == Some(*id),
            Self::Building(id) => path.building == Some(*id),
            Self::Unit(id) => path.unit == Some(*id),
            Self::Team(id) => path.team == Some(*id),
        }
    }
}

/// `district`, or `<kind>:<uuid>`: the form used on the command line and in stored rows.
impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.id() {
            None => f.write_str(self.kind().as_str()),
            Some(id) => write!(f, "{}:{id}", self.kind()),
        }
    }
}

impl FromStr for ScopeKind {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "district" => Self::District,
            "subdistrict" => Self::Subdistrict,
            "community" => Self::Community,
            "grid" => Self::Grid,
            "building" => Self::Building,
            "unit" => Self::Unit,
            "team" => Self::Team,
            other => {
                return Err(ValidationError::new(
                    "scope",
                    format!("unknown scope kind `{other}`"),
                ));
            }
        })
    }
}

impl FromStr for Scope {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (kind, id) = match s.split_once(':') {
            Some((kind, id)) => (kind, Some(id)),
            None => (s, None),
        };
        let kind: ScopeKind = kind.parse()?;
        let id = id
            .map(uuid::Uuid::parse_str)
            .transpose()
            .map_err(|_| ValidationError::new("scope", "the id after `:` must be a UUID"))?;
        if kind == ScopeKind::District && id.is_some() {
            return Err(ValidationError::new("scope", "the district scope takes no id"));
        }
        Self::from_parts(kind, id)
    }
}

/// Where something sits: the ids of every node above it (and of itself). The district is
/// implicit, as there is one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ScopePath {
    pub subdistrict: Option<SubdistrictId>,
    pub community: Option<CommunityId>,
    pub grid: Option<GridId>,
    pub building: Option<BuildingId>,
    pub unit: Option<UnitId>,
    pub team: Option<TeamId>,
}

impl ScopePath {
    pub fn district() -> Self {
        Self::default()
    }

    pub fn subdistrict(subdistrict: SubdistrictId) -> Self {
        Self {
            subdistrict: Some(subdistrict),
            ..Self::default()
        }
    }

    pub fn community(subdistrict: SubdistrictId, community: CommunityId) -> Self {
        Self {
            community: Some(community),
            ..Self::subdistrict(subdistrict)
        }
    }

    pub fn grid(subdistrict: SubdistrictId, community: CommunityId, grid: GridId) -> Self {
        Self {
            grid: Some(grid),
            ..Self::community(subdistrict, community)
        }
    }

    pub fn building(
        subdistrict: SubdistrictId,
        community: CommunityId,
        grid: GridId,
        building: BuildingId,
    ) -> Self {
        Self {
            building: Some(building),
            ..Self::grid(subdistrict, community, grid)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a_building() -> ScopePath {
        ScopePath::building(
            SubdistrictId::new(),
            CommunityId::new(),
            GridId::new(),
            BuildingId::new(),
        )
    }

    #[test]
    fn a_node_covers_its_subtree_only() {
        let path = a_building();
        let Some(community) = path.community else {
            panic!("path has a community")
        };
        assert!(Scope::District.covers(&path));
        assert!(Scope::Community(community).covers(&path));
        assert!(!Scope::Community(CommunityId::new()).covers(&path));
        assert!(!Scope::Grid(GridId::new()).covers(&path));
        let community_path = ScopePath::community(SubdistrictId::new(), community);
        let grid_scope = Scope::Grid(path.grid.unwrap_or_else(GridId::new));
        assert!(
            !grid_scope.covers(&community_path),
            "a grid does not cover its community"
        );
    }

    #[test]
    fn scopes_survive_their_text_form() {
        for scope in [
            Scope::District,
            Scope::Subdistrict(SubdistrictId::new()),
            Scope::Community(CommunityId::new()),
            Scope::Grid(GridId::new()),
            Scope::Building(BuildingId::new()),
        ] {
            assert_eq!(scope.to_string().parse::<Scope>(), Ok(scope));
        }
    }

    #[test]
    fn malformed_scopes_are_refused() {
        assert!("grid".parse::<Scope>().is_err());
        assert!("grid:not-a-uuid".parse::<Scope>().is_err());
        assert!(
            "planet:0190c5a0-0000-7000-8000-000000000000"
                .parse::<Scope>()
                .is_err()
        );
        assert!(
            "district:0190c5a0-0000-7000-8000-000000000000"
                .parse::<Scope>()
                .is_err()
        );
    }
}
