//! Request categories (seeded with the district's defaults), resident requests, their
//! timelines and tasks. Requests and tasks carry the ids of the tree above them (denormalised:
//! a transfer rewrites them) so that "everything inside this scope" is one indexed filter, and
//! a version that every change moves on: the guard of the one write (`apply`).

use linli_resident_requests::category::DEFAULT_CATEGORIES;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000100_resident_requests"
    }
}

#[derive(DeriveIden)]
enum RequestCategories {
    Table,
    Key,
    Name,
    RespondWithinMinutes,
    ResolveWithinMinutes,
    Questions,
    Active,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ResidentRequests {
    Table,
    Id,
    AuthorId,
    Anonymous,
    Category,
    Title,
    Description,
    Photos,
    Answers,
    SubdistrictId,
    CommunityId,
    GridId,
    BuildingId,
    Status,
    Moderation,
    ResponsibleId,
    ResponsibleLevel,
    PostedAt,
    RespondBy,
    ResolveBy,
    RespondedAt,
    ResolvedAt,
    ClosedAt,
    Rating,
    RatingComment,
    MergedInto,
    Version,
}

#[derive(DeriveIden)]
enum RequestTimeline {
    Table,
    Id,
    RequestId,
    Action,
    ActorId,
    At,
    Note,
    Facts,
}

#[derive(DeriveIden)]
enum RequestTasks {
    Table,
    Id,
    RequestId,
    SubdistrictId,
    CommunityId,
    GridId,
    BuildingId,
    Title,
    Needed,
    DueAt,
    Status,
    ClaimantId,
    TeamId,
    ClaimedAt,
    StartedAt,
    CompletionNote,
    CompletionPhotos,
    CompletedAt,
    VerifiedBy,
    VerifiedAt,
    CreatedAt,
    Version,
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
                    .table(RequestCategories::Table)
                    .col(string(RequestCategories::Key).primary_key())
                    .col(string(RequestCategories::Name))
                    .col(integer(RequestCategories::RespondWithinMinutes))
                    .col(integer(RequestCategories::ResolveWithinMinutes))
                    .col(text(RequestCategories::Questions))
                    .col(boolean(RequestCategories::Active))
                    .col(timestamp_with_time_zone(RequestCategories::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        let mut seed = Query::insert();
        seed.into_table(RequestCategories::Table).columns([
            RequestCategories::Key,
            RequestCategories::Name,
            RequestCategories::RespondWithinMinutes,
            RequestCategories::ResolveWithinMinutes,
            RequestCategories::Questions,
            RequestCategories::Active,
            RequestCategories::UpdatedAt,
        ]);
        let now = chrono::Utc::now();
        for (key, name, respond, resolve) in DEFAULT_CATEGORIES {
            seed.values_panic([
                key.into(),
                name.into(),
                <i32 as TryFrom<u32>>::try_from(respond)
                    .unwrap_or(i32::MAX)
                    .into(),
                <i32 as TryFrom<u32>>::try_from(resolve)
                    .unwrap_or(i32::MAX)
                    .into(),
                "[]".into(),
                true.into(),
                now.into(),
            ]);
        }
        manager.exec_stmt(seed).await?;

        manager
            .create_table(
                Table::create()
                    .table(ResidentRequests::Table)
                    .col(uuid(ResidentRequests::Id).primary_key())
                    .col(uuid(ResidentRequests::AuthorId))
                    .col(boolean(ResidentRequests::Anonymous))
                    .col(string(ResidentRequests::Category))
                    .col(string(ResidentRequests::Title))
                    .col(text(ResidentRequests::Description))
                    .col(text(ResidentRequests::Photos))
                    .col(text(ResidentRequests::Answers))
                    .col(uuid(ResidentRequests::SubdistrictId))
                    .col(uuid(ResidentRequests::CommunityId))
                    .col(uuid(ResidentRequests::GridId))
                    .col(uuid_null(ResidentRequests::BuildingId))
                    .col(string(ResidentRequests::Status))
                    .col(string(ResidentRequests::Moderation))
                    .col(uuid_null(ResidentRequests::ResponsibleId))
                    .col(string_null(ResidentRequests::ResponsibleLevel))
                    .col(timestamp_with_time_zone(ResidentRequests::PostedAt))
                    .col(timestamp_with_time_zone(ResidentRequests::RespondBy))
                    .col(timestamp_with_time_zone(ResidentRequests::ResolveBy))
                    .col(timestamp_with_time_zone_null(ResidentRequests::RespondedAt))
                    .col(timestamp_with_time_zone_null(ResidentRequests::ResolvedAt))
                    .col(timestamp_with_time_zone_null(ResidentRequests::ClosedAt))
                    .col(small_integer_null(ResidentRequests::Rating))
                    .col(text_null(ResidentRequests::RatingComment))
                    .col(uuid_null(ResidentRequests::MergedInto))
                    .col(integer(ResidentRequests::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ResidentRequests::Table, ResidentRequests::Category)
                            .to(RequestCategories::Table, RequestCategories::Key),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("resident_requests_grid", &["grid_id", "status"][..]),
            ("resident_requests_community", &["community_id", "status"][..]),
            ("resident_requests_author", &["author_id"][..]),
            ("resident_requests_merged_into", &["merged_into"][..]),
            (
                "resident_requests_grid_category",
                &["grid_id", "category", "posted_at"][..],
            ),
        ] {
            manager
                .create_index(index(ResidentRequests::Table, name, columns))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(RequestTimeline::Table)
                    .col(uuid(RequestTimeline::Id).primary_key())
                    .col(uuid(RequestTimeline::RequestId))
                    .col(string(RequestTimeline::Action))
                    .col(uuid_null(RequestTimeline::ActorId))
                    .col(timestamp_with_time_zone(RequestTimeline::At))
                    .col(text_null(RequestTimeline::Note))
                    .col(text(RequestTimeline::Facts))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RequestTimeline::Table, RequestTimeline::RequestId)
                            .to(ResidentRequests::Table, ResidentRequests::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                RequestTimeline::Table,
                "request_timeline_request",
                &["request_id", "id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RequestTasks::Table)
                    .col(uuid(RequestTasks::Id).primary_key())
                    .col(uuid(RequestTasks::RequestId))
                    .col(uuid(RequestTasks::SubdistrictId))
                    .col(uuid(RequestTasks::CommunityId))
                    .col(uuid(RequestTasks::GridId))
                    .col(uuid_null(RequestTasks::BuildingId))
                    .col(string(RequestTasks::Title))
                    .col(integer(RequestTasks::Needed))
                    .col(timestamp_with_time_zone_null(RequestTasks::DueAt))
                    .col(string(RequestTasks::Status))
                    .col(uuid_null(RequestTasks::ClaimantId))
                    .col(uuid_null(RequestTasks::TeamId))
                    .col(timestamp_with_time_zone_null(RequestTasks::ClaimedAt))
                    .col(timestamp_with_time_zone_null(RequestTasks::StartedAt))
                    .col(text_null(RequestTasks::CompletionNote))
                    .col(text_null(RequestTasks::CompletionPhotos))
                    .col(timestamp_with_time_zone_null(RequestTasks::CompletedAt))
                    .col(uuid_null(RequestTasks::VerifiedBy))
                    .col(timestamp_with_time_zone_null(RequestTasks::VerifiedAt))
                    .col(timestamp_with_time_zone(RequestTasks::CreatedAt))
                    .col(integer(RequestTasks::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RequestTasks::Table, RequestTasks::RequestId)
                            .to(ResidentRequests::Table, ResidentRequests::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            // The board: a grid's tasks by status, oldest first.
            ("request_tasks_board", &["grid_id", "status", "id"][..]),
            ("request_tasks_community", &["community_id", "status", "id"][..]),
            ("request_tasks_request", &["request_id"][..]),
            ("request_tasks_claimant", &["claimant_id"][..]),
        ] {
            manager
                .create_index(index(RequestTasks::Table, name, columns))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            RequestTasks::Table.into_iden(),
            RequestTimeline::Table.into_iden(),
            ResidentRequests::Table.into_iden(),
            RequestCategories::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
