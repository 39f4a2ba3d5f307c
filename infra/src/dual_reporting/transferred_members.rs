//! Transferred members. One active registration per person is kept by a partial unique index.
//!
//! That a person is never both an active transferred member and an open reporter spans two
//! tables, so no index can keep it. Both writes take the same per-person lock inside their
//! transaction and look at the other table under it: on PostgreSQL an advisory lock on the
//! person (`pg_advisory_xact_lock`), held to the commit, so the second writer waits and then
//! reads the first one's committed row (READ COMMITTED reads afresh per statement); on SQLite
//! write transactions begin `IMMEDIATE` and take turns anyway. Of a registration and a filing
//! at once, whichever locks first stands and the other is refused.

use linli_dual_reporting::TransferredMemberId;
use linli_dual_reporting::error::WriteError;
use linli_dual_reporting::ports::{TransferredFilter, TransferredMemberRepository};
use linli_dual_reporting::transferred::{TransferStatus, TransferredMember};
use linli_kernel::{DomainEvent, Page, PageRequest, ScopePath, UserId};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DatabaseTransaction, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter,
};

use super::entity::{member_report, transferred_member};
use crate::db::query::{PathColumns, keyset_page, reach_condition};
use crate::db::{Database, outbox, violated_unique};

/// Namespace of the advisory locks that make one person's filings and registrations take
/// turns (beside the grant sets' 72_635).
const PARTY_MEMBER_LOCKS: i32 = 72_636;

/// Takes the person's lock for the rest of `txn` (PostgreSQL; SQLite's write transactions
/// already take turns).
pub(super) async fn lock_person(txn: &DatabaseTransaction, user: UserId) -> Result<(), DbErr> {
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1, hashtext($2))",
            [PARTY_MEMBER_LOCKS.into(), user.to_string().into()],
        ))
        .await?;
    }
    Ok(())
}

/// Whether the person is an active transferred member (read under [`lock_person`]).
pub(super) async fn is_transferred_member(txn: &DatabaseTransaction, user: UserId) -> Result<bool, DbErr> {
    let active = transferred_member::Entity::find()
        .filter(transferred_member::Column::UserId.eq(user.as_uuid()))
        .filter(transferred_member::Column::Status.eq(TransferStatus::Active.as_str()))
        .count(txn)
        .await?;
    Ok(active > 0)
}

async fn has_open_report(txn: &DatabaseTransaction, user: UserId) -> Result<bool, DbErr> {
    let open = member_report::Entity::find()
        .filter(member_report::Column::UserId.eq(user.as_uuid()))
        .filter(member_report::Column::Status.is_in(["submitted", "accepted"]))
        .count(txn)
        .await?;
    Ok(open > 0)
}

pub(super) fn row(m: &TransferredMember) -> anyhow::Result<transferred_member::ActiveModel> {
    let missing = || anyhow::anyhow!("a transferred member placed above a grid");
    Ok(transferred_member::ActiveModel {
        id: Set(m.id.as_uuid()),
        user_id: Set(m.user_id.as_uuid()),
        subdistrict_id: Set(m.place.subdistrict.ok_or_else(missing)?.as_uuid()),
        community_id: Set(m.place.community.ok_or_else(missing)?.as_uuid()),
        grid_id: Set(m.place.grid.ok_or_else(missing)?.as_uuid()),
        from_organisation: Set(m.from_organisation.clone()),
        transferred_on: Set(m.transferred_on),
        status: Set(m.status.as_str().to_owned()),
        registered_by: Set(m.registered_by.as_uuid()),
        registered_at: Set(m.registered_at),
        withdrawn_by: Set(m.withdrawn_by.map(|u| u.as_uuid())),
        withdrawn_at: Set(m.withdrawn_at),
        reason: Set(m.reason.clone()),
    })
}

fn to_member(row: transferred_member::Model) -> anyhow::Result<TransferredMember> {
    Ok(TransferredMember {
        id: TransferredMemberId::from_uuid(row.id),
        user_id: UserId::from_uuid(row.user_id),
        place: ScopePath::grid(
            row.subdistrict_id.into(),
            row.community_id.into(),
            row.grid_id.into(),
        ),
        from_organisation: row.from_organisation,
        transferred_on: row.transferred_on,
        status: TransferStatus::parse("status", &row.status)?,
        registered_by: UserId::from_uuid(row.registered_by),
        registered_at: row.registered_at,
        withdrawn_by: row.withdrawn_by.map(UserId::from_uuid),
        withdrawn_at: row.withdrawn_at,
        reason: row.reason,
    })
}

