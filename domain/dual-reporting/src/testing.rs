//! In-memory units, reports and categories for the use-case tests (`features = ["testing"]`).
//! They keep the rules storage keeps (a grid paired once, a unit reported once, one open
//! report per person, keys unique, transitions only from the state expected) and nothing else.

use std::sync::{Arc, Mutex};

use chrono::Utc;
use linli_kernel::testing::lock;
use linli_kernel::{DomainEvent, Page, PageRequest, UnitId, UserId};

use crate::appraisal::{Appraisal, Period, UnitAppraisal};
use crate::error::WriteError;
use crate::models::{
    CategoryKey, DEFAULT_CATEGORIES, MemberReport, MemberReportId, ReportStatus, ServiceCategory, Unit,
    UnitReport, UnitReportId, UnitReportStatus,
};
use crate::pledges::{Fulfilment, FulfilmentId, FulfilmentStatus, Pledge, PledgeId};
use crate::ports::{
    AppraisalFilter, AppraisalRepository, CategoryRepository, MemberReportRepository, PledgeFilter,
    PledgeRepository, ReportFilter, UnitRecordCounts, UnitRecords, UnitRepository,
};
use crate::roster::{Roster, RosterEntry};
use crate::transferred::TransferredMember;

mod rosters;

mod lists;
mod stats;

#[derive(Debug, Default)]
pub struct Rows {
    pub units: Vec<Unit>,
    pub unit_reports: Vec<UnitReport>,
    pub categories: Vec<ServiceCategory>,
    pub reports: Vec<MemberReport>,
    pub pledges: Vec<Pledge>,
    pub fulfilments: Vec<Fulfilment>,
    pub transferred: Vec<TransferredMember>,
    pub rosters: Vec<Roster>,
    pub roster_entries: Vec<RosterEntry>,
    /// Users' bound phones, as identity would match them to roster entries.
    pub phones: Vec<(UserId, String)>,
    pub appraisals: Vec<Appraisal>,
    pub unit_appraisals: Vec<UnitAppraisal>,
    /// What [`UnitRecords`] answers for every unit and period.
    pub records: UnitRecordCounts,
    pub events: Vec<DomainEvent>,
    /// The three lists (see `testing/lists.rs`).
    pub lists: lists::ListRows,
}

/// Everything dual reporting stores, in memory. Clones share the same rows.
#[derive(Debug, Clone)]
pub struct InMemoryDualReporting(pub Arc<Mutex<Rows>>);

impl Default for InMemoryDualReporting {
    fn default() -> Self {
        let categories = DEFAULT_CATEGORIES
            .iter()
            .filter_map(|(key, name)| {
                Some(ServiceCategory {
                    key: CategoryKey::parse("key", key).ok()?,
                    name: (*name).to_owned(),
                    created_at: Utc::now(),
                })
            })
            .collect();
        Self(Arc::new(Mutex::new(Rows {
            categories,
            ..Rows::default()
        })))
    }
}

impl InMemoryDualReporting {
    pub fn events(&self) -> Vec<DomainEvent> {
        lock(&self.0).events.clone()
    }

    pub fn report(&self, id: MemberReportId) -> Option<MemberReport> {
        lock(&self.0).reports.iter().find(|r| r.id == id).cloned()
    }
}

impl UnitRepository for InMemoryDualReporting {
    async fn insert_unit(&self, unit: &Unit, events: &[DomainEvent]) -> Result<(), WriteError> {
        let mut rows = lock(&self.0);
        if let Some(grid) = unit.grid_id()
            && rows.units.iter().any(|u| u.grid_id() == Some(grid))
        {
            return Err(WriteError::GridAlreadyPaired(grid));
        }
        rows.units.push(unit.clone());
        rows.events.extend_from_slice(events);
        Ok(())
    }

    async fn find_unit(&self, id: UnitId) -> anyhow::Result<Option<Unit>> {
        Ok(lock(&self.0).units.iter().find(|u| u.id == id).cloned())
    }

    async fn find_units(&self, ids: &[UnitId]) -> anyhow::Result<Vec<Unit>> {
        Ok(lock(&self.0)
            .units
            .iter()
            .filter(|u| ids.contains(&u.id))
            .cloned()
            .collect())
    }

    async fn list_units(&self, page: PageRequest) -> anyhow::Result<Page<Unit>> {
        let rows: Vec<Unit> = lock(&self.0)
            .units
            .iter()
            .filter(|u| page.after().is_none_or(|after| u.id.as_uuid() > after))
            .take(usize::try_from(page.fetch_limit()).unwrap_or(usize::MAX))
            .cloned()
            .collect();
        Ok(Page::from_rows(rows, page, |u| u.id.as_uuid()))
    }

