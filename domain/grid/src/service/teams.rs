//! The grid team, "1+X+N": one grid leader, X grid workers, stairwell leaders per building.
//! Naming someone in the team grants them the role, so the team is the grant list itself.

use linli_kernel::events::topics;
use linli_kernel::people::PersonView;
use linli_kernel::ports::{Clock, PersonDirectory};
use linli_kernel::{Actor, BuildingId, DomainEvent, GridId, Permission, UserId};
use serde_json::json;
use tracing::instrument;

use super::{StructureService, guard};
use crate::models::GridTeam;
use crate::ports::StructureRepository;
use crate::{GridError, Resource};

/// A team as one viewer may see it; personal data masked outside the viewer's scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamView {
    pub grid_id: GridId,
    pub leader: Option<PersonView>,
    pub workers: Vec<PersonView>,
    pub stairwell_leaders: Vec<(BuildingId, PersonView)>,
}

impl<R, P, C> StructureService<R, P, C>
where
    R: StructureRepository,
    P: PersonDirectory,
    C: Clock,
{
    pub async fn team(&self, actor: &Actor, grid_id: GridId) -> Result<TeamView, GridError> {
        let grid = self.grid(actor, grid_id).await?;
        let team = self.repo.find_team(grid.id).await?;
        self.view_team(actor, grid.id, &team).await
    }

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
        let grid = self
            .repo
            .find_grid(grid_id)
            .await?
            .ok_or(GridError::NotFound(Resource::Grid))?;
        guard(actor, Permission::ManageStructure, &grid.path(), Resource::Grid)?;

        let named_buildings: Vec<BuildingId> = team.stairwell_leaders.iter().map(|(b, _)| *b).collect();
        let in_grid = self.repo.buildings_of_grid(grid.id, &named_buildings).await?;
        if let Some(outside) = named_buildings.iter().find(|b| !in_grid.contains(b)) {
            return Err(GridError::BuildingOutsideGrid(*outside));
        }
        let named = team.people();
        let existing = self.repo.existing_users(&named).await?;
        let unknown: Vec<UserId> = named.into_iter().filter(|id| !existing.contains(id)).collect();
        if !unknown.is_empty() {
            return Err(GridError::UnknownUsers(unknown));
        }

        let now = self.clock.now();
        let before = self.repo.find_team(grid.id).await?;
        let mut events = vec![DomainEvent::new(
            topics::community_structure(grid.community_id),
            "grid_team.changed",
            json!({ "grid_id": grid.id, "leader": team.leader, "workers": team.workers }),
            now,
        )];
        // Tell each person whose place in the team changed, on their own channel.
        let mut touched: Vec<UserId> = before.people();
        touched.extend(team.people());
        touched.sort();
        touched.dedup();
        for person in touched {
            if roles_of(&before, person) != roles_of(&team, person) {
                events.push(DomainEvent::new(
                    topics::user(person),
                    "grid_team.membership_changed",
                    json!({ "grid_id": grid.id, "roles": roles_of(&team, person) }),
                    now,
                ));
            }
        }
        self.repo
            .replace_team(&grid, &team, actor.user_id(), &events)
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
                .unwrap_or(PersonView {
                    id: *id,
                    nickname: None,
                    real_name: None,
                    phone: None,
                    masked: true,
                })
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

fn roles_of(team: &GridTeam, person: UserId) -> Vec<String> {
    let mut roles = Vec::new();
    if team.leader == Some(person) {
        roles.push("grid_leader".to_owned());
    }
    if team.workers.contains(&person) {
        roles.push("grid_worker".to_owned());
    }
    for (building, user) in &team.stairwell_leaders {
        if *user == person {
            roles.push(format!("stairwell_leader@{building}"));
        }
    }
    roles
}