fn visible(filter: &TransferredFilter) -> Condition {
    let mut any = Condition::any().add(reach_condition(
        &filter.reach,
        PathColumns {
            subdistrict: Some(transferred_member::Column::SubdistrictId),
            community: Some(transferred_member::Column::CommunityId),
            grid: Some(transferred_member::Column::GridId),
            building: None,
            side: None,
        },
    ));
    if let Some(own) = filter.own {
        any = any.add(transferred_member::Column::UserId.eq(own.as_uuid()));
    }
    let mut all = Condition::all().add(any);
    if let Some(community) = filter.community_id {
        all = all.add(transferred_member::Column::CommunityId.eq(community.as_uuid()));
    }
    if let Some(status) = filter.status {
        all = all.add(transferred_member::Column::Status.eq(status.as_str()));
    }
    all
}

/// Why an insert was refused, in the port's terms.
enum Refusal {
    OpenReport,
    Db(DbErr),
}

impl From<DbErr> for Refusal {
    fn from(e: DbErr) -> Self {
        Self::Db(e)
    }
}

impl TransferredMemberRepository for Database {
    async fn insert_transferred(
        &self,
        member: &TransferredMember,
        events: &[DomainEvent],
    ) -> Result<(), WriteError> {
        let row = row(member)?;
        let result = async {
            let txn = self.begin_write().await?;
            lock_person(&txn, member.user_id).await?;
            if has_open_report(&txn, member.user_id).await? {
                return Err(Refusal::OpenReport);
            }
            transferred_member::Entity::insert(row)
                .exec_without_returning(&txn)
                .await?;
            outbox::record(&txn, events).await?;
            self.commit_with_events(txn).await?;
            Ok(())
        }
        .await;
        result.map_err(|refusal| match refusal {
            Refusal::OpenReport => WriteError::OpenReportExists,
            Refusal::Db(e) => match violated_unique(&e) {
                Some(index)
                    if index == "transferred_members_one_active"
                        || index == "transferred_members.user_id" =>
                {
                    WriteError::TransferredMemberExists
                }
                _ => WriteError::Storage(e.into()),
            },
        })
    }

    async fn find_transferred(&self, id: TransferredMemberId) -> anyhow::Result<Option<TransferredMember>> {
        transferred_member::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await?
            .map(to_member)
            .transpose()
    }

    async fn active_transferred_of(&self, user: UserId) -> anyhow::Result<Option<TransferredMember>> {
        transferred_member::Entity::find()
            .filter(transferred_member::Column::UserId.eq(user.as_uuid()))
            .filter(transferred_member::Column::Status.eq(TransferStatus::Active.as_str()))
            .one(&self.conn)
            .await?
            .map(to_member)
            .transpose()
    }

    async fn list_transferred(
        &self,
        filter: &TransferredFilter,
        page: PageRequest,
    ) -> anyhow::Result<Page<TransferredMember>> {
        let select = transferred_member::Entity::find().filter(visible(filter));
        let rows = keyset_page(&self.conn, select, transferred_member::Column::Id, page, |r| r.id).await?;
        Ok(Page {
            items: rows
                .items
                .into_iter()
                .map(to_member)
                .collect::<anyhow::Result<_>>()?,
            next_after: rows.next_after,
        })
    }

    async fn transition_transferred(
        &self,
        member: &TransferredMember,
        from: TransferStatus,
        events: &[DomainEvent],
    ) -> anyhow::Result<bool> {
        let update = transferred_member::Entity::update_many()
            .set(row(member)?)
            .filter(transferred_member::Column::Id.eq(member.id.as_uuid()))
            .filter(transferred_member::Column::Status.eq(from.as_str()));
        Ok(self.transition_with_events(update, events).await?)
    }

    async fn discard_transferred(&self, id: TransferredMemberId) -> anyhow::Result<()> {
        transferred_member::Entity::delete_by_id(id.as_uuid())
            .exec(&self.conn)
            .await?;
        Ok(())
    }
}
