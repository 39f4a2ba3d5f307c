//! The bodies and answers of dual reporting's operations.

use linli_dual_reporting::service::{MemberReportView, UnitView};
use poem_openapi::{Enum, Object};
use uuid::Uuid;

use crate::http::dto::{Person, Text, Timestamp};
use crate::http::pagination::list_of;

/// What kind of body a unit is.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case", remote = "linli_dual_reporting::UnitKind")]
pub enum UnitKind {
    /// A provincial Party or government organ (省直机关).
    ProvincialOrgan,
    /// A municipal Party or government organ (市直机关).
    MunicipalOrgan,
    /// A state-owned enterprise.
    StateEnterprise,
    /// A public institution (事业单位): a school, a hospital…
    Institution,
    /// A private enterprise (非公企业).
    PrivateEnterprise,
    /// A social organisation (社会组织).
    SocialOrganisation,
}

/// Where a unit's report to its grid stands.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case", remote = "linli_dual_reporting::UnitReportStatus")]
pub enum UnitReportStatus {
    /// Filed, waiting for the community to accept it.
    Submitted,
    /// Accepted by an administrator over the grid's community.
    Accepted,
}

/// Where a member report stands: `submitted → accepted | rejected`, `accepted → withdrawn`; a
/// submitted report may be withdrawn too. A member has one open (submitted or accepted) report
/// at most.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case", remote = "linli_dual_reporting::ReportStatus")]
pub enum ReportStatus {
    /// Filed, waiting for the community.
    Submitted,
    /// Received: the member is assigned a grid, a category and a post, and is a
    /// `party_member` of the community.
    Accepted,
    /// Refused, with a reason.
    Rejected,
    /// Withdrawn by the member or the community (the member moved or left); an accepted
    /// member loses `party_member` there.
    Withdrawn,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct NewCategory {
    /// 1 to 32 lowercase letters, digits or `_`, starting with a letter, e.g. `elderly_help`.
    pub key: Text,
    pub name: Text,
}

/// A category of service members are assigned to and teams specialise in.
#[derive(Object, Debug)]
pub struct ServiceCategory {
    pub key: String,
    pub name: String,
    pub created_at: Timestamp,
}

impl From<linli_dual_reporting::ServiceCategory> for ServiceCategory {
    fn from(c: linli_dual_reporting::ServiceCategory) -> Self {
        Self {
            key: c.key.to_string(),
            name: c.name,
            created_at: c.created_at.into(),
        }
    }
}

#[derive(Object, Debug)]
pub struct ServiceCategoryList {
    /// By key.
    pub items: Vec<ServiceCategory>,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct NewUnit {
    pub name: Text,
    pub kind: UnitKind,
    /// The unit's Party organisation, e.g. `中共某某局机关委员会`.
    pub party_organisation: Text,
    pub contact_name: Text,
    /// A mobile number, or a landline with its area code (`0531-88888888`).
    pub contact_phone: Text,
    /// How many Party members the unit has on its rolls (0 to 100000).
    pub roll_count: i64,
    /// The grid the unit is paired with; a grid is paired with one unit at most.
    pub grid_id: Uuid,
}

/// A unit's report (报到) to its paired grid.
#[derive(Object, Debug)]
pub struct UnitReport {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub grid_id: Uuid,
    pub status: UnitReportStatus,
    pub filed_by: Uuid,
    pub filed_at: Timestamp,
    #[oai(nullable)]
    pub accepted_by: Option<Uuid>,
    #[oai(nullable)]
    pub accepted_at: Option<Timestamp>,
}

impl From<linli_dual_reporting::UnitReport> for UnitReport {
    fn from(r: linli_dual_reporting::UnitReport) -> Self {
        Self {
            id: r.id.as_uuid(),
            unit_id: r.unit_id.as_uuid(),
            grid_id: r.grid.grid.map(|g| g.as_uuid()).unwrap_or_default(),
            status: r.status.into(),
            filed_by: r.filed_by.as_uuid(),
            filed_at: r.filed_at.into(),
            accepted_by: r.accepted_by.map(|u| u.as_uuid()),
            accepted_at: r.accepted_at.map(Into::into),
        }
    }
}

/// A unit stationed in the district. Everyone logged in sees its name, kind, Party
/// organisation and grid (a member picks their unit from the list). Its contact, roll count
/// and report only its admins and the staff over its grid see: for anyone else `restricted`
/// is true and `contact_name`, `contact_phone`, `roll_count` and `report` are null.
#[derive(Object, Debug)]
pub struct Unit {
    pub id: Uuid,
    pub name: String,
    pub kind: UnitKind,
    pub party_organisation: String,
    /// The paired grid.
    pub grid_id: Uuid,
    pub community_id: Uuid,
    /// Null when `restricted`.
    #[oai(nullable)]
    pub contact_name: Option<String>,
    /// Null when `restricted`.
    #[oai(nullable)]
    pub contact_phone: Option<String>,
    /// Party members on the unit's rolls; null when `restricted`.
    #[oai(nullable)]
    pub roll_count: Option<u32>,
    /// The unit's report to its grid: null before it reports, and when `restricted`.
    #[oai(nullable)]
    pub report: Option<UnitReport>,
    /// Whether contact, roll count and report were withheld from you.
    pub restricted: bool,
    pub created_at: Timestamp,
}

impl From<linli_dual_reporting::Unit> for Unit {
    fn from(unit: linli_dual_reporting::Unit) -> Self {
        Self::from(UnitView {
            unit,
            report: None,
            restricted: false,
        })
    }
}

impl From<UnitView> for Unit {
    fn from(view: UnitView) -> Self {
        let u = view.unit;
        let shown = !view.restricted;
        Self {
            id: u.id.as_uuid(),
            name: u.name,
            kind: u.kind.into(),
            party_organisation: u.party_organisation,
            grid_id: u.grid.grid.map(|g| g.as_uuid()).unwrap_or_default(),
            community_id: u.grid.community.map(|c| c.as_uuid()).unwrap_or_default(),
            contact_name: shown.then_some(u.contact_name),
            contact_phone: shown.then_some(u.contact_phone),
            roll_count: shown.then_some(u.roll_count),
            report: view.report.filter(|_| shown).map(Into::into),
            restricted: view.restricted,
            created_at: u.created_at.into(),
        }
    }
}

list_of!(UnitList, Unit);

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct NewMemberReport {
    /// The unit where the member works.
    pub unit_id: Uuid,
    /// The community where the member lives.
    pub community_id: Uuid,
    /// What the member can do, e.g. `法律咨询`: at most 10, each at most 16 characters.
    #[oai(default)]
    pub skills: Vec<Text>,
    /// When the member is free, e.g. `周末`; at most 64 characters.
    #[oai(default)]
    pub availability: Text,
    /// At most 200 characters.
    #[oai(default)]
    pub note: Text,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct MemberReportAcceptance {
    /// A grid of the report's community, whose "N" the member joins.
    pub grid_id: Uuid,
    /// The key of a service category.
    pub category: Text,
    /// The member's post, e.g. `楼道长`, `网格党员志愿者`; 1 to 32 characters.
    pub post: Text,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct MemberReportRejection {
    /// Why, for the member: 1 to 200 characters.
    pub reason: Text,
}

#[derive(Object, Debug, Default)]
#[oai(deny_unknown_fields)]
pub struct MemberReportWithdrawal {
    /// Why (at most 200 characters); optional.
    #[oai(default)]
    pub reason: Option<Text>,
}

/// An in-service Party member's report to the community where they live, with the member:
/// whole for the member, the staff over the community and the unit's admins.
#[derive(Object, Debug)]
pub struct MemberReport {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub community_id: Uuid,
    /// The grid the member was assigned to; null until accepted.
    #[oai(nullable)]
    pub grid_id: Option<Uuid>,
    pub status: ReportStatus,
    pub skills: Vec<String>,
    pub availability: String,
    pub note: String,
    /// The key of the service category assigned; null until accepted.
    #[oai(nullable)]
    pub category: Option<String>,
    /// The post assigned; null until accepted.
    #[oai(nullable)]
    pub post: Option<String>,
    /// Why it was rejected or withdrawn; null otherwise.
    #[oai(nullable)]
    pub reason: Option<String>,
    pub filed_at: Timestamp,
    /// When it was accepted, rejected or withdrawn; null while submitted.
    #[oai(nullable)]
    pub decided_at: Option<Timestamp>,
    pub member: Person,
}

impl From<MemberReportView> for MemberReport {
    fn from(view: MemberReportView) -> Self {
        let r = view.report;
        let assignment = r.assignment.as_ref();
        Self {
            id: r.id.as_uuid(),
            unit_id: r.unit_id.as_uuid(),
            community_id: r.community_id().map(|c| c.as_uuid()).unwrap_or_default(),
            grid_id: assignment.map(|a| a.grid_id.as_uuid()),
            status: r.status.into(),
            category: assignment.map(|a| a.category.to_string()),
            post: assignment.map(|a| a.post.clone()),
            skills: r.skills,
            availability: r.availability,
            note: r.note,
            reason: r.reason,
            filed_at: r.filed_at.into(),
            decided_at: r.decided_at.map(Into::into),
            member: view.member.into(),
        }
    }
}

list_of!(MemberReportList, MemberReport);