    async fn insert_unit_report(
        &self,
        report: &UnitReport,
        events: &[DomainEvent],
    ) -> Result<(), WriteError> {
        let mut rows = lock(&self.0);
        if rows.unit_reports.iter().any(|r| r.unit_id == report.unit_id) {
            return Err(WriteError::UnitAlreadyReported);
        }
        rows.unit_reports.push(report.clone());
        rows.events.extend_from_slice(events);
        Ok(())
    }

    async fn find_unit_report(&self, id: UnitReportId) -> anyhow::Result<Option<UnitReport>> {
        Ok(lock(&self.0).unit_reports.iter().find(|r| r.id == id).cloned())
    }

    async fn unit_report_of(&self, unit: UnitId) -> anyhow::Result<Option<UnitReport>> {
        Ok(lock(&self.0)
            .unit_reports
            .iter()
            .find(|r| r.unit_id == unit)
            .cloned())
    }

    async fn accept_unit_report(&self, report: &UnitReport, events: &[DomainEvent]) -> anyhow::Result<bool> {
        let mut rows = lock(&self.0);
        let Some(stored) = rows
            .unit_reports
            .iter_mut()
            .find(|r| r.id == report.id && r.status == UnitReportStatus::Submitted)
        else {
            return Ok(false);
        };
        *stored = report.clone();
        rows.events.extend_from_slice(events);
        Ok(true)
    }
}

impl CategoryRepository for InMemoryDualReporting {
    async fn categories(&self) -> anyhow::Result<Vec<ServiceCategory>> {
        let mut all = lock(&self.0).categories.clone();
        all.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(all)
    }

    async fn find_category(&self, key: &CategoryKey) -> anyhow::Result<Option<ServiceCategory>> {
        Ok(lock(&self.0).categories.iter().find(|c| c.key == *key).cloned())
    }

    async fn insert_category(
        &self,
        category: &ServiceCategory,
        events: &[DomainEvent],
    ) -> Result<(), WriteError> {
        let mut rows = lock(&self.0);
        if rows.categories.iter().any(|c| c.key == category.key) {
            return Err(WriteError::CategoryTaken(category.key.to_string()));
        }
        rows.categories.push(category.clone());
        rows.events.extend_from_slice(events);
        Ok(())
    }
}

impl MemberReportRepository for InMemoryDualReporting {
    async fn insert_report(&self, report: &MemberReport, events: &[DomainEvent]) -> Result<(), WriteError> {
        let mut rows = lock(&self.0);
        if rows
            .reports
            .iter()
            .any(|r| r.user_id == report.user_id && r.status.is_open())
        {
            return Err(WriteError::OpenReportExists);
        }
        if rows
            .transferred
            .iter()
            .any(|t| t.user_id == report.user_id && t.is_active())
        {
            return Err(WriteError::TransferredMemberExists);
        }
        rows.reports.push(report.clone());
        rows.events.extend_from_slice(events);
        Ok(())
    }

    async fn find_report(&self, id: MemberReportId) -> anyhow::Result<Option<MemberReport>> {
        Ok(self.report(id))
    }

    async fn list_reports(
        &self,
        filter: &ReportFilter,
        page: PageRequest,
    ) -> anyhow::Result<Page<MemberReport>> {
        let rows: Vec<MemberReport> = lock(&self.0)
            .reports
            .iter()
            .filter(|r| {
                filter.reach.covers(&r.place)
                    || filter.units.contains(&r.unit_id)
                    || filter.own == Some(r.user_id)
            })
            .filter(|r| filter.community_id.is_none_or(|c| r.community_id() == Some(c)))
            .filter(|r| filter.unit_id.is_none_or(|u| r.unit_id == u))
            .filter(|r| filter.status.is_none_or(|s| r.status == s))
            .filter(|r| filter.grid_id.is_none_or(|g| r.place.grid == Some(g)))
            .filter(|r| filter.skill.as_ref().is_none_or(|s| r.skills.contains(s)))
            .filter(|r| {
                filter
                    .category
                    .as_ref()
                    .is_none_or(|c| r.assignment.as_ref().is_some_and(|a| a.category == *c))
            })
            .filter(|r| page.after().is_none_or(|after| r.id.as_uuid() > after))
            .take(usize::try_from(page.fetch_limit()).unwrap_or(usize::MAX))
            .cloned()
            .collect();
        Ok(Page::from_rows(rows, page, |r| r.id.as_uuid()))
    }

