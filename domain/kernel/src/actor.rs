//! The actor: who is asking, and what their role grants let them do where.

use std::sync::Arc;

use uuid::Uuid;

use crate::{
    BuildingId, CommunityId, GridId, Role, Scope, ScopePath, SessionId, SideKind, SubdistrictId, UserId,
};

/// What a use case asks of the actor before it acts. Each role gives some of them, at the
/// scope where it is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Create and change subdistricts, communities, grids, buildings, branches, grid teams.
    ManageStructure,
    /// Grant and revoke roles at scopes one covers.
    GrantRoles,
    /// See the structure: names, kinds, households, teams.
    ViewStructure,
    /// See people's real names and phone numbers whole.
    ViewPersonalData,
    /// See the figures of a scope.
    ViewStats,
    /// Triage, route and close residents' requests; verify the work done on their tasks.
    HandleRequests,
}

impl Role {
    pub const fn allows(self, permission: Permission) -> bool {
        match permission {
            Permission::ManageStructure | Permission::GrantRoles => self.is_admin(),
            Permission::ViewPersonalData | Permission::ViewStats | Permission::HandleRequests => {
                self.is_staff()
            }
            Permission::ViewStructure => self.is_staff() || matches!(self, Role::StairwellLeader),
        }
    }
}

/// The role grants an actor holds, shared: every request of a session gets the same ones
/// from the cache without copying them.
pub type ActorGrants = Arc<[(Role, Scope)]>;

/// A logged-in user with the role grants they hold right now (checked per request, so a
/// revoked grant stops working at once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    user_id: UserId,
    session_id: Option<SessionId>,
    grants: ActorGrants,
}

impl Actor {
    pub fn new(user_id: UserId, session_id: Option<SessionId>, grants: impl Into<ActorGrants>) -> Self {
        Self {
            user_id,
            session_id,
            grants: grants.into(),
        }
    }

    /// An operator at the console (`linli admin`, `linli demo`): the whole district.
    pub fn console() -> Self {
        Self::new(
            UserId::from_uuid(uuid::Uuid::nil()),
            None,
            vec![(Role::DistrictAdmin, Scope::District)],
        )
    }

    pub fn user_id(&self) -> UserId {
        self.user_id
    }

    pub fn session_id(&self) -> Option<SessionId> {
        self.session_id
    }

    pub fn grants(&self) -> &[(Role, Scope)] {
        &self.grants
    }

    /// Whether some role of the actor gives `permission` at a scope covering `path`.
    pub fn can(&self, permission: Permission, path: &ScopePath) -> bool {
        self.grants
            .iter()
            .any(|(role, scope)| role.allows(permission) && scope.covers(path))
    }

    /// Whether some grant of the actor ranks above `role` (see [`Role::appoints`]) and is
    /// held at a node covering `path`: who may grant or revoke `role` there.
    pub fn may_appoint(&self, role: Role, path: &ScopePath) -> bool {
        self.grants
            .iter()
            .any(|(held, scope)| held.appoints(role) && scope.covers(path))
    }

    /// Lets the actor through if it holds `permission` at `path`. Otherwise an actor who can
    /// see the place is told it is forbidden, and one who cannot is told it does not exist,
    /// so nobody learns of places outside their scope. The district is no secret: there is
    /// one, and everyone knows it.
    pub fn check(&self, permission: Permission, path: &ScopePath) -> Result<(), Denial> {
        if self.can(permission, path) {
            Ok(())
        } else if *path == ScopePath::district() || self.can(Permission::ViewStructure, path) {
            Err(Denial::Forbidden)
        } else {
            Err(Denial::Hidden)
        }
    }

    /// Every node under which the actor has `permission`: what list queries filter by.
    pub fn reach(&self, permission: Permission) -> Reach {
        let mut reach = Reach::default();
        for (role, scope) in self.grants.iter() {
            if !role.allows(permission) {
                continue;
            }
            match *scope {
                Scope::District => reach.whole_district = true,
                Scope::Subdistrict(id) => reach.subdistricts.push(id),
                Scope::Community(id) => reach.communities.push(id),
                Scope::Grid(id) => reach.grids.push(id),
                Scope::Building(id) => reach.buildings.push(id),
                Scope::Side(kind, id) => reach.sides.push((kind, id)),
            }
        }
        reach
    }
}

/// Why [`Actor::check`] refused: each context answers `Forbidden` as 403 and `Hidden` as its
/// own "not found".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// The actor may see the place but not do this there.
    Forbidden,
    /// The actor may not even know the place exists.
    Hidden,
}

/// The nodes under which an actor holds some permission. Empty means "nowhere".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    pub whole_district: bool,
    pub subdistricts: Vec<SubdistrictId>,
    pub communities: Vec<CommunityId>,
    pub grids: Vec<GridId>,
    pub buildings: Vec<BuildingId>,
    /// Nodes beside the tree (units, volunteer teams…).
    pub sides: Vec<(SideKind, Uuid)>,
}

