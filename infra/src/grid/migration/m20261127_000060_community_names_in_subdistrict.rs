//! A community's name is unique in its subdistrict, no longer in the whole district: two
//! subdistricts may each have a 幸福里社区, and a community admin's rename is no longer
//! refused because of a name in a subdistrict it cannot see. (Grid and building names were
//! already unique per community; subdistrict names stay unique in the district.)
//!
//! PostgreSQL drops the column's constraint. SQLite cannot drop a column's UNIQUE, so the
//! table is rebuilt in the migration's transaction with foreign keys deferred: dropping it
//! counts the grids and branches left without their community, and putting its rows back
//! counts them down again before the commit checks.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::m20261125_000001_structure::{Communities, Subdistricts};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000060_community_names_in_subdistrict"
    }
}

fn unique_in_subdistrict() -> IndexCreateStatement {
    Index::create()
        .name("communities_subdistrict_name")
        .table(Communities::Table)
        .col(Communities::SubdistrictId)
        .col(Communities::Name)
        .unique()
        .to_owned()
}

async fn rebuild_on_sqlite(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    db.execute_unprepared("PRAGMA defer_foreign_keys = ON").await?;
    db.execute_unprepared(
        "CREATE TABLE communities_before AS SELECT id, subdistrict_id, name, created_at FROM communities",
    )
    .await?;
    manager
        .drop_table(Table::drop().table(Communities::Table).to_owned())
        .await?;
    manager
        .create_table(
            Table::create()
                .table(Communities::Table)
                .col(uuid(Communities::Id).primary_key())
                .col(uuid(Communities::SubdistrictId))
                .col(string(Communities::Name))
                .col(timestamp_with_time_zone(Communities::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Communities::Table, Communities::SubdistrictId)
                        .to(Subdistricts::Table, Subdistricts::Id),
                )
                .to_owned(),
        )
        .await?;
    db.execute_unprepared(
        "INSERT INTO communities (id, subdistrict_id, name, created_at) \
         SELECT id, subdistrict_id, name, created_at FROM communities_before",
    )
    .await?;
    db.execute_unprepared("DROP TABLE communities_before").await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// SQLite runs migrations outside a transaction unless asked; this one needs one.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
            rebuild_on_sqlite(manager).await?;
        } else {
            let db = manager.get_connection();
            db.execute_unprepared("ALTER TABLE communities DROP CONSTRAINT communities_name_key")
                .await?;
            // The new index leads with the subdistrict: it serves that lookup too.
            db.execute_unprepared("DROP INDEX communities_subdistrict")
                .await?;
        }
        manager.create_index(unique_in_subdistrict()).await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // Going back would fail on the first pair of same-named communities; not offered.
        Err(DbErr::Migration(
            "community names cannot be made district-unique again automatically".to_owned(),
        ))
    }
}
