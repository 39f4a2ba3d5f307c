//! Member reports. One open report per person is kept by a partial unique index; a decision
//! is an UPDATE conditional on the state it decides from, so of two concurrent decisions one
//! writes and the other finds nothing to update.

use linli_dual_reporting::error::WriteError;
use linli_dual_reporting::ports::{MemberReportRepository, ReportFilter};
use linli_dual_reporting::{MemberReport, MemberReportId, ReportStatus};
use linli_kernel::{DomainEvent, Page, PageRequest, UnitId, UserId};
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
use sea_orm::{ColumnTrait, Condition, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::entity::member_report;
use super::rows::{report_row, to_report};
use super::transferred_members::{is_transferred_member, lock_person};
use crate::db::query::{PathColumns, keyset_page, reach_condition};
use crate::db::{Database, outbox, violated_unique};

/// The states of an open report (see `member_reports_one_open`).
const OPEN: [ReportStatus; 2] = [ReportStatus::Submitted, ReportStatus::Accepted];

fn visible(filter: &ReportFilter) -> Condition {
    let mut any = Condition::any().add(reach_condition(
        &filter.reach,
        PathColumns {
            subdistrict: Some(member_report::Column::SubdistrictId),
            community: Some(member_report::Column::CommunityId),
            grid: Some(member_report::Column::GridId),
            building: None,
            side: None,
        },
    ));
    if !filter.units.is_empty() {
        any = any.add(member_report::Column::UnitId.is_in(filter.units.iter().map(|u| u.as_uuid())));
    }
    if let Some(own) = filter.own {
        any = any.add(member_report::Column::UserId.eq(own.as_uuid()));
    }
    let mut all = Condition::all().add(any);
    if let Some(community) = filter.community_id {
        all = all.add(member_report::Column::CommunityId.eq(community.as_uuid()));
    }
    if let Some(unit) = filter.unit_id {
        all = all.add(member_report::Column::UnitId.eq(unit.as_uuid()));
    }
    if let Some(status) = filter.status {
        all = all.add(member_report::Column::Status.eq(status.as_str()));
    }
    if let Some(grid) = filter.grid_id {
        all = all.add(member_report::Column::GridId.eq(grid.as_uuid()));
    }
    if let Some(category) = &filter.category {
        all = all.add(member_report::Column::Category.eq(category.as_str()));
    }
    if let Some(skill) = &filter.skill {
        all = all.add(Expr::col(member_report::Column::Skills).like(skill_pattern(skill)));
    }
    all
}

/// Skills are stored as a JSON array of strings: a skill is in it as its JSON string, quotes
/// included, so `"法律"` does not find `"法律咨询"`. `%`, `_` and the escape itself are taken
/// literally.
fn skill_pattern(skill: &str) -> LikeExpr {
    let quoted = serde_json::Value::String(skill.to_owned()).to_string();
    let escaped = quoted
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

impl MemberReportRepository for Database {
    async fn insert_report(&self, report: &MemberReport, events: &[DomainEvent]) -> Result<(), WriteError> {
        let row = report_row(report)?;
        let result = async {
            let txn = self.begin_write().await?;
            // A transferred member does not also report: looked at under the person's lock,
            // which a registration takes too (see `transferred_members.rs`).
            lock_person(&txn, report.user_id).await?;
            if is_transferred_member(&txn, report.user_id).await? {
                return Ok(false);
            }
            member_report::Entity::insert(row)
                .exec_without_returning(&txn)
                .await?;
            outbox::record(&txn, events).await?;
            self.commit_with_events(txn).await?;
            Ok::<bool, DbErr>(true)
        }
        .await;
        match result {
            Ok(true) => Ok(()),
            Ok(false) => Err(WriteError::TransferredMemberExists),
            Err(e) => Err(match violated_unique(&e) {
                Some(index) if index == "member_reports_one_open" || index == "member_reports.user_id" => {
                    WriteError::OpenReportExists
                }
                _ => WriteError::Storage(e.into()),
            }),
        }
    }

    async fn find_report(&self, id: MemberReportId) -> anyhow::Result<Option<MemberReport>> {
        member_report::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await?
            .map(to_report)
            .transpose()
    }

    async fn list_reports(
        &self,
        filter: &ReportFilter,
        page: PageRequest,
    ) -> anyhow::Result<Page<MemberReport>> {
        let select = member_report::Entity::find().filter(visible(filter));
        let rows = keyset_page(&self.conn, select, member_report::Column::Id, page, |r| r.id).await?;
        Ok(Page {
            items: rows
                .items
                .into_iter()
                .map(to_report)
                .collect::<anyhow::Result<_>>()?,
            next_after: rows.next_after,
        })
    }

    async fn open_report_of(&self, user: UserId) -> anyhow::Result<Option<MemberReport>> {
        member_report::Entity::find()
            .filter(member_report::Column::UserId.eq(user.as_uuid()))
            .filter(member_report::Column::Status.is_in(OPEN.map(ReportStatus::as_str)))
            .one(&self.conn)
            .await?
            .map(to_report)
            .transpose()
    }

    async fn reports_of_unit(&self, unit: UnitId) -> anyhow::Result<Vec<MemberReport>> {
        member_report::Entity::find()
            .filter(member_report::Column::UnitId.eq(unit.as_uuid()))
            .order_by_asc(member_report::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(to_report)
            .collect()
    }

    async fn transition(
        &self,
        report: &MemberReport,
        from: ReportStatus,
        events: &[DomainEvent],
    ) -> anyhow::Result<bool> {
        let update = member_report::Entity::update_many()
            .set(report_row(report)?)
            .filter(member_report::Column::Id.eq(report.id.as_uuid()))
            .filter(member_report::Column::Status.eq(from.as_str()));
        Ok(self.transition_with_events(update, events).await?)
    }
}
