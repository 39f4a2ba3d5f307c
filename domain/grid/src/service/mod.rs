//! The structure's use cases. One service, its methods grouped by what they manage; every
//! method takes the [`Actor`] and checks its rights before it reads or writes.

mod branches;
mod import;
mod places;
mod stats;
mod teams;

use linli_kernel::{Actor, Denial, Permission, ScopePath};

pub use import::ImportReport;
pub use places::{GridChange, NewGrid};
pub use teams::TeamView;

use crate::ports::ListFilter;
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
