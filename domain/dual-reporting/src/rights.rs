//! Who may do what in dual reporting, from the roles the kernel knows: the tree's
//! administrators receive reports in the communities they cover, the district admin keeps the
//! units and the dictionary, and a unit admin (`unit_admin` at `unit:<id>`) speaks for a unit.

use linli_kernel::actor::Reach;
use linli_kernel::{Actor, Denial, Permission, Role, Scope, ScopePath, SideKind, UnitId};

use crate::models::Unit;
use crate::{DualReportingError, Resource};

/// Creates units and edits the service categories: the district admin.
pub fn keeps_district_records(actor: &Actor) -> bool {
    actor.can(Permission::ManageStructure, &ScopePath::district())
}

/// Whether the actor is an admin of this unit.
pub fn administers_unit(actor: &Actor, unit: UnitId) -> bool {
    let scope = Scope::Side(SideKind::UNIT, unit.as_uuid());
    actor
        .grants()
        .iter()
        .any(|(role, at)| *role == Role::UnitAdmin && *at == scope)
}

/// The units the actor administers.
pub fn administered_units(actor: &Actor) -> Vec<UnitId> {
    actor
        .grants()
        .iter()
        .filter_map(|(role, scope)| match scope {
            Scope::Side(kind, id) if *role == Role::UnitAdmin && *kind == SideKind::UNIT => {
                Some(UnitId::from_uuid(*id))
            }
            _ => None,
        })
        .collect()
}

/// Whether the actor sees the unit's contact and figures whole: its admins and the staff over
/// its paired grid.
pub fn sees_unit(actor: &Actor, unit: &Unit) -> bool {
    administers_unit(actor, unit.id) || actor.can(Permission::ViewPersonalData, &unit.path())
}

/// Staff of the district itself (a role held at `district`): they oversee every list.
pub fn district_staff(actor: &Actor) -> bool {
    actor.can(Permission::ViewPersonalData, &ScopePath::district())
}

/// Who sees an entry of the three lists placed at `place` (an offer at its unit's grid, a
/// need or a project at the need's node): the district's staff, who oversee the lists, and
/// the administrators over the place, who post needs and run projects there. Grid staff
/// and residents do not: the lists are the organisations' business, not a neighbourhood's.
pub fn sees_listed(actor: &Actor, place: &ScopePath) -> bool {
    district_staff(actor) || actor.can(Permission::ManageStructure, place)
}

/// Where a listing of the three lists looks for the actor: as [`sees_listed`], node by node.
pub fn list_reach(actor: &Actor) -> Reach {
    let mut reach = actor.reach(Permission::ManageStructure);
    reach.whole_district |= district_staff(actor);
    reach
}

/// Lets an administrator of the tree covering `place` receive reports there (accept, reject,
/// withdraw). Staff who may see the place are told it is forbidden; others that it is not there.
pub fn check_receives(
    actor: &Actor,
    place: &ScopePath,
    resource: Resource,
) -> Result<(), DualReportingError> {
    actor
        .check(Permission::ManageStructure, place)
        .map_err(|denial| denied(denial, resource))
}

/// A denial in this context's terms.
pub fn denied(denial: Denial, resource: Resource) -> DualReportingError {
    match denial {
        Denial::Forbidden => DualReportingError::Forbidden,
        Denial::Hidden => DualReportingError::NotFound(resource),
    }
}
