//! Guarded writes: the one way a contended change is made.
//!
//! SQLite has no row locks (`SELECT … FOR UPDATE` is silently dropped there), so a change
//! that two requests may race for is not "read, check, write". It is one conditional
//! `UPDATE` whose `WHERE` states what must still be true for the change to be allowed (the
//! guard), and the number of rows it touched says who won:
//!
//! ```text
//! UPDATE tasks      SET status = 'claimed', claimed_by = ?  WHERE id = ? AND status = 'open'
//! UPDATE activities SET confirmed = confirmed + 1           WHERE id = ? AND confirmed < capacity
//! UPDATE refresh_tokens SET spent_at = ?                    WHERE token_hash = ? AND spent_at IS NULL
//! ```
//!
//! Both back ends evaluate the guard against the latest committed row: SQLite because it has
//! one writer at a time, PostgreSQL because a second `UPDATE` of a row waits for the first
//! transaction and then re-checks its `WHERE` on the new version (READ COMMITTED). So of
//! many concurrent attempts exactly as many succeed as the guard allows, with no lock taken
//! by hand and no retry loop.
//!
//! How to build on it (task claims, activity sign-ups, anything "first come, first served"):
//!
//! - Build the `UpdateMany` with the change in `col_expr` and the guard in `filter`; express
//!   counters as `Expr::col(c).add(1)`, never as a value read beforehand.
//! - Run it with [`guarded_update`] (exactly one row expected) on the connection, or on the
//!   write transaction (`Database::begin_write`) when other writes must commit with it, e.g. the
//!   events of the change or a sign-up row. In a transaction, put the guarded update first, so
//!   that on SQLite the transaction that loses has written nothing yet.
//! - Map [`GuardedWriteError::Conflict`] to the context's own error (`AlreadyClaimed`,
//!   `ActivityFull`, a 409): it is an expected outcome, not a failure. When the loser must say
//!   *why* it lost (full, or cancelled, or gone), read the row after the conflict; the reading
//!   is only for the message, the guard already decided.
//! - [`GuardedWriteError::Storage`] is a storage failure (a 500 / `Unknown`), and
//!   [`GuardedWriteError::Unexpected`] means the guard matched more rows than the caller meant
//!   (a bug in the filter): in a transaction, return the error so the transaction is dropped and
//!   rolled back.

use sea_orm::{ConnectionTrait, DbErr, EntityTrait, UpdateMany};

/// Why a guarded write did not happen as asked.
#[derive(Debug, thiserror::Error)]
pub enum GuardedWriteError {
    /// No row matched the guard: another writer changed the row first (or it does not exist).
    /// The expected outcome of losing a race; nothing was written.
    #[error("the guarded write lost: no row was in the expected state")]
    Conflict,
    /// Some rows matched, but not as many as expected: the filter does not say what the caller
    /// meant. The rows *were* updated; inside a transaction, drop it to roll them back.
    #[error("the guarded write touched {affected} rows where {expected} were expected")]
    Unexpected { expected: u64, affected: u64 },
    /// The database failed; whether the guard held is unknown.
    #[error("storage failed during a guarded write")]
    Storage(#[from] DbErr),
}

impl GuardedWriteError {
    /// Whether the write lost its race (as opposed to a failure).
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::Conflict)
    }
}

/// Runs a conditional `UPDATE` that must touch exactly one row: `Ok(())` when it did,
/// [`GuardedWriteError::Conflict`] when the guard matched none. `db` is a connection or a
/// transaction.
///
/// # Errors
/// `Conflict` when the guard failed, `Unexpected` when more than one row matched, `Storage`
/// when the database failed.
pub async fn guarded_update<E, C>(db: &C, update: UpdateMany<E>) -> Result<(), GuardedWriteError>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    guarded_update_rows(db, update, 1).await
}

