//! Pledges and their records. A pledge carries the ids of the tree above its member's grid
//! (denormalised, never moved: the pledge stays where it was made) and the counts of its
//! verified and pending records, which a CHECK keeps within the target.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000010_pledges"
    }
}

#[derive(DeriveIden)]
enum Pledges {
    Table,
    Id,
    UserId,
    MemberReportId,
    UnitId,
    SubdistrictId,
    CommunityId,
    GridId,
    Title,
    Category,
    Target,
    Period,
    VerifiedCount,
    PendingCount,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PledgeFulfilments {
    Table,
    Id,
    PledgeId,
    UserId,
    Note,
    Photos,
    Status,
    Reason,
    SubmittedAt,
    DecidedBy,
    DecidedAt,
}

#[derive(DeriveIden)]
enum MemberReports {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Units {
    Table,
    Id,
}

fn index(table: impl IntoIden, name: &str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for column in columns {
        stmt.col(Alias::new(*column));
    }
    stmt.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Pledges::Table)
                    .col(uuid(Pledges::Id).primary_key())
                    .col(uuid(Pledges::UserId))
                    .col(uuid_null(Pledges::MemberReportId))
                    .col(uuid_null(Pledges::UnitId))
                    .col(uuid(Pledges::SubdistrictId))
                    .col(uuid(Pledges::CommunityId))
                    .col(uuid(Pledges::GridId))
                    .col(string(Pledges::Title))
                    .col(string(Pledges::Category))
                    .col(integer(Pledges::Target))
                    .col(integer(Pledges::Period))
                    .col(integer(Pledges::VerifiedCount))
                    .col(integer(Pledges::PendingCount))
                    .col(timestamp_with_time_zone(Pledges::CreatedAt))
                    // The last guard of the target: whatever the code above does, verified and
                    // pending records never pass it, and no count goes below zero.
                    .check(
                        Expr::col(Pledges::VerifiedCount)
                            .gte(0)
                            .and(Expr::col(Pledges::PendingCount).gte(0))
                            .and(
                                Expr::col(Pledges::VerifiedCount)
                                    .add(Expr::col(Pledges::PendingCount))
                                    .lte(Expr::col(Pledges::Target)),
                            ),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Pledges::Table, Pledges::MemberReportId)
                            .to(MemberReports::Table, MemberReports::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Pledges::Table, Pledges::UnitId)
                            .to(Units::Table, Units::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("pledges_community", &["community_id", "period"][..]),
            ("pledges_grid", &["grid_id"][..]),
            ("pledges_unit", &["unit_id", "period"][..]),
            ("pledges_user", &["user_id", "period"][..]),
        ] {
            manager.create_index(index(Pledges::Table, name, columns)).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(PledgeFulfilments::Table)
                    .col(uuid(PledgeFulfilments::Id).primary_key())
                    .col(uuid(PledgeFulfilments::PledgeId))
                    .col(uuid(PledgeFulfilments::UserId))
                    .col(text(PledgeFulfilments::Note))
                    .col(text(PledgeFulfilments::Photos))
                    .col(string(PledgeFulfilments::Status))
                    .col(text_null(PledgeFulfilments::Reason))
                    .col(timestamp_with_time_zone(PledgeFulfilments::SubmittedAt))
                    .col(uuid_null(PledgeFulfilments::DecidedBy))
                    .col(timestamp_with_time_zone_null(PledgeFulfilments::DecidedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PledgeFulfilments::Table, PledgeFulfilments::PledgeId)
                            .to(Pledges::Table, Pledges::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                PledgeFulfilments::Table,
                "pledge_fulfilments_pledge",
                &["pledge_id"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [PledgeFulfilments::Table.into_iden(), Pledges::Table.into_iden()] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
