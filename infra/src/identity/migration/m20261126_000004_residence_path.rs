//! A user's residence with its place in the tree (subdistrict, community, grid of the
//! building), so that deciding who covers a person reads identity's own tables only. The
//! building's path is taken from the structure once, here; buildings never move.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000004_residence_path"
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    ResidenceBuildingId,
    ResidenceSubdistrictId,
    ResidenceCommunityId,
    ResidenceGridId,
}

const COLUMNS: [(Users, &str); 3] = [
    (Users::ResidenceSubdistrictId, "subdistrict_id"),
    (Users::ResidenceCommunityId, "community_id"),
    (Users::ResidenceGridId, "grid_id"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite's ALTER TABLE takes one change at a time.
        for (column, _) in COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(ColumnDef::new(column).uuid().null())
                        .to_owned(),
                )
                .await?;
        }
        for (column, source) in COLUMNS {
            manager
                .exec_stmt(
                    Query::update()
                        .table(Users::Table)
                        .value(
                            column,
                            Expr::cust(format!(
                                "(SELECT {source} FROM buildings WHERE buildings.id = users.residence_building_id)"
                            )),
                        )
                        .and_where(Expr::col(Users::ResidenceBuildingId).is_not_null())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (column, _) in COLUMNS {
            manager
                .alter_table(Table::alter().table(Users::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
