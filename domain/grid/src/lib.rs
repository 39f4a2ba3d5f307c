//! The grid structure: district → subdistricts → communities → grids → buildings →
//! stairwells; the grid team ("1+X+N"); the Party branches that cover grids; coverage figures.

pub mod error;
pub mod events;
pub mod import;
pub mod models;
pub mod ports;
pub mod service;
pub mod team;
pub mod topics;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use error::{GridError, Resource};
pub use models::*;
pub use service::{
    BranchService, BranchView, CoverageService, GridChange, ImportReport, NewGrid, PlaceService, TeamService,
    TeamView,
};
pub use team::GridTeam;