/// Like [`guarded_update`], for a guard that must match exactly `expected` rows (a batch
/// claimed all or nothing, in a transaction). Zero rows is a `Conflict`; any other count
/// than `expected` is `Unexpected` (for a batch partly taken by someone else: drop the
/// transaction, the batch lost).
///
/// # Errors
/// As [`guarded_update`].
pub async fn guarded_update_rows<E, C>(
    db: &C,
    update: UpdateMany<E>,
    expected: u64,
) -> Result<(), GuardedWriteError>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    // Both back ends count the rows the WHERE matched, even when SET leaves a value as it was.
    let affected = update.exec(db).await?.rows_affected;
    if affected == expected {
        Ok(())
    } else if affected == 0 {
        Err(GuardedWriteError::Conflict)
    } else {
        Err(GuardedWriteError::Unexpected { expected, affected })
    }
}

/// Scratch databases for this crate's tests: a SQLite file (WAL, as `Database::connect` sets
/// up) or, when `LINLI_TEST_DATABASE_URL` names a PostgreSQL server, a fresh database on it.
/// Either is removed when dropped.
#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use sea_orm::sea_query::{Expr, ExprTrait};
    use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
    use tokio::sync::Barrier;

    use super::{GuardedWriteError, guarded_update, guarded_update_rows};
    use crate::db::Database;
    use crate::db::testing::ScratchDatabase;

    /// A row that many want a piece of: places (`confirmed` of `capacity`) and one claim.
    mod slot {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "guarded_slots")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: i32,
            pub confirmed: i32,
            pub capacity: i32,
            pub status: String,
            pub claimed_by: Option<i32>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    /// The same SQL on both back ends.
    async fn with_slots(db: &Database) {
        db.connection()
            .execute_unprepared(
                "CREATE TABLE guarded_slots (
                    id INTEGER PRIMARY KEY,
                    confirmed INTEGER NOT NULL,
                    capacity INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    claimed_by INTEGER
                 );
                 INSERT INTO guarded_slots (id, confirmed, capacity, status) VALUES
                    (1, 0, 10, 'open'), (2, 0, 10, 'open'), (3, 0, 10, 'open');",
            )
            .await
            .unwrap();
    }

    async fn read(db: &Database, id: i32) -> slot::Model {
        slot::Entity::find_by_id(id)
            .one(db.connection())
            .await
            .unwrap()
            .unwrap()
    }

    /// 50 at once want one of 10 places, each as a bare statement on the pool.
    async fn fifty_sign_ups_for_ten_places(db: Database) {
        with_slots(&db).await;
        let start = Arc::new(Barrier::new(50));
        let attempts: Vec<_> = (0..50)
            .map(|_| {
                let (db, start) = (db.clone(), start.clone());
                tokio::spawn(async move {
                    start.wait().await;
                    let sign_up = slot::Entity::update_many()
                        .col_expr(slot::Column::Confirmed, Expr::col(slot::Column::Confirmed).add(1))
                        .filter(slot::Column::Id.eq(1))
                        .filter(Expr::col(slot::Column::Confirmed).lt(Expr::col(slot::Column::Capacity)));
                    guarded_update(db.connection(), sign_up).await
                })
            })
            .collect();
        let (mut won, mut lost) = (0, 0);
        for attempt in attempts {
            match attempt.await.unwrap() {
                Ok(()) => won += 1,
                Err(GuardedWriteError::Conflict) => lost += 1,
                Err(e) => panic!("a sign-up failed instead of winning or losing: {e:#}"),
            }
        }
        assert_eq!((won, lost), (10, 40));
        assert_eq!(read(&db, 1).await.confirmed, 10);
    }

    /// 20 at once claim one open row, each in a write transaction that also records its
    /// claim: exactly one commits a claim.
    async fn twenty_claims_of_one_open_row(db: Database) {
        with_slots(&db).await;
        let start = Arc::new(Barrier::new(20));
        let attempts: Vec<_> = (0..20)
            .map(|claimant| {
                let (db, start) = (db.clone(), start.clone());
                tokio::spawn(async move {
                    start.wait().await;
                    let txn = db.begin_write().await.unwrap();
                    let claim = slot::Entity::update_many()
                        .col_expr(slot::Column::Status, Expr::value("claimed"))
                        .col_expr(slot::Column::ClaimedBy, Expr::value(claimant))
                        .filter(slot::Column::Id.eq(2))
                        .filter(slot::Column::Status.eq("open"));
                    let outcome = guarded_update(&txn, claim).await;
                    if outcome.is_ok() {
                        // A second write of the same transaction, as a claim's event would be.
                        slot::Entity::update_many()
                            .col_expr(slot::Column::Confirmed, Expr::col(slot::Column::Confirmed).add(1))
                            .filter(slot::Column::Id.eq(2))
                            .exec(&txn)
                            .await
                            .unwrap();
                        txn.commit().await.unwrap();
                    }
                    outcome.map(|()| claimant)
                })
            })
            .collect();
        let mut winners = Vec::new();
        let mut conflicts = 0;
        for attempt in attempts {
            match attempt.await.unwrap() {
                Ok(claimant) => winners.push(claimant),
                Err(e) if e.is_conflict() => conflicts += 1,
                Err(e) => panic!("a claim failed instead of winning or losing: {e:#}"),
            }
        }
        assert_eq!((winners.len(), conflicts), (1, 19), "winners: {winners:?}");
        let row = read(&db, 2).await;
        assert_eq!(row.status, "claimed");
        assert_eq!(row.claimed_by, winners.first().copied());
        assert_eq!(row.confirmed, 1, "only the winner's transaction wrote");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn on_sqlite_fifty_concurrent_sign_ups_fill_ten_places_and_forty_conflict() {
        let scratch = ScratchDatabase::sqlite();
        fifty_sign_ups_for_ten_places(scratch.connect(8).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn on_sqlite_twenty_concurrent_claims_of_one_row_have_one_winner() {
        let scratch = ScratchDatabase::sqlite();
        twenty_claims_of_one_open_row(scratch.connect(8).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn on_postgres_fifty_concurrent_sign_ups_fill_ten_places_and_forty_conflict() {
        let Some(scratch) = ScratchDatabase::postgres().await else {
            eprintln!("LINLI_TEST_DATABASE_URL is not set: skipped");
            return;
        };
        fifty_sign_ups_for_ten_places(scratch.connect(20).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn on_postgres_twenty_concurrent_claims_of_one_row_have_one_winner() {
        let Some(scratch) = ScratchDatabase::postgres().await else {
            eprintln!("LINLI_TEST_DATABASE_URL is not set: skipped");
            return;
        };
        twenty_claims_of_one_open_row(scratch.connect(20).await).await;
    }

    #[tokio::test]
    async fn a_guard_matching_more_rows_than_expected_is_unexpected_and_a_batch_can_expect_several() {
        let scratch = ScratchDatabase::sqlite();
        let db = scratch.connect(2).await;
        with_slots(&db).await;
        let all_open = || {
            slot::Entity::update_many()
                .col_expr(slot::Column::Status, Expr::value("closed"))
                .filter(slot::Column::Status.eq("open"))
        };
        // Rolled back: the transaction is dropped after the error, as a caller would.
        let txn = db.begin_write().await.unwrap();
        let outcome = guarded_update(&txn, all_open()).await;
        assert!(
            matches!(
                outcome,
                Err(GuardedWriteError::Unexpected {
                    expected: 1,
                    affected: 3
                })
            ),
            "{outcome:?}"
        );
        drop(txn);
        assert_eq!(read(&db, 3).await.status, "open");
        guarded_update_rows(db.connection(), all_open(), 3).await.unwrap();
        assert!(
            guarded_update_rows(db.connection(), all_open(), 3)
                .await
                .unwrap_err()
                .is_conflict()
        );
    }
}
