//! An in-memory structure for the use-case tests (`features = ["testing"]`): the places,
//! branches and figures of the real adapter, with its uniqueness rules, and the events each
//! write recorded.

use std::sync::{Arc, Mutex};

use linli_kernel::actor::Reach;
use linli_kernel::testing::lock;
use linli_kernel::{
    BuildingId, CommunityId, DomainEvent, GridId, Page, PageRequest, PartyBranchId, SubdistrictId,
};

use crate::error::WriteError;
use crate::models::{
    BranchKind, Building, Community, CoverageStats, Grid, GridKind, PartyBranch, Subdistrict,
};
use crate::ports::{
    BranchRepository, CoverageRepository, GridWithBuildings, ListFilter, NameKind, PlaceRepository,
};

#[derive(Debug, Default)]
pub struct Rows {
    pub subdistricts: Vec<Subdistrict>,
    pub communities: Vec<Community>,
    pub grids: Vec<Grid>,
    pub buildings: Vec<Building>,
    pub branches: Vec<PartyBranch>,
    pub events: Vec<DomainEvent>,
}

#[derive(Debug, Clone, Default)]
pub struct InMemoryStructure(pub Arc<Mutex<Rows>>);

impl InMemoryStructure {
    pub fn events(&self) -> Vec<DomainEvent> {
        lock(&self.0).events.clone()
    }

    pub fn grids(&self) -> Vec<Grid> {
        lock(&self.0).grids.clone()
    }

    pub fn buildings(&self) -> Vec<Building> {
        lock(&self.0).buildings.clone()
    }

    pub fn branches(&self) -> Vec<PartyBranch> {
        lock(&self.0).branches.clone()
    }
}

fn page_of<T: Clone>(rows: Vec<T>, page: PageRequest, id: impl Fn(&T) -> uuid::Uuid) -> Page<T> {
    let mut rows: Vec<T> = rows
        .into_iter()
        .filter(|r| page.after().is_none_or(|after| id(r) > after))
        .collect();
    rows.sort_by_key(|r| id(r));
    rows.truncate(usize::try_from(page.fetch_limit()).unwrap_or(usize::MAX));
    Page::from_rows(rows, page, id)
}

fn taken(kind: NameKind, name: &str) -> WriteError {
    WriteError::NameTaken {
        kind,
        name: name.to_owned(),
    }
}

/// Stores `row` in `rows`, replacing the one with the same id, unless `clash` finds another
/// row (not itself) breaking a uniqueness rule.
fn upsert<T: Clone>(
    rows: &mut Vec<T>,
    row: &T,
    same: impl Fn(&T) -> bool,
    clash: impl Fn(&T) -> bool,
    (kind, name): (NameKind, &str),
) -> Result<(), WriteError> {
    if rows.iter().any(|r| !same(r) && clash(r)) {
        return Err(taken(kind, name));
    }
    match rows.iter_mut().find(|r| same(r)) {
        Some(existing) => *existing = row.clone(),
        None => rows.push(row.clone()),
    }
    Ok(())
}

impl PlaceRepository for InMemoryStructure {
    async fn insert_subdistrict(&self, s: &Subdistrict, event: &DomainEvent) -> Result<(), WriteError> {
        self.update_subdistrict(s, event).await
    }

    async fn update_subdistrict(&self, s: &Subdistrict, event: &DomainEvent) -> Result<(), WriteError> {
        let mut rows = lock(&self.0);
        upsert(
            &mut rows.subdistricts,
            s,
            |r| r.id == s.id,
            |r| r.name == s.name,
            (NameKind::Subdistrict, s.name.as_str()),
        )?;
        rows.events.push(event.clone());
        Ok(())
    }

    async fn find_subdistrict(&self, id: SubdistrictId) -> anyhow::Result<Option<Subdistrict>> {
        Ok(lock(&self.0).subdistricts.iter().find(|s| s.id == id).cloned())
    }

