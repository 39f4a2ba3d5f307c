//! The structure's errors in the API's terms: one status and one stable code per variant.

use linli_grid::GridError;
use poem::http::StatusCode;
use serde_json::json;

use crate::http::contract::{Declared, Fail};
use crate::http::error::ApiError;

impl From<GridError> for ApiError {
    fn from(error: GridError) -> Self {
        use linli_grid::Resource;
        let message = error.to_string();
        match error {
            GridError::Validation(e) => e.into(),
            GridError::NotFound(resource) => ApiError::not_found(match resource {
                Resource::Subdistrict => "subdistrict",
                Resource::Community => "community",
                Resource::Grid => "grid",
                Resource::Building => "building",
                Resource::PartyBranch => "party_branch",
            }),
            GridError::Forbidden => ApiError::new(StatusCode::FORBIDDEN, "forbidden", message),
            GridError::NameTaken { kind, name } => ApiError::new(StatusCode::CONFLICT, "name_taken", message)
                .with_details(json!({ "name": name, "kind": kind.as_str() })),
            GridError::GridAlreadyInBranch(grid) => {
                ApiError::new(StatusCode::CONFLICT, "grid_already_in_branch", message)
                    .with_details(json!({ "grid_id": grid }))
            }
            GridError::BranchSpansCommunities => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "branch_spans_communities",
                message,
            ),
            GridError::BranchGridCount => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "branch_grid_count", message)
            }
            GridError::BuildingOutsideGrid(building) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "building_outside_grid", message)
                    .with_details(json!({ "building_id": building }))
            }
            GridError::InvitationRequired(users) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invitation_required",
                "所列人员须先通过任命邀请（POST /role-grants）并接受后，才能加入网格队伍",
            )
            .with_details(json!({ "user_ids": users })),
            GridError::SelfGrant => ApiError::new(StatusCode::FORBIDDEN, "self_grant", "不能给自己授予角色"),
            GridError::ImportRejected { errors, count } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "import_rejected", message)
                    .with_details(json!({ "errors": errors, "error_count": count }))
            }
            GridError::ImportTooLarge { max_rows } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "import_too_large", message)
                    .with_details(json!({ "max_rows": max_rows }))
            }
            GridError::Unknown(e) => ApiError::internal(&e),
        }
    }
}

impl<D: Declared> From<GridError> for Fail<D> {
    fn from(error: GridError) -> Self {
        ApiError::from(error).into()
    }
}
