//! Resident requests' errors in the API's terms: one status and one stable code per variant.

use linli_resident_requests::{RequestError, Resource};
use poem::http::StatusCode;
use serde_json::json;

use crate::http::contract::{Declared, Fail};
use crate::http::error::ApiError;

impl From<RequestError> for ApiError {
    fn from(error: RequestError) -> Self {
        let conflict = |code| ApiError::new(StatusCode::CONFLICT, code);
        let refused = |code| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code);
        let forbidden = |code| ApiError::new(StatusCode::FORBIDDEN, code);
        match error {
            RequestError::Validation(e) => e.into(),
            RequestError::NotFound(resource) => ApiError::not_found(match resource {
                Resource::Request => "request",
                Resource::Task => "task",
                Resource::Category => "request_category",
                Resource::Building => "building",
                Resource::Grid => "grid",
            }),
            RequestError::Forbidden => forbidden("forbidden"),
            RequestError::CategoryTaken(key) => ApiError::with_params(
                StatusCode::CONFLICT,
                "request_category_taken",
                &[("key", key.clone())],
            )
            .with_details(json!({ "key": key })),
            RequestError::UnknownCategory(key) => ApiError::with_params(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_request_category",
                &[("key", key.clone())],
            )
            .with_details(json!({ "key": key })),
            RequestError::LocationRequired => refused("location_required"),
            RequestError::ContentRejected => refused("content_rejected"),
            RequestError::ContentCheckUnavailable(e) => {
                tracing::warn!(error = format!("{e:#}"), "the content check is unavailable");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "content_check_unavailable")
            }
            RequestError::PhotoNotUploaded(photo) => {
                refused("photo_not_uploaded").with_details(json!({ "photo": photo }))
            }
            RequestError::RequestState(status) => {
                conflict("request_state").with_details(json!({ "status": status.as_str() }))
            }
            RequestError::Changed => conflict("request_changed"),
            RequestError::TaskState(status) => {
                conflict("task_state").with_details(json!({ "status": status.as_str() }))
            }
            RequestError::TaskAlreadyClaimed => conflict("task_already_claimed"),
            RequestError::NotClaimant => forbidden("not_claimant"),
            RequestError::OwnTask => forbidden("own_task"),
            RequestError::OwnRequest => forbidden("own_request"),
            RequestError::ClaimNotAllowed => forbidden("claim_not_allowed"),
            RequestError::TeamUnknown => refused("team_unknown"),
            RequestError::TasksUnfinished => conflict("tasks_unfinished"),
            RequestError::MergeTarget => refused("merge_target_invalid"),
            RequestError::NotAuthor => forbidden("not_author"),
            RequestError::Unknown(e) => ApiError::internal(&e),
        }
    }
}

impl<D: Declared> From<RequestError> for Fail<D> {
    fn from(error: RequestError) -> Self {
        ApiError::from(error).into()
    }
}
