//! The search banks' exports (信息资源库导出): the in-service member bank and the resource
//! bank as CSV files, the listings' rows with the names a spreadsheet wants, streamed page by
//! page.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use linli_dual_reporting::service::{
    MemberBankEntry, OfferQuery, ReportQuery, ResourceBank, ResourceBankEntry,
};
use linli_dual_reporting::{
    CategoryKey, ReportStatus as Status, ResourceKind as Kind, Validity as Period, district_today,
};
use linli_infra::db::Database;
use linli_kernel::page::MAX_LIMIT;
use linli_kernel::ports::{Directory, SystemClock};
use linli_kernel::{Actor, CommunityId, GridId, Page, PageRequest, UnitId};
use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::Query;
use uuid::Uuid;

use super::dto::ReportStatus;
use super::lists_dto::{ResourceKind, Validity};
use super::{DualReporting, DualReportingTags};
use crate::http::contract::{Answer, errors};
use crate::http::csv_export::{CsvDownload, CsvSource, csv_download};
use crate::http::error::ApiError;
use crate::http::security::BearerAuth;

errors!(MemberReportsExport: [Auth, Params] { 400: [validation_failed] });

errors!(ResourceOffersExport: [Auth, Params] { 400: [validation_failed] });

/// The resource bank over storage and the tree.
pub type Resources = ResourceBank<Database, Database, Database, Directory<Database>, SystemClock>;

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

/// The resource bank's filters, as the listing and the export take them.
pub(super) fn offer_query(
    unit_id: Option<Uuid>,
    kind: Option<ResourceKind>,
    open: Option<bool>,
    valid_on: Option<NaiveDate>,
    validity: Option<Validity>,
) -> OfferQuery {
    OfferQuery {
        unit_id: unit_id.map(UnitId::from_uuid),
        kind: kind.map(Into::into),
        open: open.unwrap_or(false),
        valid_on,
        validity: validity.map(Into::into),
    }
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

/// The resource bank's columns.
const RESOURCE_BANK_HEADER: [&str; 13] = [
    "名称",
    "类型",
    "服务类别",
    "提供单位",
    "社区",
    "网格",
    "数量",
    "计量单位",
    "剩余数量",
    "有效期开始",
    "有效期结束",
    "状态",
    "说明",
];

/// The resource bank, read a page of the offer listing at a time with the viewer's rights.
struct ResourceBankSource {
    dual: DualReporting,
    actor: Actor,
    query: OfferQuery,
}

impl CsvSource for ResourceBankSource {
    async fn page(&self, after: Option<Uuid>) -> Result<Page<Vec<String>>, ApiError> {
        let page = PageRequest::new(Some(MAX_LIMIT), after)?;
        let bank = self
            .dual
            .resource_bank
            .page(&self.actor, self.query, page)
            .await?;
        let today = district_today(Utc::now());
        Ok(Page {
            items: bank
                .items
                .into_iter()
                .map(|entry| offer_row(entry, today))
                .collect(),
            next_after: bank.next_after,
        })
    }
}

fn kind_label(kind: Kind) -> &'static str {
    match kind {
        Kind::Funds => "资金",
        Kind::Venue => "场地",
        Kind::Equipment => "设备物资",
        Kind::Volunteers => "志愿者",
        Kind::Expertise => "专业技能",
    }
}

/// An amount kept in hundredths, as people write it: `50000`, `2.5`, `0.25`.
fn decimal(hundredths: i64) -> String {
    let (whole, cents) = (hundredths / 100, (hundredths % 100).abs());
    let sign = if hundredths < 0 && whole == 0 { "-" } else { "" };
    match cents {
        0 => format!("{sign}{whole}"),
        c if c % 10 == 0 => format!("{sign}{whole}.{}", c / 10),
        c => format!("{sign}{whole}.{c:02}"),
    }
}

/// Where the offer stands on `today`: not begun, open, used up, or ended.
fn offer_state(entry: &ResourceBankEntry, today: NaiveDate) -> &'static str {
    let offer = &entry.view.offer;
    match offer.validity_on(today) {
        Period::Upcoming => "未开始",
        Period::Expired => "已过期",
        Period::Current if offer.remaining() > 0 => "可用",
        Period::Current => "已用完",
    }
}

fn offer_row(entry: ResourceBankEntry, today: NaiveDate) -> Vec<String> {
    let state = offer_state(&entry, today);
    let ResourceBankEntry {
        view,
        community,
        grid,
        category,
    } = entry;
    let offer = view.offer;
    vec![
        offer.title,
        kind_label(offer.kind).to_owned(),
        category
            .or_else(|| offer.category.as_ref().map(ToString::to_string))
            .unwrap_or_default(),
        view.unit_name,
        community.unwrap_or_default(),
        grid.unwrap_or_default(),
        decimal(offer.quantity.hundredths()),
        offer.quantity.measure().to_owned(),
        decimal((offer.quantity.hundredths() - offer.committed).max(0)),
        offer.valid_from.to_string(),
        offer.valid_until.to_string(),
        state.to_owned(),
        offer.description,
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

    /// Export the resource bank as CSV
    ///
    /// The resource bank (资源库): exactly the offers `GET /resource-offers` lists to you with
    /// the same filters, every one of them (not a page), oldest first, as a CSV file streamed
    /// as it is read. Columns: 名称, 类型 (资金, 场地, 设备物资, 志愿者, 专业技能), 服务类别,
    /// 提供单位, 社区 and 网格 (the unit's paired grid), 数量, 计量单位, 剩余数量 (what projects
    /// have not taken), 有效期开始, 有效期结束 (`YYYY-MM-DD`), 状态 (today: 未开始, 可用, 已用完,
    /// 已过期), 说明. Someone who may see no offer gets the header line alone.
    #[oai(
        path = "/resource-offers/export.csv",
        method = "get",
        operation_id = "resource_offers_export",
        tag = "DualReportingTags::ResourceOffers"
    )]
    #[expect(
        clippy::too_many_arguments,
        reason = "one argument per query parameter of the spec"
    )]
    async fn export_resource_offers(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        unit_id: Query<Option<Uuid>>,
        kind: Query<Option<ResourceKind>>,
        /// Only offers open today (valid, and not used up).
        open: Query<Option<bool>>,
        /// Only offers valid on this day (`2026-12-01`), used up or not.
        valid_on: Query<Option<NaiveDate>>,
        /// Only offers whose period has not begun (`upcoming`), has begun and not ended
        /// (`current`) or has ended (`expired`) today, in the district's time.
        validity: Query<Option<Validity>>,
    ) -> Answer<CsvDownload, ResourceOffersExport> {
        let bank = ResourceBankSource {
            dual: dual.clone(),
            actor: auth.0,
            query: offer_query(unit_id.0, kind.0, open.0, valid_on.0, validity.0),
        };
        Ok(csv_download(&RESOURCE_BANK_HEADER, "资源库.csv", "resource-bank.csv", bank).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::decimal;

    #[test]
    fn amounts_read_as_people_write_them() {
        for (hundredths, text) in [
            (5_000_000, "50000"),
            (250, "2.5"),
            (25, "0.25"),
            (1, "0.01"),
            (1_010, "10.1"),
            (0, "0"),
        ] {
            assert_eq!(decimal(hundredths), text);
        }
    }
}
