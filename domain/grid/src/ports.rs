//! What the structure needs from storage, one port per aggregate: the places of the tree,
//! the Party branches, and the coverage figures over both. (A grid's team is a set of role
//! grants, which identity keeps: see `linli_kernel::ports::GrantStore`.) Each write takes the
//! events it causes and stores both in one transaction.

use std::future::Future;

use linli_kernel::actor::Reach;
use linli_kernel::{
    BuildingId, CommunityId, DomainEvent, GridId, Page, PageRequest, PartyBranchId, SubdistrictId,
};

use crate::error::WriteError;
use crate::models::{
    BranchKind, Building, Community, CoverageStats, Grid, GridKind, PartyBranch, Subdistrict,
};

/// Which rows a listing wants: always inside a reach, optionally narrowed further.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub reach: Reach,
    pub subdistrict_id: Option<SubdistrictId>,
    pub community_id: Option<CommunityId>,
    pub grid_id: Option<GridId>,
    pub kind: Option<GridKind>,
    pub branch_kind: Option<BranchKind>,
}

/// Grids with their buildings, as an import (or the demo district) creates them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridWithBuildings {
    pub grid: Grid,
    pub buildings: Vec<Building>,
}

/// What kind of name a uniqueness rule is about: each is unique where people choose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameKind {
    /// In the district.
    Subdistrict,
    /// In its subdistrict.
    Community,
    /// In its community.
    Grid,
    /// In its community, whichever grid holds it.
    Building,
    /// In its building.
    Stairwell,
    /// In its community.
    PartyBranch,
}

impl NameKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Subdistrict => "subdistrict",
            Self::Community => "community",
            Self::Grid => "grid",
            Self::Building => "building",
            Self::Stairwell => "stairwell",
            Self::PartyBranch => "party_branch",
        }
    }
}

/// Subdistricts, communities, grids and buildings (with their stairwells). Writes fail with
/// [`WriteError::NameTaken`] where a name must be unique: a subdistrict's in the district, a
/// community's in its subdistrict, a grid's and a building's in its community.
pub trait PlaceRepository: Send + Sync + 'static {
    fn insert_subdistrict(
        &self,
        s: &Subdistrict,
        event: &DomainEvent,
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
    fn update_subdistrict(
        &self,
        s: &Subdistrict,
        event: &DomainEvent,
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
    fn find_subdistrict(
        &self,
        id: SubdistrictId,
    ) -> impl Future<Output = anyhow::Result<Option<Subdistrict>>> + Send;
    fn list_subdistricts(
        &self,
        filter: &ListFilter,
        page: PageRequest,
    ) -> impl Future<Output = anyhow::Result<Page<Subdistrict>>> + Send;
    /// The subdistricts with these exact names.
    fn subdistricts_named(
        &self,
        names: &[String],
    ) -> impl Future<Output = anyhow::Result<Vec<Subdistrict>>> + Send;

    fn insert_community(
        &self,
        c: &Community,
        event: &DomainEvent,
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
    fn update_community(
        &self,
        c: &Community,
        event: &DomainEvent,
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
    fn find_community(
        &self,
        id: CommunityId,
    ) -> impl Future<Output = anyhow::Result<Option<Community>>> + Send;
    fn list_communities(
        &self,
        filter: &ListFilter,
        page: PageRequest,
    ) -> impl Future<Output = anyhow::Result<Page<Community>>> + Send;
    /// The communities with these exact names.
    fn communities_named(
        &self,
        names: &[String],
    ) -> impl Future<Output = anyhow::Result<Vec<Community>>> + Send;

    fn insert_grid(
        &self,
        g: &Grid,
        event: &DomainEvent,
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
    fn update_grid(
        &self,
        g: &Grid,
        event: &DomainEvent,
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
    fn find_grid(&self, id: GridId) -> impl Future<Output = anyhow::Result<Option<Grid>>> + Send;
    fn find_grids(&self, ids: &[GridId]) -> impl Future<Output = anyhow::Result<Vec<Grid>>> + Send;
    fn list_grids(
        &self,
        filter: &ListFilter,
        page: PageRequest,
    ) -> impl Future<Output = anyhow::Result<Page<Grid>>> + Send;
    /// Names of the grids and buildings already in these communities, for checking an import.
    fn names_in_communities(
        &self,
        ids: &[CommunityId],
    ) -> impl Future<Output = anyhow::Result<Vec<(CommunityId, NameKind, String)>>> + Send;
    /// Stores many grids with their buildings and stairwells, all or none.
    fn insert_grids(
        &self,
        grids: &[GridWithBuildings],
        events: &[DomainEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;

    fn insert_building(
        &self,
        b: &Building,
        event: &DomainEvent,
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
    fn update_building(
        &self,
        b: &Building,
        event: &DomainEvent,
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
    fn find_building(&self, id: BuildingId) -> impl Future<Output = anyhow::Result<Option<Building>>> + Send;
    /// Those of `among` that are buildings of `grid`.
    fn buildings_of_grid(
        &self,
        grid: GridId,
        among: &[BuildingId],
    ) -> impl Future<Output = anyhow::Result<Vec<BuildingId>>> + Send;
    fn list_buildings(
        &self,
        filter: &ListFilter,
        page: PageRequest,
    ) -> impl Future<Output = anyhow::Result<Page<Building>>> + Send;
}

/// Party branches. A grid belongs to at most one branch, whatever the concurrency.
pub trait BranchRepository: Send + Sync + 'static {
    /// Fails with [`WriteError::GridAlreadyInBranch`] if another branch holds one of its
    /// grids, [`WriteError::NameTaken`] if the community has a branch of that name.
    fn insert_branch(
        &self,
        b: &PartyBranch,
        event: &DomainEvent,
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
    /// `false` when it was already gone.
    fn delete_branch(
        &self,
        id: PartyBranchId,
        event: &DomainEvent,
    ) -> impl Future<Output = anyhow::Result<bool>> + Send;
    fn find_branch(
        &self,
        id: PartyBranchId,
    ) -> impl Future<Output = anyhow::Result<Option<PartyBranch>>> + Send;
    /// Branches at a community in the reach, or holding a grid in it.
    fn list_branches(
        &self,
        filter: &ListFilter,
        page: PageRequest,
    ) -> impl Future<Output = anyhow::Result<Page<PartyBranch>>> + Send;
    /// The branches, if any, that already hold these grids.
    fn branches_holding(
        &self,
        grids: &[GridId],
    ) -> impl Future<Output = anyhow::Result<Vec<(GridId, PartyBranchId)>>> + Send;
}

/// Figures over places and branches.
pub trait CoverageRepository: Send + Sync + 'static {
    /// Figures over the grids inside the reach.
    fn coverage(&self, reach: &Reach) -> impl Future<Output = anyhow::Result<CoverageStats>> + Send;
}
