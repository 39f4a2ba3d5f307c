//! The outbox (events written with the change they describe, relayed afterwards) and the
//! idempotency keys that make retried creating calls safe.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000003_outbox_and_idempotency"
    }
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Seq,
    Id,
    Topic,
    Kind,
    Data,
    OccurredAt,
    PublishedAt,
    Position,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Owner,
    Key,
    RequestHash,
    Status,
    Body,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // `seq` is the order of writing, `position` the order of publishing. They differ on
        // PostgreSQL, where a transaction that took a lower `seq` can commit after one with a
        // higher `seq` was relayed. Subscribers and replays go by `position`, which the one
        // relay assigns as it publishes, so a late commit is late, never lost.
        let seq = match manager.get_database_backend() {
            sea_orm::DatabaseBackend::Sqlite => pk_auto(Outbox::Seq),
            _ => big_pk_auto(Outbox::Seq),
        };
        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .col(seq)
                    .col(uuid(Outbox::Id).unique_key())
                    .col(string_len(Outbox::Topic, 128))
                    .col(string_len(Outbox::Kind, 64))
                    .col(text(Outbox::Data))
                    .col(timestamp_with_time_zone(Outbox::OccurredAt))
                    .col(timestamp_with_time_zone_null(Outbox::PublishedAt))
                    .col(big_integer_null(Outbox::Position).unique_key())
                    .to_owned(),
            )
            .await?;
        // Replay of one topic after a given event.
        manager
            .create_index(
                Index::create()
                    .name("outbox_topic_position")
                    .table(Outbox::Table)
                    .col(Outbox::Topic)
                    .col(Outbox::Position)
                    .to_owned(),
            )
            .await?;
        // The relay's scan for what is not yet published.
        manager
            .create_index(
                Index::create()
                    .name("outbox_unpublished")
                    .table(Outbox::Table)
                    .col(Outbox::PublishedAt)
                    .col(Outbox::Seq)
                    .to_owned(),
            )
            .await?;

        // One row per (caller, key): a retry with the same key and body gets the stored
        // answer; `status` stays NULL while the first request is still running.
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(string_len(IdempotencyKeys::Owner, 64))
                    .col(string_len(IdempotencyKeys::Key, 128))
                    .col(string_len(IdempotencyKeys::RequestHash, 64))
                    .col(integer_null(IdempotencyKeys::Status))
                    .col(text_null(IdempotencyKeys::Body))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKeys::Owner)
                            .col(IdempotencyKeys::Key),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idempotency_keys_created")
                    .table(IdempotencyKeys::Table)
                    .col(IdempotencyKeys::CreatedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IdempotencyKeys::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Outbox::Table).to_owned())
            .await
    }
}
