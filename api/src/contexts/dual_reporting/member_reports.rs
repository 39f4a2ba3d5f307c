//! In-service Party members' reports to the community where they live.

use linli_dual_reporting::MemberReportId;
use linli_kernel::{CommunityId, GridId, UnitId};
use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use uuid::Uuid;

use super::banks::report_query;
use super::dto::{
    MemberReport, MemberReportAcceptance, MemberReportList, MemberReportRejection, MemberReportWithdrawal,
    NewMemberReport, ReportStatus,
};
use super::{DualReporting, DualReportingTags};
use crate::http::contract::{Answer, errors};
use crate::http::dto::Created;
use crate::http::pagination::{Limit, page_request};
use crate::http::security::BearerAuth;

errors!(MemberReportsFile: [Auth, Post, Idempotent] {
    400: [validation_failed],
    404: [unit_not_found, community_not_found],
    409: [member_report_open, transferred_member_exists],
    422: [real_name_required, phone_required],
});

errors!(MemberReportsList: [Auth, Params] { 400: [validation_failed] });

errors!(MemberReportsGet: [Auth, Params] { 404: [member_report_not_found] });

errors!(MemberReportsAccept: [Auth, Params, Post] {
    400: [validation_failed],
    403: [forbidden],
    404: [member_report_not_found],
    409: [member_report_state],
    422: [unknown_category, grid_outside_community],
});

errors!(MemberReportsReject: [Auth, Params, Post] {
    400: [validation_failed],
    403: [forbidden],
    404: [member_report_not_found],
    409: [member_report_state],
});

errors!(MemberReportsWithdraw: [Auth, Params, Post] {
    400: [validation_failed],
    403: [forbidden],
    404: [member_report_not_found],
    409: [member_report_state],
});