    async fn open_report_of(&self, user: UserId) -> anyhow::Result<Option<MemberReport>> {
        Ok(lock(&self.0)
            .reports
            .iter()
            .find(|r| r.user_id == user && r.status.is_open())
            .cloned())
    }

    async fn reports_of_unit(&self, unit: UnitId) -> anyhow::Result<Vec<MemberReport>> {
        Ok(lock(&self.0)
            .reports
            .iter()
            .filter(|r| r.unit_id == unit)
            .cloned()
            .collect())
    }

    async fn transition(
        &self,
        report: &MemberReport,
        from: ReportStatus,
        events: &[DomainEvent],
    ) -> anyhow::Result<bool> {
        let mut rows = lock(&self.0);
        let Some(stored) = rows
            .reports
            .iter_mut()
            .find(|r| r.id == report.id && r.status == from)
        else {
            return Ok(false);
        };
        *stored = report.clone();
        rows.events.extend_from_slice(events);
        Ok(true)
    }
}

impl AppraisalRepository for InMemoryDualReporting {
    async fn insert_appraisal(
        &self,
        appraisal: &Appraisal,
        events: &[DomainEvent],
    ) -> Result<(), WriteError> {
        let mut rows = lock(&self.0);
        if rows
            .appraisals
            .iter()
            .any(|a| a.user_id == appraisal.user_id && a.period == appraisal.period)
        {
            return Err(WriteError::AlreadyAppraised);
        }
        rows.appraisals.push(appraisal.clone());
        rows.events.extend_from_slice(events);
        Ok(())
    }

    async fn appraisals(
        &self,
        filter: &AppraisalFilter,
        page: PageRequest,
    ) -> anyhow::Result<Page<Appraisal>> {
        let rows: Vec<Appraisal> = lock(&self.0)
            .appraisals
            .iter()
            .filter(|a| {
                filter.reach.covers(&a.place)
                    || a.unit_id.is_some_and(|u| filter.units.contains(&u))
                    || filter.own == Some(a.user_id)
            })
            .filter(|a| filter.period.is_none_or(|p| a.period == p))
            .filter(|a| filter.community_id.is_none_or(|c| a.place.community == Some(c)))
            .filter(|a| filter.members.is_empty() || filter.members.contains(&a.user_id))
            .filter(|a| page.after().is_none_or(|after| a.id.0 > after))
            .take(usize::try_from(page.fetch_limit()).unwrap_or(usize::MAX))
            .cloned()
            .collect();
        Ok(Page::from_rows(rows, page, |a| a.id.0))
    }

    async fn appraisals_of(&self, members: &[UserId], period: Period) -> anyhow::Result<Vec<Appraisal>> {
        Ok(lock(&self.0)
            .appraisals
            .iter()
            .filter(|a| members.contains(&a.user_id) && a.period == period)
            .cloned()
            .collect())
    }

    async fn insert_unit_appraisal(
        &self,
        appraisal: &UnitAppraisal,
        events: &[DomainEvent],
    ) -> Result<(), WriteError> {
        let mut rows = lock(&self.0);
        if rows
            .unit_appraisals
            .iter()
            .any(|a| a.unit_id == appraisal.unit_id && a.period == appraisal.period)
        {
            return Err(WriteError::AlreadyAppraised);
        }
        rows.unit_appraisals.push(appraisal.clone());
        rows.events.extend_from_slice(events);
        Ok(())
    }

    async fn unit_appraisals(
        &self,
        units: &[UnitId],
        period: Option<Period>,
        page: PageRequest,
    ) -> anyhow::Result<Page<UnitAppraisal>> {
        let rows: Vec<UnitAppraisal> = lock(&self.0)
            .unit_appraisals
            .iter()
            .filter(|a| units.is_empty() || units.contains(&a.unit_id))
            .filter(|a| period.is_none_or(|p| a.period == p))
            .filter(|a| page.after().is_none_or(|after| a.id.0 > after))
            .take(usize::try_from(page.fetch_limit()).unwrap_or(usize::MAX))
            .cloned()
            .collect();
        Ok(Page::from_rows(rows, page, |a| a.id.0))
    }
}

impl UnitRecords for InMemoryDualReporting {
    async fn unit_records(&self, _unit: UnitId, _period: Period) -> anyhow::Result<UnitRecordCounts> {
        Ok(lock(&self.0).records)
    }

