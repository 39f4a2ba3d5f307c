//! The grid structure. Grids, buildings and branches carry the ids of every node above them
//! (denormalised, never moved) so that "everything inside this scope" is one indexed filter.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000001_structure"
    }
}

#[derive(DeriveIden)]
pub enum District {
    Table,
    Id,
    Name,
}

#[derive(DeriveIden)]
pub enum Subdistricts {
    Table,
    Id,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Communities {
    Table,
    Id,
    SubdistrictId,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Grids {
    Table,
    Id,
    SubdistrictId,
    CommunityId,
    Name,
    Kind,
    Households,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Buildings {
    Table,
    Id,
    SubdistrictId,
    CommunityId,
    GridId,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Stairwells {
    Table,
    Id,
    BuildingId,
    Name,
    Civilized,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PartyBranches {
    Table,
    Id,
    SubdistrictId,
    CommunityId,
    Name,
    Kind,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PartyBranchGrids {
    Table,
    GridId,
    BranchId,
}

fn fk(from: (impl IntoIden, impl IntoIden), to: (impl IntoIden, impl IntoIden)) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .to_owned()
}

fn index(table: impl IntoIden, name: &str, columns: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for column in columns {
        stmt.col(Alias::new(*column));
    }
    if unique {
        stmt.unique();
    }
    stmt.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The one district of this deployment; its name can be changed by configuration.
        manager
            .create_table(
                Table::create()
                    .table(District::Table)
                    .col(integer(District::Id).primary_key())
                    .col(string(District::Name))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(District::Table)
                    .columns([District::Id, District::Name])
                    .values_panic([1.into(), "济阳区".into()])
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Subdistricts::Table)
                    .col(uuid(Subdistricts::Id).primary_key())
                    .col(string(Subdistricts::Name).unique_key())
                    .col(timestamp_with_time_zone(Subdistricts::CreatedAt))
                    .to_owned(),
            )
            .await?;

        // Community names are unique in the district: the CSV import names communities.
        manager
            .create_table(
                Table::create()
                    .table(Communities::Table)
                    .col(uuid(Communities::Id).primary_key())
                    .col(uuid(Communities::SubdistrictId))
                    .col(string(Communities::Name).unique_key())
                    .col(timestamp_with_time_zone(Communities::CreatedAt))
                    .foreign_key(&mut fk(
                        (Communities::Table, Communities::SubdistrictId),
                        (Subdistricts::Table, Subdistricts::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                Communities::Table,
                "communities_subdistrict",
                &["subdistrict_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Grids::Table)
                    .col(uuid(Grids::Id).primary_key())
                    .col(uuid(Grids::SubdistrictId))
                    .col(uuid(Grids::CommunityId))
                    .col(string(Grids::Name))
                    .col(string_len(Grids::Kind, 16))
                    .col(integer(Grids::Households))
                    .col(timestamp_with_time_zone(Grids::CreatedAt))
                    .foreign_key(&mut fk(
                        (Grids::Table, Grids::CommunityId),
                        (Communities::Table, Communities::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        // Grid names repeat across communities ("一网格"), never inside one.
        manager
            .create_index(index(
                Grids::Table,
                "grids_community_name",
                &["community_id", "name"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                Grids::Table,
                "grids_subdistrict",
                &["subdistrict_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Buildings::Table)
                    .col(uuid(Buildings::Id).primary_key())
                    .col(uuid(Buildings::SubdistrictId))
                    .col(uuid(Buildings::CommunityId))
                    .col(uuid(Buildings::GridId))
                    .col(string(Buildings::Name))
                    .col(timestamp_with_time_zone(Buildings::CreatedAt))
                    .foreign_key(&mut fk(
                        (Buildings::Table, Buildings::GridId),
                        (Grids::Table, Grids::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        // Buildings are numbered across the community ("3号楼"), whichever grid holds them.
        manager
            .create_index(index(
                Buildings::Table,
                "buildings_community_name",
                &["community_id", "name"],
                true,
            ))
            .await?;
        manager
            .create_index(index(Buildings::Table, "buildings_grid", &["grid_id"], false))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Stairwells::Table)
                    .col(uuid(Stairwells::Id).primary_key())
                    .col(uuid(Stairwells::BuildingId))
                    .col(string(Stairwells::Name))
                    .col(boolean(Stairwells::Civilized).default(false))
                    .col(timestamp_with_time_zone(Stairwells::CreatedAt))
                    .foreign_key(&mut fk(
                        (Stairwells::Table, Stairwells::BuildingId),
                        (Buildings::Table, Buildings::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                Stairwells::Table,
                "stairwells_building_name",
                &["building_id", "name"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PartyBranches::Table)
                    .col(uuid(PartyBranches::Id).primary_key())
                    .col(uuid(PartyBranches::SubdistrictId))
                    .col(uuid(PartyBranches::CommunityId))
                    .col(string(PartyBranches::Name))
                    .col(string_len(PartyBranches::Kind, 16))
                    .col(timestamp_with_time_zone(PartyBranches::CreatedAt))
                    .foreign_key(&mut fk(
                        (PartyBranches::Table, PartyBranches::CommunityId),
                        (Communities::Table, Communities::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                PartyBranches::Table,
                "party_branches_community_name",
                &["community_id", "name"],
                true,
            ))
            .await?;

        // The grid is the key: a grid belongs to at most one branch, whatever the concurrency.
        manager
            .create_table(
                Table::create()
                    .table(PartyBranchGrids::Table)
                    .col(uuid(PartyBranchGrids::GridId).primary_key())
                    .col(uuid(PartyBranchGrids::BranchId))
                    .foreign_key(&mut fk(
                        (PartyBranchGrids::Table, PartyBranchGrids::GridId),
                        (Grids::Table, Grids::Id),
                    ))
                    .foreign_key(&mut fk(
                        (PartyBranchGrids::Table, PartyBranchGrids::BranchId),
                        (PartyBranches::Table, PartyBranches::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                PartyBranchGrids::Table,
                "party_branch_grids_branch",
                &["branch_id"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PartyBranchGrids::Table.into_iden(),
            PartyBranches::Table.into_iden(),
            Stairwells::Table.into_iden(),
            Buildings::Table.into_iden(),
            Grids::Table.into_iden(),
            Communities::Table.into_iden(),
            Subdistricts::Table.into_iden(),
            District::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
