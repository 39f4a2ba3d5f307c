//! Pledges (承诺践诺): a Party member the community knows pledges a year's service in a
//! category, records each time they keep it, and the staff over their grid verify or reject
//! each record. Progress is the verified records against the target.
//!
//! Who may do what, and why:
//! - **Pledge**: a person the community knows as its Party member, today through an accepted
//!   member report ([`PledgeService::membership`]); the pledge takes its community, grid and
//!   unit from there, so nobody pledges in a community that has not received them.
//! - **Record**: the pledge's member only, while they are still a member of that community (a
//!   member who moved away no longer serves it), during the pledge's year, and while verified
//!   and pending records stay below the target.
//! - **Verify or reject**: the staff over the member's grid: its grid leader and workers and
//!   the administrators above it (community, subdistrict, district), i.e. whoever holds
//!   [`Permission::ViewPersonalData`] at the pledge's place. DOMAIN.md gives grid staff the
//!   verifying of pledges and the community admin the receiving of members; a grid worker of
//!   another grid is not the one who saw the work done. Nobody decides on their own record.
//! - **See**: the member, the staff over the member's grid, and the admins of the member's
//!   unit (the feedback the district promises each unit); anyone else is told it is not there.

use linli_kernel::people::PersonView;
use linli_kernel::ports::{Clock, PersonDirectory};
use linli_kernel::text::checked_text;
use linli_kernel::{Actor, CommunityId, Page, PageRequest, Permission, UnitId, UserId};
use tracing::instrument;

use crate::appraisal::Period;
use crate::events::fulfilment_events;
use crate::models::CategoryKey;
use crate::pledges::{
    Fulfilment, FulfilmentId, FulfilmentStatus, MAX_PLEDGES_A_YEAR, Membership, Pledge, PledgeId,
    checked_period, checked_photos, checked_target, district_year,
};
use crate::ports::{
    CategoryRepository, MemberReportRepository, PledgeFilter, PledgeRepository, TransferredMemberRepository,
};
use crate::rights::{administered_units, administers_unit};
use crate::service::people::whole;
use crate::{DualReportingError, Resource};

/// A pledge as the member makes it.
#[derive(Debug, Clone)]
pub struct NewPledge {
    pub title: String,
    pub category: String,
    pub target: i64,
    pub period: i64,
}

/// A record of a pledge kept, as the member writes it.
#[derive(Debug, Clone, Default)]
pub struct NewFulfilment {
    pub note: String,
    pub photos: Vec<String>,
}

/// The narrowing a listing asks for, inside what the viewer may see anyway.
#[derive(Debug, Clone, Copy, Default)]
pub struct PledgeQuery {
    pub community_id: Option<CommunityId>,
    pub unit_id: Option<UnitId>,
    /// A year (2000 to 2100).
    pub period: Option<i32>,
    /// Only the viewer's own pledges (a member who is also staff).
    pub mine: bool,
}

/// A pledge with its member, shown whole: whoever may see a pledge (the member, the staff
/// over their grid, their unit's admins) may see its member whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PledgeView {
    pub pledge: Pledge,
    pub member: PersonView,
}

/// A pledge with every record of it, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PledgeDetail {
    pub view: PledgeView,
    pub fulfilments: Vec<Fulfilment>,
}

/// The longest pledge title and record note, in characters.
pub const MAX_TITLE: usize = 50;
pub const MAX_NOTE: usize = 500;
pub const MAX_REASON: usize = 200;

pub struct PledgeService<P, R, K, N, C> {
    pledges: P,
    reports: R,
    categories: K,
    people: N,
    clock: C,
}

/// Whether the actor may see the pledge (and its member whole): the member, the staff over
/// the member's grid, the admins of the member's unit.
fn sees(actor: &Actor, pledge: &Pledge) -> bool {
    actor.user_id() == pledge.user_id
        || actor.can(Permission::ViewPersonalData, &pledge.place)
        || pledge.unit_id.is_some_and(|unit| administers_unit(actor, unit))
}

/// Whether the actor decides on the pledge's records: staff over the member's grid (its grid
/// leader and workers, the administrators above). A unit admin sees them but does not decide:
/// the unit is told, the community judges.
fn verifies(actor: &Actor, pledge: &Pledge) -> bool {
    actor.can(Permission::ViewPersonalData, &pledge.place)
}

