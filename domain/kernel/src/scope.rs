//! Scopes: the nodes of district → subdistrict → community → grid → building, plus the nodes
//! that stand beside the tree (a unit, a volunteer team…), and the path that places a thing.
//!
//! The tree is fixed and known here. Nodes beside it form an open set: each context that
//! brings one names its kind ([`SideKind`]) and registers how such a node is resolved to a
//! name and a place (`ports::SideDirectory`), so a new kind needs no edit of the kernel.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

use crate::{BuildingId, CommunityId, GridId, Rule, SubdistrictId, ValidationError};

/// The kind of a node beside the tree, e.g. `unit` or `volunteer_team`: a short lowercase
/// ASCII name, stored inline so that scopes stay `Copy`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SideKind {
    len: u8,
    bytes: [u8; SideKind::MAX_LEN],
}

impl SideKind {
    pub const MAX_LEN: usize = 23;
    /// A unit stationed in the district (dual reporting).
    pub const UNIT: SideKind = SideKind::new("unit");
    /// A volunteer team (volunteering); not a grid team, which is a set of grants at a grid.
    pub const VOLUNTEER_TEAM: SideKind = SideKind::new("volunteer_team");

    /// For constants; a name that is not 1–23 of `a-z` and `_` fails to compile when used
    /// in a `const`. (Indexing is bounded by the loop and checked at compile time there.)
    #[allow(clippy::indexing_slicing)]
    pub const fn new(name: &'static str) -> Self {
        let raw = name.as_bytes();
        assert!(
            !raw.is_empty() && raw.len() <= Self::MAX_LEN,
            "a side kind has 1 to 23 characters"
        );
        let mut bytes = [0u8; Self::MAX_LEN];
        let mut i = 0;
        while i < raw.len() {
            assert!(
                raw[i].is_ascii_lowercase() || raw[i] == b'_',
                "a side kind is lowercase ASCII and `_`"
            );
            bytes[i] = raw[i];
            i += 1;
        }
        Self {
            len: raw.len() as u8,
            bytes,
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let fits = !raw.is_empty()
            && raw.len() <= Self::MAX_LEN
            && raw.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        if !fits {
            return Err(ValidationError::new(
                "scope",
                Rule::ScopeFormat,
                format!("unknown scope kind `{raw}`"),
            ));
        }
        let mut bytes = [0u8; Self::MAX_LEN];
        for (slot, b) in bytes.iter_mut().zip(raw.bytes()) {
            *slot = b;
        }
        Ok(Self {
            len: raw.len() as u8,
            bytes,
        })
    }

    pub fn as_str(&self) -> &str {
        let bytes = self.bytes.get(..usize::from(self.len)).unwrap_or_default();
        // Only ASCII is ever stored.
        std::str::from_utf8(bytes).unwrap_or_default()
    }
}

impl fmt::Debug for SideKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SideKind({})", self.as_str())
    }
}

impl fmt::Display for SideKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a role holds: a role held at a node covers that node's subtree and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The whole district; there is one per deployment, so it carries no id.
    District,
    Subdistrict(SubdistrictId),
    Community(CommunityId),
    Grid(GridId),
    Building(BuildingId),
    /// A node beside the tree, of a kind some context registers.
    Side(SideKind, Uuid),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScopeKind {
    District,
    Subdistrict,
    Community,
    Grid,
    Building,
    Side(SideKind),
}

impl ScopeKind {
    pub fn as_str(&self) -> &str {
        match self {
            Self::District => "district",
            Self::Subdistrict => "subdistrict",
            Self::Community => "community",
            Self::Grid => "grid",
            Self::Building => "building",
            Self::Side(kind) => kind.as_str(),
        }
    }

