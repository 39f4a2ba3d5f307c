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
                Resource::Subdistrict => "subdistrict",
                Resource::ResourceOffer => "resource_offer",
                Resource::Need => "need",
                Resource::Project => "project",
                Resource::Pledge => "pledge",
                Resource::Fulfilment => "fulfilment",
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
            DualReportingError::OfferNotOpen(offer) => {
                conflict("resource_offer_not_open").with_details(json!({ "offer_id": offer.as_uuid() }))
            }
            DualReportingError::OfferShort(offer) => {
                conflict("resource_offer_short").with_details(json!({ "offer_id": offer.as_uuid() }))
            }
            DualReportingError::NeedState(status) => {
                conflict("need_state").with_details(json!({ "status": status.as_str() }))
            }
            DualReportingError::ProjectState(status) => {
                conflict("project_state").with_details(json!({ "status": status.as_str() }))
            }
            DualReportingError::ProjectUnsigned(pending) => {
                let pending: Vec<_> = pending
                    .iter()
                    .map(|party| match party {
                        linli_dual_reporting::Party::Need => json!({ "side": "need", "unit_id": null }),
                        linli_dual_reporting::Party::Unit(unit) => json!({ "side": "unit", "unit_id": unit }),
                    })
                    .collect();
                conflict("project_unsigned").with_details(json!({ "pending": pending }))
            }
            DualReportingError::AlreadySigned => conflict("project_already_signed"),
            DualReportingError::AlreadyAppraised => conflict("already_appraised"),
            DualReportingError::NotAReportedMember => {
                ApiError::new(StatusCode::FORBIDDEN, "not_a_reported_member")
            }
            DualReportingError::PledgePeriod(period) => ApiError::with_params(
                StatusCode::CONFLICT,
                "pledge_period_closed",
                &[("period", period.year().to_string())],
            )
            .with_details(json!({ "period": period.year() })),
            DualReportingError::PledgeLimit { max } => {
                ApiError::with_params(StatusCode::CONFLICT, "pledge_limit", &[("max", max.to_string())])
                    .with_details(json!({ "max": max }))
            }
            DualReportingError::PledgeTargetReached => conflict("pledge_target_reached"),
            DualReportingError::FulfilmentState(status) => {
                conflict("fulfilment_state").with_details(json!({ "status": status.as_str() }))
            }
            DualReportingError::OwnFulfilment => ApiError::new(StatusCode::FORBIDDEN, "own_fulfilment"),
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
