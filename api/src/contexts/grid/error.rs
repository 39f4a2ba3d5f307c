//! The structure's errors in the API's terms: one status and one stable code per variant.

use linli_grid::GridError;
use poem::http::StatusCode;
use serde_json::json;

use crate::http::contract::{Declared, Fail};
use crate::http::error::ApiError;

impl From<GridError> for ApiError {
    fn from(error: GridError) -> Self {
        use linli_grid::Resource;
        let refused = |code| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code);
        match error {
            GridError::Validation(e) => e.into(),
            GridError::NotFound(resource) => ApiError::not_found(match resource {
                Resource::Subdistrict => "subdistrict",
                Resource::Community => "community",
                Resource::Grid => "grid",
                Resource::Building => "building",
                Resource::PartyBranch => "party_branch",
            }),
            GridError::Forbidden => ApiError::new(StatusCode::FORBIDDEN, "forbidden"),
            GridError::NameTaken { kind, name } => {
                ApiError::with_params(StatusCode::CONFLICT, "name_taken", &[("name", name.clone())])
                    .with_details(json!({ "name": name, "kind": kind.as_str() }))
            }
            GridError::GridAlreadyInBranch(grid) => {
                ApiError::new(StatusCode::CONFLICT, "grid_already_in_branch")
                    .with_details(json!({ "grid_id": grid }))
            }
            GridError::BranchSpansCommunities => refused("branch_spans_communities"),
            GridError::BranchGridCount => refused("branch_grid_count"),
            GridError::BuildingOutsideGrid(building) => {
                refused("building_outside_grid").with_details(json!({ "building_id": building }))
            }
            GridError::InvitationRequired(users) => {
                refused("invitation_required").with_details(json!({ "user_ids": users }))
            }
            GridError::ImportRejected { errors, count } => ApiError::with_params(
                StatusCode::UNPROCESSABLE_ENTITY,
                "import_rejected",
                &[("count", count.to_string())],
            )
            .with_details(json!({ "errors": errors, "error_count": count })),
            GridError::ImportTooLarge { max_rows } => ApiError::with_params(
                StatusCode::UNPROCESSABLE_ENTITY,
                "import_too_large",
                &[("max_rows", max_rows.to_string())],
            )
            .with_details(json!({ "max_rows": max_rows })),
            GridError::Unknown(e) => ApiError::internal(&e),
        }
    }
}

impl<D: Declared> From<GridError> for Fail<D> {
    fn from(error: GridError) -> Self {
        ApiError::from(error).into()
    }
}
