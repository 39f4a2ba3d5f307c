//! The grid team, "1+X+N": one grid leader, X grid workers, and the stairwell leaders of the
//! grid's buildings. The team *is* a set of role grants held under the grid (identity keeps
//! them): this module says which grants make up a team and what a change of team announces.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use linli_kernel::roles::GrantShapeError;
use linli_kernel::{
    BuildingId, DomainEvent, GrantSet, PlacedGrant, Role, RoleGrant, Rule, Scope, ScopePath, UserId,
    ValidationError,
};

use crate::events::StructureEvent;
use crate::models::Grid;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GridTeam {
    pub leader: Option<UserId>,
    pub workers: Vec<UserId>,
    pub stairwell_leaders: Vec<(BuildingId, UserId)>,
}

/// The roles a grid team is made of.
pub const TEAM_ROLES: [Role; 3] = [Role::GridLeader, Role::GridWorker, Role::StairwellLeader];

impl GridTeam {
    pub const MAX_WORKERS: usize = 50;
    /// A grid of 500 households has some dozens of buildings; this leaves room.
    pub const MAX_STAIRWELL_LEADERS: usize = 300;

    /// A team as `PUT /grids/{id}/team` describes it: a leader, workers who differ from the
    /// leader and from each other, and (building, person) pairs named once each.
    pub fn new(
        leader: UserId,
        workers: Vec<UserId>,
        stairwell_leaders: Vec<(BuildingId, UserId)>,
    ) -> Result<Self, ValidationError> {
        if workers.len() > Self::MAX_WORKERS {
            return Err(ValidationError::new(
                "worker_ids",
                Rule::TooMany,
                format!("a grid has at most {} workers", Self::MAX_WORKERS),
            )
            .with("max", Self::MAX_WORKERS));
        }
        if stairwell_leaders.len() > Self::MAX_STAIRWELL_LEADERS {
            return Err(ValidationError::new(
                "stairwell_leaders",
                Rule::TooMany,
                format!(
                    "a grid has at most {} stairwell leaders",
                    Self::MAX_STAIRWELL_LEADERS
                ),
            )
            .with("max", Self::MAX_STAIRWELL_LEADERS));
        }
        if workers.contains(&leader) {
            return Err(ValidationError::new(
                "worker_ids",
                Rule::LeaderAmongWorkers,
                "the grid leader is not also one of its workers",
            ));
        }
        let mut seen = HashSet::new();
        if let Some(twice) = workers.iter().find(|w| !seen.insert(**w)) {
            return Err(ValidationError::new(
                "worker_ids",
                Rule::Duplicate,
                format!("{twice} is listed twice"),
            )
            .with("value", twice));
        }
        let mut seen = HashSet::new();
        if let Some((building, user)) = stairwell_leaders.iter().find(|pair| !seen.insert(**pair)) {
            return Err(ValidationError::new(
                "stairwell_leaders",
                Rule::Duplicate,
                format!("{user} is named twice for building {building}"),
            )
            .with("value", user));
        }
        Ok(Self {
            leader: Some(leader),
            workers,
            stairwell_leaders,
        })
    }

    /// The grants that make up the team of `grid`: its leader's and workers' at the grid,
    /// the stairwell leaders' at the buildings under it.
    pub fn grant_set(grid: &Grid) -> GrantSet {
        GrantSet {
            under: Scope::Grid(grid.id),
            roles: TEAM_ROLES.to_vec(),
            holder: None,
        }
    }

    /// The team those grants make (grants of other roles are ignored).
    pub fn from_grants(grants: &[RoleGrant]) -> Self {
        let mut team = GridTeam::default();
        for grant in grants {
            match (grant.role(), grant.scope()) {
                (Role::GridLeader, _) => team.leader = Some(grant.user_id()),
                (Role::GridWorker, _) => team.workers.push(grant.user_id()),
                (Role::StairwellLeader, Scope::Building(building)) => {
                    team.stairwell_leaders.push((building, grant.user_id()));
                }
                _ => {}
            }
        }
        team
    }

    /// The grants that make this team at `grid`, granted by `by` (`None`: from the console)
    /// at `now`.
    pub fn to_grants(
        &self,
        grid: &Grid,
        by: Option<UserId>,
        now: DateTime<Utc>,
    ) -> Result<Vec<PlacedGrant>, GrantShapeError> {
        let at_grid = |user: UserId, role: Role| -> Result<PlacedGrant, GrantShapeError> {
            Ok(PlacedGrant {
                grant: RoleGrant::new(user, role, Scope::Grid(grid.id), by, now)?,
                path: grid.path(),
            })
        };
        let mut grants = Vec::new();
        if let Some(leader) = self.leader {
            grants.push(at_grid(leader, Role::GridLeader)?);
        }
        for worker in &self.workers {
            grants.push(at_grid(*worker, Role::GridWorker)?);
        }
        for (building, person) in &self.stairwell_leaders {
            grants.push(PlacedGrant {
                grant: RoleGrant::new(
                    *person,
                    Role::StairwellLeader,
                    Scope::Building(*building),
                    by,
                    now,
                )?,
                path: ScopePath::building(grid.subdistrict_id, grid.community_id, grid.id, *building),
            });
        }
        Ok(grants)
    }

