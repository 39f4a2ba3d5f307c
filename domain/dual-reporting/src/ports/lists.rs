//! What the three lists need from storage. The rules that must hold under concurrent
//! requests are storage's: a need is taken by one live project at a time, an offer is never
//! taken beyond its quantity, a side signs once and only while the project is planned, and
//! a project moves from the state its writer read or not at all.

use std::future::Future;

use chrono::NaiveDate;
use linli_kernel::actor::Reach;
use linli_kernel::{DomainEvent, Page, PageRequest, UnitId};

use crate::error::WriteError;
use crate::lists::{
    Activity, Need, NeedId, NeedStatus, Project, ProjectId, ProjectStatus, ResourceKind, ResourceOffer,
    ResourceOfferId, Signature, Urgency, Validity,
};

/// What of the lists a viewer sees: entries placed inside `reach`, and the offers (and
/// projects) of the units they administer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListReach {
    pub reach: Reach,
    pub units: Vec<UnitId>,
}

impl ListReach {
    pub fn is_empty(&self) -> bool {
        self.reach.is_empty() && self.units.is_empty()
    }
}

/// Which offers a listing wants: those visible, narrowed by the optional filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OfferFilter {
    pub visible: ListReach,
    pub unit_id: Option<UnitId>,
    pub kind: Option<ResourceKind>,
    /// Only offers open on this day (valid, and not used up).
    pub open_on: Option<NaiveDate>,
    /// Only offers whose period stands so on each day given (valid on a day: `Current`).
    pub validity: Vec<(Validity, NaiveDate)>,
}

/// Resource offers. What projects take of them is written by [`ProjectRepository`].
pub trait OfferRepository: Send + Sync + 'static {
    fn insert_offer(
        &self,
        offer: &ResourceOffer,
        events: &[DomainEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
    fn find_offer(
        &self,
        id: ResourceOfferId,
    ) -> impl Future<Output = anyhow::Result<Option<ResourceOffer>>> + Send;
    /// The offers among `ids` that exist, in no particular order.
    fn find_offers(
        &self,
        ids: &[ResourceOfferId],
    ) -> impl Future<Output = anyhow::Result<Vec<ResourceOffer>>> + Send;
    /// Oldest first.
    fn list_offers(
        &self,
        filter: &OfferFilter,
        page: PageRequest,
    ) -> impl Future<Output = anyhow::Result<Page<ResourceOffer>>> + Send;
    /// Every offer of the district open on `day`, in no particular order: what matching
    /// ranks (the resource bank is there to be drawn on by any need).
    fn open_offers(&self, day: NaiveDate) -> impl Future<Output = anyhow::Result<Vec<ResourceOffer>>> + Send;
}

/// Which needs a listing wants: those placed inside `reach`, narrowed by the filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NeedFilter {
    pub reach: Reach,
    pub status: Option<NeedStatus>,
    pub kind: Option<ResourceKind>,
    pub urgency: Option<Urgency>,
}

/// Needs. Their status is moved by [`ProjectRepository`], with the project that moves it.
pub trait NeedRepository: Send + Sync + 'static {
    fn insert_need(
        &self,
        need: &Need,
        events: &[DomainEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
    fn find_need(&self, id: NeedId) -> impl Future<Output = anyhow::Result<Option<Need>>> + Send;
    /// Oldest first.
    fn list_needs(
        &self,
        filter: &NeedFilter,
        page: PageRequest,
    ) -> impl Future<Output = anyhow::Result<Page<Need>>> + Send;
}

/// Which projects a listing wants: those visible (by the need's place, or by an offering
/// unit the viewer administers), narrowed by the filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectFilter {
    pub visible: ListReach,
    pub status: Option<ProjectStatus>,
    pub need_id: Option<NeedId>,
    pub unit_id: Option<UnitId>,
}

/// Projects, their signatures and activities.
pub trait ProjectRepository: Send + Sync + 'static {
    /// Stores a planned project, all or nothing with what it takes: its need goes from
    /// `open` to `in_project` ([`WriteError::NeedTaken`] if it is not open any more), and
    /// each offer gives its share ([`WriteError::OfferShort`] if less is left).
    fn insert_project(
        &self,
        project: &Project,
        events: &[DomainEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
    fn find_project(&self, id: ProjectId) -> impl Future<Output = anyhow::Result<Option<Project>>> + Send;
    /// Oldest first, each with its offers and signatures.
    fn list_projects(
        &self,
        filter: &ProjectFilter,
        page: PageRequest,
    ) -> impl Future<Output = anyhow::Result<Page<Project>>> + Send;
    /// Adds signatures if the project is still planned: `false` if it is not (and nothing is
    /// written); [`WriteError::AlreadySigned`] if one of the sides has signed meanwhile.
    fn add_signatures(
        &self,
        project: ProjectId,
        signatures: &[Signature],
        events: &[DomainEvent],
    ) -> impl Future<Output = Result<bool, WriteError>> + Send;
    /// Stores `project` (its new state, start or finish and reason) if the stored one is still
    /// in `from`; `false` when it is not, and nothing is written. Moving to `cancelled` gives
    /// the offers their shares back and opens the need again; moving to `completed` marks
    /// the need `met`.
    fn transition(
        &self,
        project: &Project,
        from: ProjectStatus,
        events: &[DomainEvent],
    ) -> impl Future<Output = anyhow::Result<bool>> + Send;
    /// Records an activity, and counts it and its beneficiaries on the project, if the
    /// project is still active; `false` if it is not.
    fn insert_activity(
        &self,
        activity: &Activity,
        events: &[DomainEvent],
    ) -> impl Future<Output = anyhow::Result<bool>> + Send;
    /// A project's activities, oldest first.
    fn list_activities(
        &self,
        project: ProjectId,
        page: PageRequest,
    ) -> impl Future<Output = anyhow::Result<Page<Activity>>> + Send;
}
