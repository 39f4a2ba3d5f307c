//! Two-way appraisal (双向考核): communities appraise the members they received, each unit gets
//! its feedback, and the district appraises units at year end.

use linli_dual_reporting::AppraisalQuery;
use linli_dual_reporting::appraisal::{self as domain, UnitIndicators as DomainIndicators};
use linli_dual_reporting::pledges::MemberBasis;
use linli_kernel::{CommunityId, UnitId, UserId};
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use uuid::Uuid;

use super::dto::ReportStatus;
use super::{DualReporting, DualReportingTags};
use crate::http::contract::{Answer, errors};
use crate::http::dto::{Created, Person, Text, Timestamp};
use crate::http::pagination::{Limit, list_of, page_request};
use crate::http::security::BearerAuth;

/// The grades of the district's appraisal: 优秀, 称职, 基本称职, 不称职.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case", remote = "linli_dual_reporting::appraisal::Grade")]
pub enum Grade {
    Excellent,
    Competent,
    BasicallyCompetent,
    Incompetent,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct NewAppraisal {
    /// The member (a user with an accepted report to your community).
    pub member_id: Uuid,
    /// The year appraised, 2000 to 2100.
    pub period: i32,
    pub grade: Grade,
    /// At most 500 characters.
    #[oai(default)]
    pub comment: Text,
}

/// A member's appraisal by the community that received them, for one year.
#[derive(Object, Debug)]
pub struct Appraisal {
    pub id: Uuid,
    pub member_id: Uuid,
    /// The accepted report appraised; null for a transferred member.
    #[oai(nullable)]
    pub member_report_id: Option<Uuid>,
    /// The transferred member's registration appraised; null for an in-service member.
    #[oai(nullable)]
    pub transferred_member_id: Option<Uuid>,
    /// Null for a transferred member, who has no unit.
    #[oai(nullable)]
    pub unit_id: Option<Uuid>,
    pub community_id: Uuid,
    pub period: i32,
    pub grade: Grade,
    pub comment: String,
    pub appraised_at: Timestamp,
}

impl From<domain::Appraisal> for Appraisal {
    fn from(a: domain::Appraisal) -> Self {
        Self {
            id: a.id.0,
            member_id: a.user_id.as_uuid(),
            member_report_id: match a.basis {
                MemberBasis::Report(report) => Some(report.as_uuid()),
                MemberBasis::Transferred(_) => None,
            },
            transferred_member_id: match a.basis {
                MemberBasis::Transferred(member) => Some(member.as_uuid()),
                MemberBasis::Report(_) => None,
            },
            unit_id: a.unit_id.map(|u| u.as_uuid()),
            community_id: a.place.community.map(|c| c.as_uuid()).unwrap_or_default(),
            period: a.period.year(),
            grade: a.grade.into(),
            comment: a.comment,
            appraised_at: a.appraised_at.into(),
        }
    }
}

list_of!(AppraisalList, Appraisal);

/// What the records say of a unit over a year.
#[derive(Object, Debug)]
pub struct UnitIndicators {
    /// Party members on the unit's rolls.
    pub roll_count: u32,
    /// Members whose report was accepted (and not withdrawn).
    pub reported_members: u32,
    /// `reported_members / roll_count` in thousandths; null without a roll.
    #[oai(nullable)]
    pub report_rate_permille: Option<u32>,
    /// Members appraised excellent for the year.
    pub members_excellent: u32,
    /// Members' pledges fulfilled (verified up to their target).
    pub pledges_fulfilled: u32,
    /// Projects with the unit's offers completed in the year.
    pub projects_completed: u32,
    /// Activities held in the unit's projects in the year.
    pub activities_held: u32,
}

impl From<DomainIndicators> for UnitIndicators {
    fn from(i: DomainIndicators) -> Self {
        Self {
            roll_count: i.roll_count,
            reported_members: i.reported_members,
            report_rate_permille: i.report_rate_permille,
            members_excellent: i.members_excellent,
            pledges_fulfilled: i.pledges_fulfilled,
            projects_completed: i.projects_completed,
            activities_held: i.activities_held,
        }
    }
}

/// A member's pledge for the year and how far it is kept.
#[derive(Object, Debug)]
pub struct PledgeProgressSummary {
    pub pledge_id: Uuid,
    pub title: String,
    pub category: String,
    pub target: u32,
    /// Records verified by the grid's staff.
    pub verified: u32,
    /// Whether the verified records reach the target.
    pub kept: bool,
}

/// What a unit is told of one of its members for a year.
#[derive(Object, Debug)]
pub struct MemberFeedback {
    pub member: Person,
    pub member_report_id: Uuid,
    pub status: ReportStatus,
    #[oai(nullable)]
    pub community_id: Option<Uuid>,
    /// `街道 / 社区`.
    #[oai(nullable)]
    pub community_name: Option<String>,
    #[oai(nullable)]
    pub grid_id: Option<Uuid>,
    #[oai(nullable)]
    pub category: Option<String>,
    #[oai(nullable)]
    pub post: Option<String>,
    /// Minutes of service recorded in the year (volunteering's ledger; zero until it lands).
    pub service_minutes: u64,
    /// Tasks completed in the year (resident requests; zero until it lands).
    pub tasks_done: u32,
    /// The member's pledges for the year.
    pub pledges: Vec<PledgeProgressSummary>,
    #[oai(nullable)]
    pub appraisal: Option<Appraisal>,
}

/// The feedback the district promises each unit (双向反馈).
#[derive(Object, Debug)]
pub struct UnitFeedback {
    pub unit_id: Uuid,
    pub period: i32,
    pub indicators: UnitIndicators,
    /// Each member's latest report, oldest first.
    pub members: Vec<MemberFeedback>,
}

impl From<domain::UnitFeedback> for UnitFeedback {
    fn from(f: domain::UnitFeedback) -> Self {
        Self {
            unit_id: f.unit_id.as_uuid(),
            period: f.period.year(),
            indicators: f.indicators.into(),
            members: f
                .members
                .into_iter()
                .map(|m| MemberFeedback {
                    member: m.member.into(),
                    member_report_id: m.report_id.as_uuid(),
                    status: m.status.into(),
                    community_id: m.community_id.map(|c| c.as_uuid()),
                    community_name: m.community_name,
                    grid_id: m.grid_id.map(|g| g.as_uuid()),
                    category: m.category.map(|c| c.to_string()),
                    post: m.post,
                    service_minutes: m.service.minutes,
                    tasks_done: m.service.tasks_done,
                    pledges: m
                        .pledges
                        .into_iter()
                        .map(|p| PledgeProgressSummary {
                            pledge_id: p.id.as_uuid(),
                            kept: p.is_kept(),
                            title: p.title,
                            category: p.category.to_string(),
                            target: p.target,
                            verified: p.verified,
                        })
                        .collect(),
                    appraisal: m.appraisal.map(Into::into),
                })
                .collect(),
        }
    }
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct NewUnitAppraisal {
    pub unit_id: Uuid,
    /// The year appraised, 2000 to 2100.
    pub period: i32,
    pub grade: Grade,
    /// At most 500 characters.
    #[oai(default)]
    pub comment: Text,
}

/// The district's year-end appraisal of a unit, with the indicators as they stood then.
#[derive(Object, Debug)]
pub struct UnitAppraisal {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub period: i32,
    pub grade: Grade,
    pub comment: String,
    pub indicators: UnitIndicators,
    pub appraised_at: Timestamp,
}

impl From<domain::UnitAppraisal> for UnitAppraisal {
    fn from(a: domain::UnitAppraisal) -> Self {
        Self {
            id: a.id.0,
            unit_id: a.unit_id.as_uuid(),
            period: a.period.year(),
            grade: a.grade.into(),
            comment: a.comment,
            indicators: a.indicators.into(),
            appraised_at: a.appraised_at.into(),
        }
    }
}

list_of!(UnitAppraisalList, UnitAppraisal);

errors!(AppraisalsCreate: [Auth, Post, Idempotent] {
    400: [validation_failed],
    403: [forbidden],
    404: [member_report_not_found],
    409: [already_appraised, member_report_state],
});

errors!(AppraisalsList: [Auth, Params] { 400: [validation_failed] });

errors!(UnitFeedbackGet: [Auth, Params] {
    400: [validation_failed],
    403: [forbidden],
    404: [unit_not_found],
});

errors!(UnitAppraisalsCreate: [Auth, Post, Idempotent] {
    400: [validation_failed],
    403: [forbidden],
    404: [unit_not_found],
    409: [already_appraised],
});

errors!(UnitAppraisalsList: [Auth, Params] { 400: [validation_failed] });

#[derive(Default)]
pub struct AppraisalsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "DualReportingTags::Appraisals")]
impl AppraisalsApi {
    /// Appraise a member
    ///
    /// An administrator over the member's community appraises a member it received, once a
    /// year; the member and the member's unit see it. No one appraises themselves. Codes:
    /// `member_report_not_found` (no accepted member of yours), `forbidden`,
    /// `member_report_state` (409: the report is not accepted yet), `already_appraised` (409),
    /// `validation_failed`.
    #[oai(path = "/appraisals", method = "post", operation_id = "appraisals_create")]
    async fn create(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        /// A retry with the same key and body gets the first answer and changes nothing twice.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        body: Json<NewAppraisal>,
    ) -> Answer<Created<Appraisal>, AppraisalsCreate> {
        let body = body.0;
        let grade: domain::Grade = body.grade.into();
        let appraisal = dual
            .appraisals
            .appraise(
                &auth.0,
                UserId::from_uuid(body.member_id),
                body.period,
                grade.as_str(),
                &body.comment,
            )
            .await?;
        Ok(Created::Created(Json(appraisal.into())))
    }

