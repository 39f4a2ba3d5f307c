//! Two-way appraisal: the community appraises the members it received, per year; the unit is
//! told everything of its members (its feedback); the district appraises each unit at year end.

use std::collections::HashMap;

use linli_kernel::people::PersonView;
use linli_kernel::ports::{Clock, PersonDirectory, ScopeDirectory, ServiceHours};
use linli_kernel::text::checked_text;
use linli_kernel::{Actor, CommunityId, Page, PageRequest, Permission, Scope, UnitId, UserId};
use tracing::instrument;

use super::people::whole;
use crate::appraisal::{
    Appraisal, AppraisalId, Grade, MemberFeedback, Period, UnitAppraisal, UnitFeedback, UnitIndicators,
};
use crate::events::{appraisal_events, unit_appraisal_events};
use crate::models::{MemberReport, ReportStatus, Unit};
use crate::pledges::Membership;
use crate::ports::{
    AppraisalFilter, AppraisalRepository, MemberReportRepository, TransferredMemberRepository, UnitRecords,
    UnitRepository,
};
use crate::rights::{administered_units, administers_unit, keeps_district_records};
use crate::{DualReportingError, Resource};

/// The narrowing a listing of member appraisals asks for.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppraisalQuery {
    pub period: Option<Period>,
    pub community_id: Option<CommunityId>,
    pub member: Option<UserId>,
}

pub struct AppraisalService<A, R, U, D, P, H, F, C> {
    appraisals: A,
    reports: R,
    units: U,
    directory: D,
    people: P,
    hours: H,
    records: F,
    clock: C,
}