    async fn list_subdistricts(
        &self,
        filter: &ListFilter,
        page: PageRequest,
    ) -> anyhow::Result<Page<Subdistrict>> {
        let rows: Vec<Subdistrict> = lock(&self.0)
            .subdistricts
            .iter()
            // As the database filters: a reach names a subdistrict or the whole district.
            .filter(|s| filter.reach.whole_district || filter.reach.subdistricts.contains(&s.id))
            .cloned()
            .collect();
        Ok(page_of(rows, page, |s| s.id.as_uuid()))
    }

    async fn subdistricts_named(&self, names: &[String]) -> anyhow::Result<Vec<Subdistrict>> {
        Ok(lock(&self.0)
            .subdistricts
            .iter()
            .filter(|s| names.iter().any(|n| n == s.name.as_str()))
            .cloned()
            .collect())
    }

    async fn insert_community(&self, c: &Community, event: &DomainEvent) -> Result<(), WriteError> {
        self.update_community(c, event).await
    }

    async fn update_community(&self, c: &Community, event: &DomainEvent) -> Result<(), WriteError> {
        let mut rows = lock(&self.0);
        upsert(
            &mut rows.communities,
            c,
            |r| r.id == c.id,
            // As the database's index: unique in the subdistrict, not the district.
            |r| r.subdistrict_id == c.subdistrict_id && r.name == c.name,
            (NameKind::Community, c.name.as_str()),
        )?;
        rows.events.push(event.clone());
        Ok(())
    }

    async fn find_community(&self, id: CommunityId) -> anyhow::Result<Option<Community>> {
        Ok(lock(&self.0).communities.iter().find(|c| c.id == id).cloned())
    }

    async fn list_communities(
        &self,
        filter: &ListFilter,
        page: PageRequest,
    ) -> anyhow::Result<Page<Community>> {
        let rows: Vec<Community> = lock(&self.0)
            .communities
            .iter()
            .filter(|c| filter.reach.covers(&c.path()))
            .filter(|c| filter.subdistrict_id.is_none_or(|s| c.subdistrict_id == s))
            .cloned()
            .collect();
        Ok(page_of(rows, page, |c| c.id.as_uuid()))
    }

    async fn communities_named(&self, names: &[String]) -> anyhow::Result<Vec<Community>> {
        Ok(lock(&self.0)
            .communities
            .iter()
            .filter(|c| names.iter().any(|n| n == c.name.as_str()))
            .cloned()
            .collect())
    }

    async fn insert_grid(&self, g: &Grid, event: &DomainEvent) -> Result<(), WriteError> {
        self.update_grid(g, event).await
    }

    async fn update_grid(&self, g: &Grid, event: &DomainEvent) -> Result<(), WriteError> {
        let mut rows = lock(&self.0);
        upsert(
            &mut rows.grids,
            g,
            |r| r.id == g.id,
            |r| r.community_id == g.community_id && r.name == g.name,
            (NameKind::Grid, g.name.as_str()),
        )?;
        rows.events.push(event.clone());
        Ok(())
    }

    async fn find_grid(&self, id: GridId) -> anyhow::Result<Option<Grid>> {
        Ok(lock(&self.0).grids.iter().find(|g| g.id == id).cloned())
    }

    async fn find_grids(&self, ids: &[GridId]) -> anyhow::Result<Vec<Grid>> {
        Ok(lock(&self.0)
            .grids
            .iter()
            .filter(|g| ids.contains(&g.id))
            .cloned()
            .collect())
    }

    async fn list_grids(&self, filter: &ListFilter, page: PageRequest) -> anyhow::Result<Page<Grid>> {
        let rows: Vec<Grid> = lock(&self.0)
            .grids
            .iter()
            .filter(|g| filter.reach.covers(&g.path()))
            .filter(|g| filter.community_id.is_none_or(|c| g.community_id == c))
            .filter(|g| filter.kind.is_none_or(|k| g.kind == k))
            .cloned()
            .collect();
        Ok(page_of(rows, page, |g| g.id.as_uuid()))
    }

