//! Party branches: independent over one grid, joint over several of one community.

use linli_kernel::{GridId, PartyBranchId};
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use uuid::Uuid;

use super::{GridTags, Structure};
use crate::http::contract::{Answer, errors};
use crate::http::dto::{Created, Done, Text, Timestamp};
use crate::http::pagination::{Limit, list_of, page_request};
use crate::http::security::BearerAuth;

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case", remote = "linli_grid::BranchKind")]
pub enum BranchKind {
    /// Over one grid.
    Independent,
    /// Over several neighbouring grids of one community.
    Joint,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct NewBranch {
    pub name: Text,
    pub kind: BranchKind,
    pub grid_ids: Vec<Uuid>,
}

#[derive(Object, Debug)]
pub struct Branch {
    pub id: Uuid,
    pub subdistrict_id: Uuid,
    pub community_id: Uuid,
    pub name: String,
    pub kind: BranchKind,
    /// The branch's grids that you cover.
    pub grid_ids: Vec<Uuid>,
    /// How many more grids the branch holds, outside what you cover.
    pub other_grids: u32,
    pub created_at: Timestamp,
}

impl From<linli_grid::BranchView> for Branch {
    fn from(view: linli_grid::BranchView) -> Self {
        let b = view.branch;
        Self {
            id: b.id.as_uuid(),
            subdistrict_id: b.subdistrict_id.as_uuid(),
            community_id: b.community_id.as_uuid(),
            name: b.name.to_string(),
            kind: b.kind.into(),
            grid_ids: b.grid_ids.into_iter().map(|g| g.as_uuid()).collect(),
            other_grids: u32::try_from(view.other_grids).unwrap_or(u32::MAX),
            created_at: b.created_at.into(),
        }
    }
}

list_of!(BranchList, Branch);

errors!(PartyBranchesCreate: [Auth, Post, Idempotent] {
    400: [validation_failed],
    403: [forbidden],
    404: [grid_not_found],
    409: [grid_already_in_branch, name_taken],
    422: [branch_grid_count, branch_spans_communities],
});

errors!(PartyBranchesList: [Auth, Params] { 400: [validation_failed], 404: [community_not_found] });

errors!(PartyBranchesGet: [Auth, Params] { 404: [party_branch_not_found] });

errors!(PartyBranchesDelete: [Auth, Params] { 403: [forbidden], 404: [party_branch_not_found] });

#[derive(Default)]
pub struct BranchesApi;

#[OpenApi(prefix_path = "/api/v1", tag = "GridTags::PartyBranches")]
impl BranchesApi {
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
        structure: Data<&Structure>,
        auth: BearerAuth,
        /// A retry with the same key and body gets the first answer (`idempotent-replayed:
        /// true`) and changes nothing twice; 1 to 128 visible ASCII characters.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        body: Json<NewBranch>,
    ) -> Answer<Created<Branch>, PartyBranchesCreate> {
        let grids: Vec<GridId> = body.grid_ids.iter().copied().map(GridId::from_uuid).collect();
        let branch = structure
            .branches
            .create_branch(&auth.0, &body.name, body.kind.into(), &grids)
            .await?;
        Ok(Created::Created(Json(branch.into())))
    }

    /// Party branches inside your scope
    ///
    /// Grid staff see the branch over their grid with only the grids they cover in
    /// `grid_ids` and the number of the others in `other_grids`.
    #[oai(
        path = "/party-branches",
        method = "get",
        operation_id = "party_branches_list"
    )]
    async fn list_branches(
        &self,
        structure: Data<&Structure>,
        auth: BearerAuth,
        community_id: Query<Option<Uuid>>,
        kind: Query<Option<BranchKind>>,
        limit: Query<Option<Limit>>,
        cursor: Query<Option<String>>,
    ) -> Answer<Json<BranchList>, PartyBranchesList> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let page = structure
            .branches
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
        structure: Data<&Structure>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Json<Branch>, PartyBranchesGet> {
        Ok(Json(
            structure
                .branches
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
        structure: Data<&Structure>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Done, PartyBranchesDelete> {
        structure
            .branches
            .dissolve_branch(&auth.0, PartyBranchId::from_uuid(id.0))
            .await?;
        Ok(Done::NoContent)
    }
}