    async fn unit_pledges(&self, unit: UnitId, period: Period) -> anyhow::Result<Vec<Pledge>> {
        Ok(lock(&self.0)
            .pledges
            .iter()
            .filter(|p| p.unit_id == Some(unit) && p.period == period)
            .cloned()
            .collect())
    }
}

impl InMemoryDualReporting {
    pub fn pledge(&self, id: PledgeId) -> Option<Pledge> {
        lock(&self.0).pledges.iter().find(|p| p.id == id).cloned()
    }
}

impl PledgeRepository for InMemoryDualReporting {
    async fn insert_pledge(&self, pledge: &Pledge, events: &[DomainEvent]) -> Result<(), WriteError> {
        let mut rows = lock(&self.0);
        rows.pledges.push(pledge.clone());
        rows.events.extend_from_slice(events);
        Ok(())
    }

    async fn find_pledge(&self, id: PledgeId) -> anyhow::Result<Option<Pledge>> {
        Ok(self.pledge(id))
    }

    async fn count_pledges(&self, user: UserId, period: Period) -> anyhow::Result<u64> {
        let rows = lock(&self.0);
        let mine = rows
            .pledges
            .iter()
            .filter(|p| p.user_id == user && p.period == period);
        Ok(u64::try_from(mine.count())?)
    }

    async fn list_pledges(&self, filter: &PledgeFilter, page: PageRequest) -> anyhow::Result<Page<Pledge>> {
        let rows: Vec<Pledge> = lock(&self.0)
            .pledges
            .iter()
            .filter(|p| {
                filter.reach.covers(&p.place)
                    || p.unit_id.is_some_and(|u| filter.units.contains(&u))
                    || filter.own == Some(p.user_id)
            })
            .filter(|p| filter.community_id.is_none_or(|c| p.community_id() == Some(c)))
            .filter(|p| filter.unit_id.is_none_or(|u| p.unit_id == Some(u)))
            .filter(|p| filter.period.is_none_or(|y| p.period == y))
            .filter(|p| page.after().is_none_or(|after| p.id.as_uuid() > after))
            .take(usize::try_from(page.fetch_limit()).unwrap_or(usize::MAX))
            .cloned()
            .collect();
        Ok(Page::from_rows(rows, page, |p| p.id.as_uuid()))
    }

    async fn fulfilments_of(&self, pledge: PledgeId) -> anyhow::Result<Vec<Fulfilment>> {
        Ok(lock(&self.0)
            .fulfilments
            .iter()
            .filter(|f| f.pledge_id == pledge)
            .cloned()
            .collect())
    }

    async fn find_fulfilment(&self, id: FulfilmentId) -> anyhow::Result<Option<Fulfilment>> {
        Ok(lock(&self.0).fulfilments.iter().find(|f| f.id == id).cloned())
    }

    async fn insert_fulfilment(
        &self,
        fulfilment: &Fulfilment,
        events: &[DomainEvent],
    ) -> Result<(), WriteError> {
        let mut rows = lock(&self.0);
        let pledge = rows
            .pledges
            .iter_mut()
            .find(|p| p.id == fulfilment.pledge_id)
            .ok_or_else(|| anyhow::anyhow!("no pledge {}", fulfilment.pledge_id))?;
        if !pledge.has_room() {
            return Err(WriteError::PledgeTargetReached);
        }
        pledge.pending += 1;
        rows.fulfilments.push(fulfilment.clone());
        rows.events.extend_from_slice(events);
        Ok(())
    }

    async fn decide_fulfilment(
        &self,
        fulfilment: &Fulfilment,
        events: &[DomainEvent],
    ) -> anyhow::Result<bool> {
        let mut rows = lock(&self.0);
        let Some(stored) = rows
            .fulfilments
            .iter_mut()
            .find(|f| f.id == fulfilment.id && f.status == FulfilmentStatus::Submitted)
        else {
            return Ok(false);
        };
        *stored = fulfilment.clone();
        let pledge = rows
            .pledges
            .iter_mut()
            .find(|p| p.id == fulfilment.pledge_id)
            .ok_or_else(|| anyhow::anyhow!("no pledge {}", fulfilment.pledge_id))?;
        pledge.pending = pledge.pending.saturating_sub(1);
        if fulfilment.status == FulfilmentStatus::Verified {
            pledge.verified += 1;
        }
        rows.events.extend_from_slice(events);
        Ok(true)
    }
}
