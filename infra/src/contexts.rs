//! The contexts this build serves, each switched on by one line in `context_migrations`; and
//! the one migration set they make together.

use anyhow::Context as _;
use sea_orm::{ConnectionTrait, DatabaseBackend, TransactionTrait};
use sea_orm_migration::prelude::*;

use crate::db::Database;

/// Every context's migrations, and the shared tables', in the order of their names (their
/// dates), which is the order they were written in.
fn context_migrations() -> Vec<Box<dyn MigrationTrait>> {
    let mut all = crate::db::migration::migrations();
    all.extend(crate::grid::migrations());
    all.extend(crate::identity::migrations());
    all.extend(crate::dual_reporting::migrations());
    all.extend(crate::resident_requests::migrations());
    all.extend(crate::uploads::migrations());
    all.sort_by(|a, b| a.name().cmp(b.name()));
    all
}

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        context_migrations()
    }
}

/// An arbitrary constant naming the migrations' lock among PostgreSQL advisory locks.
const MIGRATION_LOCK: i64 = 7_263_541_001;

impl Database {
    /// Applies pending migrations. On PostgreSQL an advisory lock makes instances starting
    /// together take turns.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        if self.backend() == DatabaseBackend::Postgres {
            let txn = self.conn.begin().await?;
            txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
                .await?;
            Migrator::up(&txn, None).await.context("applying migrations")?;
            txn.commit().await?;
        } else {
            Migrator::up(&self.conn, None)
                .await
                .context("applying migrations")?;
        }
        Ok(())
    }

    /// Each migration with whether it is applied.
    pub async fn migration_status(&self) -> anyhow::Result<Vec<(String, bool)>> {
        let applied: Vec<String> = Migrator::get_applied_migrations_read_only(&self.conn)
            .await?
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        Ok(Migrator::migrations()
            .iter()
            .map(|m| (m.name().to_owned(), applied.iter().any(|a| a == m.name())))
            .collect())
    }
}
