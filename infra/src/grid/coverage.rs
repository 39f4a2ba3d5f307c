//! Coverage figures: how far the Party organisation reaches into the grids of a scope.

use linli_grid::ports::CoverageRepository;
use linli_grid::{BranchKind, CoverageStats, GridKind};
use linli_kernel::actor::Reach;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};

use super::entity::{community, grid, party_branch, party_branch_grid, subdistrict};
use super::rows::grid_columns;
use crate::db::Database;
use crate::db::query::{PathColumns, reach_condition};

impl CoverageRepository for Database {
    async fn coverage(&self, reach: &Reach) -> anyhow::Result<CoverageStats> {
        let db = &self.conn;
        let in_reach = reach_condition(reach, grid_columns());
        let by_kind: Vec<(String, i64)> = grid::Entity::find()
            .select_only()
            .column(grid::Column::Kind)
            .column_as(grid::Column::Id.count(), "n")
            .filter(in_reach.clone())
            .group_by(grid::Column::Kind)
            .into_tuple()
            .all(db)
            .await?;
        let count_of = |kind: GridKind| -> u64 {
            by_kind
                .iter()
                .find(|(k, _)| k == kind.as_str())
                .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0))
        };
        let grids_in_branches = |branch_kind: Option<BranchKind>| {
            let mut members = Query::select();
            members
                .column(party_branch_grid::Column::GridId)
                .from(party_branch_grid::Entity);
            if let Some(kind) = branch_kind {
                members.and_where(
                    party_branch_grid::Column::BranchId.in_subquery(
                        Query::select()
                            .column(party_branch::Column::Id)
                            .from(party_branch::Entity)
                            .and_where(party_branch::Column::Kind.eq(kind.as_str()))
                            .to_owned(),
                    ),
                );
            }
            grid::Entity::find()
                .filter(in_reach.clone())
                .filter(grid::Column::Kind.eq(GridKind::Residential.as_str()))
                .filter(grid::Column::Id.in_subquery(members.to_owned()))
        };
        let covered = grids_in_branches(None).count(db).await?;
        let in_joint = grids_in_branches(Some(BranchKind::Joint)).count(db).await?;

        let grids_in_reach = Query::select()
            .column(grid::Column::Id)
            .from(grid::Entity)
            .cond_where(in_reach.clone())
            .to_owned();
        let branches_by_kind: Vec<(String, i64)> = party_branch::Entity::find()
            .select_only()
            .column(party_branch::Column::Kind)
            .column_as(party_branch::Column::Id.count(), "n")
            .filter(
                party_branch::Column::Id.in_subquery(
                    Query::select()
                        .column(party_branch_grid::Column::BranchId)
                        .from(party_branch_grid::Entity)
                        .and_where(party_branch_grid::Column::GridId.in_subquery(grids_in_reach))
                        .to_owned(),
                ),
            )
            .group_by(party_branch::Column::Kind)
            .into_tuple()
            .all(db)
            .await?;
        let branches_of = |kind: BranchKind| -> u64 {
            branches_by_kind
                .iter()
                .find(|(k, _)| k == kind.as_str())
                .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0))
        };
        let subdistricts = subdistrict::Entity::find()
            .filter(reach_condition(
                reach,
                PathColumns {
                    subdistrict: Some(subdistrict::Column::Id),
                    community: None,
                    grid: None,
                    building: None,
                    side: None,
                },
            ))
            .count(db)
            .await?;
        let communities = community::Entity::find()
            .filter(reach_condition(
                reach,
                PathColumns {
                    subdistrict: Some(community::Column::SubdistrictId),
                    community: Some(community::Column::Id),
                    grid: None,
                    building: None,
                    side: None,
                },
            ))
            .count(db)
            .await?;
        let (residential, reserved, dedicated) = (
            count_of(GridKind::Residential),
            count_of(GridKind::Reserved),
            count_of(GridKind::Dedicated),
        );
        Ok(CoverageStats {
            subdistricts,
            communities,
            grids: residential + reserved + dedicated,
            residential_grids: residential,
            reserved_grids: reserved,
            dedicated_grids: dedicated,
            covered_residential_grids: covered,
            independent_branches: branches_of(BranchKind::Independent),
            joint_branches: branches_of(BranchKind::Joint),
            residential_grids_in_joint_branches: in_joint,
        })
    }
}