    /// Whether this is a node of the district tree (as opposed to one beside it).
    pub const fn is_tree(&self) -> bool {
        !matches!(self, Self::Side(_))
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
            Self::Side(kind, _) => ScopeKind::Side(*kind),
        }
    }

    /// The id of the node, absent for the district.
    pub fn id(&self) -> Option<Uuid> {
        match self {
            Self::District => None,
            Self::Subdistrict(id) => Some(id.as_uuid()),
            Self::Community(id) => Some(id.as_uuid()),
            Self::Grid(id) => Some(id.as_uuid()),
            Self::Building(id) => Some(id.as_uuid()),
            Self::Side(_, id) => Some(*id),
        }
    }

    pub fn from_parts(kind: ScopeKind, id: Option<Uuid>) -> Result<Self, ValidationError> {
        let missing =
            || ValidationError::new("scope", Rule::ScopeFormat, format!("a {kind} scope needs an id"));
        Ok(match kind {
            ScopeKind::District => Self::District,
            ScopeKind::Subdistrict => Self::Subdistrict(id.ok_or_else(missing)?.into()),
            ScopeKind::Community => Self::Community(id.ok_or_else(missing)?.into()),
            ScopeKind::Grid => Self::Grid(id.ok_or_else(missing)?.into()),
            ScopeKind::Building => Self::Building(id.ok_or_else(missing)?.into()),
            ScopeKind::Side(side) => Self::Side(side, id.ok_or_else(missing)?),
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
            Self::Side(kind, id) => path.side == Some((*kind, *id)),
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

    /// The tree's kinds by name; any other well-formed name is a side kind, which the
    /// directory may or may not know (an unknown one is answered as unsupported there).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "district" => Self::District,
            "subdistrict" => Self::Subdistrict,
            "community" => Self::Community,
            "grid" => Self::Grid,
            "building" => Self::Building,
            other => Self::Side(SideKind::parse(other)?),
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
        let id = id.map(Uuid::parse_str).transpose().map_err(|_| {
            ValidationError::new("scope", Rule::ScopeFormat, "the id after `:` must be a UUID")
        })?;
        if kind == ScopeKind::District && id.is_some() {
            return Err(ValidationError::new(
                "scope",
                Rule::ScopeFormat,
                "the district scope takes no id",
            ));
        }
        Self::from_parts(kind, id)
    }
}

/// Where something sits: the ids of every node above it (and of itself). The district is
/// implicit, as there is one. A node beside the tree may also sit in it (a unit paired with
/// a grid carries the grid's path and its own side node).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ScopePath {
    pub subdistrict: Option<SubdistrictId>,
    pub community: Option<CommunityId>,
    pub grid: Option<GridId>,
    pub building: Option<BuildingId>,
    pub side: Option<(SideKind, Uuid)>,
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

    /// This path with a side node placed at it.
    pub fn with_side(self, kind: SideKind, id: Uuid) -> Self {
        Self {
            side: Some((kind, id)),
            ..self
        }
    }

    /// The deepest node of the path: its own scope.
    pub fn scope(&self) -> Scope {
        if let Some((kind, id)) = self.side {
            Scope::Side(kind, id)
        } else if let Some(id) = self.building {
            Scope::Building(id)
        } else if let Some(id) = self.grid {
            Scope::Grid(id)
        } else if let Some(id) = self.community {
            Scope::Community(id)
        } else if let Some(id) = self.subdistrict {
            Scope::Subdistrict(id)
        } else {
            Scope::District
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
    fn a_side_node_covers_what_sits_at_it_and_the_tree_above_covers_it_too() {
        let unit = Uuid::now_v7();
        let grid = ScopePath::grid(SubdistrictId::new(), CommunityId::new(), GridId::new());
        let at_unit = grid.with_side(SideKind::UNIT, unit);
        assert!(Scope::Side(SideKind::UNIT, unit).covers(&at_unit));
        assert!(!Scope::Side(SideKind::VOLUNTEER_TEAM, unit).covers(&at_unit));
        assert!(!Scope::Side(SideKind::UNIT, Uuid::now_v7()).covers(&at_unit));
        assert!(Scope::Grid(grid.grid.unwrap_or_else(GridId::new)).covers(&at_unit));
        assert_eq!(at_unit.scope(), Scope::Side(SideKind::UNIT, unit));
    }

    #[test]
    fn scopes_survive_their_text_form() {
        for scope in [
            Scope::District,
            Scope::Subdistrict(SubdistrictId::new()),
            Scope::Community(CommunityId::new()),
            Scope::Grid(GridId::new()),
            Scope::Building(BuildingId::new()),
            Scope::Side(SideKind::UNIT, Uuid::now_v7()),
            Scope::Side(SideKind::VOLUNTEER_TEAM, Uuid::now_v7()),
        ] {
            assert_eq!(scope.to_string().parse::<Scope>(), Ok(scope));
        }
    }

    #[test]
    fn any_well_formed_side_kind_parses_and_malformed_scopes_are_refused() {
        let parsed: Result<Scope, _> = "mediation_room:0190c5a0-0000-7000-8000-000000000000".parse();
        assert!(matches!(parsed, Ok(Scope::Side(kind, _)) if kind.as_str() == "mediation_room"));
        assert!("grid".parse::<Scope>().is_err());
        assert!("grid:not-a-uuid".parse::<Scope>().is_err());
        assert!(
            "Planet:0190c5a0-0000-7000-8000-000000000000"
                .parse::<Scope>()
                .is_err()
        );
        assert!(
            "district:0190c5a0-0000-7000-8000-000000000000"
                .parse::<Scope>()
                .is_err()
        );
        assert!(SideKind::parse(&"a".repeat(24)).is_err());
    }
}
