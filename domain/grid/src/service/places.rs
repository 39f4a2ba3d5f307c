//! Subdistricts, communities, grids and buildings: creating, renaming, reading, listing.

use linli_kernel::ports::Clock;
use linli_kernel::{
    Actor, BuildingId, CommunityId, GridId, Page, PageRequest, Permission, ScopePath, SubdistrictId,
};
use tracing::instrument;

use super::{guard, visible};
use crate::events::StructureEvent;
use crate::models::{Building, Community, Grid, GridKind, Households, PlaceName, Subdistrict, Warning};
use crate::ports::{ListFilter, PlaceRepository};
use crate::{GridError, Resource};

/// `POST /grids`.
#[derive(Debug, Clone)]
pub struct NewGrid {
    pub community_id: CommunityId,
    pub name: String,
    pub kind: GridKind,
    pub households: i64,
}

/// `PATCH /grids/{id}`: absent fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct GridChange {
    pub name: Option<String>,
    pub kind: Option<GridKind>,
    pub households: Option<i64>,
}

/// Subdistricts, communities, grids and buildings.
pub struct PlaceService<P, C> {
    pub(super) places: P,
    pub(super) clock: C,
    /// Rows a CSV import may hold.
    pub(super) import_max_rows: usize,
}

impl<P, C> PlaceService<P, C> {
    pub fn new(places: P, clock: C) -> Self {
        Self {
            places,
            clock,
            import_max_rows: crate::import::DEFAULT_MAX_ROWS,
        }
    }

    /// Caps the rows of a CSV import (`LINLI_IMPORT_MAX_ROWS`).
    #[must_use]
    pub fn with_import_max_rows(mut self, max_rows: usize) -> Self {
        self.import_max_rows = max_rows;
        self
    }
}

