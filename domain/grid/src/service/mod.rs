//! The structure's use cases, one service per aggregate; every method takes the [`Actor`]
//! and checks its rights before it reads or writes.

mod branches;
mod import;
mod places;
mod stats;
mod teams;

#[cfg(test)]
mod tests;

use linli_kernel::{Actor, Denial, Permission, ScopePath};

pub use branches::{BranchService, BranchView};
pub use import::ImportReport;
pub use places::{GridChange, NewGrid, PlaceService};
pub use stats::CoverageService;
pub use teams::{TeamService, TeamView};

use crate::ports::ListFilter;
use crate::{GridError, Resource};

/// A listing's filter inside what the actor may see; `None` when it sees nothing at all.
fn visible(actor: &Actor, narrowed: ListFilter) -> Option<ListFilter> {
    let reach = actor.reach(Permission::ViewStructure);
    (!reach.is_empty()).then_some(ListFilter { reach, ..narrowed })
}

/// [`Actor::check`], answered in this context's terms.
fn guard(
    actor: &Actor,
    permission: Permission,
    path: &ScopePath,
    resource: Resource,
) -> Result<(), GridError> {
    actor.check(permission, path).map_err(|denial| match denial {
        Denial::Forbidden => GridError::Forbidden,
        Denial::Hidden => GridError::NotFound(resource),
    })
}
