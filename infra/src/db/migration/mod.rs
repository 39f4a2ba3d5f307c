//! One migration set for SQLite and PostgreSQL. Each migration is a file of its own
//! (sea-orm-migration names a migration after its file) and is never edited once landed.

use sea_orm_migration::prelude::*;

mod m20261125_000001_structure;
mod m20261125_000002_identity;
mod m20261125_000003_outbox_and_idempotency;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_structure::Migration),
            Box::new(m20261125_000002_identity::Migration),
            Box::new(m20261125_000003_outbox_and_idempotency::Migration),
        ]
    }
}
