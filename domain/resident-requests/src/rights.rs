//! Who may do what with requests and tasks. Staff (admins, grid leaders and workers) handle
//! the requests of the grids their roles cover; Party members claim the tasks of the
//! communities they are members of; a resident sees their own requests, those they follow
//! (merged into another), and the visible ones of the grid they live in.

use linli_kernel::{Actor, Permission, Role, ScopePath};

use crate::request::{Moderation, ResidentRequest};

/// Whether the actor is staff over `place`: triages its requests, verifies its tasks, and
/// sees its authors whole, anonymous or not.
pub fn handles(actor: &Actor, place: &ScopePath) -> bool {
    actor.can(Permission::HandleRequests, place)
}

/// Whether the actor may claim the tasks of `place` as a Party member of its community.
pub fn may_claim(actor: &Actor, place: &ScopePath) -> bool {
    actor
        .grants()
        .iter()
        .any(|(role, scope)| *role == Role::PartyMember && scope.covers(place))
}

/// Why a viewer sees a request, strongest first: it decides what of the author they see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Staff over its grid: everything, the anonymous author included.
    Handler,
    /// Its author.
    Author,
    /// The author of a request merged into it.
    Follower,
    /// A Party member of its community, who may work on its tasks: a visible request taken
    /// on, its author masked or hidden.
    Worker,
    /// Someone living in its grid: a visible request, its author masked or hidden.
    Neighbour,
}

/// Where the viewer stands to `request`, or `None` when they may not see it at all. `home`
/// is where the viewer lives; `follows` whether a request of theirs was merged into it.
pub fn standing(
    actor: &Actor,
    request: &ResidentRequest,
    home: Option<&ScopePath>,
    follows: bool,
) -> Option<Standing> {
    if handles(actor, &request.place) {
        Some(Standing::Handler)
    } else if request.author == actor.user_id() {
        Some(Standing::Author)
    } else if follows {
        Some(Standing::Follower)
    } else if request.moderation == Moderation::Visible
        && request.status.was_taken_on()
        && may_claim(actor, &request.place)
    {
        Some(Standing::Worker)
    } else if request.moderation == Moderation::Visible
        && home.is_some_and(|h| h.grid.is_some() && h.grid == request.place.grid)
    {
        Some(Standing::Neighbour)
    } else {
        None
    }
}
