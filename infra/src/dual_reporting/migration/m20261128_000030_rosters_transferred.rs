//! Units' rosters (their entries' names and phones sealed, with the phone's blind index) and
//! transferred members, whose pledges name their registration. A person is one active
//! transferred member at most (a partial unique index); that they are not also an open
//! reporter is kept by the adapters, which take a per-person lock around both writes (see
//! `transferred_members.rs`).

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000030_rosters_transferred"
    }
}

#[derive(DeriveIden)]
enum UnitRosters {
    Table,
    UnitId,
    Entries,
    UploadedBy,
    UploadedAt,
}

#[derive(DeriveIden)]
enum UnitRosterEntries {
    Table,
    Id,
    UnitId,
    Line,
    NameSealed,
    PhoneSealed,
    PhoneIndex,
}

#[derive(DeriveIden)]
enum TransferredMembers {
    Table,
    Id,
    UserId,
    SubdistrictId,
    CommunityId,
    GridId,
    FromOrganisation,
    TransferredOn,
    Status,
    RegisteredBy,
    RegisteredAt,
    WithdrawnBy,
    WithdrawnAt,
    Reason,
}

#[derive(DeriveIden)]
enum Pledges {
    Table,
    TransferredMemberId,
}

#[derive(DeriveIden)]
enum Units {
    Table,
    Id,
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
                    .table(UnitRosters::Table)
                    .col(uuid(UnitRosters::UnitId).primary_key())
                    .col(integer(UnitRosters::Entries))
                    .col(uuid(UnitRosters::UploadedBy))
                    .col(timestamp_with_time_zone(UnitRosters::UploadedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UnitRosters::Table, UnitRosters::UnitId)
                            .to(Units::Table, Units::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UnitRosterEntries::Table)
                    .col(uuid(UnitRosterEntries::Id).primary_key())
                    .col(uuid(UnitRosterEntries::UnitId))
                    .col(integer(UnitRosterEntries::Line))
                    .col(text(UnitRosterEntries::NameSealed))
                    .col(text(UnitRosterEntries::PhoneSealed))
                    .col(string_len(UnitRosterEntries::PhoneIndex, 64))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UnitRosterEntries::Table, UnitRosterEntries::UnitId)
                            .to(Units::Table, Units::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // A roster names a phone once (the file is checked first; this is the backstop), and
        // this index also serves "the unit's entries".
        manager
            .create_index(index(
                UnitRosterEntries::Table,
                "unit_roster_entries_unit_phone",
                &["unit_id", "phone_index"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TransferredMembers::Table)
                    .col(uuid(TransferredMembers::Id).primary_key())
                    .col(uuid(TransferredMembers::UserId))
                    .col(uuid(TransferredMembers::SubdistrictId))
                    .col(uuid(TransferredMembers::CommunityId))
                    .col(uuid(TransferredMembers::GridId))
                    .col(string(TransferredMembers::FromOrganisation))
                    .col(date(TransferredMembers::TransferredOn))
                    .col(string(TransferredMembers::Status))
                    .col(uuid(TransferredMembers::RegisteredBy))
                    .col(timestamp_with_time_zone(TransferredMembers::RegisteredAt))
                    .col(uuid_null(TransferredMembers::WithdrawnBy))
                    .col(timestamp_with_time_zone_null(TransferredMembers::WithdrawnAt))
                    .col(text_null(TransferredMembers::Reason))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TransferredMembers::Table, TransferredMembers::GridId)
                            .to(Grids::Table, Grids::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("transferred_members_community", &["community_id", "status"][..]),
            ("transferred_members_user", &["user_id"][..]),
        ] {
            manager
                .create_index(index(TransferredMembers::Table, name, columns, false))
                .await?;
        }
        // One active registration per person, whatever the concurrency.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX transferred_members_one_active ON transferred_members (user_id) \
                 WHERE status = 'active'",
            )
            .await?;
        // A transferred member pledges like a reporter: the pledge names the registration it
        // was made on (migration 000010 left `member_report_id` nullable for this).
        manager
            .alter_table(
                Table::alter()
                    .table(Pledges::Table)
                    .add_column(uuid_null(Pledges::TransferredMemberId))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Pledges::Table)
                    .drop_column(Pledges::TransferredMemberId)
                    .to_owned(),
            )
            .await?;
        for table in [
            TransferredMembers::Table.into_iden(),
            UnitRosterEntries::Table.into_iden(),
            UnitRosters::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