impl Reach {
    pub fn is_empty(&self) -> bool {
        !self.whole_district
            && self.subdistricts.is_empty()
            && self.communities.is_empty()
            && self.grids.is_empty()
            && self.buildings.is_empty()
            && self.sides.is_empty()
    }

    /// Whether the reach takes in `path`.
    pub fn covers(&self, path: &ScopePath) -> bool {
        self.whole_district
            || path.subdistrict.is_some_and(|id| self.subdistricts.contains(&id))
            || path.community.is_some_and(|id| self.communities.contains(&id))
            || path.grid.is_some_and(|id| self.grids.contains(&id))
            || path.building.is_some_and(|id| self.buildings.contains(&id))
            || path.side.is_some_and(|side| self.sides.contains(&side))
    }

    /// The reach of exactly one node and its subtree.
    pub fn at(path: &ScopePath) -> Reach {
        let mut reach = Reach::default();
        if let Some(side) = path.side {
            reach.sides.push(side);
        } else if let Some(id) = path.building {
            reach.buildings.push(id);
        } else if let Some(id) = path.grid {
            reach.grids.push(id);
        } else if let Some(id) = path.community {
            reach.communities.push(id);
        } else if let Some(id) = path.subdistrict {
            reach.subdistricts.push(id);
        } else {
            reach.whole_district = true;
        }
        reach
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_community_admin_manages_its_community_and_nothing_beside_it() {
        let (sub, community, other) = (SubdistrictId::new(), CommunityId::new(), CommunityId::new());
        let admin = Actor::new(
            UserId::new(),
            None,
            vec![(Role::CommunityAdmin, Scope::Community(community))],
        );
        let grid_in_it = ScopePath::grid(sub, community, GridId::new());
        let grid_beside = ScopePath::grid(sub, other, GridId::new());
        assert!(admin.can(Permission::ManageStructure, &grid_in_it));
        assert!(!admin.can(Permission::ManageStructure, &grid_beside));
        assert!(!admin.can(Permission::ManageStructure, &ScopePath::subdistrict(sub)));
    }

    #[test]
    fn grid_workers_see_but_do_not_manage() {
        let grid = ScopePath::grid(SubdistrictId::new(), CommunityId::new(), GridId::new());
        let Some(grid_id) = grid.grid else {
            panic!("grid path")
        };
        let worker = Actor::new(
            UserId::new(),
            None,
            vec![(Role::GridWorker, Scope::Grid(grid_id))],
        );
        assert!(worker.can(Permission::ViewStructure, &grid));
        assert!(worker.can(Permission::ViewPersonalData, &grid));
        assert!(!worker.can(Permission::ManageStructure, &grid));
        assert!(!worker.can(Permission::GrantRoles, &grid));
    }

    #[test]
    fn a_refusal_hides_what_the_actor_cannot_see_but_never_the_district() {
        let (sub, community) = (SubdistrictId::new(), CommunityId::new());
        let worker_grid = GridId::new();
        let worker = Actor::new(
            UserId::new(),
            None,
            vec![(Role::GridWorker, Scope::Grid(worker_grid))],
        );
        let own = ScopePath::grid(sub, community, worker_grid);
        let beside = ScopePath::grid(sub, community, GridId::new());
        assert_eq!(worker.check(Permission::ViewStructure, &own), Ok(()));
        assert_eq!(
            worker.check(Permission::ManageStructure, &own),
            Err(Denial::Forbidden)
        );
        assert_eq!(
            worker.check(Permission::ManageStructure, &beside),
            Err(Denial::Hidden)
        );
        assert_eq!(
            worker.check(Permission::GrantRoles, &ScopePath::district()),
            Err(Denial::Forbidden)
        );
    }

    #[test]
    fn residents_reach_nowhere() {
        let resident = Actor::new(
            UserId::new(),
            None,
            vec![(Role::PartyMember, Scope::Community(CommunityId::new()))],
        );
        assert!(resident.reach(Permission::ViewStructure).is_empty());
        assert!(!resident.can(Permission::ViewStats, &ScopePath::district()));
    }

    #[test]
    fn reach_collects_the_scopes_of_permitted_roles_only() {
        let community = CommunityId::new();
        let building = BuildingId::new();
        let actor = Actor::new(
            UserId::new(),
            None,
            vec![
                (Role::CommunityAdmin, Scope::Community(community)),
                (Role::StairwellLeader, Scope::Building(building)),
            ],
        );
        assert_eq!(
            actor.reach(Permission::ManageStructure).communities,
            vec![community]
        );
        assert!(actor.reach(Permission::ManageStructure).buildings.is_empty());
        assert_eq!(actor.reach(Permission::ViewStructure).buildings, vec![building]);
    }
}
