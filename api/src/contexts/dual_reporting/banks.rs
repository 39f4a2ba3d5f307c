//! The search banks' exports (信息资源库导出): the in-service member bank as a CSV file, the
//! listing's rows with the names a spreadsheet wants, streamed page by page.

use chrono::{DateTime, FixedOffset, Utc};
use linli_dual_reporting::service::{MemberBankEntry, ReportQuery};
use linli_dual_reporting::{CategoryKey, ReportStatus as Status};
use linli_kernel::page::MAX_LIMIT;
use linli_kernel::{Actor, CommunityId, GridId, Page, PageRequest, UnitId};
use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::Query;
use uuid::Uuid;

use super::dto::ReportStatus;
use super::{DualReporting, DualReportingTags};
use crate::http::contract::{Answer, errors};
use crate::http::csv_export::{CsvDownload, CsvSource, csv_download};
use crate::http::error::ApiError;
use crate::http::security::BearerAuth;

errors!(MemberReportsExport: [Auth, Params] { 400: [validation_failed] });

/// The member bank's filters, as the listing and the export take them.
pub(super) fn report_query(
    community_id: Option<Uuid>,
    unit_id: Option<Uuid>,
    status: Option<ReportStatus>,
    grid_id: Option<Uuid>,
    skill: Option<String>,
    category: Option<&str>,
) -> Result<ReportQuery, ApiError> {
    Ok(ReportQuery {
        community_id: community_id.map(CommunityId::from_uuid),
        unit_id: unit_id.map(UnitId::from_uuid),
        status: status.map(Into::into),
        grid_id: grid_id.map(GridId::from_uuid),
        skill,
        category: category.map(|c| CategoryKey::parse("category", c)).transpose()?,
    })
}

/// The member bank's columns.
const MEMBER_BANK_HEADER: [&str; 10] = [
    "姓名",
    "手机号",
    "单位",
    "社区",
    "网格",
    "状态",
    "服务类别",
    "岗位",
    "技能",
    "报到时间",
];

/// The member bank, read a page of the listing at a time with the viewer's rights.
struct MemberBank {
    dual: DualReporting,
    actor: Actor,
    query: ReportQuery,
}

impl CsvSource for MemberBank {
    async fn page(&self, after: Option<Uuid>) -> Result<Page<Vec<String>>, ApiError> {
        let page = PageRequest::new(Some(MAX_LIMIT), after)?;
        let bank = self
            .dual
            .member_reports
            .bank(&self.actor, self.query.clone(), page)
            .await?;
        Ok(Page {
            items: bank.items.into_iter().map(member_row).collect(),
            next_after: bank.next_after,
        })
    }
}

fn status_label(status: Status) -> &'static str {
    match status {
        Status::Submitted => "待接收",
        Status::Accepted => "已接收",
        Status::Rejected => "已退回",
        Status::Withdrawn => "已撤回",
    }
}

/// A time as the district reads it: China's time (UTC+8), to the minute.
fn local_time(at: DateTime<Utc>) -> String {
    FixedOffset::east_opt(8 * 3600).map_or_else(
        || at.format("%Y-%m-%d %H:%M").to_string(),
        |china| at.with_timezone(&china).format("%Y-%m-%d %H:%M").to_string(),
    )
}

/// One line: the member's name and phone exactly as the listing shows them to this viewer
/// (whole or masked).
fn member_row(entry: MemberBankEntry) -> Vec<String> {
    let MemberBankEntry {
        view,
        unit,
        community,
        grid,
        category,
    } = entry;
    let report = view.report;
    let assignment = report.assignment.as_ref();
    vec![
        view.member.real_name.or(view.member.nickname).unwrap_or_default(),
        view.member.phone.unwrap_or_default(),
        unit.unwrap_or_default(),
        community.unwrap_or_default(),
        grid.unwrap_or_default(),
        status_label(report.status).to_owned(),
        category
            .or_else(|| assignment.map(|a| a.category.to_string()))
            .unwrap_or_default(),
        assignment.map(|a| a.post.clone()).unwrap_or_default(),
        report.skills.join("、"),
        local_time(report.filed_at),
    ]
}

#[derive(Default)]
pub struct BanksApi;

#[OpenApi(prefix_path = "/api/v1")]
impl BanksApi {
    /// Export the member bank as CSV
    ///
    /// The in-service member bank (在职党员信息资源库): exactly the reports `GET
    /// /member-reports` lists to you with the same filters, every one of them (not a page),
    /// oldest first, as a CSV file streamed as it is read. Columns: 姓名, 手机号, 单位, 社区,
    /// 网格, 状态 (待接收, 已接收, 已退回, 已撤回), 服务类别, 岗位, 技能 (joined by `、`),
    /// 报到时间 (China time, to the minute). Names and phones are as the listing shows them
    /// to you, whole or masked. Someone who may see no report gets the header line alone.
    #[oai(
        path = "/member-reports/export.csv",
        method = "get",
        operation_id = "member_reports_export",
        tag = "DualReportingTags::MemberReports"
    )]
    #[expect(
        clippy::too_many_arguments,
        reason = "one argument per query parameter of the spec"
    )]
    async fn export_member_reports(
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
    ) -> Answer<CsvDownload, MemberReportsExport> {
        let query = report_query(
            community_id.0,
            unit_id.0,
            status.0,
            grid_id.0,
            skill.0,
            category.0.as_deref(),
        )?;
        let bank = MemberBank {
            dual: dual.clone(),
            actor: auth.0,
            query,
        };
        Ok(csv_download(
            &MEMBER_BANK_HEADER,
            "在职党员信息资源库.csv",
            "member-bank.csv",
            bank,
        )
        .await?)
    }
}
