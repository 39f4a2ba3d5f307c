//! Units and their reports to the paired grid.

use linli_dual_reporting::error::WriteError;
use linli_dual_reporting::ports::UnitRepository;
use linli_dual_reporting::{Unit, UnitReport, UnitReportId, UnitReportStatus};
use linli_kernel::{DomainEvent, Page, PageRequest, UnitId};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter};

use super::entity::{unit, unit_report};
use super::rows::{to_unit, to_unit_report, unit_report_row, unit_row};
use crate::db::query::keyset_page;
use crate::db::{Database, outbox, violated_unique};

/// A failed insert in the port's terms: `rule` is what the table's one unique index means.
fn refused(e: DbErr, index: (&str, &str), rule: WriteError) -> WriteError {
    match violated_unique(&e) {
        Some(violated) if violated == index.0 || violated == index.1 => rule,
        _ => WriteError::Storage(e.into()),
    }
}

impl UnitRepository for Database {
    async fn insert_unit(&self, u: &Unit, events: &[DomainEvent]) -> Result<(), WriteError> {
        let row = unit_row(u)?;
        let result = async {
            let txn = self.begin_write().await?;
            unit::Entity::insert(row).exec_without_returning(&txn).await?;
            outbox::record(&txn, events).await?;
            self.commit_with_events(txn).await
        }
        .await;
        let grid = u
            .grid_id()
            .ok_or_else(|| anyhow::anyhow!("a unit without a grid"))?;
        result.map_err(|e| {
            refused(
                e,
                ("units_grid_key", "units.grid_id"),
                WriteError::GridAlreadyPaired(grid),
            )
        })
    }

    async fn find_unit(&self, id: UnitId) -> anyhow::Result<Option<Unit>> {
        unit::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await?
            .map(to_unit)
            .transpose()
    }

    async fn find_units(&self, ids: &[UnitId]) -> anyhow::Result<Vec<Unit>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        unit::Entity::find()
            .filter(unit::Column::Id.is_in(ids.iter().map(UnitId::as_uuid)))
            .all(&self.conn)
            .await?
            .into_iter()
            .map(to_unit)
            .collect()
    }

    async fn list_units(&self, page: PageRequest) -> anyhow::Result<Page<Unit>> {
        let rows = keyset_page(&self.conn, unit::Entity::find(), unit::Column::Id, page, |r| r.id).await?;
        Ok(Page {
            items: rows
                .items
                .into_iter()
                .map(to_unit)
                .collect::<anyhow::Result<_>>()?,
            next_after: rows.next_after,
        })
    }

    async fn insert_unit_report(
        &self,
        report: &UnitReport,
        events: &[DomainEvent],
    ) -> Result<(), WriteError> {
        let row = unit_report_row(report)?;
        let result = async {
            let txn = self.begin_write().await?;
            unit_report::Entity::insert(row)
                .exec_without_returning(&txn)
                .await?;
            outbox::record(&txn, events).await?;
            self.commit_with_events(txn).await
        }
        .await;
        result.map_err(|e| {
            refused(
                e,
                ("unit_reports_unit_key", "unit_reports.unit_id"),
                WriteError::UnitAlreadyReported,
            )
        })
    }

    async fn find_unit_report(&self, id: UnitReportId) -> anyhow::Result<Option<UnitReport>> {
        unit_report::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await?
            .map(to_unit_report)
            .transpose()
    }

    async fn unit_report_of(&self, unit: UnitId) -> anyhow::Result<Option<UnitReport>> {
        unit_report::Entity::find()
            .filter(unit_report::Column::UnitId.eq(unit.as_uuid()))
            .one(&self.conn)
            .await?
            .map(to_unit_report)
            .transpose()
    }

    async fn accept_unit_report(&self, report: &UnitReport, events: &[DomainEvent]) -> anyhow::Result<bool> {
        let update = unit_report::Entity::update_many()
            .col_expr(unit_report::Column::Status, Expr::value(report.status.as_str()))
            .col_expr(
                unit_report::Column::AcceptedBy,
                Expr::value(report.accepted_by.map(|u| u.as_uuid())),
            )
            .col_expr(unit_report::Column::AcceptedAt, Expr::value(report.accepted_at))
            .filter(unit_report::Column::Id.eq(report.id.as_uuid()))
            .filter(unit_report::Column::Status.eq(UnitReportStatus::Submitted.as_str()));
        Ok(self.transition_with_events(update, events).await?)
    }
}
