//! The structure's use cases. One service, its methods grouped by what they manage; every
//! method takes the [`Actor`] and checks its rights before it reads or writes.

mod branches;
mod import;
mod places;
mod stats;
mod teams;

use linli_kernel::{Actor, Permission, ScopePath};

pub use import::ImportReport;
pub use places::{GridChange, NewGrid};
pub use teams::TeamView;

use crate::{GridError, Resource};

pub struct StructureService<R, P, C> {
    repo: R,
    people: P,
    clock: C,
}

impl<R, P, C> StructureService<R, P, C> {
    pub fn new(repo: R, people: P, clock: C) -> Self {
        Self { repo, people, clock }
    }
}

/// Lets the actor through if it holds `permission` at `path`. Otherwise an actor who can see
/// the thing is told it is forbidden, and one who cannot is told it does not exist, so that
/// nobody learns of places outside their scope.
fn guard(
    actor: &Actor,
    permission: Permission,
    path: &ScopePath,
    resource: Resource,
) -> Result<(), GridError> {
    if actor.can(permission, path) {
        Ok(())
    } else if actor.can(Permission::ViewStructure, path) {
        Err(GridError::Forbidden)
    } else {
        Err(GridError::NotFound(resource))
    }
}
