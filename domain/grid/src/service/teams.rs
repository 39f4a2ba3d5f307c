//! The grid team, "1+X+N". Naming someone in the team grants them the role: the team is a
//! set of grants that identity keeps, read and replaced through the kernel's `GrantStore`.

use linli_kernel::people::PersonView;
use linli_kernel::ports::{Clock, GrantStore, PersonDirectory};
use linli_kernel::{Actor, BuildingId, GridId, Permission, UserId};
use tracing::instrument;

use super::guard;
use crate::models::Grid;
use crate::ports::PlaceRepository;
use crate::team::{GridTeam, team_change_events};
use crate::{GridError, Resource};

/// A team as one viewer may see it; personal data masked outside the viewer's scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamView {
    pub grid_id: GridId,
    pub leader: Option<PersonView>,
    pub workers: Vec<PersonView>,
    pub stairwell_leaders: Vec<(BuildingId, PersonView)>,
}

pub struct TeamService<P, G, D, C> {
    places: P,
    grants: G,
    people: D,
    clock: C,
}

impl<P, G, D, C> TeamService<P, G, D, C> {
    pub fn new(places: P, grants: G, people: D, clock: C) -> Self {
        Self {
            places,
            grants,
            people,
            clock,
        }
    }
}

impl<P, G, D, C> TeamService<P, G, D, C>
where
    P: PlaceRepository,
    G: GrantStore,
    D: PersonDirectory,
    C: Clock,
{
    async fn grid(&self, id: GridId) -> Result<Grid, GridError> {
        self.places
            .find_grid(id)
            .await?
            .ok_or(GridError::NotFound(Resource::Grid))
    }

    pub async fn team(&self, actor: &Actor, grid_id: GridId) -> Result<TeamView, GridError> {
        let grid = self.grid(grid_id).await?;
        guard(actor, Permission::ViewStructure, &grid.path(), Resource::Grid)?;
        let grants = self.grants.grants_in(&GridTeam::grant_set(&grid)).await?;
        self.view_team(actor, grid.id, &GridTeam::from_grants(&grants))
            .await
    }

    /// Replaces the grid's team whole. Concurrent changes of one team take turns, and each
    /// announces the change from the team it actually replaced.
    #[instrument(skip_all, err)]
    pub async fn set_team(
        &self,
        actor: &Actor,
        grid_id: GridId,
        leader: UserId,
        workers: Vec<UserId>,
        stairwell_leaders: Vec<(BuildingId, UserId)>,
    ) -> Result<TeamView, GridError> {
        let team = GridTeam::new(leader, workers, stairwell_leaders)?;
        let grid = self.grid(grid_id).await?;
        guard(actor, Permission::ManageStructure, &grid.path(), Resource::Grid)?;

        let named_buildings: Vec<BuildingId> = team.stairwell_leaders.iter().map(|(b, _)| *b).collect();
        let in_grid = self.places.buildings_of_grid(grid.id, &named_buildings).await?;
        if let Some(outside) = named_buildings.iter().find(|b| !in_grid.contains(b)) {
            return Err(GridError::BuildingOutsideGrid(*outside));
        }
        // Naming someone grants them a role, so only people the actor already covers may be
        // named; anyone else must be appointed by invitation (`POST /role-grants`) first. An
        // unknown id is refused the same way, so the answer never tells whether it exists.
        let named = team.people();
        // One's own record is never masked to oneself, so the coverage check below would let
        // an admin name himself and grant himself a role; nobody grants themselves anything.
        if named.contains(&actor.user_id()) {
            return Err(GridError::SelfGrant);
        }
        let records = self.people.people(&named).await?;
        let covered: Vec<UserId> = records
            .iter()
            .filter(|p| p.is_covered_by(actor))
            .map(|p| p.id)
            .collect();
        let uncovered: Vec<UserId> = named.into_iter().filter(|id| !covered.contains(id)).collect();
        if !uncovered.is_empty() {
            return Err(GridError::InvitationRequired(uncovered));
        }

        let now = self.clock.now();
        let grants = team
            .to_grants(&grid, Some(actor.user_id()), now)
            .map_err(|e| GridError::Unknown(e.into()))?;
        let announced = grid.clone();
        self.grants
            .replace_grants(
                Some(actor.user_id()),
                &GridTeam::grant_set(&grid),
                grants,
                move |before, after| {
                    team_change_events(
                        &announced,
                        &GridTeam::from_grants(before),
                        &GridTeam::from_grants(after),
                        now,
                    )
                },
            )
            .await?;
        self.view_team(actor, grid.id, &team).await
    }

    async fn view_team(
        &self,
        actor: &Actor,
        grid_id: GridId,
        team: &GridTeam,
    ) -> Result<TeamView, GridError> {
        let people = self.people.people(&team.people()).await?;
        let view = |id: &UserId| {
            people
                .iter()
                .find(|p| p.id == *id)
                .map(|p| p.view_for(actor))
                .unwrap_or_else(|| PersonView::hidden(*id))
        };
        Ok(TeamView {
            grid_id,
            leader: team.leader.as_ref().map(view),
            workers: team.workers.iter().map(view).collect(),
            stairwell_leaders: team
                .stairwell_leaders
                .iter()
                .map(|(building, user)| (*building, view(user)))
                .collect(),
        })
    }
}
