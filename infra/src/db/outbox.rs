//! The outbox: events stored in the transaction of the change they describe, relayed to
//! the event bus afterwards, and replayed to clients that reconnect.

use std::future::Future;

use chrono::Utc;
use linli_kernel::{DomainEvent, EventId};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::Database;
use super::entity::outbox;

/// An event with its place in the outbox's order.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OutboxRecord {
    pub seq: i64,
    pub event: DomainEvent,
}

/// Adds the events to the transaction's writes.
pub(crate) async fn record(db: &impl ConnectionTrait, events: &[DomainEvent]) -> Result<(), DbErr> {
    if events.is_empty() {
        return Ok(());
    }
    let rows = events.iter().map(|e| outbox::ActiveModel {
        seq: NotSet,
        id: Set(e.id.as_uuid()),
        topic: Set(e.topic.clone()),
        kind: Set(e.kind.clone()),
        data: Set(e.data.to_string()),
        occurred_at: Set(e.occurred_at),
        published_at: Set(None),
    });
    outbox::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

fn to_record(row: outbox::Model) -> OutboxRecord {
    OutboxRecord {
        seq: row.seq,
        event: DomainEvent {
            id: EventId::from_uuid(row.id),
            topic: row.topic,
            kind: row.kind,
            // Written by `record` from a `serde_json::Value`, so it parses back.
            data: serde_json::from_str(&row.data).unwrap_or(serde_json::Value::Null),
            occurred_at: row.occurred_at,
        },
    }
}

/// An arbitrary constant naming the relay's lock among PostgreSQL advisory locks.
const RELAY_LOCK: i64 = 7_263_541_002;

impl Database {
    /// Publishes the oldest unpublished events, in order, then marks them published. Only
    /// one instance relays at a time (an advisory lock on PostgreSQL), so events leave in
    /// the order they were written. Returns how many were published.
    pub async fn relay_outbox<F, Fut>(&self, batch: u64, publish: F) -> anyhow::Result<usize>
    where
        F: FnOnce(Vec<OutboxRecord>) -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        // A cheap read first: on SQLite a write transaction would queue behind requests.
        let waiting = outbox::Entity::find()
            .filter(outbox::Column::PublishedAt.is_null())
            .one(&self.conn)
            .await?;
        if waiting.is_none() {
            return Ok(0);
        }
        let txn = self.begin_write().await?;
        if self.backend() == DatabaseBackend::Postgres {
            let locked = txn
                .query_one_raw(sea_orm::Statement::from_string(
                    DatabaseBackend::Postgres,
                    format!("SELECT pg_try_advisory_xact_lock({RELAY_LOCK}) AS locked"),
                ))
                .await?
                .map(|row| row.try_get::<bool>("", "locked"))
                .transpose()?
                .unwrap_or(false);
            if !locked {
                return Ok(0);
            }
        }
        let rows = outbox::Entity::find()
            .filter(outbox::Column::PublishedAt.is_null())
            .order_by_asc(outbox::Column::Seq)
            .limit(batch)
            .all(&txn)
            .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
        let count = rows.len();
        publish(rows.into_iter().map(to_record).collect()).await?;
        outbox::Entity::update_many()
            .col_expr(
                outbox::Column::PublishedAt,
                sea_orm::sea_query::Expr::value(Utc::now()),
            )
            .filter(outbox::Column::Seq.is_in(seqs))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(count)
    }

    /// The events of `topic` after the event `after` (all of them when `after` is unknown to
    /// the outbox), oldest first, at most `limit`.
    pub async fn events_after(
        &self,
        topic: &str,
        after: Option<EventId>,
        limit: u64,
    ) -> anyhow::Result<Vec<OutboxRecord>> {
        let after_seq = match after {
            None => None,
            Some(id) => outbox::Entity::find()
                .filter(outbox::Column::Id.eq(id.as_uuid()))
                .one(&self.conn)
                .await?
                .map(|row| row.seq),
        };
        let mut query = outbox::Entity::find().filter(outbox::Column::Topic.eq(topic));
        if let Some(seq) = after_seq {
            query = query.filter(outbox::Column::Seq.gt(seq));
        }
        let rows = query
            .order_by_asc(outbox::Column::Seq)
            .limit(limit)
            .all(&self.conn)
            .await?;
        Ok(rows.into_iter().map(to_record).collect())
    }

    /// Wakes when a commit wrote events.
    pub fn outbox_notify(&self) -> std::sync::Arc<tokio::sync::Notify> {
        self.outbox_signal()
    }

    /// How many events wait to be relayed (for readiness and tests).
    pub async fn unpublished_events(&self) -> anyhow::Result<u64> {
        use sea_orm::PaginatorTrait;
        Ok(outbox::Entity::find()
            .filter(outbox::Column::PublishedAt.is_null())
            .count(&self.conn)
            .await?)
    }
}