    /// Everyone named in the team, each once.
    pub fn people(&self) -> Vec<UserId> {
        let mut people: Vec<UserId> = self
            .leader
            .iter()
            .chain(self.workers.iter())
            .copied()
            .chain(self.stairwell_leaders.iter().map(|(_, user)| *user))
            .collect();
        people.sort();
        people.dedup();
        people
    }

    /// What `person` is in the team, e.g. `["grid_worker", "stairwell_leader@<building>"]`.
    pub fn roles_of(&self, person: UserId) -> Vec<String> {
        let mut roles = Vec::new();
        if self.leader == Some(person) {
            roles.push(Role::GridLeader.as_str().to_owned());
        }
        if self.workers.contains(&person) {
            roles.push(Role::GridWorker.as_str().to_owned());
        }
        for (building, user) in &self.stairwell_leaders {
            if *user == person {
                roles.push(format!("{}@{building}", Role::StairwellLeader.as_str()));
            }
        }
        roles
    }
}

/// What a change of `grid`'s team from `before` to `after` announces: the new team on the
/// community's structure channel, and to each person whose place in it changed, on their own.
pub fn team_change_events(
    grid: &Grid,
    before: &GridTeam,
    after: &GridTeam,
    now: DateTime<Utc>,
) -> Vec<DomainEvent> {
    let mut events = vec![
        StructureEvent::GridTeamChanged {
            grid_id: grid.id,
            community_id: grid.community_id,
            leader: after.leader,
            workers: after.workers.clone(),
        }
        .at(now),
    ];
    let mut touched = before.people();
    touched.extend(after.people());
    touched.sort();
    touched.dedup();
    for person in touched {
        let roles = after.roles_of(person);
        if before.roles_of(person) != roles {
            events.push(
                StructureEvent::GridTeamMembershipChanged {
                    grid_id: grid.id,
                    user_id: person,
                    roles,
                }
                .at(now),
            );
        }
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{GridKind, Households, PlaceName};
    use linli_kernel::events::topics;
    use linli_kernel::{CommunityId, GridId, SubdistrictId};

    fn grid() -> Grid {
        Grid {
            id: GridId::new(),
            community_id: CommunityId::new(),
            subdistrict_id: SubdistrictId::new(),
            name: PlaceName::parse("name", "一网格").unwrap_or_else(|_| panic!("name")),
            kind: GridKind::Residential,
            households: Households::new(400).unwrap_or_else(|_| panic!("households")),
            created_at: Utc::now(),
        }
    }

    #[test]
    fn a_team_leader_is_not_also_a_worker_and_nobody_is_named_twice() {
        let leader = UserId::new();
        assert!(GridTeam::new(leader, vec![leader], vec![]).is_err());
        let worker = UserId::new();
        assert!(GridTeam::new(leader, vec![worker, worker], vec![]).is_err());
        let building = BuildingId::new();
        assert!(GridTeam::new(leader, vec![], vec![(building, worker), (building, worker)]).is_err());
        assert!(GridTeam::new(leader, vec![worker], vec![(building, worker)]).is_ok());
    }

    #[test]
    fn a_team_has_bounded_size() {
        let workers: Vec<UserId> = (0..=GridTeam::MAX_WORKERS).map(|_| UserId::new()).collect();
        assert!(GridTeam::new(UserId::new(), workers, vec![]).is_err());
    }

    #[test]
    fn a_team_is_its_grants_and_back() {
        let grid = grid();
        let (leader, worker, stairwell) = (UserId::new(), UserId::new(), UserId::new());
        let building = BuildingId::new();
        let team = GridTeam::new(leader, vec![worker], vec![(building, stairwell)])
            .unwrap_or_else(|e| panic!("{e}"));
        let grants = team
            .to_grants(&grid, Some(UserId::new()), Utc::now())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(grants.len(), 3);
        let set = GridTeam::grant_set(&grid);
        assert!(grants.iter().all(|p| set.contains(&p.grant, &p.path)));
        let stairwell_grant = grants
            .iter()
            .find(|p| p.grant.role() == Role::StairwellLeader)
            .unwrap_or_else(|| panic!("a stairwell grant"));
        assert_eq!(stairwell_grant.path.building, Some(building));
        assert_eq!(stairwell_grant.path.grid, Some(grid.id));
        let back = GridTeam::from_grants(&grants.into_iter().map(|p| p.grant).collect::<Vec<_>>());
        assert_eq!(back, team);
    }

    #[test]
    fn a_change_tells_the_community_and_exactly_the_people_whose_place_changed() {
        let grid = grid();
        let (leader, stays, leaves, joins) = (UserId::new(), UserId::new(), UserId::new(), UserId::new());
        let before = GridTeam::new(leader, vec![stays, leaves], vec![]).unwrap_or_else(|e| panic!("{e}"));
        let after = GridTeam::new(leader, vec![stays, joins], vec![]).unwrap_or_else(|e| panic!("{e}"));
        let events = team_change_events(&grid, &before, &after, Utc::now());
        let told: Vec<&str> = events.iter().map(|e| e.topic.as_str()).collect();
        assert_eq!(
            told.first().copied(),
            Some(topics::community_structure(grid.community_id).as_str())
        );
        assert!(told.contains(&topics::user(leaves).as_str()));
        assert!(told.contains(&topics::user(joins).as_str()));
        assert!(!told.contains(&topics::user(stays).as_str()));
        assert!(!told.contains(&topics::user(leader).as_str()));
    }
}
