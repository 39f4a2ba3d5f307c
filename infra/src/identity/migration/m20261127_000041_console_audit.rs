//! What was done from the console (`linli admin grant`): who ran it, on which machine, what
//! it did. Written by the console only, never changed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{string_len, text, timestamp_with_time_zone, uuid};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000041_console_audit"
    }
}

#[derive(DeriveIden)]
enum ConsoleAudit {
    Table,
    Id,
    OccurredAt,
    Operator,
    Host,
    Environment,
    Action,
    Detail,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ConsoleAudit::Table)
                    .col(uuid(ConsoleAudit::Id).primary_key())
                    .col(timestamp_with_time_zone(ConsoleAudit::OccurredAt))
                    .col(string_len(ConsoleAudit::Operator, 256))
                    .col(string_len(ConsoleAudit::Host, 256))
                    .col(string_len(ConsoleAudit::Environment, 32))
                    .col(string_len(ConsoleAudit::Action, 64))
                    .col(text(ConsoleAudit::Detail))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConsoleAudit::Table).to_owned())
            .await
    }
}