impl<P, C> PlaceService<P, C>
where
    P: PlaceRepository,
    C: Clock,
{
    // ---- subdistricts ----

    #[instrument(skip_all, err)]
    pub async fn create_subdistrict(&self, actor: &Actor, name: &str) -> Result<Subdistrict, GridError> {
        guard(
            actor,
            Permission::ManageStructure,
            &ScopePath::district(),
            Resource::Subdistrict,
        )?;
        let now = self.clock.now();
        let subdistrict = Subdistrict {
            id: SubdistrictId::new(),
            name: PlaceName::parse("name", name)?,
            created_at: now,
        };
        let e = StructureEvent::subdistrict_created(&subdistrict).at(now);
        self.places.insert_subdistrict(&subdistrict, &e).await?;
        Ok(subdistrict)
    }

    pub async fn subdistrict(&self, actor: &Actor, id: SubdistrictId) -> Result<Subdistrict, GridError> {
        let found = self
            .places
            .find_subdistrict(id)
            .await?
            .ok_or(GridError::NotFound(Resource::Subdistrict))?;
        guard(
            actor,
            Permission::ViewStructure,
            &ScopePath::subdistrict(id),
            Resource::Subdistrict,
        )?;
        Ok(found)
    }

    #[instrument(skip_all, err)]
    pub async fn rename_subdistrict(
        &self,
        actor: &Actor,
        id: SubdistrictId,
        name: &str,
    ) -> Result<Subdistrict, GridError> {
        let mut subdistrict = self.subdistrict(actor, id).await?;
        guard(
            actor,
            Permission::ManageStructure,
            &ScopePath::subdistrict(id),
            Resource::Subdistrict,
        )?;
        subdistrict.name = PlaceName::parse("name", name)?;
        let now = self.clock.now();
        let e = StructureEvent::subdistrict_renamed(&subdistrict).at(now);
        self.places.update_subdistrict(&subdistrict, &e).await?;
        Ok(subdistrict)
    }

    pub async fn subdistricts(
        &self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<Subdistrict>, GridError> {
        let Some(filter) = visible(actor, ListFilter::default()) else {
            return Ok(Page::empty());
        };
        Ok(self.places.list_subdistricts(&filter, page).await?)
    }

    // ---- communities ----

    #[instrument(skip_all, err)]
    pub async fn create_community(
        &self,
        actor: &Actor,
        subdistrict_id: SubdistrictId,
        name: &str,
    ) -> Result<Community, GridError> {
        let name = PlaceName::parse("name", name)?;
        self.places
            .find_subdistrict(subdistrict_id)
            .await?
            .ok_or(GridError::NotFound(Resource::Subdistrict))?;
        guard(
            actor,
            Permission::ManageStructure,
            &ScopePath::subdistrict(subdistrict_id),
            Resource::Subdistrict,
        )?;
        let now = self.clock.now();
        let community = Community {
            id: CommunityId::new(),
            subdistrict_id,
            name,
            created_at: now,
        };
        let e = StructureEvent::community_created(&community).at(now);
        self.places.insert_community(&community, &e).await?;
        Ok(community)
    }

    pub async fn community(&self, actor: &Actor, id: CommunityId) -> Result<Community, GridError> {
        let found = self
            .places
            .find_community(id)
            .await?
            .ok_or(GridError::NotFound(Resource::Community))?;
        guard(
            actor,
            Permission::ViewStructure,
            &found.path(),
            Resource::Community,
        )?;
        Ok(found)
    }

    #[instrument(skip_all, err)]
    pub async fn rename_community(
        &self,
        actor: &Actor,
        id: CommunityId,
        name: &str,
    ) -> Result<Community, GridError> {
        let mut community = self.community(actor, id).await?;
        guard(
            actor,
            Permission::ManageStructure,
            &community.path(),
            Resource::Community,
        )?;
        community.name = PlaceName::parse("name", name)?;
        let e = StructureEvent::community_renamed(&community).at(self.clock.now());
        self.places.update_community(&community, &e).await?;
        Ok(community)
    }

    pub async fn communities(
        &self,
        actor: &Actor,
        subdistrict_id: Option<SubdistrictId>,
        page: PageRequest,
    ) -> Result<Page<Community>, GridError> {
        let Some(filter) = visible(
            actor,
            ListFilter {
                subdistrict_id,
                ..ListFilter::default()
            },
        ) else {
            return Ok(Page::empty());
        };
        Ok(self.places.list_communities(&filter, page).await?)
    }

    // ---- grids ----

    #[instrument(skip_all, err)]
    pub async fn create_grid(&self, actor: &Actor, new: NewGrid) -> Result<(Grid, Vec<Warning>), GridError> {
        let name = PlaceName::parse("name", &new.name)?;
        let households = Households::new(new.households)?;
        let community = self
            .places
            .find_community(new.community_id)
            .await?
            .ok_or(GridError::NotFound(Resource::Community))?;
        guard(
            actor,
            Permission::ManageStructure,
            &community.path(),
            Resource::Community,
        )?;
        let now = self.clock.now();
        let grid = Grid {
            id: GridId::new(),
            community_id: community.id,
            subdistrict_id: community.subdistrict_id,
            name,
            kind: new.kind,
            households,
            created_at: now,
        };
        let e = StructureEvent::grid_created(&grid).at(now);
        self.places.insert_grid(&grid, &e).await?;
        let warnings = Warning::for_grid_size(grid.kind, grid.households)
            .into_iter()
            .collect();
        Ok((grid, warnings))
    }

    pub async fn grid(&self, actor: &Actor, id: GridId) -> Result<Grid, GridError> {
        let found = self
            .places
            .find_grid(id)
            .await?
            .ok_or(GridError::NotFound(Resource::Grid))?;
        guard(actor, Permission::ViewStructure, &found.path(), Resource::Grid)?;
        Ok(found)
    }

    #[instrument(skip_all, err)]
    pub async fn update_grid(
        &self,
        actor: &Actor,
        id: GridId,
        change: GridChange,
    ) -> Result<(Grid, Vec<Warning>), GridError> {
        let mut grid = self.grid(actor, id).await?;
        guard(actor, Permission::ManageStructure, &grid.path(), Resource::Grid)?;
        if let Some(name) = change.name {
            grid.name = PlaceName::parse("name", &name)?;
        }
        if let Some(kind) = change.kind {
            grid.kind = kind;
        }
        if let Some(households) = change.households {
            grid.households = Households::new(households)?;
        }
        let e = StructureEvent::grid_updated(&grid).at(self.clock.now());
        self.places.update_grid(&grid, &e).await?;
        let warnings = Warning::for_grid_size(grid.kind, grid.households)
            .into_iter()
            .collect();
        Ok((grid, warnings))
    }

    pub async fn grids(
        &self,
        actor: &Actor,
        community_id: Option<CommunityId>,
        kind: Option<GridKind>,
        page: PageRequest,
    ) -> Result<Page<Grid>, GridError> {
        let Some(filter) = visible(
            actor,
            ListFilter {
                community_id,
                kind,
                ..ListFilter::default()
            },
        ) else {
            return Ok(Page::empty());
        };
        Ok(self.places.list_grids(&filter, page).await?)
    }

    // ---- buildings ----

    #[instrument(skip_all, err)]
    pub async fn create_building(
        &self,
        actor: &Actor,
        grid_id: GridId,
        name: &str,
        stairwells: &[String],
    ) -> Result<Building, GridError> {
        let name = PlaceName::parse("name", name)?;
        let grid = self
            .places
            .find_grid(grid_id)
            .await?
            .ok_or(GridError::NotFound(Resource::Grid))?;
        guard(actor, Permission::ManageStructure, &grid.path(), Resource::Grid)?;
        let now = self.clock.now();
        let building = Building::new(&grid, name, stairwells, now)?;
        let e = StructureEvent::building_created(&building).at(now);
        self.places.insert_building(&building, &e).await?;
        Ok(building)
    }

    pub async fn building(&self, actor: &Actor, id: BuildingId) -> Result<Building, GridError> {
        let found = self
            .places
            .find_building(id)
            .await?
            .ok_or(GridError::NotFound(Resource::Building))?;
        guard(
            actor,
            Permission::ViewStructure,
            &found.path(),
            Resource::Building,
        )?;
        Ok(found)
    }

    #[instrument(skip_all, err)]
    pub async fn rename_building(
        &self,
        actor: &Actor,
        id: BuildingId,
        name: &str,
    ) -> Result<Building, GridError> {
        let mut building = self.building(actor, id).await?;
        guard(
            actor,
            Permission::ManageStructure,
            &building.path(),
            Resource::Building,
        )?;
        building.name = PlaceName::parse("name", name)?;
        let e = StructureEvent::building_renamed(&building).at(self.clock.now());
        self.places.update_building(&building, &e).await?;
        Ok(building)
    }

    pub async fn buildings(
        &self,
        actor: &Actor,
        grid_id: Option<GridId>,
        community_id: Option<CommunityId>,
        page: PageRequest,
    ) -> Result<Page<Building>, GridError> {
        let Some(filter) = visible(
            actor,
            ListFilter {
                grid_id,
                community_id,
                ..ListFilter::default()
            },
        ) else {
            return Ok(Page::empty());
        };
        Ok(self.places.list_buildings(&filter, page).await?)
    }
}