    async fn names_in_communities(
        &self,
        ids: &[CommunityId],
    ) -> anyhow::Result<Vec<(CommunityId, NameKind, String)>> {
        let rows = lock(&self.0);
        let grids = rows
            .grids
            .iter()
            .filter(|g| ids.contains(&g.community_id))
            .map(|g| (g.community_id, NameKind::Grid, g.name.as_str().to_owned()));
        let buildings = rows
            .buildings
            .iter()
            .filter(|b| ids.contains(&b.community_id))
            .map(|b| (b.community_id, NameKind::Building, b.name.as_str().to_owned()));
        Ok(grids.chain(buildings).collect())
    }

    async fn insert_grids(
        &self,
        grids: &[GridWithBuildings],
        events: &[DomainEvent],
    ) -> Result<(), WriteError> {
        let mut rows = lock(&self.0);
        let before = (rows.grids.len(), rows.buildings.len());
        for planned in grids {
            let g = &planned.grid;
            let clash = upsert(
                &mut rows.grids,
                g,
                |r| r.id == g.id,
                |r| r.community_id == g.community_id && r.name == g.name,
                (NameKind::Grid, g.name.as_str()),
            );
            let clash = clash.and_then(|()| {
                planned.buildings.iter().try_for_each(|b| {
                    upsert(
                        &mut rows.buildings,
                        b,
                        |r| r.id == b.id,
                        |r| r.community_id == b.community_id && r.name == b.name,
                        (NameKind::Building, b.name.as_str()),
                    )
                })
            });
            if let Err(e) = clash {
                // All or nothing, as the database's transaction.
                rows.grids.truncate(before.0);
                rows.buildings.truncate(before.1);
                return Err(e);
            }
        }
        rows.events.extend_from_slice(events);
        Ok(())
    }

    async fn insert_building(&self, b: &Building, event: &DomainEvent) -> Result<(), WriteError> {
        self.update_building(b, event).await
    }

    async fn update_building(&self, b: &Building, event: &DomainEvent) -> Result<(), WriteError> {
        let mut rows = lock(&self.0);
        upsert(
            &mut rows.buildings,
            b,
            |r| r.id == b.id,
            |r| r.community_id == b.community_id && r.name == b.name,
            (NameKind::Building, b.name.as_str()),
        )?;
        rows.events.push(event.clone());
        Ok(())
    }

    async fn find_building(&self, id: BuildingId) -> anyhow::Result<Option<Building>> {
        Ok(lock(&self.0).buildings.iter().find(|b| b.id == id).cloned())
    }

    async fn buildings_of_grid(&self, grid: GridId, among: &[BuildingId]) -> anyhow::Result<Vec<BuildingId>> {
        Ok(lock(&self.0)
            .buildings
            .iter()
            .filter(|b| b.grid_id == grid && among.contains(&b.id))
            .map(|b| b.id)
            .collect())
    }

    async fn list_buildings(&self, filter: &ListFilter, page: PageRequest) -> anyhow::Result<Page<Building>> {
        let rows: Vec<Building> = lock(&self.0)
            .buildings
            .iter()
            .filter(|b| filter.reach.covers(&b.path()))
            .filter(|b| filter.grid_id.is_none_or(|g| b.grid_id == g))
            .filter(|b| filter.community_id.is_none_or(|c| b.community_id == c))
            .cloned()
            .collect();
        Ok(page_of(rows, page, |b| b.id.as_uuid()))
    }
}

impl BranchRepository for InMemoryStructure {
    async fn insert_branch(&self, b: &PartyBranch, event: &DomainEvent) -> Result<(), WriteError> {
        let mut rows = lock(&self.0);
        if let Some(grid) = b
            .grid_ids
            .iter()
            .find(|g| rows.branches.iter().any(|other| other.grid_ids.contains(g)))
        {
            return Err(WriteError::GridAlreadyInBranch(*grid));
        }
        if rows
            .branches
            .iter()
            .any(|o| o.community_id == b.community_id && o.name == b.name)
        {
            return Err(taken(NameKind::PartyBranch, b.name.as_str()));
        }
        rows.branches.push(b.clone());
        rows.events.push(event.clone());
        Ok(())
    }

