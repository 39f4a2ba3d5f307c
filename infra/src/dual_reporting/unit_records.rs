//! What the other records say of a unit over a year, for its appraisal's indicators: pledges
//! of its members kept (verified up to their target), and its projects' figures.

use linli_dual_reporting::Pledge;
use linli_dual_reporting::appraisal::Period;
use linli_dual_reporting::ports::{UnitRecordCounts, UnitRecords};
use linli_kernel::UnitId;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::entity::pledge;
use crate::db::Database;

impl UnitRecords for Database {
    async fn unit_records(&self, unit: UnitId, period: Period) -> anyhow::Result<UnitRecordCounts> {
        let pledges_fulfilled = pledge::Entity::find()
            .filter(pledge::Column::UnitId.eq(unit.as_uuid()))
            .filter(pledge::Column::Period.eq(period.year()))
            .filter(Expr::col(pledge::Column::VerifiedCount).gte(Expr::col(pledge::Column::Target)))
            .count(&self.conn)
            .await?;
        let projects = self.unit_project_records(unit, period).await?;
        Ok(UnitRecordCounts {
            pledges_fulfilled: u32::try_from(pledges_fulfilled)?,
            projects_completed: projects.projects_completed,
            activities_held: projects.activities_held,
        })
    }

    async fn unit_pledges(&self, unit: UnitId, period: Period) -> anyhow::Result<Vec<Pledge>> {
        self.pledges_of_unit(unit, period).await
    }
}
