//! Appraisals of members by their communities (in-service members on their report,
//! transferred members on their registration) and of units by the district: one per member
//! (or unit) and year, kept by unique indexes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000040_appraisals"
    }
}

#[derive(DeriveIden)]
enum Appraisals {
    Table,
    Id,
    UserId,
    /// The accepted report, or (for a transferred member) the registration, appraised.
    ReportId,
    TransferredMemberId,
    /// None for a transferred member.
    UnitId,
    SubdistrictId,
    CommunityId,
    GridId,
    Period,
    Grade,
    Comment,
    AppraisedBy,
    AppraisedAt,
}

#[derive(DeriveIden)]
enum UnitAppraisals {
    Table,
    Id,
    UnitId,
    Period,
    Grade,
    Comment,
    /// The indicators as they stood, as JSON.
    Indicators,
    AppraisedBy,
    AppraisedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Appraisals::Table)
                    .col(uuid(Appraisals::Id).primary_key())
                    .col(uuid(Appraisals::UserId))
                    .col(uuid_null(Appraisals::ReportId))
                    .col(uuid_null(Appraisals::TransferredMemberId))
                    .col(uuid_null(Appraisals::UnitId))
                    .col(uuid(Appraisals::SubdistrictId))
                    .col(uuid(Appraisals::CommunityId))
                    .col(uuid_null(Appraisals::GridId))
                    .col(integer(Appraisals::Period))
                    .col(string(Appraisals::Grade))
                    .col(text(Appraisals::Comment))
                    .col(uuid(Appraisals::AppraisedBy))
                    .col(timestamp_with_time_zone(Appraisals::AppraisedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("appraisals_member_period")
                    .table(Appraisals::Table)
                    .col(Appraisals::UserId)
                    .col(Appraisals::Period)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("appraisals_community_period")
                    .table(Appraisals::Table)
                    .col(Appraisals::CommunityId)
                    .col(Appraisals::Period)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UnitAppraisals::Table)
                    .col(uuid(UnitAppraisals::Id).primary_key())
                    .col(uuid(UnitAppraisals::UnitId))
                    .col(integer(UnitAppraisals::Period))
                    .col(string(UnitAppraisals::Grade))
                    .col(text(UnitAppraisals::Comment))
                    .col(text(UnitAppraisals::Indicators))
                    .col(uuid(UnitAppraisals::AppraisedBy))
                    .col(timestamp_with_time_zone(UnitAppraisals::AppraisedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("unit_appraisals_unit_period")
                    .table(UnitAppraisals::Table)
                    .col(UnitAppraisals::UnitId)
                    .col(UnitAppraisals::Period)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(UnitAppraisals::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Appraisals::Table).to_owned())
            .await
    }
}