impl<A, R, U, D, P, H, F, C> AppraisalService<A, R, U, D, P, H, F, C>
where
    A: AppraisalRepository,
    R: MemberReportRepository + TransferredMemberRepository,
    U: UnitRepository,
    D: ScopeDirectory,
    P: PersonDirectory,
    H: ServiceHours,
    F: UnitRecords,
    C: Clock,
{
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        appraisals: A,
        reports: R,
        units: U,
        directory: D,
        people: P,
        hours: H,
        records: F,
        clock: C,
    ) -> Self {
        Self {
            appraisals,
            reports,
            units,
            directory,
            people,
            hours,
            records,
            clock,
        }
    }

    /// An administrator over the member's community appraises a member it received (an
    /// accepted report) for a year; once per member and year. No one appraises themselves.
    #[instrument(skip_all, err)]
    pub async fn appraise(
        &self,
        actor: &Actor,
        member: UserId,
        period: i32,
        grade: &str,
        comment: &str,
    ) -> Result<Appraisal, DualReportingError> {
        let membership = self.membership_seen_by(actor, member).await?;
        if member == actor.user_id() || !actor.can(Permission::ManageStructure, &membership.place) {
            return Err(DualReportingError::Forbidden);
        }
        let now = self.clock.now();
        let appraisal = Appraisal {
            id: AppraisalId::new(),
            user_id: member,
            basis: membership.basis,
            unit_id: membership.unit_id,
            place: membership.place,
            period: Period::new("period", period)?,
            grade: Grade::parse("grade", grade)?,
            comment: checked_text("comment", comment, 0, 500)?,
            appraised_by: actor.user_id(),
            appraised_at: now,
        };
        self.appraisals
            .insert_appraisal(&appraisal, &appraisal_events(&appraisal, now))
            .await?;
        Ok(appraisal)
    }

    /// The member's membership of a community, as someone who may see the community's people
    /// sees it: an accepted report, else an active registration as a transferred member. A
    /// report still waiting is said so; anyone else is not found.
    async fn membership_seen_by(
        &self,
        actor: &Actor,
        member: UserId,
    ) -> Result<Membership, DualReportingError> {
        let seen = |place: &linli_kernel::ScopePath| actor.can(Permission::ViewPersonalData, place);
        let report = self
            .reports
            .open_report_of(member)
            .await?
            .filter(|r| seen(&r.place));
        if let Some(membership) = report.as_ref().and_then(Membership::of_report) {
            return Ok(membership);
        }
        let transferred = self.reports.active_transferred_of(member).await?;
        if let Some(membership) = transferred
            .as_ref()
            .and_then(Membership::of_transferred)
            .filter(|m| seen(&m.place))
        {
            return Ok(membership);
        }
        match report {
            Some(waiting) => Err(DualReportingError::ReportState(waiting.status)),
            None => Err(DualReportingError::NotFound(Resource::MemberReport)),
        }
    }

    /// The appraisals the actor may see: their own, those made in communities where they see
    /// people whole, those of their units' members.
    pub async fn list(
        &self,
        actor: &Actor,
        query: AppraisalQuery,
        page: PageRequest,
    ) -> Result<Page<Appraisal>, DualReportingError> {
        let filter = AppraisalFilter {
            reach: actor.reach(Permission::ViewPersonalData),
            units: administered_units(actor),
            own: Some(actor.user_id()),
            period: query.period,
            community_id: query.community_id,
            members: query.member.into_iter().collect(),
        };
        Ok(self.appraisals.appraisals(&filter, page).await?)
    }

    async fn unit(&self, id: UnitId) -> Result<Unit, DualReportingError> {
        self.units
            .find_unit(id)
            .await?
            .ok_or(DualReportingError::NotFound(Resource::Unit))
    }

    /// What the records say of the unit for the year.
    async fn indicators(
        &self,
        unit: &Unit,
        latest: &[MemberReport],
        appraisals: &[Appraisal],
        period: Period,
    ) -> Result<UnitIndicators, DualReportingError> {
        let reported = latest
            .iter()
            .filter(|r| r.status == ReportStatus::Accepted)
            .count();
        let reported = u32::try_from(reported).unwrap_or(u32::MAX);
        let excellent = appraisals.iter().filter(|a| a.grade == Grade::Excellent).count();
        let records = self.records.unit_records(unit.id, period).await?;
        Ok(UnitIndicators {
            roll_count: unit.roll_count,
            reported_members: reported,
            report_rate_permille: UnitIndicators::rate(reported, unit.roll_count),
            members_excellent: u32::try_from(excellent).unwrap_or(u32::MAX),
            pledges_fulfilled: records.pledges_fulfilled,
            projects_completed: records.projects_completed,
            activities_held: records.activities_held,
        })
    }

    /// The unit's feedback for a year: each member's latest report, community, assignment,
    /// service and appraisal, and the unit's indicators. For the unit's admins and the
    /// district admin.
    #[instrument(skip_all, err)]
    pub async fn feedback(
        &self,
        actor: &Actor,
        unit_id: UnitId,
        period: i32,
    ) -> Result<UnitFeedback, DualReportingError> {
        let period = Period::new("period", period)?;
        let unit = self.unit(unit_id).await?;
        if !administers_unit(actor, unit.id) && !keeps_district_records(actor) {
            return Err(DualReportingError::Forbidden);
        }
        let latest = latest_per_member(self.reports.reports_of_unit(unit.id).await?);
        let members: Vec<UserId> = latest.iter().map(|r| r.user_id).collect();
        let appraisals = self.appraisals.appraisals_of(&members, period).await?;
        let indicators = self.indicators(&unit, &latest, &appraisals, period).await?;
        let (from, to) = period.bounds();
        let service: HashMap<UserId, _> = self.hours.totals(&members, from, to).await?.into_iter().collect();
        let people = self.people.people(&members).await?;
        let pledges = self.records.unit_pledges(unit.id, period).await?;
        let communities: Vec<Scope> = latest
            .iter()
            .filter_map(|r| r.community_id().map(Scope::Community))
            .collect();
        let names: HashMap<Scope, String> = self
            .directory
            .describe_many(&communities)
            .await?
            .into_iter()
            .map(|n| (n.scope, n.full_name))
            .collect();
        let members = latest
            .into_iter()
            .map(|report| MemberFeedback {
                // The unit's admins and the district see their members whole.
                member: people
                    .iter()
                    .find(|p| p.id == report.user_id)
                    .map_or_else(|| PersonView::hidden(report.user_id), whole),
                report_id: report.id,
                status: report.status,
                community_id: report.community_id(),
                community_name: report
                    .community_id()
                    .and_then(|c| names.get(&Scope::Community(c)).cloned()),
                grid_id: report.assignment.as_ref().map(|a| a.grid_id),
                category: report.assignment.as_ref().map(|a| a.category.clone()),
                post: report.assignment.as_ref().map(|a| a.post.clone()),
                service: service.get(&report.user_id).copied().unwrap_or_default(),
                pledges: pledges
                    .iter()
                    .filter(|p| p.user_id == report.user_id)
                    .cloned()
                    .collect(),
                appraisal: appraisals.iter().find(|a| a.user_id == report.user_id).cloned(),
            })
            .collect();
        Ok(UnitFeedback {
            unit_id: unit.id,
            period,
            indicators,
            members,
        })
    }

    /// The district admin appraises a unit for a year, once; the indicators are kept as
    /// they stood.
    #[instrument(skip_all, err)]
    pub async fn appraise_unit(
        &self,
        actor: &Actor,
        unit_id: UnitId,
        period: i32,
        grade: &str,
        comment: &str,
    ) -> Result<UnitAppraisal, DualReportingError> {
        if !keeps_district_records(actor) {
            return Err(DualReportingError::Forbidden);
        }
        let period = Period::new("period", period)?;
        let grade = Grade::parse("grade", grade)?;
        let comment = checked_text("comment", comment, 0, 500)?;
        let unit = self.unit(unit_id).await?;
        let latest = latest_per_member(self.reports.reports_of_unit(unit.id).await?);
        let members: Vec<UserId> = latest.iter().map(|r| r.user_id).collect();
        let appraisals = self.appraisals.appraisals_of(&members, period).await?;
        let indicators = self.indicators(&unit, &latest, &appraisals, period).await?;
        let now = self.clock.now();
        let appraisal = UnitAppraisal {
            id: AppraisalId::new(),
            unit_id: unit.id,
            period,
            grade,
            comment,
            indicators,
            appraised_by: actor.user_id(),
            appraised_at: now,
        };
        self.appraisals
            .insert_unit_appraisal(&appraisal, &unit_appraisal_events(&appraisal, &unit, now))
            .await?;
        Ok(appraisal)
    }

    /// Unit appraisals: every unit's for the district admin, their own units' for unit admins,
    /// nothing for anyone else.
    pub async fn unit_appraisals(
        &self,
        actor: &Actor,
        period: Option<i32>,
        page: PageRequest,
    ) -> Result<Page<UnitAppraisal>, DualReportingError> {
        let period = period.map(|p| Period::new("period", p)).transpose()?;
        let units = if keeps_district_records(actor) {
            Vec::new()
        } else {
            let own = administered_units(actor);
            if own.is_empty() {
                return Ok(Page::empty());
            }
            own
        };
        Ok(self.appraisals.unit_appraisals(&units, period, page).await?)
    }
}

/// Each member's latest report (ids sort by filing): a member who moved and reported anew is
/// counted once, where they are now.
fn latest_per_member(reports: Vec<MemberReport>) -> Vec<MemberReport> {
    let mut latest: HashMap<UserId, MemberReport> = HashMap::new();
    for report in reports {
        match latest.get(&report.user_id) {
            Some(kept) if kept.id > report.id => {}
            _ => {
                latest.insert(report.user_id, report);
            }
        }
    }
    let mut reports: Vec<MemberReport> = latest.into_values().collect();
    reports.sort_by_key(|r| r.id);
    reports
}
