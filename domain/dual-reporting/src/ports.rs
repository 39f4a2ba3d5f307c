//! What dual reporting needs from storage, one port per aggregate. Each write takes the events
//! it causes and stores both in one transaction. The tree (communities, grids) is read through
//! the kernel's `ScopeDirectory`, people through its `PersonDirectory`, and the `party_member`
//! grant an accepted report gives through its `GrantStore`: identity keeps them.

use std::future::Future;

use linli_kernel::actor::Reach;
use linli_kernel::{CommunityId, DomainEvent, GridId, Page, PageRequest, UnitId, UserId};

use crate::appraisal::{Appraisal, Period, UnitAppraisal};
use crate::error::WriteError;

mod lists;
use crate::models::{
    CategoryKey, MemberReport, MemberReportId, ReportStatus, ServiceCategory, TransferredMemberId, Unit,
    UnitReport, UnitReportId,
};
use crate::pledges::{Fulfilment, FulfilmentId, Pledge, PledgeId};
use crate::roster::{Roster, RosterEntry, RosterLine, RosterStatus};
use crate::transferred::{TransferStatus, TransferredMember};
pub use lists::{
    ListReach, NeedFilter, NeedRepository, OfferFilter, OfferRepository, ProjectFilter, ProjectRepository,
};

/// Units and their reports. A grid is paired with one unit at most
/// ([`WriteError::GridAlreadyPaired`]); a unit reports once ([`WriteError::UnitAlreadyReported`]).
pub trait UnitRepository: Send + Sync + 'static {
    fn insert_unit(
        &self,
        unit: &Unit,
        events: &[DomainEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
    fn find_unit(&self, id: UnitId) -> impl Future<Output = anyhow::Result<Option<Unit>>> + Send;
    /// The units among `ids` that exist, in no particular order.
    fn find_units(&self, ids: &[UnitId]) -> impl Future<Output = anyhow::Result<Vec<Unit>>> + Send;
    /// Every unit, oldest first. Units are no secret: a member picks theirs from the list.
    fn list_units(&self, page: PageRequest) -> impl Future<Output = anyhow::Result<Page<Unit>>> + Send;

    fn insert_unit_report(
        &self,
        report: &UnitReport,
        events: &[DomainEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
    fn find_unit_report(
        &self,
        id: UnitReportId,
    ) -> impl Future<Output = anyhow::Result<Option<UnitReport>>> + Send;
    fn unit_report_of(&self, unit: UnitId)
    -> impl Future<Output = anyhow::Result<Option<UnitReport>>> + Send;
    /// Stores the accepted `report` if the stored one is still submitted; `false` if not
    /// (someone accepted it first).
    fn accept_unit_report(
        &self,
        report: &UnitReport,
        events: &[DomainEvent],
    ) -> impl Future<Output = anyhow::Result<bool>> + Send;
}

/// The dictionary of service categories. Storage starts with
/// [`crate::models::DEFAULT_CATEGORIES`]; keys are unique ([`WriteError::CategoryTaken`]).
pub trait CategoryRepository: Send + Sync + 'static {
    /// Every category, by key.
    fn categories(&self) -> impl Future<Output = anyhow::Result<Vec<ServiceCategory>>> + Send;
    fn find_category(
        &self,
        key: &CategoryKey,
    ) -> impl Future<Output = anyhow::Result<Option<ServiceCategory>>> + Send;
    fn insert_category(
        &self,
        category: &ServiceCategory,
        events: &[DomainEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
}

/// Which member reports a listing wants: those the viewer may see (any of the three grounds),
/// narrowed by the optional filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFilter {
    /// Where the viewer sees people whole: reports to communities in it.
    pub reach: Reach,
    /// Units the viewer administers: their members' reports, wherever they reported.
    pub units: Vec<UnitId>,
    /// The viewer's own reports.
    pub own: Option<UserId>,
    pub community_id: Option<CommunityId>,
    pub unit_id: Option<UnitId>,
    pub status: Option<ReportStatus>,
    pub grid_id: Option<GridId>,
    pub skill: Option<String>,
    pub category: Option<CategoryKey>,
}

/// Member reports. A person has one open (submitted or accepted) report at most
/// ([`WriteError::OpenReportExists`], kept by storage even under concurrent filings), and none
/// while they are an active transferred member ([`WriteError::TransferredMemberExists`], kept
/// alike against a concurrent registration).
pub trait MemberReportRepository: Send + Sync + 'static {
    fn insert_report(
        &self,
        report: &MemberReport,
        events: &[DomainEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
    fn find_report(
        &self,
        id: MemberReportId,
    ) -> impl Future<Output = anyhow::Result<Option<MemberReport>>> + Send;
    /// Oldest first (ids sort by filing), so pages stay stable as reports arrive.
    fn list_reports(
        &self,
        filter: &ReportFilter,
        page: PageRequest,
    ) -> impl Future<Output = anyhow::Result<Page<MemberReport>>> + Send;
    /// The person's open (submitted or accepted) report, if any.
    fn open_report_of(
        &self,
        user: UserId,
    ) -> impl Future<Output = anyhow::Result<Option<MemberReport>>> + Send;
    /// Every report of the unit's members, in every state, oldest first (a unit's members:
    /// hundreds, so unpaged).
    fn reports_of_unit(&self, unit: UnitId)
    -> impl Future<Output = anyhow::Result<Vec<MemberReport>>> + Send;
    /// Stores `report` (its new state) if the stored one is still in `from`, with `events`;
    /// `false` when it is not (a concurrent decision came first), and nothing is written.
    fn transition(
        &self,
        report: &MemberReport,
        from: ReportStatus,
        events: &[DomainEvent],
    ) -> impl Future<Output = anyhow::Result<bool>> + Send;
}

/// Which pledges a listing wants: those the viewer may see (any of the three grounds), narrowed
/// by the optional filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PledgeFilter {
    /// Where the viewer sees people whole: pledges of members serving there.
    pub reach: Reach,
    /// Units the viewer administers: their members' pledges, wherever they serve.
    pub units: Vec<UnitId>,
    /// The viewer's own pledges.
    pub own: Option<UserId>,
    pub community_id: Option<CommunityId>,
    pub unit_id: Option<UnitId>,
    pub period: Option<Period>,
}

/// Pledges and their records. A pledge keeps the count of its verified and of its pending
/// records, changed in the same transaction as the record, so that its progress is read with
/// it and verified plus pending never pass the target ([`WriteError::PledgeTargetReached`]),
/// even when records arrive at once.
pub trait PledgeRepository: Send + Sync + 'static {
    fn insert_pledge(
        &self,
        pledge: &Pledge,
        events: &[DomainEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
    fn find_pledge(&self, id: PledgeId) -> impl Future<Output = anyhow::Result<Option<Pledge>>> + Send;
    /// How many pledges the person made for the year.
    fn count_pledges(&self, user: UserId, period: Period)
    -> impl Future<Output = anyhow::Result<u64>> + Send;
    /// Oldest first (ids sort by creation), so pages stay stable as pledges arrive.
    fn list_pledges(
        &self,
        filter: &PledgeFilter,
        page: PageRequest,
    ) -> impl Future<Output = anyhow::Result<Page<Pledge>>> + Send;
    /// Every record of the pledge, oldest first. Verified and pending ones stay within the
    /// target (at most 1000); rejected ones each cost the staff a decision.
    fn fulfilments_of(
        &self,
        pledge: PledgeId,
    ) -> impl Future<Output = anyhow::Result<Vec<Fulfilment>>> + Send;
    fn find_fulfilment(
        &self,
        id: FulfilmentId,
    ) -> impl Future<Output = anyhow::Result<Option<Fulfilment>>> + Send;
    /// Stores a submitted record and counts it pending on its pledge, if verified and pending
    /// records stay below the target; [`WriteError::PledgeTargetReached`] if not.
    fn insert_fulfilment(
        &self,
        fulfilment: &Fulfilment,
        events: &[DomainEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
    /// Stores the decided `fulfilment` (verified or rejected) if the stored one is still
    /// submitted, moving it from the pledge's pending count (to its verified count when
    /// verified), with `events`; `false` when it is not submitted any more (a concurrent
    /// decision came first), and nothing is written.
    fn decide_fulfilment(
        &self,
        fulfilment: &Fulfilment,
        events: &[DomainEvent],
    ) -> impl Future<Output = anyhow::Result<bool>> + Send;
}

/// Which member appraisals a listing wants: those the viewer may see (any of the three
/// grounds), narrowed by the optional filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppraisalFilter {
    /// Where the viewer sees people whole: appraisals made in communities in it.
    pub reach: Reach,
    /// Units the viewer administers (or, for the feedback, the unit it is of).
    pub units: Vec<UnitId>,
    /// The viewer's own appraisals.
    pub own: Option<UserId>,
    pub period: Option<Period>,
    pub community_id: Option<CommunityId>,
    /// When not empty, only these members' appraisals.
    pub members: Vec<UserId>,
}

/// Appraisals of members (one per member and year, [`WriteError::AlreadyAppraised`]) and of
/// units (one per unit and year, likewise).
pub trait AppraisalRepository: Send + Sync + 'static {
    fn insert_appraisal(
        &self,
        appraisal: &Appraisal,
        events: &[DomainEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
    /// Oldest first.
    fn appraisals(
        &self,
        filter: &AppraisalFilter,
        page: PageRequest,
    ) -> impl Future<Output = anyhow::Result<Page<Appraisal>>> + Send;
    /// Every appraisal of the period among `members`, unpaged (a unit's members: hundreds).
    fn appraisals_of(
        &self,
        members: &[UserId],
        period: Period,
    ) -> impl Future<Output = anyhow::Result<Vec<Appraisal>>> + Send;
    fn insert_unit_appraisal(
        &self,
        appraisal: &UnitAppraisal,
        events: &[DomainEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
    /// Oldest first; `units` empty means every unit.
    fn unit_appraisals(
        &self,
        units: &[UnitId],
        period: Option<Period>,
        page: PageRequest,
    ) -> impl Future<Output = anyhow::Result<Page<UnitAppraisal>>> + Send;
}

/// What the other records of dual reporting say of a unit over a year, for its indicators:
/// pledges of its members fulfilled, projects with its offers completed, activities held in
/// them.
pub trait UnitRecords: Send + Sync + 'static {
    fn unit_records(
        &self,
        unit: UnitId,
        period: Period,
    ) -> impl Future<Output = anyhow::Result<UnitRecordCounts>> + Send;
    /// Every pledge the unit's members made for the year, oldest first (at most twenty a
    /// member: thousands for the largest unit, so unpaged).
    fn unit_pledges(
        &self,
        unit: UnitId,
        period: Period,
    ) -> impl Future<Output = anyhow::Result<Vec<Pledge>>> + Send;
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnitRecordCounts {
    pub pledges_fulfilled: u32,
    pub projects_completed: u32,
    pub activities_held: u32,
}

/// Which transferred members a listing wants: those the viewer may see, narrowed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransferredFilter {
    /// Where the viewer sees people whole: registrations in communities in it.
    pub reach: Reach,
    /// The viewer's own registrations.
    pub own: Option<UserId>,
    pub community_id: Option<CommunityId>,
    pub status: Option<TransferStatus>,
}

/// Transferred members. A person has one active registration at most, and none while they
/// have an open member report, nor an open report while registered
/// ([`WriteError::TransferredMemberExists`], [`WriteError::OpenReportExists`]): storage keeps
/// both even when a registration and a filing, or two registrations, come at once.
pub trait TransferredMemberRepository: Send + Sync + 'static {
    fn insert_transferred(
        &self,
        member: &TransferredMember,
        events: &[DomainEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
    fn find_transferred(
        &self,
        id: TransferredMemberId,
    ) -> impl Future<Output = anyhow::Result<Option<TransferredMember>>> + Send;
    /// The person's active registration, if they have one.
    fn active_transferred_of(
        &self,
        user: UserId,
    ) -> impl Future<Output = anyhow::Result<Option<TransferredMember>>> + Send;
    /// Oldest first.
    fn list_transferred(
        &self,
        filter: &TransferredFilter,
        page: PageRequest,
    ) -> impl Future<Output = anyhow::Result<Page<TransferredMember>>> + Send;
    /// Stores `member` if the stored one is still `from`, with `events`; `false` if not.
    fn transition_transferred(
        &self,
        member: &TransferredMember,
        from: TransferStatus,
        events: &[DomainEvent],
    ) -> impl Future<Output = anyhow::Result<bool>> + Send;
    /// Removes a registration whose `party_member` grant could not be stored: it never stood.
    fn discard_transferred(&self, id: TransferredMemberId)
    -> impl Future<Output = anyhow::Result<()>> + Send;
}

/// Units' rosters. Names and phones are personal data: storage keeps them sealed, with a
/// blind index of the phone so that entries are matched to reports without the number in
/// clear.
pub trait RosterRepository: Send + Sync + 'static {
    /// Makes `entries` the unit's roster, replacing whatever it held, in one transaction with
    /// `events`; of two replacements at once, the later one stands whole.
    fn replace_roster(
        &self,
        roster: &Roster,
        entries: &[RosterEntry],
        events: &[DomainEvent],
    ) -> impl Future<Output = anyhow::Result<()>> + Send;
    fn roster_of(&self, unit: UnitId) -> impl Future<Output = anyhow::Result<Option<Roster>>> + Send;
    /// The unit's entries in the order of the file, each with the report it is matched to:
    /// a report naming the unit by a user whose bound phone is the entry's (the open one if
    /// any, else the latest). `status` keeps those who have (or have not) reported.
    fn list_roster(
        &self,
        unit: UnitId,
        status: Option<RosterStatus>,
        page: PageRequest,
    ) -> impl Future<Output = anyhow::Result<Page<RosterLine>>> + Send;
}