impl<P, R, K, N, C> PledgeService<P, R, K, N, C>
where
    P: PledgeRepository,
    R: MemberReportRepository + TransferredMemberRepository,
    K: CategoryRepository,
    N: PersonDirectory,
    C: Clock,
{
    pub fn new(pledges: P, reports: R, categories: K, people: N, clock: C) -> Self {
        Self {
            pledges,
            reports,
            categories,
            people,
            clock,
        }
    }

    /// The person's membership of a community, on the grounds the community knows them by:
    /// an accepted member report, or an active registration as a transferred member (组织关系
    /// 转入). A person has one open report or one registration, never both (storage keeps
    /// it), so one membership; every rule of pledges applies to either unchanged.
    pub(crate) async fn membership(&self, user: UserId) -> Result<Option<Membership>, DualReportingError> {
        let report = self.reports.open_report_of(user).await?;
        if let Some(membership) = report.as_ref().and_then(Membership::of_report) {
            return Ok(Some(membership));
        }
        let transferred = self.reports.active_transferred_of(user).await?;
        Ok(transferred.as_ref().and_then(Membership::of_transferred))
    }

    /// Makes a pledge for the actor, in the community (and grid) that received them; at most
    /// [`MAX_PLEDGES_A_YEAR`] for one year.
    #[instrument(skip_all, err)]
    pub async fn pledge(&self, actor: &Actor, new: NewPledge) -> Result<PledgeView, DualReportingError> {
        let membership = self
            .membership(actor.user_id())
            .await?
            .ok_or(DualReportingError::NotAReportedMember)?;
        let title = checked_text("title", &new.title, 1, MAX_TITLE)?;
        let category = CategoryKey::parse("category", &new.category)?;
        let target = checked_target(new.target)?;
        let now = self.clock.now();
        let period = checked_period(new.period, now)?;
        if self.categories.find_category(&category).await?.is_none() {
            return Err(DualReportingError::UnknownCategory(category.to_string()));
        }
        // Counted before the write: two pledges made at the very same moment may pass the
        // limit by one, which bounds nothing worse than one line more.
        if self.pledges.count_pledges(membership.user_id, period).await? >= MAX_PLEDGES_A_YEAR {
            return Err(DualReportingError::PledgeLimit {
                max: MAX_PLEDGES_A_YEAR,
            });
        }
        let pledge = Pledge {
            id: PledgeId::new(),
            user_id: membership.user_id,
            basis: membership.basis,
            unit_id: membership.unit_id,
            place: membership.place,
            title,
            category,
            target,
            period,
            verified: 0,
            pending: 0,
            created_at: now,
        };
        self.pledges.insert_pledge(&pledge, &[]).await?;
        let mut views = self.views(vec![pledge]).await?;
        views.pop().ok_or(DualReportingError::NotFound(Resource::Pledge))
    }

    /// The pledges the actor may see (their own, those of members serving where they are
    /// staff, those of their units' members), narrowed by `query`.
    pub async fn list(
        &self,
        actor: &Actor,
        query: PledgeQuery,
        page: PageRequest,
    ) -> Result<Page<PledgeView>, DualReportingError> {
        let period = query.period.map(|y| Period::new("period", y)).transpose()?;
        let filter = PledgeFilter {
            reach: if query.mine {
                Default::default()
            } else {
                actor.reach(Permission::ViewPersonalData)
            },
            units: if query.mine {
                Vec::new()
            } else {
                administered_units(actor)
            },
            own: Some(actor.user_id()),
            community_id: query.community_id,
            unit_id: query.unit_id,
            period,
        };
        let pledges = self.pledges.list_pledges(&filter, page).await?;
        Ok(Page {
            items: self.views(pledges.items).await?,
            next_after: pledges.next_after,
        })
    }

    /// A pledge with its records.
    pub async fn get(&self, actor: &Actor, id: PledgeId) -> Result<PledgeDetail, DualReportingError> {
        let pledge = self.visible(actor, id).await?;
        let fulfilments = self.pledges.fulfilments_of(pledge.id).await?;
        let view = self
            .views(vec![pledge])
            .await?
            .pop()
            .ok_or(DualReportingError::NotFound(Resource::Pledge))?;
        Ok(PledgeDetail { view, fulfilments })
    }

    async fn visible(&self, actor: &Actor, id: PledgeId) -> Result<Pledge, DualReportingError> {
        self.pledges
            .find_pledge(id)
            .await?
            .filter(|p| sees(actor, p))
            .ok_or(DualReportingError::NotFound(Resource::Pledge))
    }

    async fn views(&self, pledges: Vec<Pledge>) -> Result<Vec<PledgeView>, DualReportingError> {
        let mut ids: Vec<_> = pledges.iter().map(|p| p.user_id).collect();
        ids.sort();
        ids.dedup();
        let people = self.people.people(&ids).await?;
        Ok(pledges
            .into_iter()
            .map(|pledge| {
                let member = people
                    .iter()
                    .find(|p| p.id == pledge.user_id)
                    .map_or_else(|| PersonView::hidden(pledge.user_id), whole);
                PledgeView { pledge, member }
            })
            .collect())
    }

    /// Records that the actor kept their pledge once more. Only the pledge's member records,
    /// while the community still knows them as its member (one withdrawn after moving away no
    /// longer serves it; their pledge stays, as it was), during the pledge's year (the year's
    /// appraisal reads settled figures), and while verified and pending records stay below the
    /// target (a record more than promised is volunteering, counted elsewhere).
    #[instrument(skip_all, err)]
    pub async fn record(
        &self,
        actor: &Actor,
        pledge: PledgeId,
        new: NewFulfilment,
    ) -> Result<Fulfilment, DualReportingError> {
        let pledge = self.visible(actor, pledge).await?;
        if pledge.user_id != actor.user_id() {
            return Err(DualReportingError::Forbidden);
        }
        let still_member = self
            .membership(actor.user_id())
            .await?
            .is_some_and(|m| m.community_id() == pledge.community_id());
        if !still_member {
            return Err(DualReportingError::NotAReportedMember);
        }
        let now = self.clock.now();
        if district_year(now) != pledge.period.year() {
            return Err(DualReportingError::PledgePeriod(pledge.period));
        }
        let note = checked_text("note", &new.note, 1, MAX_NOTE)?;
        let photos = checked_photos(&new.photos)?;
        if !pledge.has_room() {
            return Err(DualReportingError::PledgeTargetReached);
        }
        let fulfilment = Fulfilment {
            id: FulfilmentId::new(),
            pledge_id: pledge.id,
            user_id: pledge.user_id,
            note,
            photos,
            status: FulfilmentStatus::Submitted,
            reason: None,
            submitted_at: now,
            decided_by: None,
            decided_at: None,
        };
        self.pledges
            .insert_fulfilment(&fulfilment, &fulfilment_events(&pledge, &fulfilment, now))
            .await?;
        Ok(fulfilment)
    }

    /// Verifies a submitted record: it counts towards the pledge's progress. Of two staff
    /// deciding on it at once, one wins and the other is told what it became.
    #[instrument(skip_all, err)]
    pub async fn verify(&self, actor: &Actor, id: FulfilmentId) -> Result<Fulfilment, DualReportingError> {
        self.decide(actor, id, FulfilmentStatus::Verified, None).await
    }

    /// Rejects a submitted record with a reason the member sees; it frees its place under the
    /// target, so the member may record again.
    #[instrument(skip_all, err)]
    pub async fn reject(
        &self,
        actor: &Actor,
        id: FulfilmentId,
        reason: &str,
    ) -> Result<Fulfilment, DualReportingError> {
        self.decide(actor, id, FulfilmentStatus::Rejected, Some(reason))
            .await
    }

    async fn decide(
        &self,
        actor: &Actor,
        id: FulfilmentId,
        to: FulfilmentStatus,
        reason: Option<&str>,
    ) -> Result<Fulfilment, DualReportingError> {
        let (fulfilment, pledge) = self.to_decide(actor, id).await?;
        if fulfilment.status != FulfilmentStatus::Submitted {
            return Err(DualReportingError::FulfilmentState(fulfilment.status));
        }
        let reason = reason
            .map(|r| checked_text("reason", r, 1, MAX_REASON))
            .transpose()?;
        let now = self.clock.now();
        let decided = Fulfilment {
            status: to,
            reason,
            decided_by: Some(actor.user_id()),
            decided_at: Some(now),
            ..fulfilment
        };
        let events = fulfilment_events(&pledge, &decided, now);
        if self.pledges.decide_fulfilment(&decided, &events).await? {
            return Ok(decided);
        }
        let became = self
            .pledges
            .find_fulfilment(id)
            .await?
            .map_or(FulfilmentStatus::Submitted, |f| f.status);
        Err(DualReportingError::FulfilmentState(became))
    }

    /// A record the actor may decide on, with its pledge. Someone who may see it but not
    /// decide (the member, a unit admin) is forbidden; anyone else is told it is not there.
    async fn to_decide(
        &self,
        actor: &Actor,
        id: FulfilmentId,
    ) -> Result<(Fulfilment, Pledge), DualReportingError> {
        let not_found = DualReportingError::NotFound(Resource::Fulfilment);
        let Some(fulfilment) = self.pledges.find_fulfilment(id).await? else {
            return Err(not_found);
        };
        let Some(pledge) = self
            .pledges
            .find_pledge(fulfilment.pledge_id)
            .await?
            .filter(|p| sees(actor, p))
        else {
            return Err(not_found);
        };
        if !verifies(actor, &pledge) {
            return Err(DualReportingError::Forbidden);
        }
        if fulfilment.user_id == actor.user_id() {
            return Err(DualReportingError::OwnFulfilment);
        }
        Ok((fulfilment, pledge))
    }
}
