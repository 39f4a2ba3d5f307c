//! Grid teams ("1+X+N") and Party branches.

use linli_grid::{BranchKind, TeamView};
use linli_kernel::{BuildingId, GridId, PartyBranchId, UserId};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::dto::{Created, Done, Person, Timestamp};
use super::error::ApiResult;
use super::pagination::{list_of, page_request};
use super::security::BearerAuth;
use crate::state::AppState;

#[derive(Object, Debug)]
pub struct StairwellLeaderAssignment {
    pub building_id: Uuid,
    pub user_id: Uuid,
}

/// The whole team; it replaces the previous one. Naming people here grants them the roles
/// `grid_leader`, `grid_worker` and `stairwell_leader`.
#[derive(Object, Debug)]
pub struct TeamRequest {
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
pub struct Team {
    pub grid_id: Uuid,
    pub leader: Option<Person>,
    pub workers: Vec<Person>,
    pub stairwell_leaders: Vec<StairwellLeader>,
}

impl From<TeamView> for Team {
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

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum BranchKindName {
    /// Over one grid.
    Independent,
    /// Over several neighbouring grids of one community.
    Joint,
}

impl From<BranchKindName> for BranchKind {
    fn from(k: BranchKindName) -> Self {
        match k {
            BranchKindName::Independent => BranchKind::Independent,
            BranchKindName::Joint => BranchKind::Joint,
        }
    }
}

impl From<BranchKind> for BranchKindName {
    fn from(k: BranchKind) -> Self {
        match k {
            BranchKind::Independent => BranchKindName::Independent,
            BranchKind::Joint => BranchKindName::Joint,
        }
    }
}

#[derive(Object, Debug)]
pub struct NewBranch {
    pub name: String,
    pub kind: BranchKindName,
    pub grid_ids: Vec<Uuid>,
}

#[derive(Object, Debug)]
pub struct Branch {
    pub id: Uuid,
    pub subdistrict_id: Uuid,
    pub community_id: Uuid,
    pub name: String,
    pub kind: BranchKindName,
    pub grid_ids: Vec<Uuid>,
    pub created_at: Timestamp,
}

impl From<linli_grid::PartyBranch> for Branch {
    fn from(b: linli_grid::PartyBranch) -> Self {
        Self {
            id: b.id.as_uuid(),
            subdistrict_id: b.subdistrict_id.as_uuid(),
            community_id: b.community_id.as_uuid(),
            name: b.name.to_string(),
            kind: b.kind.into(),
            grid_ids: b.grid_ids.into_iter().map(|g| g.as_uuid()).collect(),
            created_at: b.created_at,
        }
    }
}

list_of!(BranchList, Branch);

#[derive(Default)]
pub struct TeamsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Structure")]
impl TeamsApi {
    /// A grid's team
    #[oai(path = "/grids/:id/team", method = "get", operation_id = "grid_team_get")]
    async fn team(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<Team>> {
        Ok(Json(
            state
                .structure
                .team(&auth.0, GridId::from_uuid(id.0))
                .await?
                .into(),
        ))
    }

    /// Set a grid's team
    ///
    /// Codes: `grid_not_found`, `forbidden`, `building_outside_grid` (422), `unknown_users`
    /// (422), `validation_failed` (the leader listed as a worker, someone listed twice).
    #[oai(path = "/grids/:id/team", method = "put", operation_id = "grid_team_set")]
    async fn set_team(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<TeamRequest>,
    ) -> ApiResult<Json<Team>> {
        let body = body.0;
        let team = state
            .structure
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

    /// Form a Party branch
    ///
    /// An independent branch covers exactly one grid, a joint branch several grids of one
    /// community; a grid belongs to at most one branch. Codes: `grid_not_found`, `forbidden`,
    /// `branch_grid_count` (422), `branch_spans_communities` (422), `grid_already_in_branch`
    /// (409), `name_taken` (409).
    #[oai(
        path = "/party-branches",
        method = "post",
        operation_id = "party_branches_create"
    )]
    async fn create_branch(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<NewBranch>,
    ) -> ApiResult<Created<Branch>> {
        let grids: Vec<GridId> = body.grid_ids.iter().copied().map(GridId::from_uuid).collect();
        let branch = state
            .structure
            .create_branch(&auth.0, &body.name, body.kind.into(), &grids)
            .await?;
        Ok(Created::Created(Json(branch.into())))
    }

    /// Party branches inside your scope
    #[oai(
        path = "/party-branches",
        method = "get",
        operation_id = "party_branches_list"
    )]
    async fn list_branches(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        community_id: Query<Option<Uuid>>,
        kind: Query<Option<BranchKindName>>,
        limit: Query<Option<u32>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<BranchList>> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let page = state
            .structure
            .branches(
                &auth.0,
                community_id.0.map(Into::into),
                kind.0.map(Into::into),
                page,
            )
            .await?;
        Ok(Json(BranchList::from(page)))
    }

    /// A Party branch
    #[oai(
        path = "/party-branches/:id",
        method = "get",
        operation_id = "party_branches_get"
    )]
    async fn get_branch(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<Branch>> {
        Ok(Json(
            state
                .structure
                .branch(&auth.0, PartyBranchId::from_uuid(id.0))
                .await?
                .into(),
        ))
    }

    /// Dissolve a Party branch
    ///
    /// Its grids become free to join another branch.
    #[oai(
        path = "/party-branches/:id",
        method = "delete",
        operation_id = "party_branches_delete"
    )]
    async fn dissolve_branch(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Done> {
        state
            .structure
            .dissolve_branch(&auth.0, PartyBranchId::from_uuid(id.0))
            .await?;
        Ok(Done::NoContent)
    }
}
