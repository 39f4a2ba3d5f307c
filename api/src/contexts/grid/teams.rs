//! Grid teams ("1+X+N").

use linli_grid::TeamView;
use linli_kernel::{BuildingId, GridId, UserId};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::{GridTags, Structure};
use crate::http::contract::{Answer, errors};
use crate::http::dto::Person;
use crate::http::security::BearerAuth;

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct StairwellLeaderAssignment {
    pub building_id: Uuid,
    pub user_id: Uuid,
}

/// The whole team; it replaces the previous one. Naming people here grants them the roles
/// `grid_leader`, `grid_worker` and `stairwell_leader`.
#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct GridTeamAssignment {
    pub leader_id: Uuid,
    #[oai(default)]
    pub worker_ids: Vec<Uuid>,
    /// Buildings of this grid and their stairwell leaders.
    #[oai(default)]
    pub stairwell_leaders: Vec<StairwellLeaderAssignment>,
}

#[derive(Object, Debug)]
pub struct StairwellLeader {
    pub building_id: Uuid,
    pub person: Person,
}

#[derive(Object, Debug)]
pub struct GridTeam {
    pub grid_id: Uuid,
    #[oai(nullable)]
    pub leader: Option<Person>,
    pub workers: Vec<Person>,
    pub stairwell_leaders: Vec<StairwellLeader>,
}

impl From<TeamView> for GridTeam {
    fn from(t: TeamView) -> Self {
        Self {
            grid_id: t.grid_id.as_uuid(),
            leader: t.leader.map(Person::from),
            workers: t.workers.into_iter().map(Person::from).collect(),
            stairwell_leaders: t
                .stairwell_leaders
                .into_iter()
                .map(|(building, person)| StairwellLeader {
                    building_id: building.as_uuid(),
                    person: person.into(),
                })
                .collect(),
        }
    }
}

errors!(GridTeamGet: [Auth, Params] { 404: [grid_not_found] });

errors!(GridTeamSet: [Auth, Params, Body] {
    400: [validation_failed],
    403: [forbidden, self_grant],
    404: [grid_not_found],
    422: [building_outside_grid, invitation_required],
});

#[derive(Default)]
pub struct TeamsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "GridTags::GridTeams")]
impl TeamsApi {
    /// A grid's team
    #[oai(path = "/grids/:id/team", method = "get", operation_id = "grid_team_get")]
    async fn team(
        &self,
        structure: Data<&Structure>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Json<GridTeam>, GridTeamGet> {
        Ok(Json(
            structure
                .teams
                .team(&auth.0, GridId::from_uuid(id.0))
                .await?
                .into(),
        ))
    }

    /// Set a grid's team
    ///
    /// Codes: `grid_not_found`, `forbidden`, `self_grant` (403: naming yourself), `building_outside_grid` (422), `invitation_required`
    /// (422), `validation_failed` (the leader listed as a worker, someone listed twice).
    #[oai(path = "/grids/:id/team", method = "put", operation_id = "grid_team_set")]
    async fn set_team(
        &self,
        structure: Data<&Structure>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<GridTeamAssignment>,
    ) -> Answer<Json<GridTeam>, GridTeamSet> {
        let body = body.0;
        let team = structure
            .teams
            .set_team(
                &auth.0,
                GridId::from_uuid(id.0),
                UserId::from_uuid(body.leader_id),
                body.worker_ids.into_iter().map(UserId::from_uuid).collect(),
                body.stairwell_leaders
                    .into_iter()
                    .map(|a| (BuildingId::from_uuid(a.building_id), UserId::from_uuid(a.user_id)))
                    .collect(),
            )
            .await?;
        Ok(Json(team.into()))
    }
}
