//! Dual reporting's errors in the API's terms: one status and one stable code per variant.

use linli_dual_reporting::{DualReportingError, MissingProfile};
use poem::http::StatusCode;
use serde_json::json;

use crate::http::contract::{Declared, Fail};
use crate::http::error::ApiError;

impl From<DualReportingError> for ApiError {
    fn from(error: DualReportingError) -> Self {
        use linli_dual_reporting::Resource;
        let conflict = |code| ApiError::new(StatusCode::CONFLICT, code);
        let refused = |code| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code);
        match error {
            DualReportingError::Validation(e) => e.into(),
            DualReportingError::NotFound(resource) => ApiError::not_found(match resource {
                Resource::Unit => "unit",
                Resource::UnitReport => "unit_report",
                Resource::MemberReport => "member_report",
                Resource::Community => "community",
                Resource::Grid => "grid",
                Resource::TransferredMember => "transferred_member",
            }),
            DualReportingError::Forbidden => ApiError::new(StatusCode::FORBIDDEN, "forbidden"),
            DualReportingError::GridAlreadyPaired(grid) => {
                conflict("grid_already_paired").with_details(json!({ "grid_id": grid }))
            }
            DualReportingError::UnitAlreadyReported => conflict("unit_already_reported"),
            DualReportingError::UnitReportState(status) => {
                conflict("unit_report_state").with_details(json!({ "status": status.as_str() }))
            }
            DualReportingError::CategoryTaken(key) => {
                ApiError::with_params(StatusCode::CONFLICT, "category_taken", &[("key", key.clone())])
                    .with_details(json!({ "key": key }))
            }
            DualReportingError::UnknownCategory(key) => ApiError::with_params(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_category",
                &[("key", key.clone())],
            )
            .with_details(json!({ "key": key })),
            DualReportingError::ProfileIncomplete(missing) => {
                // The real name first: it is what the member types in; the phone is bound
                // with one tap.
                let code = if missing.contains(&MissingProfile::RealName) {
                    "real_name_required"
                } else {
                    "phone_required"
                };
                refused(code).with_details(json!({ "missing": missing }))
            }
            DualReportingError::OpenReportExists => conflict("member_report_open"),
            DualReportingError::ReportState(status) => {
                conflict("member_report_state").with_details(json!({ "status": status.as_str() }))
            }
            DualReportingError::GridOutsideCommunity(grid) => {
                refused("grid_outside_community").with_details(json!({ "grid_id": grid }))
            }
            DualReportingError::AlreadyAppraised => conflict("already_appraised"),
            DualReportingError::ImportRejected { errors, count } => ApiError::with_params(
                StatusCode::UNPROCESSABLE_ENTITY,
                "import_rejected",
                &[("count", count.to_string())],
            )
            .with_details(json!({ "errors": errors, "error_count": count })),
            DualReportingError::ImportTooLarge { max_rows } => ApiError::with_params(
                StatusCode::UNPROCESSABLE_ENTITY,
                "roster_too_large",
                &[("max_rows", max_rows.to_string())],
            )
            .with_details(json!({ "max_rows": max_rows })),
            DualReportingError::TransferredMemberExists => conflict("transferred_member_exists"),
            DualReportingError::MemberReportOpen => conflict("person_has_open_report"),
            DualReportingError::PersonProfileIncomplete(missing) => {
                refused("person_profile_incomplete").with_details(json!({ "missing": missing }))
            }
            DualReportingError::PersonNotCovered => refused("person_not_covered"),
            DualReportingError::TransferState(status) => {
                conflict("transferred_member_state").with_details(json!({ "status": status.as_str() }))
            }
            DualReportingError::Unknown(e) => ApiError::internal(&e),
        }
    }
}

impl<D: Declared> From<DualReportingError> for Fail<D> {
    fn from(error: DualReportingError) -> Self {
        ApiError::from(error).into()
    }
}