    async fn delete_branch(&self, id: PartyBranchId, event: &DomainEvent) -> anyhow::Result<bool> {
        let mut rows = lock(&self.0);
        let before = rows.branches.len();
        rows.branches.retain(|b| b.id != id);
        let deleted = rows.branches.len() < before;
        if deleted {
            rows.events.push(event.clone());
        }
        Ok(deleted)
    }

    async fn find_branch(&self, id: PartyBranchId) -> anyhow::Result<Option<PartyBranch>> {
        Ok(lock(&self.0).branches.iter().find(|b| b.id == id).cloned())
    }

    async fn list_branches(
        &self,
        filter: &ListFilter,
        page: PageRequest,
    ) -> anyhow::Result<Page<PartyBranch>> {
        let rows: Vec<PartyBranch> = lock(&self.0)
            .branches
            .iter()
            .filter(|b| {
                filter.reach.covers(&b.path()) || b.grid_ids.iter().any(|g| filter.reach.grids.contains(g))
            })
            .filter(|b| filter.community_id.is_none_or(|c| b.community_id == c))
            .filter(|b| filter.branch_kind.is_none_or(|k| b.kind == k))
            .cloned()
            .collect();
        Ok(page_of(rows, page, |b| b.id.as_uuid()))
    }

    async fn branches_holding(&self, grids: &[GridId]) -> anyhow::Result<Vec<(GridId, PartyBranchId)>> {
        Ok(lock(&self.0)
            .branches
            .iter()
            .flat_map(|b| b.grid_ids.iter().map(move |g| (*g, b.id)))
            .filter(|(g, _)| grids.contains(g))
            .collect())
    }
}

impl CoverageRepository for InMemoryStructure {
    async fn coverage(&self, reach: &Reach) -> anyhow::Result<CoverageStats> {
        let rows = lock(&self.0);
        let grids: Vec<&Grid> = rows.grids.iter().filter(|g| reach.covers(&g.path())).collect();
        let of_kind = |k: GridKind| grids.iter().filter(|g| g.kind == k).count() as u64;
        let in_branch = |g: &Grid, kind: Option<BranchKind>| {
            rows.branches
                .iter()
                .any(|b| b.grid_ids.contains(&g.id) && kind.is_none_or(|k| b.kind == k))
        };
        let residential: Vec<&&Grid> = grids.iter().filter(|g| g.kind == GridKind::Residential).collect();
        let branches_of = |kind: BranchKind| {
            rows.branches
                .iter()
                .filter(|b| b.kind == kind && b.grid_ids.iter().any(|g| grids.iter().any(|x| x.id == *g)))
                .count() as u64
        };
        Ok(CoverageStats {
            subdistricts: rows
                .subdistricts
                .iter()
                .filter(|s| reach.whole_district || reach.subdistricts.contains(&s.id))
                .count() as u64,
            communities: rows
                .communities
                .iter()
                .filter(|c| reach.covers(&c.path()))
                .count() as u64,
            grids: grids.len() as u64,
            residential_grids: of_kind(GridKind::Residential),
            reserved_grids: of_kind(GridKind::Reserved),
            dedicated_grids: of_kind(GridKind::Dedicated),
            covered_residential_grids: residential.iter().filter(|g| in_branch(g, None)).count() as u64,
            independent_branches: branches_of(BranchKind::Independent),
            joint_branches: branches_of(BranchKind::Joint),
            residential_grids_in_joint_branches: residential
                .iter()
                .filter(|g| in_branch(g, Some(BranchKind::Joint)))
                .count() as u64,
        })
    }
}
