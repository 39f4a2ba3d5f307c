//! Pledges and their records. A record is counted on its pledge in the same transaction that
//! stores it, by an UPDATE conditional on the counts staying within the target, and decided by
//! an UPDATE conditional on its being submitted: of two concurrent records for the last place
//! one gets in, and of two concurrent decisions one writes while the other finds nothing to
//! update. Rows read back are checked as the models are, so corruption is an error, never a
//! guess.

use anyhow::Context;
use linli_dual_reporting::appraisal::Period;
use linli_dual_reporting::error::WriteError;
use linli_dual_reporting::pledges::MemberBasis;
use linli_dual_reporting::ports::{PledgeFilter, PledgeRepository};
use linli_dual_reporting::{
    CategoryKey, Fulfilment, FulfilmentId, FulfilmentStatus, MemberReportId, Pledge, PledgeId,
    TransferredMemberId,
};
use linli_kernel::{DomainEvent, Page, PageRequest, ScopePath, UserId};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, QueryOrder};

use super::entity::{pledge, pledge_fulfilment};
use crate::db::query::{PathColumns, keyset_page, reach_condition};
use crate::db::{Database, outbox};

pub(super) fn pledge_row(p: &Pledge) -> anyhow::Result<pledge::ActiveModel> {
    let (report, transferred) = match p.basis {
        MemberBasis::Report(report) => (Some(report.as_uuid()), None),
        MemberBasis::Transferred(member) => (None, Some(member.as_uuid())),
    };
    Ok(pledge::ActiveModel {
        id: Set(p.id.as_uuid()),
        user_id: Set(p.user_id.as_uuid()),
        member_report_id: Set(report),
        transferred_member_id: Set(transferred),
        unit_id: Set(p.unit_id.map(|u| u.as_uuid())),
        subdistrict_id: Set(p
            .place
            .subdistrict
            .context("a pledge without a subdistrict")?
            .as_uuid()),
        community_id: Set(p
            .place
            .community
            .context("a pledge without a community")?
            .as_uuid()),
        grid_id: Set(p.place.grid.context("a pledge without a grid")?.as_uuid()),
        title: Set(p.title.clone()),
        category: Set(p.category.as_str().to_owned()),
        target: Set(i32::try_from(p.target)?),
        period: Set(p.period.year()),
        verified_count: Set(i32::try_from(p.verified)?),
        pending_count: Set(i32::try_from(p.pending)?),
        created_at: Set(p.created_at),
    })
}

fn to_pledge(row: pledge::Model) -> anyhow::Result<Pledge> {
    let basis = match (row.member_report_id, row.transferred_member_id) {
        (Some(report), None) => MemberBasis::Report(MemberReportId::from_uuid(report)),
        (None, Some(member)) => MemberBasis::Transferred(TransferredMemberId::from_uuid(member)),
        _ => anyhow::bail!("pledge {} is on no ground, or on two", row.id),
    };
    Ok(Pledge {
        id: PledgeId::from_uuid(row.id),
        user_id: UserId::from_uuid(row.user_id),
        basis,
        unit_id: row.unit_id.map(Into::into),
        place: ScopePath::grid(
            row.subdistrict_id.into(),
            row.community_id.into(),
            row.grid_id.into(),
        ),
        title: row.title,
        category: CategoryKey::parse("category", &row.category)?,
        target: u32::try_from(row.target)?,
        period: Period::new("period", row.period)?,
        verified: u32::try_from(row.verified_count)?,
        pending: u32::try_from(row.pending_count)?,
        created_at: row.created_at,
    })
}

pub(super) fn fulfilment_row(f: &Fulfilment) -> anyhow::Result<pledge_fulfilment::ActiveModel> {
    Ok(pledge_fulfilment::ActiveModel {
        id: Set(f.id.as_uuid()),
        pledge_id: Set(f.pledge_id.as_uuid()),
        user_id: Set(f.user_id.as_uuid()),
        note: Set(f.note.clone()),
        photos: Set(serde_json::to_string(&f.photos)?),
        status: Set(f.status.as_str().to_owned()),
        reason: Set(f.reason.clone()),
        submitted_at: Set(f.submitted_at),
        decided_by: Set(f.decided_by.map(|u| u.as_uuid())),
        decided_at: Set(f.decided_at),
    })
}

fn to_fulfilment(row: pledge_fulfilment::Model) -> anyhow::Result<Fulfilment> {
    Ok(Fulfilment {
        id: FulfilmentId::from_uuid(row.id),
        pledge_id: PledgeId::from_uuid(row.pledge_id),
        user_id: UserId::from_uuid(row.user_id),
        note: row.note,
        photos: serde_json::from_str(&row.photos)?,
        status: FulfilmentStatus::parse("status", &row.status)?,
        reason: row.reason,
        submitted_at: row.submitted_at,
        decided_by: row.decided_by.map(UserId::from_uuid),
        decided_at: row.decided_at,
    })
}

fn visible(filter: &PledgeFilter) -> Condition {
    let mut any = Condition::any().add(reach_condition(
        &filter.reach,
        PathColumns {
            subdistrict: Some(pledge::Column::SubdistrictId),
            community: Some(pledge::Column::CommunityId),
            grid: Some(pledge::Column::GridId),
            building: None,
            side: None,
        },
    ));
    if !filter.units.is_empty() {
        any = any.add(pledge::Column::UnitId.is_in(filter.units.iter().map(|u| u.as_uuid())));
    }
    if let Some(own) = filter.own {
        any = any.add(pledge::Column::UserId.eq(own.as_uuid()));
    }
    let mut all = Condition::all().add(any);
    if let Some(community) = filter.community_id {
        all = all.add(pledge::Column::CommunityId.eq(community.as_uuid()));
    }
    if let Some(unit) = filter.unit_id {
        all = all.add(pledge::Column::UnitId.eq(unit.as_uuid()));
    }
    if let Some(period) = filter.period {
        all = all.add(pledge::Column::Period.eq(period.year()));
    }
    all
}

