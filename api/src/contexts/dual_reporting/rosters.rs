//! Units' rosters (名册): the unit's admin uploads who is on its rolls, and sees by name who has
//! not yet reported.

use linli_dual_reporting::roster::RosterStatus as DomainRosterStatus;
use linli_dual_reporting::service::{RosterEntryView, RosterListing as DomainListing};
use linli_kernel::UnitId;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use uuid::Uuid;

use super::dto::ReportStatus;
use super::{DualReporting, DualReportingTags};
use crate::http::contract::{Answer, errors};
use crate::http::csv::CsvUpload;
use crate::http::dto::Timestamp;
use crate::http::pagination::{Limit, encode_cursor, page_request};
use crate::http::security::BearerAuth;

/// Who the listing keeps.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(
    rename_all = "snake_case",
    remote = "linli_dual_reporting::roster::RosterStatus"
)]
pub enum RosterStatus {
    /// Those with an open report (submitted or accepted) naming the unit.
    Reported,
    /// Those without: never reported, or only rejected or withdrawn reports.
    NotReported,
}

/// A unit's roster as last uploaded.
#[derive(Object, Debug)]
pub struct Roster {
    pub unit_id: Uuid,
    /// How many people it names.
    pub entries: u32,
    pub uploaded_by: Uuid,
    pub uploaded_at: Timestamp,
}

impl From<linli_dual_reporting::roster::Roster> for Roster {
    fn from(r: linli_dual_reporting::roster::Roster) -> Self {
        Self {
            unit_id: r.unit_id.as_uuid(),
            entries: r.entries,
            uploaded_by: r.uploaded_by.as_uuid(),
            uploaded_at: r.uploaded_at.into(),
        }
    }
}

/// Where and how the person reported: the report matched to them (naming the unit, filed by
/// a user whose bound phone is theirs; the open one if any, else the latest).
#[derive(Object, Debug)]
pub struct RosterReport {
    /// The report, for those who may open it (the unit's admins, staff over its community);
    /// null for anyone else, who is told only where and in what state.
    #[oai(nullable)]
    pub member_report_id: Option<Uuid>,
    #[oai(nullable)]
    pub community_id: Option<Uuid>,
    #[oai(nullable)]
    pub community_name: Option<String>,
    pub status: ReportStatus,
}

/// One person on the roster: whole for the unit's admins and for staff over the community the
/// person reported to; masked (`王**`, `139****0002`) for anyone else.
#[derive(Object, Debug)]
pub struct RosterEntry {
    pub id: Uuid,
    /// The line of the file it came from (the header is line 1).
    pub line: u32,
    pub name: String,
    pub phone: String,
    /// Whether name and phone were masked for you.
    pub masked: bool,
    /// Whether the person has an open report (submitted or accepted) naming the unit.
    pub reported: bool,
    /// Null when no report naming the unit matches the person's phone.
    #[oai(nullable)]
    pub report: Option<RosterReport>,
}

impl From<RosterEntryView> for RosterEntry {
    fn from(v: RosterEntryView) -> Self {
        Self {
            id: v.entry.id.as_uuid(),
            line: v.entry.line,
            name: v.entry.name,
            phone: v.entry.phone,
            masked: v.masked,
            reported: v.reported,
            report: v.report.map(|r| RosterReport {
                member_report_id: r.member_report_id.map(|id| id.as_uuid()),
                community_id: r.community_id.map(|c| c.as_uuid()),
                community_name: r.community_name,
                status: r.status.into(),
            }),
        }
    }
}

/// A page of a unit's roster, in the order of the file.
#[derive(Object, Debug)]
pub struct RosterListing {
    /// The roster as last uploaded; null before the first upload.
    #[oai(nullable)]
    pub roster: Option<Roster>,
    pub items: Vec<RosterEntry>,
    /// Pass as `cursor` for the next page; null on the last page.
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

impl From<DomainListing> for RosterListing {
    fn from(l: DomainListing) -> Self {
        Self {
            roster: l.roster.map(Into::into),
            next_cursor: encode_cursor(l.entries.next_after),
            items: l.entries.items.into_iter().map(Into::into).collect(),
        }
    }
}

errors!(UnitRostersReplace: [Auth, Params, Body] {
    400: [file_expected],
    403: [forbidden],
    404: [unit_not_found],
    422: [import_rejected, roster_too_large],
});

errors!(UnitRostersGet: [Auth, Params] {
    400: [validation_failed],
    403: [forbidden],
    404: [unit_not_found],
});

#[derive(Default)]
pub struct RostersApi;

#[OpenApi(prefix_path = "/api/v1", tag = "DualReportingTags::Rosters")]
impl RostersApi {
    /// Upload the unit's roster
    ///
    /// The unit's admins only (`forbidden`, 403, before the file is read). The body is the CSV
    /// file (`text/csv`, UTF-8 or GBK), or a form (`multipart/form-data`) with it in the field
    /// `file` (`LINLI_UPLOAD_FIELD`; none there, or a second file, is `file_expected`, 400),
    /// at most 4 MiB either way (`payload_too_large`, 413): a header naming the columns `name,phone` (or `姓名,手机号`; `手机`, `手机号码`,
    /// `电话`, `联系电话` and `党员姓名` work too; other columns are ignored), then one person per
    /// line. A phone is a mainland mobile number (11 digits starting with 1; spaces, hyphens
    /// and a leading `+86` are dropped), once per file.
    ///
    /// The file replaces the unit's roster whole, or changes nothing: a file with any bad line
    /// answers `import_rejected` (422) with the first 100 errors (by line, each with its `code`:
    /// `invalid_value`, `duplicate_in_file`, `missing_columns`, `unreadable_row`, `no_rows`) in
    /// `details.errors` and their total in `details.error_count`. More rows than
    /// `LINLI_IMPORT_MAX_ROWS` (10,000 by default) answer `roster_too_large` (422,
    /// `details.max_rows`). Names and phones are stored encrypted.
    #[oai(
        path = "/units/:id/roster",
        method = "put",
        operation_id = "unit_rosters_replace"
    )]
    async fn replace(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        id: Path<Uuid>,
        file: CsvUpload,
    ) -> Answer<Json<Roster>, UnitRostersReplace> {
        let unit = UnitId::from_uuid(id.0);
        // Refused callers are answered before the file is parsed.
        dual.rosters.check_upload(&auth.0, unit).await?;
        let text = file.read_text().await?;
        let roster = dual.rosters.replace(&auth.0, unit, &text).await?;
        Ok(Json(roster.into()))
    }

    /// The unit's roster, and who has reported
    ///
    /// Each person on the roster with whether and where they reported: the report naming the
    /// unit filed by a user whose bound phone is theirs (`status=reported` keeps those with an
    /// open one, `status=not_reported` the others), in the order of the file. The unit's
    /// admins see everyone whole. Staff over the unit's paired grid (and above it) may read the
    /// roster too, but see a person whole only if they reported to a community in their scope,
    /// masked otherwise. Anyone else: `forbidden` (403). Codes also: `unit_not_found`.
    #[oai(path = "/units/:id/roster", method = "get", operation_id = "unit_rosters_get")]
    async fn get(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        id: Path<Uuid>,
        status: Query<Option<RosterStatus>>,
        limit: Query<Option<Limit>>,
        cursor: Query<Option<String>>,
    ) -> Answer<Json<RosterListing>, UnitRostersGet> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let status: Option<DomainRosterStatus> = status.0.map(Into::into);
        let listing = dual
            .rosters
            .list(&auth.0, UnitId::from_uuid(id.0), status, page)
            .await?;
        Ok(Json(listing.into()))
    }
}
