//! The demo district's dual-reporting records, written at once (`linli demo`): thousands of
//! reports and pledges would take minutes through the one-at-a-time adapters. The rows are
//! the ones those adapters write, in one transaction and multi-row INSERTs; no event is
//! recorded (nobody is subscribed to records that did not exist). The `party_member` and
//! `unit_admin` grants go through the kernel's `GrantStore`, like any grant.

use linli_dual_reporting::transferred::TransferredMember;
use linli_dual_reporting::{
    Activity, Fulfilment, MemberReport, Need, Pledge, Project, ResourceOffer, Unit, UnitReport,
};

use super::needs::need_row;
use super::offers::offer_row;
use super::pledges::{fulfilment_row, pledge_row};
use super::projects::{activity_row, project_row, share_row, signature_row};
use super::rows::{report_row, unit_report_row, unit_row};
use crate::db::{Database, insert_chunked};

/// Every dual-reporting record of the demo district. Offers carry what projects take of them
/// (`committed`); pledges the counts of their records.
#[derive(Debug, Default, Clone)]
pub struct DemoRecords {
    pub units: Vec<Unit>,
    pub unit_reports: Vec<UnitReport>,
    pub reports: Vec<MemberReport>,
    pub pledges: Vec<Pledge>,
    pub fulfilments: Vec<Fulfilment>,
    pub offers: Vec<ResourceOffer>,
    pub needs: Vec<Need>,
    pub projects: Vec<Project>,
    pub activities: Vec<Activity>,
    pub transferred: Vec<TransferredMember>,
}

fn rows<T, R>(items: &[T], row: impl Fn(&T) -> anyhow::Result<R>) -> anyhow::Result<Vec<R>> {
    items.iter().map(row).collect()
}

impl Database {
    /// Writes every record, all or none.
    pub async fn insert_demo_records(&self, r: &DemoRecords) -> anyhow::Result<()> {
        let units = rows(&r.units, unit_row)?;
        let unit_reports = rows(&r.unit_reports, unit_report_row)?;
        let reports = rows(&r.reports, report_row)?;
        let pledges = rows(&r.pledges, pledge_row)?;
        let fulfilments = rows(&r.fulfilments, fulfilment_row)?;
        let offers = rows(&r.offers, offer_row)?;
        let needs = rows(&r.needs, need_row)?;
        let projects = rows(&r.projects, project_row)?;
        let shares: Vec<_> = r
            .projects
            .iter()
            .flat_map(|p| p.offers.iter().map(move |s| share_row(p.id, s)))
            .collect();
        let signatures: Vec<_> = r
            .projects
            .iter()
            .flat_map(|p| p.signatures.iter().map(move |s| signature_row(p.id, s)))
            .collect();
        let activities = rows(&r.activities, activity_row)?;
        let transferred = rows(&r.transferred, super::transferred_members::row)?;
        let txn = self.begin_write().await?;
        insert_chunked(&txn, units).await?;
        insert_chunked(&txn, unit_reports).await?;
        insert_chunked(&txn, reports).await?;
        insert_chunked(&txn, pledges).await?;
        insert_chunked(&txn, fulfilments).await?;
        insert_chunked(&txn, offers).await?;
        insert_chunked(&txn, needs).await?;
        insert_chunked(&txn, projects).await?;
        insert_chunked(&txn, shares).await?;
        insert_chunked(&txn, signatures).await?;
        insert_chunked(&txn, activities).await?;
        insert_chunked(&txn, transferred).await?;
        txn.commit().await?;
        Ok(())
    }
}
