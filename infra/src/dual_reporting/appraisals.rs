//! Appraisals of members and of units.

use anyhow::Context;
use linli_dual_reporting::MemberReportId;
use linli_dual_reporting::appraisal::{Appraisal, AppraisalId, Grade, Period, UnitAppraisal};
use linli_dual_reporting::error::WriteError;
use linli_dual_reporting::models::TransferredMemberId;
use linli_dual_reporting::pledges::MemberBasis;
use linli_dual_reporting::ports::{AppraisalFilter, AppraisalRepository};
use linli_kernel::{DomainEvent, Page, PageRequest, ScopePath, UnitId, UserId};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, Condition, DbErr, EntityTrait, QueryFilter};

use super::entity::{appraisal, unit_appraisal};
use crate::db::query::{PathColumns, keyset_page, reach_condition};
use crate::db::{Database, is_unique_violation, outbox};

fn appraisal_row(a: &Appraisal) -> anyhow::Result<appraisal::ActiveModel> {
    let (report, transferred) = match a.basis {
        MemberBasis::Report(report) => (Some(report.as_uuid()), None),
        MemberBasis::Transferred(member) => (None, Some(member.as_uuid())),
    };
    Ok(appraisal::ActiveModel {
        id: Set(a.id.0),
        user_id: Set(a.user_id.as_uuid()),
        report_id: Set(report),
        transferred_member_id: Set(transferred),
        unit_id: Set(a.unit_id.map(|u| u.as_uuid())),
        subdistrict_id: Set(a
            .place
            .subdistrict
            .context("an appraisal without a subdistrict")?
            .as_uuid()),
        community_id: Set(a
            .place
            .community
            .context("an appraisal without a community")?
            .as_uuid()),
        grid_id: Set(a.place.grid.map(|g| g.as_uuid())),
        period: Set(a.period.year()),
        grade: Set(a.grade.as_str().to_owned()),
        comment: Set(a.comment.clone()),
        appraised_by: Set(a.appraised_by.as_uuid()),
        appraised_at: Set(a.appraised_at),
    })
}

fn to_appraisal(row: appraisal::Model) -> anyhow::Result<Appraisal> {
    let mut place = ScopePath::community(row.subdistrict_id.into(), row.community_id.into());
    place.grid = row.grid_id.map(Into::into);
    Ok(Appraisal {
        id: AppraisalId(row.id),
        user_id: UserId::from_uuid(row.user_id),
        basis: match (row.report_id, row.transferred_member_id) {
            (Some(report), None) => MemberBasis::Report(MemberReportId::from_uuid(report)),
            (None, Some(member)) => MemberBasis::Transferred(TransferredMemberId::from_uuid(member)),
            _ => anyhow::bail!("appraisal {} names neither a report nor a registration", row.id),
        },
        unit_id: row.unit_id.map(Into::into),
        place,
        period: Period::new("period", row.period)?,
        grade: Grade::parse("grade", &row.grade)?,
        comment: row.comment,
        appraised_by: UserId::from_uuid(row.appraised_by),
        appraised_at: row.appraised_at,
    })
}

fn unit_appraisal_row(a: &UnitAppraisal) -> anyhow::Result<unit_appraisal::ActiveModel> {
    Ok(unit_appraisal::ActiveModel {
        id: Set(a.id.0),
        unit_id: Set(a.unit_id.as_uuid()),
        period: Set(a.period.year()),
        grade: Set(a.grade.as_str().to_owned()),
        comment: Set(a.comment.clone()),
        indicators: Set(serde_json::to_string(&a.indicators)?),
        appraised_by: Set(a.appraised_by.as_uuid()),
        appraised_at: Set(a.appraised_at),
    })
}

fn to_unit_appraisal(row: unit_appraisal::Model) -> anyhow::Result<UnitAppraisal> {
    Ok(UnitAppraisal {
        id: AppraisalId(row.id),
        unit_id: row.unit_id.into(),
        period: Period::new("period", row.period)?,
        grade: Grade::parse("grade", &row.grade)?,
        comment: row.comment,
        indicators: serde_json::from_str(&row.indicators)?,
        appraised_by: UserId::from_uuid(row.appraised_by),
        appraised_at: row.appraised_at,
    })
}