impl PledgeRepository for Database {
    async fn insert_pledge(&self, p: &Pledge, events: &[DomainEvent]) -> Result<(), WriteError> {
        let row = pledge_row(p)?;
        let txn = self.begin_write().await.map_err(anyhow::Error::from)?;
        pledge::Entity::insert(row)
            .exec_without_returning(&txn)
            .await
            .map_err(anyhow::Error::from)?;
        outbox::record(&txn, events).await.map_err(anyhow::Error::from)?;
        self.commit_with_events(txn).await.map_err(anyhow::Error::from)?;
        Ok(())
    }

    async fn find_pledge(&self, id: PledgeId) -> anyhow::Result<Option<Pledge>> {
        pledge::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await?
            .map(to_pledge)
            .transpose()
    }

    async fn count_pledges(&self, user: UserId, period: Period) -> anyhow::Result<u64> {
        Ok(pledge::Entity::find()
            .filter(pledge::Column::UserId.eq(user.as_uuid()))
            .filter(pledge::Column::Period.eq(period.year()))
            .count(&self.conn)
            .await?)
    }

    async fn list_pledges(&self, filter: &PledgeFilter, page: PageRequest) -> anyhow::Result<Page<Pledge>> {
        let select = pledge::Entity::find().filter(visible(filter));
        let rows = keyset_page(&self.conn, select, pledge::Column::Id, page, |r| r.id).await?;
        Ok(Page {
            items: rows
                .items
                .into_iter()
                .map(to_pledge)
                .collect::<anyhow::Result<_>>()?,
            next_after: rows.next_after,
        })
    }

    async fn fulfilments_of(&self, pledge: PledgeId) -> anyhow::Result<Vec<Fulfilment>> {
        pledge_fulfilment::Entity::find()
            .filter(pledge_fulfilment::Column::PledgeId.eq(pledge.as_uuid()))
            .order_by_asc(pledge_fulfilment::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(to_fulfilment)
            .collect()
    }

    async fn find_fulfilment(&self, id: FulfilmentId) -> anyhow::Result<Option<Fulfilment>> {
        pledge_fulfilment::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await?
            .map(to_fulfilment)
            .transpose()
    }

    async fn insert_fulfilment(&self, f: &Fulfilment, events: &[DomainEvent]) -> Result<(), WriteError> {
        let row = fulfilment_row(f)?;
        let result: anyhow::Result<bool> = async {
            let txn = self.begin_write().await?;
            let counted = pledge::Entity::update_many()
                .col_expr(
                    pledge::Column::PendingCount,
                    Expr::col(pledge::Column::PendingCount).add(1),
                )
                .filter(pledge::Column::Id.eq(f.pledge_id.as_uuid()))
                .filter(
                    Expr::col(pledge::Column::VerifiedCount)
                        .add(Expr::col(pledge::Column::PendingCount))
                        .lt(Expr::col(pledge::Column::Target)),
                )
                .exec(&txn)
                .await?;
            if counted.rows_affected == 0 {
                return Ok(false);
            }
            pledge_fulfilment::Entity::insert(row)
                .exec_without_returning(&txn)
                .await?;
            outbox::record(&txn, events).await?;
            self.commit_with_events(txn).await?;
            Ok(true)
        }
        .await;
        match result {
            Ok(true) => Ok(()),
            Ok(false) => Err(WriteError::PledgeTargetReached),
            Err(e) => Err(WriteError::Storage(e)),
        }
    }

    async fn decide_fulfilment(&self, f: &Fulfilment, events: &[DomainEvent]) -> anyhow::Result<bool> {
        let row = fulfilment_row(f)?;
        let txn = self.begin_write().await?;
        let decided = pledge_fulfilment::Entity::update_many()
            .set(row)
            .filter(pledge_fulfilment::Column::Id.eq(f.id.as_uuid()))
            .filter(pledge_fulfilment::Column::Status.eq(FulfilmentStatus::Submitted.as_str()))
            .exec(&txn)
            .await?;
        if decided.rows_affected == 0 {
            return Ok(false);
        }
        let verified = i32::from(f.status == FulfilmentStatus::Verified);
        let counted = pledge::Entity::update_many()
            .col_expr(
                pledge::Column::PendingCount,
                Expr::col(pledge::Column::PendingCount).sub(1),
            )
            .col_expr(
                pledge::Column::VerifiedCount,
                Expr::col(pledge::Column::VerifiedCount).add(verified),
            )
            .filter(pledge::Column::Id.eq(f.pledge_id.as_uuid()))
            .exec(&txn)
            .await?;
        if counted.rows_affected != 1 {
            anyhow::bail!("the pledge {} of record {} is not stored", f.pledge_id, f.id);
        }
        outbox::record(&txn, events).await?;
        self.commit_with_events(txn).await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests;

impl Database {
    /// Every pledge of the unit's members for the year, oldest first: what the unit's
    /// feedback shows of each member.
    pub(crate) async fn pledges_of_unit(
        &self,
        unit: linli_kernel::UnitId,
        period: Period,
    ) -> anyhow::Result<Vec<Pledge>> {
        pledge::Entity::find()
            .filter(pledge::Column::UnitId.eq(unit.as_uuid()))
            .filter(pledge::Column::Period.eq(period.year()))
            .order_by_asc(pledge::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(to_pledge)
            .collect()
    }
}
