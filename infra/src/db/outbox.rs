//! The outbox: events stored in the transaction of the change they describe, relayed to
//! the event bus afterwards, and replayed to clients that reconnect.

use std::future::Future;

use chrono::Utc;
use linli_kernel::{DomainEvent, EventId};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::Database;
use super::entity::outbox;

/// A published event with its place in the order of publishing, which subscribers and
/// replays follow.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OutboxRecord {
    pub position: i64,
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
        position: Set(None),
    });
    outbox::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// A row back as an event. `record` writes `data` from a `serde_json::Value`, so a row that
/// does not parse was altered outside the system: that is an error naming the row, never an
/// event with `null` data that clients would take for the real thing.
fn to_record(row: outbox::Model, position: i64) -> anyhow::Result<OutboxRecord> {
    let data = serde_json::from_str(&row.data).map_err(|error| {
        anyhow::anyhow!(
            "outbox row {} ({}) holds undecodable data: {error}",
            row.seq,
            row.kind
        )
    })?;
    Ok(OutboxRecord {
        position,
        event: DomainEvent {
            id: EventId::from_uuid(row.id),
            topic: row.topic,
            kind: row.kind,
            data,
            occurred_at: row.occurred_at,
        },
    })
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
        // Positions continue after the last published one and follow `seq` within the batch:
        // position = last + 1 + (seq - first seq). One statement for the whole batch; gaps
        // in `seq` leave gaps in positions, which only need to grow.
        let last: i64 = outbox::Entity::find()
            .select_only()
            .column_as(outbox::Column::Position.max(), "last")
            .into_tuple::<Option<i64>>()
            .one(&txn)
            .await?
            .flatten()
            .unwrap_or(0);
        let first_seq = rows.first().map_or(0, |r| r.seq);
        let offset = last + 1 - first_seq;
        outbox::Entity::update_many()
            .col_expr(outbox::Column::PublishedAt, Expr::value(Utc::now()))
            .col_expr(
                outbox::Column::Position,
                Expr::col(outbox::Column::Seq).add(offset),
            )
            .filter(outbox::Column::Seq.is_in(rows.iter().map(|r| r.seq)))
            .exec(&txn)
            .await?;
        let records = rows
            .into_iter()
            .map(|row| {
                let position = row.seq + offset;
                to_record(row, position)
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let count = records.len();
        publish(records).await?;
        txn.commit().await?;
        Ok(count)
    }

    /// The published events of `topic` after the event `after`, oldest first, at most
    /// `limit`. `None` when `after` is not a published event of the outbox.
    pub async fn events_after(
        &self,
        topic: &str,
        after: EventId,
        limit: u64,
    ) -> anyhow::Result<Option<Vec<OutboxRecord>>> {
        let Some(since) = outbox::Entity::find()
            .filter(outbox::Column::Id.eq(after.as_uuid()))
            .filter(outbox::Column::Topic.eq(topic))
            .one(&self.conn)
            .await?
            .and_then(|row| row.position)
        else {
            return Ok(None);
        };
        let rows = outbox::Entity::find()
            .filter(outbox::Column::Topic.eq(topic))
            .filter(outbox::Column::Position.gt(since))
            .order_by_asc(outbox::Column::Position)
            .limit(limit)
            .all(&self.conn)
            .await?;
        let records = rows
            .into_iter()
            .filter_map(|row| row.position.map(|p| (row, p)))
            .map(|(row, position)| to_record(row, position))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Some(records))
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use sea_orm::ActiveValue::{NotSet, Set};
    use sea_orm::EntityTrait;

    use crate::db::entity::outbox;
    use crate::db::testing::ScratchDatabase;

    /// A row whose data was altered outside the system stops the relay with an error that
    /// names it, rather than going out as an event with `null` data.
    #[tokio::test]
    async fn undecodable_data_is_an_error_not_null() {
        let scratch = ScratchDatabase::sqlite();
        let db = scratch.connect(2).await;
        db.migrate().await.unwrap();
        outbox::Entity::insert(outbox::ActiveModel {
            seq: NotSet,
            id: Set(uuid::Uuid::new_v4()),
            topic: Set("district:structure".into()),
            kind: Set("grid.created".into()),
            data: Set("{not json".into()),
            occurred_at: Set(Utc::now()),
            published_at: Set(None),
            position: Set(None),
        })
        .exec_without_returning(db.connection())
        .await
        .unwrap();
        let mut published = 0;
        let outcome = db
            .relay_outbox(10, |records| {
                published += records.len();
                async { Ok(()) }
            })
            .await;
        let error = format!("{:#}", outcome.expect_err("an undecodable row is an error"));
        assert!(error.contains("grid.created"), "{error}");
        assert_eq!(published, 0, "nothing goes out with made-up data");
    }
}