/// An insert whose only unique rule is "one per member (or unit) and year".
fn once_per_period(result: Result<(), DbErr>) -> Result<(), WriteError> {
    match result {
        Ok(()) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(WriteError::AlreadyAppraised),
        Err(e) => Err(WriteError::Storage(e.into())),
    }
}

fn visible(filter: &AppraisalFilter) -> Condition {
    let mut any = Condition::any().add(reach_condition(
        &filter.reach,
        PathColumns {
            subdistrict: Some(appraisal::Column::SubdistrictId),
            community: Some(appraisal::Column::CommunityId),
            grid: Some(appraisal::Column::GridId),
            building: None,
            side: None,
        },
    ));
    if !filter.units.is_empty() {
        any = any.add(appraisal::Column::UnitId.is_in(filter.units.iter().map(UnitId::as_uuid)));
    }
    if let Some(own) = filter.own {
        any = any.add(appraisal::Column::UserId.eq(own.as_uuid()));
    }
    let mut all = Condition::all().add(any);
    if let Some(period) = filter.period {
        all = all.add(appraisal::Column::Period.eq(period.year()));
    }
    if let Some(community) = filter.community_id {
        all = all.add(appraisal::Column::CommunityId.eq(community.as_uuid()));
    }
    if !filter.members.is_empty() {
        all = all.add(appraisal::Column::UserId.is_in(filter.members.iter().map(UserId::as_uuid)));
    }
    all
}

impl AppraisalRepository for Database {
    async fn insert_appraisal(&self, a: &Appraisal, events: &[DomainEvent]) -> Result<(), WriteError> {
        let row = appraisal_row(a)?;
        once_per_period(
            async {
                let txn = self.begin_write().await?;
                appraisal::Entity::insert(row)
                    .exec_without_returning(&txn)
                    .await?;
                outbox::record(&txn, events).await?;
                self.commit_with_events(txn).await
            }
            .await,
        )
    }

    async fn appraisals(
        &self,
        filter: &AppraisalFilter,
        page: PageRequest,
    ) -> anyhow::Result<Page<Appraisal>> {
        let select = appraisal::Entity::find().filter(visible(filter));
        let rows = keyset_page(&self.conn, select, appraisal::Column::Id, page, |r| r.id).await?;
        Ok(Page {
            items: rows
                .items
                .into_iter()
                .map(to_appraisal)
                .collect::<anyhow::Result<_>>()?,
            next_after: rows.next_after,
        })
    }

    async fn appraisals_of(&self, members: &[UserId], period: Period) -> anyhow::Result<Vec<Appraisal>> {
        let mut all = Vec::new();
        // Bounded statements: SQLite caps the values bound in one.
        for chunk in members.chunks(500) {
            let rows = appraisal::Entity::find()
                .filter(appraisal::Column::UserId.is_in(chunk.iter().map(UserId::as_uuid)))
                .filter(appraisal::Column::Period.eq(period.year()))
                .all(&self.conn)
                .await?;
            for row in rows {
                all.push(to_appraisal(row)?);
            }
        }
        Ok(all)
    }

    async fn insert_unit_appraisal(
        &self,
        a: &UnitAppraisal,
        events: &[DomainEvent],
    ) -> Result<(), WriteError> {
        let row = unit_appraisal_row(a)?;
        once_per_period(
            async {
                let txn = self.begin_write().await?;
                unit_appraisal::Entity::insert(row)
                    .exec_without_returning(&txn)
                    .await?;
                outbox::record(&txn, events).await?;
                self.commit_with_events(txn).await
            }
            .await,
        )
    }

    async fn unit_appraisals(
        &self,
        units: &[UnitId],
        period: Option<Period>,
        page: PageRequest,
    ) -> anyhow::Result<Page<UnitAppraisal>> {
        let mut select = unit_appraisal::Entity::find();
        if !units.is_empty() {
            select = select.filter(unit_appraisal::Column::UnitId.is_in(units.iter().map(UnitId::as_uuid)));
        }
        if let Some(period) = period {
            select = select.filter(unit_appraisal::Column::Period.eq(period.year()));
        }
        let rows = keyset_page(&self.conn, select, unit_appraisal::Column::Id, page, |r| r.id).await?;
        Ok(Page {
            items: rows
                .items
                .into_iter()
                .map(to_unit_appraisal)
                .collect::<anyhow::Result<_>>()?,
            next_after: rows.next_after,
        })
    }
}