#[derive(Default)]
pub struct MemberReportsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "DualReportingTags::MemberReports")]
impl MemberReportsApi {
    /// File your report
    ///
    /// An in-service Party member reports to the community where they live. You must first
    /// give your real name (`PATCH /me`) and bind a phone (`POST /me/phone`): otherwise
    /// `real_name_required` (422; also when the phone is missing too) or `phone_required`
    /// (422), `details.missing` listing all that is missing (`real_name`, `phone`). One open
    /// (submitted or accepted) report at a time: `member_report_open` (409). A transferred
    /// member (registered by their community, `POST /transferred-members`) does not also
    /// report: `transferred_member_exists` (409). Codes also:
    /// `unit_not_found`, `community_not_found`, `validation_failed`.
    #[oai(
        path = "/member-reports",
        method = "post",
        operation_id = "member_reports_file"
    )]
    async fn file(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        /// A retry with the same key and body gets the first answer (`idempotent-replayed:
        /// true`) and files nothing twice; 1 to 128 visible ASCII characters.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        body: Json<NewMemberReport>,
    ) -> Answer<Created<MemberReport>, MemberReportsFile> {
        let body = body.0;
        let view = dual
            .member_reports
            .file(
                &auth.0,
                linli_dual_reporting::NewMemberReport {
                    unit_id: UnitId::from_uuid(body.unit_id),
                    community_id: CommunityId::from_uuid(body.community_id),
                    skills: body.skills.into_iter().map(String::from).collect(),
                    availability: body.availability.into(),
                    note: body.note.into(),
                },
            )
            .await?;
        Ok(Created::Created(Json(view.into())))
    }

    /// Member reports you may see
    ///
    /// Reports to communities your scope covers, reports of the units you administer, and
    /// your own; oldest first, narrowed by the optional filters. Everyone else's is not
    /// listed (an empty list, not an error).
    #[oai(
        path = "/member-reports",
        method = "get",
        operation_id = "member_reports_list"
    )]
    #[expect(
        clippy::too_many_arguments,
        reason = "one argument per query parameter of the spec"
    )]
    async fn list(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        community_id: Query<Option<Uuid>>,
        unit_id: Query<Option<Uuid>>,
        status: Query<Option<ReportStatus>>,
        /// The grid the member was assigned to.
        grid_id: Query<Option<Uuid>>,
        /// One of the member's skills, matched whole.
        skill: Query<Option<String>>,
        /// The service category the member was assigned to.
        category: Query<Option<String>>,
        limit: Query<Option<Limit>>,
        cursor: Query<Option<String>>,
    ) -> Answer<Json<MemberReportList>, MemberReportsList> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let query = report_query(
            community_id.0,
            unit_id.0,
            status.0,
            grid_id.0,
            skill.0,
            category.0.as_deref(),
        )?;
        Ok(Json(dual.member_reports.list(&auth.0, query, page).await?.into()))
    }

    /// A member report
    ///
    /// Its member, the staff over its community and the admins of its unit see it; for anyone
    /// else `member_report_not_found` (404).
    #[oai(
        path = "/member-reports/:id",
        method = "get",
        operation_id = "member_reports_get"
    )]
    async fn get(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Json<MemberReport>, MemberReportsGet> {
        Ok(Json(
            dual.member_reports
                .get(&auth.0, MemberReportId::from_uuid(id.0))
                .await?
                .into(),
        ))
    }

    /// Accept a member report
    ///
    /// An administrator over the report's community assigns the member a grid of it, a
    /// service category and a post; the member becomes a `party_member` of the community.
    /// Of two accepting at once, one succeeds and the other is told `member_report_state`
    /// (409, `details.status`). Codes also: `member_report_not_found` (404, also outside your
    /// scope), `forbidden` (you see it but may not decide), `unknown_category` (422),
    /// `grid_outside_community` (422), `validation_failed`.
    #[oai(
        path = "/member-reports/:id/accept",
        method = "post",
        operation_id = "member_reports_accept"
    )]
    async fn accept(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<MemberReportAcceptance>,
    ) -> Answer<Json<MemberReport>, MemberReportsAccept> {
        let body = body.0;
        let view = dual
            .member_reports
            .accept(
                &auth.0,
                MemberReportId::from_uuid(id.0),
                GridId::from_uuid(body.grid_id),
                &body.category,
                &body.post,
            )
            .await?;
        Ok(Json(view.into()))
    }

    /// Reject a member report
    ///
    /// An administrator over the report's community, with a reason the member sees. Codes:
    /// `member_report_not_found`, `forbidden`, `member_report_state` (409: not submitted;
    /// `details.status`), `validation_failed`.
    #[oai(
        path = "/member-reports/:id/reject",
        method = "post",
        operation_id = "member_reports_reject"
    )]
    async fn reject(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<MemberReportRejection>,
    ) -> Answer<Json<MemberReport>, MemberReportsReject> {
        let view = dual
            .member_reports
            .reject(&auth.0, MemberReportId::from_uuid(id.0), &body.reason)
            .await?;
        Ok(Json(view.into()))
    }

    /// Withdraw a member report
    ///
    /// The member themselves, or an administrator over the community, withdraws an open
    /// report (the member moved or left); an accepted member loses `party_member` there and
    /// may report anew. Codes: `member_report_not_found`, `forbidden`,
    /// `member_report_state` (409: rejected or withdrawn already; `details.status`),
    /// `validation_failed`.
    #[oai(
        path = "/member-reports/:id/withdraw",
        method = "post",
        operation_id = "member_reports_withdraw"
    )]
    async fn withdraw(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<MemberReportWithdrawal>,
    ) -> Answer<Json<MemberReport>, MemberReportsWithdraw> {
        let reason = body.0.reason.map(String::from).unwrap_or_default();
        let view = dual
            .member_reports
            .withdraw(&auth.0, MemberReportId::from_uuid(id.0), &reason)
            .await?;
        Ok(Json(view.into()))
    }
}
