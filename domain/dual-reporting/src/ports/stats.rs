//! What the figures of `GET /stats/dual-reporting` need from storage.

use std::future::Future;

use linli_kernel::actor::Reach;

use crate::stats::DualReportingStats;

/// Counts over the records placed inside a reach, aggregated by storage (never by loading
/// the rows): units and offers where the unit's paired grid lies, member reports and pledges
/// where the member serves, needs and projects where the need was posted.
pub trait StatsRepository: Send + Sync + 'static {
    fn dual_reporting_stats(
        &self,
        reach: &Reach,
    ) -> impl Future<Output = anyhow::Result<DualReportingStats>> + Send;
}
