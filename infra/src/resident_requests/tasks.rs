//! Tasks: found one at a time, by request, and on the board (a grid's tasks by status, oldest
//! first). Their changes are written with their request's ([`super::requests`]).

use linli_kernel::{Page, PageRequest, RequestId, TaskId};
use linli_resident_requests::ports::{BoardFilter, TaskRepository};
use linli_resident_requests::task::Task;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};

use super::entity::task;
use super::rows::to_task;
use crate::db::Database;
use crate::db::query::{PathColumns, keyset_page, reach_condition};

fn on_board(filter: &BoardFilter) -> Condition {
    let mut all = Condition::all().add(reach_condition(
        &filter.reach,
        PathColumns {
            subdistrict: Some(task::Column::SubdistrictId),
            community: Some(task::Column::CommunityId),
            grid: Some(task::Column::GridId),
            building: Some(task::Column::BuildingId),
            side: None,
        },
    ));
    if let Some(grid) = filter.grid_id {
        all = all.add(task::Column::GridId.eq(grid.as_uuid()));
    }
    if !filter.statuses.is_empty() {
        all = all.add(task::Column::Status.is_in(filter.statuses.iter().map(|s| s.as_str())));
    }
    if let Some(claimant) = filter.claimant {
        all = all.add(task::Column::ClaimantId.eq(claimant.as_uuid()));
    }
    all
}

impl TaskRepository for Database {
    async fn find_task(&self, id: TaskId) -> anyhow::Result<Option<Task>> {
        task::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await?
            .map(to_task)
            .transpose()
    }

    async fn tasks_of(&self, request: RequestId) -> anyhow::Result<Vec<Task>> {
        task::Entity::find()
            .filter(task::Column::RequestId.eq(request.as_uuid()))
            .order_by_asc(task::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(to_task)
            .collect()
    }

    async fn board(&self, filter: &BoardFilter, page: PageRequest) -> anyhow::Result<Page<Task>> {
        let select = task::Entity::find().filter(on_board(filter));
        let rows = keyset_page(&self.conn, select, task::Column::Id, page, |t| t.id).await?;
        Ok(Page {
            items: rows
                .items
                .into_iter()
                .map(to_task)
                .collect::<anyhow::Result<_>>()?,
            next_after: rows.next_after,
        })
    }
}
