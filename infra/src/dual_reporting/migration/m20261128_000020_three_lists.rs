//! The three lists: resource offers, needs, projects with the shares of offers they take,
//! their signatures and their activities. Rows carry the ids of the tree above them
//! (denormalised, never moved) so that "everything inside this scope" is one indexed filter.
//! Amounts are integers, in hundredths of their measure, so that what projects take from an
//! offer adds up exactly and a conditional UPDATE can keep it within the offer.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000020_three_lists"
    }
}

#[derive(DeriveIden)]
enum ResourceOffers {
    Table,
    Id,
    UnitId,
    SubdistrictId,
    CommunityId,
    GridId,
    Kind,
    Category,
    Title,
    Description,
    Amount,
    Measure,
    Committed,
    ValidFrom,
    ValidUntil,
    OfferedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Needs {
    Table,
    Id,
    SubdistrictId,
    CommunityId,
    Kind,
    Category,
    Title,
    Description,
    Urgency,
    Amount,
    Measure,
    Status,
    PostedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
    NeedId,
    SubdistrictId,
    CommunityId,
    Title,
    Description,
    Status,
    ActivityCount,
    BeneficiaryCount,
    CreatedBy,
    CreatedAt,
    StartedAt,
    FinishedAt,
    Reason,
}

#[derive(DeriveIden)]
enum ProjectOffers {
    Table,
    ProjectId,
    OfferId,
    UnitId,
    Amount,
    Measure,
}

#[derive(DeriveIden)]
enum ProjectSignatures {
    Table,
    ProjectId,
    Party,
    UnitId,
    SignedBy,
    SignedAt,
}

#[derive(DeriveIden)]
enum ProjectActivities {
    Table,
    Id,
    ProjectId,
    Title,
    HeldOn,
    Participants,
    Beneficiaries,
    Note,
    RecordedBy,
    RecordedAt,
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
                    .table(ResourceOffers::Table)
                    .col(uuid(ResourceOffers::Id).primary_key())
                    .col(uuid(ResourceOffers::UnitId))
                    .col(uuid(ResourceOffers::SubdistrictId))
                    .col(uuid(ResourceOffers::CommunityId))
                    .col(uuid(ResourceOffers::GridId))
                    .col(string(ResourceOffers::Kind))
                    .col(string_null(ResourceOffers::Category))
                    .col(string(ResourceOffers::Title))
                    .col(text(ResourceOffers::Description))
                    .col(big_integer(ResourceOffers::Amount))
                    .col(string(ResourceOffers::Measure))
                    .col(big_integer(ResourceOffers::Committed).default(0))
                    .col(date(ResourceOffers::ValidFrom))
                    .col(date(ResourceOffers::ValidUntil))
                    .col(uuid(ResourceOffers::OfferedBy))
                    .col(timestamp_with_time_zone(ResourceOffers::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ResourceOffers::Table, ResourceOffers::UnitId)
                            .to(Units::Table, Units::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Needs::Table)
                    .col(uuid(Needs::Id).primary_key())
                    .col(uuid(Needs::SubdistrictId))
                    .col(uuid_null(Needs::CommunityId))
                    .col(string(Needs::Kind))
                    .col(string_null(Needs::Category))
                    .col(string(Needs::Title))
                    .col(text(Needs::Description))
                    .col(string(Needs::Urgency))
                    .col(big_integer(Needs::Amount))
                    .col(string(Needs::Measure))
                    .col(string(Needs::Status))
                    .col(uuid(Needs::PostedBy))
                    .col(timestamp_with_time_zone(Needs::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Projects::Table)
                    .col(uuid(Projects::Id).primary_key())
                    .col(uuid(Projects::NeedId))
                    .col(uuid(Projects::SubdistrictId))
                    .col(uuid_null(Projects::CommunityId))
                    .col(string(Projects::Title))
                    .col(text(Projects::Description))
                    .col(string(Projects::Status))
                    .col(integer(Projects::ActivityCount).default(0))
                    .col(big_integer(Projects::BeneficiaryCount).default(0))
                    .col(uuid(Projects::CreatedBy))
                    .col(timestamp_with_time_zone(Projects::CreatedAt))
                    .col(timestamp_with_time_zone_null(Projects::StartedAt))
                    .col(timestamp_with_time_zone_null(Projects::FinishedAt))
                    .col(text_null(Projects::Reason))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Projects::Table, Projects::NeedId)
                            .to(Needs::Table, Needs::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProjectOffers::Table)
                    .col(uuid(ProjectOffers::ProjectId))
                    .col(uuid(ProjectOffers::OfferId))
                    .col(uuid(ProjectOffers::UnitId))
                    .col(big_integer(ProjectOffers::Amount))
                    .col(string(ProjectOffers::Measure))
                    .primary_key(
                        Index::create()
                            .col(ProjectOffers::ProjectId)
                            .col(ProjectOffers::OfferId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ProjectOffers::Table, ProjectOffers::ProjectId)
                            .to(Projects::Table, Projects::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ProjectOffers::Table, ProjectOffers::OfferId)
                            .to(ResourceOffers::Table, ResourceOffers::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProjectSignatures::Table)
                    .col(uuid(ProjectSignatures::ProjectId))
                    .col(string(ProjectSignatures::Party))
                    .col(uuid_null(ProjectSignatures::UnitId))
                    .col(uuid(ProjectSignatures::SignedBy))
                    .col(timestamp_with_time_zone(ProjectSignatures::SignedAt))
                    // A side signs once: the key is the project and the side.
                    .primary_key(
                        Index::create()
                            .col(ProjectSignatures::ProjectId)
                            .col(ProjectSignatures::Party),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ProjectSignatures::Table, ProjectSignatures::ProjectId)
                            .to(Projects::Table, Projects::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProjectActivities::Table)
                    .col(uuid(ProjectActivities::Id).primary_key())
                    .col(uuid(ProjectActivities::ProjectId))
                    .col(string(ProjectActivities::Title))
                    .col(date(ProjectActivities::HeldOn))
                    .col(integer(ProjectActivities::Participants))
                    .col(integer(ProjectActivities::Beneficiaries))
                    .col(text(ProjectActivities::Note))
                    .col(uuid(ProjectActivities::RecordedBy))
                    .col(timestamp_with_time_zone(ProjectActivities::RecordedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ProjectActivities::Table, ProjectActivities::ProjectId)
                            .to(Projects::Table, Projects::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (table, name, columns) in [
            (
                ResourceOffers::Table.into_iden(),
                "resource_offers_unit",
                &["unit_id"][..],
            ),
            (
                ResourceOffers::Table.into_iden(),
                "resource_offers_community",
                &["community_id"][..],
            ),
            (
                ResourceOffers::Table.into_iden(),
                "resource_offers_valid_until",
                &["valid_until"][..],
            ),
            (
                Needs::Table.into_iden(),
                "needs_subdistrict",
                &["subdistrict_id", "status"][..],
            ),
            (
                Needs::Table.into_iden(),
                "needs_community",
                &["community_id", "status"][..],
            ),
            (Projects::Table.into_iden(), "projects_need", &["need_id"][..]),
            (
                Projects::Table.into_iden(),
                "projects_subdistrict",
                &["subdistrict_id", "status"][..],
            ),
            (
                Projects::Table.into_iden(),
                "projects_community",
                &["community_id", "status"][..],
            ),
            (
                ProjectOffers::Table.into_iden(),
                "project_offers_unit",
                &["unit_id"][..],
            ),
            (
                ProjectOffers::Table.into_iden(),
                "project_offers_offer",
                &["offer_id"][..],
            ),
            (
                ProjectActivities::Table.into_iden(),
                "project_activities_project",
                &["project_id"][..],
            ),
        ] {
            manager.create_index(index(table, name, columns)).await?;
        }
        // One live project per need, kept by the database as well as by the need's status,
        // so that no bug in the status's bookkeeping lets two projects hold one need.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX projects_one_live ON projects (need_id) \
                 WHERE status IN ('planned', 'active')",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ProjectActivities::Table.into_iden(),
            ProjectSignatures::Table.into_iden(),
            ProjectOffers::Table.into_iden(),
            Projects::Table.into_iden(),
            Needs::Table.into_iden(),
            ResourceOffers::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
