//! Party branches, and the grids each holds (a grid is the key: one branch at most).

use linli_grid::PartyBranch;
use linli_grid::error::WriteError;
use linli_grid::ports::{BranchRepository, ListFilter};
use linli_kernel::{DomainEvent, GridId, Page, PageRequest, PartyBranchId};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::constraints::{Rule, broken_rule, write_error};
use super::entity::{party_branch, party_branch_grid};
use super::rows::*;
use crate::db::query::{PathColumns, keyset_page, reach_condition};
use crate::db::{Database, insert_chunked, outbox};

impl Database {
    async fn members_of(&self, branches: &[Uuid]) -> Result<Vec<party_branch_grid::Model>, DbErr> {
        if branches.is_empty() {
            return Ok(Vec::new());
        }
        party_branch_grid::Entity::find()
            .filter(party_branch_grid::Column::BranchId.is_in(branches.to_vec()))
            .all(&self.conn)
            .await
    }
}

impl BranchRepository for Database {
    async fn insert_branch(&self, b: &PartyBranch, event: &DomainEvent) -> Result<(), WriteError> {
        let result = async {
            let txn = self.begin_write().await?;
            party_branch::Entity::insert(branch_row(b))
                .exec_without_returning(&txn)
                .await?;
            insert_chunked(&txn, branch_grid_rows(b).collect()).await?;
            outbox::record(&txn, std::slice::from_ref(event)).await?;
            self.commit_with_events(txn).await
        }
        .await;
        let Err(e) = result else {
            return Ok(());
        };
        if let Some(Ok(Rule::GridInOneBranch)) = broken_rule(&e) {
            // A concurrent write took a grid; SQLite does not say which, so look.
            let holding = self.branches_holding(&b.grid_ids).await?;
            let grid = holding
                .first()
                .map_or(b.grid_ids.first().copied(), |(g, _)| Some(*g));
            if let Some(grid) = grid {
                return Err(WriteError::GridAlreadyInBranch(grid));
            }
        }
        Err(write_error(e, b.name.as_str()))
    }

    async fn delete_branch(&self, id: PartyBranchId, event: &DomainEvent) -> anyhow::Result<bool> {
        let txn = self.begin_write().await?;
        party_branch_grid::Entity::delete_many()
            .filter(party_branch_grid::Column::BranchId.eq(id.as_uuid()))
            .exec(&txn)
            .await?;
        let deleted = party_branch::Entity::delete_by_id(id.as_uuid())
            .exec(&txn)
            .await?;
        if deleted.rows_affected == 0 {
            return Ok(false);
        }
        outbox::record(&txn, std::slice::from_ref(event)).await?;
        self.commit_with_events(txn).await?;
        Ok(true)
    }

    async fn find_branch(&self, id: PartyBranchId) -> anyhow::Result<Option<PartyBranch>> {
        let Some(row) = party_branch::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await?
        else {
            return Ok(None);
        };
        let members = self.members_of(&[row.id]).await?;
        to_branch(row, &members).map(Some)
    }

    async fn list_branches(
        &self,
        filter: &ListFilter,
        page: PageRequest,
    ) -> anyhow::Result<Page<PartyBranch>> {
        let mut visible = Condition::any().add(reach_condition(
            &filter.reach,
            PathColumns {
                subdistrict: Some(party_branch::Column::SubdistrictId),
                community: Some(party_branch::Column::CommunityId),
                grid: None,
                building: None,
                side: None,
            },
        ));
        if !filter.reach.grids.is_empty() {
            // Grid staff see the branch that covers their grid.
            visible = visible.add(
                party_branch::Column::Id.in_subquery(
                    Query::select()
                        .column(party_branch_grid::Column::BranchId)
                        .from(party_branch_grid::Entity)
                        .and_where(
                            party_branch_grid::Column::GridId
                                .is_in(filter.reach.grids.iter().map(|g| g.as_uuid())),
                        )
                        .to_owned(),
                ),
            );
        }
        let mut select = party_branch::Entity::find().filter(visible);
        if let Some(id) = filter.community_id {
            select = select.filter(party_branch::Column::CommunityId.eq(id.as_uuid()));
        }
        if let Some(kind) = filter.branch_kind {
            select = select.filter(party_branch::Column::Kind.eq(kind.as_str()));
        }
        let page = keyset_page(&self.conn, select, party_branch::Column::Id, page, |m| m.id).await?;
        let ids: Vec<Uuid> = page.items.iter().map(|b| b.id).collect();
        let members = self.members_of(&ids).await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|b| to_branch(b, &members))
                .collect::<anyhow::Result<_>>()?,
            next_after: page.next_after,
        })
    }

    async fn branches_holding(&self, grids: &[GridId]) -> anyhow::Result<Vec<(GridId, PartyBranchId)>> {
        if grids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(party_branch_grid::Entity::find()
            .filter(party_branch_grid::Column::GridId.is_in(grids.iter().map(|g| g.as_uuid())))
            .all(&self.conn)
            .await?
            .into_iter()
            .map(|m| {
                (
                    GridId::from_uuid(m.grid_id),
                    PartyBranchId::from_uuid(m.branch_id),
                )
            })
            .collect())
    }
}
