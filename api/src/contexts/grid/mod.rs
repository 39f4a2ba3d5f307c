//! The grid context's face: the places of the tree, grid teams, Party branches and the
//! coverage figures.

mod branches;
pub mod demo;
mod error;
pub mod events;
mod places;
mod stats;
mod teams;

use std::sync::Arc;

use linli_grid::{BranchService, CoverageService, PlaceService, TeamService};
use linli_infra::db::Database;
use linli_kernel::ports::SystemClock;
use poem_openapi::Tags;

#[derive(Tags)]
pub enum GridTags {
    /// Subdistricts, communities, grids, buildings and their stairwells.
    Places,
    /// Each grid's team: its leader, workers and stairwell leaders.
    GridTeams,
    /// Party branches over the grids.
    PartyBranches,
    /// Figures of a scope.
    Stats,
}

/// The context's API groups.
pub type Apis = (
    places::PlacesApi,
    teams::TeamsApi,
    branches::BranchesApi,
    stats::StatsApi,
);

pub struct Services {
    pub places: PlaceService<Database, SystemClock>,
    pub branches: BranchService<Database, Database, SystemClock>,
    pub teams: TeamService<Database, Database, Database, SystemClock>,
    pub coverage: CoverageService<Database, Database>,
}

/// What the structure's handlers reach (`Data<&Structure>`).
#[derive(Clone)]
pub struct Structure(pub Arc<Services>);

impl std::ops::Deref for Structure {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

impl Structure {
    pub fn build(db: &Database, import_max_rows: usize) -> Self {
        Self(Arc::new(Services {
            places: PlaceService::new(db.clone(), SystemClock).with_import_max_rows(import_max_rows),
            branches: BranchService::new(db.clone(), db.clone(), SystemClock),
            teams: TeamService::new(db.clone(), db.clone(), db.clone(), SystemClock),
            coverage: CoverageService::new(db.clone(), db.clone()),
        }))
    }
}
