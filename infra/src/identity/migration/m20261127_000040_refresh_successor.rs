//! A rotated refresh token keeps its successor, sealed, for the reuse leeway: a mobile client
//! retrying a refresh whose answer it lost gets the same pair instead of a revoked session.
//! A job clears the column once the leeway has passed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::text_null;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000040_refresh_successor"
    }
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    SuccessorSealed,
    SpentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(RefreshTokens::Table)
                    .add_column(text_null(RefreshTokens::SuccessorSealed))
                    .to_owned(),
            )
            .await?;
        // The clearing job looks for spent tokens by the time they were spent.
        manager
            .create_index(
                Index::create()
                    .name("refresh_tokens_spent_at")
                    .table(RefreshTokens::Table)
                    .col(RefreshTokens::SpentAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("refresh_tokens_spent_at")
                    .table(RefreshTokens::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(RefreshTokens::Table)
                    .drop_column(RefreshTokens::SuccessorSealed)
                    .to_owned(),
            )
            .await
    }
}
