//! Requests and their timelines, and the one write of requests and tasks: every row a change
//! rewrites is a guarded UPDATE (`… WHERE id = ? AND status = ? AND version = ?`, exactly one
//! row), made first in the transaction so that on SQLite a loser has written nothing; then the
//! inserts, the timeline and the outbox. A guard that fails rolls the whole change back.

use chrono::{DateTime, Utc};
use linli_kernel::{GridId, Page, PageRequest, RequestId, UserId};
use linli_resident_requests::category::CategoryKey;
use linli_resident_requests::error::WriteError;
use linli_resident_requests::ports::{Change, RequestFilter, RequestRepository};
use linli_resident_requests::request::{Level, Moderation, RequestStatus, ResidentRequest, TimelineEntry};
use sea_orm::{
    ColumnTrait, Condition, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::entity::{request, task, timeline_entry};
use super::rows::{entry_row, request_row, task_row, to_entry, to_request};
use crate::db::guarded::{GuardedWriteError, guarded_update};
use crate::db::query::{PathColumns, keyset_page_newest_first, reach_condition};
use crate::db::{Database, outbox};

fn visible(filter: &RequestFilter) -> Condition {
    let mut any = Condition::any().add(reach_condition(
        &filter.handles,
        PathColumns {
            subdistrict: Some(request::Column::SubdistrictId),
            community: Some(request::Column::CommunityId),
            grid: Some(request::Column::GridId),
            building: Some(request::Column::BuildingId),
            side: None,
        },
    ));
    if let Some(author) = filter.author {
        any = any.add(request::Column::AuthorId.eq(author.as_uuid()));
    }
    if !filter.followed.is_empty() {
        any = any.add(request::Column::Id.is_in(filter.followed.iter().map(|r| r.as_uuid())));
    }
    if let Some(grid) = filter.neighbourhood {
        any = any.add(
            Condition::all()
                .add(request::Column::GridId.eq(grid.as_uuid()))
                .add(request::Column::Moderation.eq(Moderation::Visible.as_str())),
        );
    }
    let mut all = Condition::all().add(any);
    if let Some(grid) = filter.grid_id {
        all = all.add(request::Column::GridId.eq(grid.as_uuid()));
    }
    if let Some(community) = filter.community_id {
        all = all.add(request::Column::CommunityId.eq(community.as_uuid()));
    }
    if let Some(status) = filter.status {
        all = all.add(request::Column::Status.eq(status.as_str()));
    }
    if let Some(category) = &filter.category {
        all = all.add(request::Column::Category.eq(category.as_str()));
    }
    all
}

/// The states of an open request (one that may still be handled).
fn open_statuses() -> Vec<&'static str> {
    RequestStatus::ALL
        .into_iter()
        .filter(|s| s.is_open())
        .map(RequestStatus::as_str)
        .collect()
}

/// Why a change was not written: a guard lost (nothing written, not an error) or storage.
enum Refused {
    Lost,
    Storage(anyhow::Error),
}

impl From<DbErr> for Refused {
    fn from(e: DbErr) -> Self {
        Self::Storage(e.into())
    }
}

impl From<GuardedWriteError> for Refused {
    fn from(e: GuardedWriteError) -> Self {
        match e {
            GuardedWriteError::Conflict => Self::Lost,
            other => Self::Storage(other.into()),
        }
    }
}

impl From<anyhow::Error> for Refused {
    fn from(e: anyhow::Error) -> Self {
        Self::Storage(e)
    }
}

/// The guarded updates of `change`: tasks first (a claim's guard is the task's), then requests.
async fn guarded_rows(txn: &DatabaseTransaction, change: &Change) -> Result<(), Refused> {
    for g in &change.tasks {
        let read_version = i32::try_from(g.row.version.saturating_sub(1)).map_err(anyhow::Error::from)?;
        let update = task::Entity::update_many()
            .set(task_row(&g.row)?)
            .filter(task::Column::Id.eq(g.row.id.as_uuid()))
            .filter(task::Column::Status.eq(g.from.as_str()))
            .filter(task::Column::Version.eq(read_version));
        guarded_update(txn, update).await?;
    }
    for g in &change.requests {
        let read_version = i32::try_from(g.row.version.saturating_sub(1)).map_err(anyhow::Error::from)?;
        let update = request::Entity::update_many()
            .set(request_row(&g.row)?)
            .filter(request::Column::Id.eq(g.row.id.as_uuid()))
            .filter(request::Column::Status.eq(g.from.as_str()))
            .filter(request::Column::Version.eq(read_version));
        guarded_update(txn, update).await?;
    }
    Ok(())
}