    /// Appraisals you may see
    ///
    /// Your own, those made in communities your scope covers, those of your units' members;
    /// oldest first.
    #[oai(path = "/appraisals", method = "get", operation_id = "appraisals_list")]
    #[expect(
        clippy::too_many_arguments,
        reason = "one argument per query parameter of the spec"
    )]
    async fn list(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        period: Query<Option<i32>>,
        community_id: Query<Option<Uuid>>,
        member_id: Query<Option<Uuid>>,
        limit: Query<Option<Limit>>,
        cursor: Query<Option<String>>,
    ) -> Answer<Json<AppraisalList>, AppraisalsList> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let query = AppraisalQuery {
            period: period
                .0
                .map(|p| domain::Period::new("period", p))
                .transpose()
                .map_err(crate::http::error::ApiError::from)?,
            community_id: community_id.0.map(CommunityId::from_uuid),
            member: member_id.0.map(UserId::from_uuid),
        };
        Ok(Json(dual.appraisals.list(&auth.0, query, page).await?.into()))
    }

    /// A unit's feedback for a year
    ///
    /// For the unit's admins and the district admin: each member's latest report, community,
    /// assignment, service and appraisal for the year, and the unit's indicators. Codes:
    /// `unit_not_found`, `forbidden`, `validation_failed` (a year outside 2000–2100).
    #[oai(path = "/units/:id/feedback", method = "get", operation_id = "units_feedback")]
    async fn feedback(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        id: Path<Uuid>,
        /// The year.
        period: Query<i32>,
    ) -> Answer<Json<UnitFeedback>, UnitFeedbackGet> {
        Ok(Json(
            dual.appraisals
                .feedback(&auth.0, UnitId::from_uuid(id.0), period.0)
                .await?
                .into(),
        ))
    }

    /// Appraise a unit
    ///
    /// The district admin appraises a unit once a year; the indicators computed from the
    /// records are kept beside the grade as they stood. Codes: `forbidden`, `unit_not_found`,
    /// `already_appraised` (409), `validation_failed`.
    #[oai(
        path = "/unit-appraisals",
        method = "post",
        operation_id = "unit_appraisals_create"
    )]
    async fn create_unit_appraisal(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        /// A retry with the same key and body gets the first answer and changes nothing twice.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        body: Json<NewUnitAppraisal>,
    ) -> Answer<Created<UnitAppraisal>, UnitAppraisalsCreate> {
        let body = body.0;
        let grade: domain::Grade = body.grade.into();
        let appraisal = dual
            .appraisals
            .appraise_unit(
                &auth.0,
                UnitId::from_uuid(body.unit_id),
                body.period,
                grade.as_str(),
                &body.comment,
            )
            .await?;
        Ok(Created::Created(Json(appraisal.into())))
    }

    /// Unit appraisals
    ///
    /// Every unit's for the district admin, your units' for a unit admin, none for anyone
    /// else; oldest first.
    #[oai(
        path = "/unit-appraisals",
        method = "get",
        operation_id = "unit_appraisals_list"
    )]
    async fn unit_appraisals(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        period: Query<Option<i32>>,
        limit: Query<Option<Limit>>,
        cursor: Query<Option<String>>,
    ) -> Answer<Json<UnitAppraisalList>, UnitAppraisalsList> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        Ok(Json(
            dual.appraisals
                .unit_appraisals(&auth.0, period.0, page)
                .await?
                .into(),
        ))
    }
}
