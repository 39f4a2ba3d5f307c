//! The figures of `GET /stats/dual-reporting`, counted by the database: one aggregate query
//! per table, never the rows.

use linli_dual_reporting::ports::StatsRepository;
use linli_dual_reporting::stats::{MemberFigures, PledgeFigures, ProjectFigures, UnitFigures};
use linli_dual_reporting::transferred::TransferStatus;
use linli_dual_reporting::{DualReportingStats, ProjectStatus, ReportStatus, UnitReportStatus};
use linli_kernel::actor::Reach;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};

use super::entity::{
    member_report, need, pledge, project, resource_offer, transferred_member, unit, unit_report,
};
use crate::db::Database;
use crate::db::query::{PathColumns, reach_condition};

/// The columns of a table placed at a grid (or at a community, the grid still unknown).
fn at_grid<C>(subdistrict: C, community: C, grid: C) -> PathColumns<C> {
    PathColumns {
        subdistrict: Some(subdistrict),
        community: Some(community),
        grid: Some(grid),
        building: None,
        side: None,
    }
}

/// The columns of a table placed at a subdistrict or one of its communities.
fn at_community<C>(subdistrict: C, community: C) -> PathColumns<C> {
    PathColumns {
        subdistrict: Some(subdistrict),
        community: Some(community),
        grid: None,
        building: None,
        side: None,
    }
}

fn of(rows: &[(String, i64)], status: &str) -> u64 {
    rows.iter()
        .find(|(s, _)| s == status)
        .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0))
}

impl StatsRepository for Database {
    async fn dual_reporting_stats(&self, reach: &Reach) -> anyhow::Result<DualReportingStats> {
        let db = &self.conn;
        // Every unit is paired with a grid when it is registered (`grid_id` is required).
        let units = unit::Entity::find()
            .filter(reach_condition(
                reach,
                at_grid(
                    unit::Column::SubdistrictId,
                    unit::Column::CommunityId,
                    unit::Column::GridId,
                ),
            ))
            .count(db)
            .await?;
        let reported = unit_report::Entity::find()
            .filter(reach_condition(
                reach,
                at_grid(
                    unit_report::Column::SubdistrictId,
                    unit_report::Column::CommunityId,
                    unit_report::Column::GridId,
                ),
            ))
            .filter(unit_report::Column::Status.eq(UnitReportStatus::Accepted.as_str()))
            .count(db)
            .await?;

        let reports_in_reach = reach_condition(
            reach,
            at_grid(
                member_report::Column::SubdistrictId,
                member_report::Column::CommunityId,
                member_report::Column::GridId,
            ),
        );
        let by_status: Vec<(String, i64)> = member_report::Entity::find()
            .select_only()
            .column(member_report::Column::Status)
            .column_as(member_report::Column::Id.count(), "n")
            .filter(reports_in_reach.clone())
            .group_by(member_report::Column::Status)
            .into_tuple()
            .all(db)
            .await?;
        let members: Option<i64> = member_report::Entity::find()
            .select_only()
            .column_as(Expr::col(member_report::Column::UserId).count_distinct(), "n")
            .filter(reports_in_reach)
            .filter(member_report::Column::Status.eq(ReportStatus::Accepted.as_str()))
            .into_tuple()
            .one(db)
            .await?;

        let pledges_in_reach = reach_condition(
            reach,
            at_grid(
                pledge::Column::SubdistrictId,
                pledge::Column::CommunityId,
                pledge::Column::GridId,
            ),
        );
        let made = pledge::Entity::find()
            .filter(pledges_in_reach.clone())
            .count(db)
            .await?;
        let kept = pledge::Entity::find()
            .filter(pledges_in_reach)
            .filter(Expr::col(pledge::Column::VerifiedCount).gte(Expr::col(pledge::Column::Target)))
            .count(db)
            .await?;

        let offers = resource_offer::Entity::find()
            .filter(reach_condition(
                reach,
                at_grid(
                    resource_offer::Column::SubdistrictId,
                    resource_offer::Column::CommunityId,
                    resource_offer::Column::GridId,
                ),
            ))
            .count(db)
            .await?;
        let needs = need::Entity::find()
            .filter(reach_condition(
                reach,
                at_community(need::Column::SubdistrictId, need::Column::CommunityId),
            ))
            .count(db)
            .await?;
        let projects: Vec<(String, i64)> = project::Entity::find()
            .select_only()
            .column(project::Column::Status)
            .column_as(project::Column::Id.count(), "n")
            .filter(reach_condition(
                reach,
                at_community(project::Column::SubdistrictId, project::Column::CommunityId),
            ))
            .group_by(project::Column::Status)
            .into_tuple()
            .all(db)
            .await?;

        // Counted apart from the in-service members: a transferred member has no unit.
        let transferred = transferred_member::Entity::find()
            .filter(reach_condition(
                reach,
                at_grid(
                    transferred_member::Column::SubdistrictId,
                    transferred_member::Column::CommunityId,
                    transferred_member::Column::GridId,
                ),
            ))
            .filter(transferred_member::Column::Status.eq(TransferStatus::Active.as_str()))
            .count(db)
            .await?;

        Ok(DualReportingStats {
            units: UnitFigures {
                registered: units,
                paired: units,
                reported,
            },
            members: MemberFigures {
                accepted: of(&by_status, ReportStatus::Accepted.as_str()),
                submitted: of(&by_status, ReportStatus::Submitted.as_str()),
                rejected: of(&by_status, ReportStatus::Rejected.as_str()),
                withdrawn: of(&by_status, ReportStatus::Withdrawn.as_str()),
                members: members.map_or(0, |n| u64::try_from(n).unwrap_or(0)),
            },
            transferred_members: transferred,
            pledges: PledgeFigures { made, kept },
            offers,
            needs,
            projects: ProjectFigures {
                planned: of(&projects, ProjectStatus::Planned.as_str()),
                active: of(&projects, ProjectStatus::Active.as_str()),
                completed: of(&projects, ProjectStatus::Completed.as_str()),
                cancelled: of(&projects, ProjectStatus::Cancelled.as_str()),
            },
        })
    }
}