impl Database {
    async fn write_change(&self, change: &Change) -> Result<(), Refused> {
        let txn = self.begin_write().await?;
        guarded_rows(&txn, change).await?;
        if !change.new_requests.is_empty() {
            let rows = change
                .new_requests
                .iter()
                .map(request_row)
                .collect::<anyhow::Result<Vec<_>>>()?;
            request::Entity::insert_many(rows)
                .exec_without_returning(&txn)
                .await?;
        }
        if !change.new_tasks.is_empty() {
            let rows = change
                .new_tasks
                .iter()
                .map(task_row)
                .collect::<anyhow::Result<Vec<_>>>()?;
            task::Entity::insert_many(rows)
                .exec_without_returning(&txn)
                .await?;
        }
        if !change.timeline.is_empty() {
            let rows = change
                .timeline
                .iter()
                .map(entry_row)
                .collect::<anyhow::Result<Vec<_>>>()?;
            timeline_entry::Entity::insert_many(rows)
                .exec_without_returning(&txn)
                .await?;
        }
        outbox::record(&txn, &change.events).await?;
        self.commit_with_events(txn).await?;
        Ok(())
    }
}

impl RequestRepository for Database {
    async fn find_request(&self, id: RequestId) -> anyhow::Result<Option<ResidentRequest>> {
        request::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await?
            .map(to_request)
            .transpose()
    }

    async fn list_requests(
        &self,
        filter: &RequestFilter,
        page: PageRequest,
    ) -> anyhow::Result<Page<ResidentRequest>> {
        let select = request::Entity::find().filter(visible(filter));
        let rows = keyset_page_newest_first(&self.conn, select, request::Column::Id, page, |r| r.id).await?;
        Ok(Page {
            items: rows
                .items
                .into_iter()
                .map(to_request)
                .collect::<anyhow::Result<_>>()?,
            next_after: rows.next_after,
        })
    }

    async fn timeline(&self, id: RequestId) -> anyhow::Result<Vec<TimelineEntry>> {
        timeline_entry::Entity::find()
            .filter(timeline_entry::Column::RequestId.eq(id.as_uuid()))
            .order_by_asc(timeline_entry::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(to_entry)
            .collect()
    }

    async fn followers(&self, id: RequestId) -> anyhow::Result<Vec<UserId>> {
        let authors: Vec<uuid::Uuid> = request::Entity::find()
            .select_only()
            .column(request::Column::AuthorId)
            .filter(request::Column::MergedInto.eq(id.as_uuid()))
            .into_tuple()
            .all(&self.conn)
            .await?;
        Ok(authors.into_iter().map(UserId::from_uuid).collect())
    }

    async fn followed_by(&self, user: UserId) -> anyhow::Result<Vec<RequestId>> {
        let targets: Vec<Option<uuid::Uuid>> = request::Entity::find()
            .select_only()
            .column(request::Column::MergedInto)
            .filter(request::Column::AuthorId.eq(user.as_uuid()))
            .filter(request::Column::MergedInto.is_not_null())
            .into_tuple()
            .all(&self.conn)
            .await?;
        Ok(targets.into_iter().flatten().map(RequestId::from_uuid).collect())
    }

    async fn last_assigned_worker(&self, grid: GridId) -> anyhow::Result<Option<UserId>> {
        let last: Option<Option<uuid::Uuid>> = request::Entity::find()
            .select_only()
            .column(request::Column::ResponsibleId)
            .filter(request::Column::GridId.eq(grid.as_uuid()))
            .filter(request::Column::ResponsibleLevel.eq(Level::GridWorker.as_str()))
            .order_by_desc(request::Column::Id)
            .into_tuple()
            .one(&self.conn)
            .await?;
        Ok(last.flatten().map(UserId::from_uuid))
    }

    async fn open_in_grid(
        &self,
        grid: GridId,
        category: &CategoryKey,
        since: DateTime<Utc>,
        limit: u64,
    ) -> anyhow::Result<Vec<ResidentRequest>> {
        request::Entity::find()
            .filter(request::Column::GridId.eq(grid.as_uuid()))
            .filter(request::Column::Category.eq(category.as_str()))
            .filter(request::Column::PostedAt.gte(since))
            .filter(request::Column::Status.is_in(open_statuses()))
            .order_by_desc(request::Column::Id)
            .limit(limit)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(to_request)
            .collect()
    }

    async fn apply(&self, change: &Change) -> Result<bool, WriteError> {
        match self.write_change(change).await {
            Ok(()) => Ok(true),
            Err(Refused::Lost) => Ok(false),
            Err(Refused::Storage(e)) => Err(WriteError::Storage(e)),
        }
    }
}
