//! The relational store every context shares: one sea-orm code path for SQLite (embedded)
//! and PostgreSQL (distributed), chosen by the URL's scheme; the outbox, idempotency keys and
//! the query pieces every repository uses. Each context's tables, migrations and adapters
//! live in its own folder beside this one.

pub mod actors;
pub mod entity;
pub mod guarded;
pub mod migration;

mod idempotency;
pub(crate) mod outbox;
pub(crate) mod query;
#[cfg(test)]
pub(crate) mod testing;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use tokio::sync::Notify;

use crate::crypto::PersonalDataKeys;

pub use idempotency::{IDEMPOTENCY_KEY_TTL, IdempotencyClaim, StoredResponse};
pub use outbox::OutboxRecord;

/// The database, shared by every repository. Cheap to clone.
#[derive(Clone)]
pub struct Database {
    pub(crate) conn: DatabaseConnection,
    /// Woken after a commit that wrote events, so the relay publishes them at once rather
    /// than at its next poll.
    outbox_written: Arc<Notify>,
    /// The actors of live sessions; identity's adapter fills and drops it.
    pub(crate) actors: actors::ActorCache,
    /// The keys that seal phone numbers and real names (identity's adapter); none until
    /// [`Database::with_personal_data_keys`], and then writing or reading them fails.
    personal_data_keys: Option<Arc<PersonalDataKeys>>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("backend", &self.backend())
            .finish_non_exhaustive()
    }
}

/// How to connect; the URL may hold a password, so it is never printed.
#[derive(Clone)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
}

impl std::fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl Database {
    pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<Self> {
        let mut options = ConnectOptions::new(settings.url.clone());
        options
            .max_connections(settings.max_connections)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .sqlx_logging(false);
        if settings.url.starts_with("sqlite:") {
            // WAL lets readers go on while one writer writes; writers queue on the busy
            // timeout instead of failing at once.
            options.map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(15))
                    .foreign_keys(true)
                    .create_if_missing(true)
            });
        }
        let conn = sea_orm::Database::connect(options)
            .await
            .with_context(|| format!("connecting to {}", redact_url(&settings.url)))?;
        Ok(Self {
            conn,
            outbox_written: Arc::new(Notify::new()),
            actors: actors::ActorCache::default(),
            personal_data_keys: None,
        })
    }

    /// The same database, sealing and opening personal data with `keys`.
    pub fn with_personal_data_keys(mut self, keys: Arc<PersonalDataKeys>) -> Self {
        self.personal_data_keys = Some(keys);
        self
    }

    /// The keys of personal data; an error (never a clear write) when none were given.
    pub(crate) fn personal_data_keys(&self) -> anyhow::Result<&PersonalDataKeys> {
        self.personal_data_keys
            .as_deref()
            .context("no keys for personal data were configured on this database handle")
    }

    pub fn backend(&self) -> DatabaseBackend {
        self.conn.get_database_backend()
    }

    pub fn connection(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        self.conn.ping().await.is_ok()
    }

    /// A transaction that will write. SQLite takes the write lock at BEGIN, so two writers
    /// queue instead of deadlocking when both try to upgrade a read lock.
    pub(crate) async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        self.conn
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            })
            .await
    }

    /// Commits, then wakes the outbox relay.
    pub(crate) async fn commit_with_events(&self, txn: DatabaseTransaction) -> Result<(), DbErr> {
        txn.commit().await?;
        self.outbox_written.notify_one();
        Ok(())
    }

    /// The cache of live sessions' actors, to keep in step across instances.
    /// A state transition: runs `update` (an UPDATE conditional on the state the change
    /// starts from) and, if it matched a row, records `events` and commits, in one
    /// transaction. `false` when nothing matched (a concurrent change came first), and
    /// nothing is written.
    pub(crate) async fn transition_with_events<E: EntityTrait>(
        &self,
        update: sea_orm::UpdateMany<E>,
        events: &[linli_kernel::DomainEvent],
    ) -> Result<bool, DbErr> {
        let txn = self.begin_write().await?;
        if update.exec(&txn).await?.rows_affected == 0 {
            return Ok(false);
        }
        outbox::record(&txn, events).await?;
        self.commit_with_events(txn).await?;
        Ok(true)
    }

    pub fn actor_cache(&self) -> &actors::ActorCache {
        &self.actors
    }

    /// Wakes when a commit wrote events.
    pub fn outbox_written(&self) -> Arc<Notify> {
        self.outbox_written.clone()
    }
}

/// Rows per multi-row INSERT: SQLite caps the bound values of one statement.
pub(crate) const INSERT_CHUNK: usize = 400;

/// Inserts rows in chunks small enough for SQLite's limit on bound values.
pub(crate) async fn insert_chunked<E, A>(db: &impl ConnectionTrait, rows: Vec<A>) -> Result<(), DbErr>
where
    E: EntityTrait,
    A: sea_orm::ActiveModelTrait<Entity = E>,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(INSERT_CHUNK).collect();
        E::insert_many(chunk).exec_without_returning(db).await?;
    }
    Ok(())
}

/// Whether a write failed on a unique index or primary key.
pub(crate) fn is_unique_violation(error: &DbErr) -> bool {
    matches!(
        error.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// Which unique index or constraint a write broke, in the back end's own terms: PostgreSQL
/// names the constraint (`grids_community_name`), SQLite its columns
/// (`grids.community_id, grids.name`). `None` when the error is not a unique violation.
pub(crate) fn violated_unique(error: &DbErr) -> Option<String> {
    use sea_orm::RuntimeErr;
    if !is_unique_violation(error) {
        return None;
    }
    let (DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e))) = error else {
        return Some(String::new());
    };
    let sea_orm::sqlx::Error::Database(e) = &**e else {
        return Some(String::new());
    };
    if let Some(constraint) = e.constraint() {
        return Some(constraint.to_owned());
    }
    let message = e.message();
    Some(
        message
            .strip_prefix("UNIQUE constraint failed: ")
            .unwrap_or(message)
            .to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_print() {
        assert_eq!(
            redact_url("postgres://linli:s3cret@db.internal:5432/linli"),
            "postgres://linli:***@db.internal:5432/linli"
        );
        assert_eq!(
            redact_url("sqlite://./data/linli.db?mode=rwc"),
            "sqlite://./data/linli.db?mode=rwc"
        );
    }
}
