//! Units paired with grids, their reports, the service categories (seeded with the district's
//! defaults) and member reports. Rows carry the ids of the tree above them (denormalised, never
//! moved) so that "everything inside this scope" is one indexed filter.

use linli_dual_reporting::DEFAULT_CATEGORIES;
use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000001_dual_reporting"
    }
}

#[derive(DeriveIden)]
enum Units {
    Table,
    Id,
    Name,
    Kind,
    PartyOrganisation,
    ContactName,
    ContactPhone,
    RollCount,
    SubdistrictId,
    CommunityId,
    GridId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum UnitReports {
    Table,
    Id,
    UnitId,
    SubdistrictId,
    CommunityId,
    GridId,
    Status,
    FiledBy,
    FiledAt,
    AcceptedBy,
    AcceptedAt,
}

#[derive(DeriveIden)]
enum ServiceCategories {
    Table,
    Key,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MemberReports {
    Table,
    Id,
    UserId,
    UnitId,
    SubdistrictId,
    CommunityId,
    GridId,
    Skills,
    Availability,
    Note,
    Status,
    Category,
    Post,
    Reason,
    FiledAt,
    DecidedBy,
    DecidedAt,
}

#[derive(DeriveIden)]
enum Grids {
    Table,
    Id,
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
        manager
            .create_table(
                Table::create()
                    .table(Units::Table)
                    .col(uuid(Units::Id).primary_key())
                    .col(string(Units::Name))
                    .col(string(Units::Kind))
                    .col(string(Units::PartyOrganisation))
                    .col(string(Units::ContactName))
                    .col(string(Units::ContactPhone))
                    .col(integer(Units::RollCount))
                    .col(uuid(Units::SubdistrictId))
                    .col(uuid(Units::CommunityId))
                    .col(uuid(Units::GridId))
                    .col(timestamp_with_time_zone(Units::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Units::Table, Units::GridId)
                            .to(Grids::Table, Grids::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // A grid is paired with one unit at most.
        manager
            .create_index(index(Units::Table, "units_grid_key", &["grid_id"], true))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UnitReports::Table)
                    .col(uuid(UnitReports::Id).primary_key())
                    .col(uuid(UnitReports::UnitId))
                    .col(uuid(UnitReports::SubdistrictId))
                    .col(uuid(UnitReports::CommunityId))
                    .col(uuid(UnitReports::GridId))
                    .col(string(UnitReports::Status))
                    .col(uuid(UnitReports::FiledBy))
                    .col(timestamp_with_time_zone(UnitReports::FiledAt))
                    .col(uuid_null(UnitReports::AcceptedBy))
                    .col(timestamp_with_time_zone_null(UnitReports::AcceptedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UnitReports::Table, UnitReports::UnitId)
                            .to(Units::Table, Units::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // A unit reports once.
        manager
            .create_index(index(
                UnitReports::Table,
                "unit_reports_unit_key",
                &["unit_id"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ServiceCategories::Table)
                    .col(string(ServiceCategories::Key).primary_key())
                    .col(string(ServiceCategories::Name))
                    .col(timestamp_with_time_zone(ServiceCategories::CreatedAt))
                    .to_owned(),
            )
            .await?;
        let mut seed = Query::insert();
        seed.into_table(ServiceCategories::Table).columns([
            ServiceCategories::Key,
            ServiceCategories::Name,
            ServiceCategories::CreatedAt,
        ]);
        let now = chrono::Utc::now();
        for (key, name) in DEFAULT_CATEGORIES {
            seed.values_panic([key.into(), name.into(), now.into()]);
        }
        manager.exec_stmt(seed).await?;

        manager
            .create_table(
                Table::create()
                    .table(MemberReports::Table)
                    .col(uuid(MemberReports::Id).primary_key())
                    .col(uuid(MemberReports::UserId))
                    .col(uuid(MemberReports::UnitId))
                    .col(uuid(MemberReports::SubdistrictId))
                    .col(uuid(MemberReports::CommunityId))
                    .col(uuid_null(MemberReports::GridId))
                    .col(text(MemberReports::Skills))
                    .col(string(MemberReports::Availability))
                    .col(text(MemberReports::Note))
                    .col(string(MemberReports::Status))
                    .col(string_null(MemberReports::Category))
                    .col(string_null(MemberReports::Post))
                    .col(text_null(MemberReports::Reason))
                    .col(timestamp_with_time_zone(MemberReports::FiledAt))
                    .col(uuid_null(MemberReports::DecidedBy))
                    .col(timestamp_with_time_zone_null(MemberReports::DecidedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(MemberReports::Table, MemberReports::UnitId)
                            .to(Units::Table, Units::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("member_reports_community", &["community_id", "status"][..]),
            ("member_reports_unit", &["unit_id", "status"][..]),
            ("member_reports_user", &["user_id"][..]),
        ] {
            manager
                .create_index(index(MemberReports::Table, name, columns, false))
                .await?;
        }
        // One open report per person, kept by the database so that concurrent filings cannot
        // both get in. Both back ends support partial unique indexes.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX member_reports_one_open ON member_reports (user_id) \
                 WHERE status IN ('submitted', 'accepted')",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            MemberReports::Table.into_iden(),
            ServiceCategories::Table.into_iden(),
            UnitReports::Table.into_iden(),
            Units::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
