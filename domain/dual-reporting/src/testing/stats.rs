//! The figures counted over the rows in memory, as storage counts them.

use std::collections::HashSet;

use linli_kernel::actor::Reach;
use linli_kernel::testing::lock;

use super::InMemoryDualReporting;
use crate::lists::ProjectStatus;
use crate::models::{ReportStatus, UnitReportStatus};
use crate::ports::StatsRepository;
use crate::stats::{DualReportingStats, MemberFigures, PledgeFigures, ProjectFigures, UnitFigures};

fn count<T>(rows: &[T], keep: impl Fn(&T) -> bool) -> u64 {
    rows.iter().filter(|r| keep(r)).count() as u64
}

impl StatsRepository for InMemoryDualReporting {
    async fn dual_reporting_stats(&self, reach: &Reach) -> anyhow::Result<DualReportingStats> {
        let rows = lock(&self.0);
        let units: Vec<_> = rows.units.iter().filter(|u| reach.covers(&u.grid)).collect();
        let reports: Vec<_> = rows.reports.iter().filter(|r| reach.covers(&r.place)).collect();
        let in_state = |status: ReportStatus| count(&reports, |r| r.status == status);
        let members: HashSet<_> = reports
            .iter()
            .filter(|r| r.status == ReportStatus::Accepted)
            .map(|r| r.user_id)
            .collect();
        let projects: Vec<_> = rows
            .lists
            .projects
            .iter()
            .filter(|p| reach.covers(&p.place))
            .collect();
        let projects_in = |status: ProjectStatus| count(&projects, |p| p.status == status);
        Ok(DualReportingStats {
            units: UnitFigures {
                registered: units.len() as u64,
                paired: count(&units, |u| u.grid_id().is_some()),
                reported: count(&rows.unit_reports, |r| {
                    r.status == UnitReportStatus::Accepted && reach.covers(&r.grid)
                }),
            },
            members: MemberFigures {
                accepted: in_state(ReportStatus::Accepted),
                submitted: in_state(ReportStatus::Submitted),
                rejected: in_state(ReportStatus::Rejected),
                withdrawn: in_state(ReportStatus::Withdrawn),
                members: members.len() as u64,
            },
            transferred_members: count(&rows.transferred, |t| {
                t.status == crate::transferred::TransferStatus::Active && reach.covers(&t.place)
            }),
            pledges: PledgeFigures {
                made: count(&rows.pledges, |p| reach.covers(&p.place)),
                kept: count(&rows.pledges, |p| {
                    reach.covers(&p.place) && p.verified >= p.target
                }),
            },
            offers: count(&rows.lists.offers, |o| reach.covers(&o.place)),
            needs: count(&rows.lists.needs, |n| reach.covers(&n.place)),
            projects: ProjectFigures {
                planned: projects_in(ProjectStatus::Planned),
                active: projects_in(ProjectStatus::Active),
                completed: projects_in(ProjectStatus::Completed),
                cancelled: projects_in(ProjectStatus::Cancelled),
            },
        })
    }
}
