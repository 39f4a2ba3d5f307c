//! Idempotency keys: a creating call retried with the same key and body gets the first
//! answer and changes nothing twice (mini-program networks retry).

use chrono::{DateTime, Duration, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use anyhow::Context;

use super::entity::idempotency_key;
use super::guarded::{GuardedWriteError, guarded_update};
use super::{Database, is_unique_violation};
use crate::crypto::sealed_key_id;

/// A stored answer to replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// First use of the key: go ahead, then `complete` or `release` it.
    Fresh,
    /// The first request with this key is still running.
    InProgress,
    /// The key was used with another request.
    Mismatch,
    /// The key was used with this request, which answered this.
    Replay(StoredResponse),
}

/// What a stored answer is sealed under: its owner and key.
fn answer_context(owner: &str, key: &str) -> String {
    format!("idempotency_keys.body:{owner}:{key}")
}

/// A request still unanswered after this long is taken to have died with its instance.
const ABANDONED_AFTER: i64 = 60;

/// How long a stored answer may be replayed. A mini-program retries within minutes; a day
/// covers a phone that was offline overnight, and no answer (which may hold the caller's
/// unmasked personal data) is kept or replayed longer: older rows are purged, and one not yet
/// purged is treated as never used.
pub const IDEMPOTENCY_KEY_TTL: Duration = Duration::hours(24);

impl Database {
    pub async fn claim_idempotency_key(
        &self,
        owner: &str,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<IdempotencyClaim> {
        let row = idempotency_key::ActiveModel {
            owner: Set(owner.to_owned()),
            key: Set(key.to_owned()),
            request_hash: Set(request_hash.to_owned()),
            status: Set(None),
            body: Set(None),
            created_at: Set(now),
        };
        match idempotency_key::Entity::insert(row)
            .exec_without_returning(&self.conn)
            .await
        {
            Ok(_) => return Ok(IdempotencyClaim::Fresh),
            Err(e) if is_unique_violation(&e) => {}
            Err(e) => return Err(e.into()),
        }
        let Some(existing) = idempotency_key::Entity::find_by_id((owner.to_owned(), key.to_owned()))
            .one(&self.conn)
            .await?
        else {
            // Released between our insert and our read: the caller may retry.
            return Ok(IdempotencyClaim::InProgress);
        };
        if existing.created_at < now - IDEMPOTENCY_KEY_TTL {
            return self
                .reclaim_expired(owner, key, request_hash, existing.created_at, now)
                .await;
        }
        if existing.request_hash != request_hash {
            return Ok(IdempotencyClaim::Mismatch);
        }
        match (existing.status, existing.body) {
            (Some(status), Some(body)) => Ok(IdempotencyClaim::Replay(StoredResponse {
                status: u16::try_from(status).unwrap_or(500),
                body: self.open_stored_answer(owner, key, body)?,
            })),
            _ if existing.created_at < now - Duration::seconds(ABANDONED_AFTER) => {
                // Take over an abandoned claim, guarded by the claim time we read and by the
                // claim being unanswered, so of several retries only one wins it.
                let takeover = idempotency_key::Entity::update_many()
                    .col_expr(
                        idempotency_key::Column::CreatedAt,
                        sea_orm::sea_query::Expr::value(now),
                    )
                    .filter(idempotency_key::Column::Owner.eq(owner))
                    .filter(idempotency_key::Column::Key.eq(key))
                    .filter(idempotency_key::Column::CreatedAt.eq(existing.created_at))
                    .filter(idempotency_key::Column::Status.is_null());
                match guarded_update(&self.conn, takeover).await {
                    Ok(()) => Ok(IdempotencyClaim::Fresh),
                    Err(GuardedWriteError::Conflict) => Ok(IdempotencyClaim::InProgress),
                    Err(e) => Err(e.into()),
                }
            }
            _ => Ok(IdempotencyClaim::InProgress),
        }
    }

    /// Takes over a key whose answer has outlived [`IDEMPOTENCY_KEY_TTL`] (the purge has not
    /// come by yet), as a first use; guarded by the claim time we read.
    async fn reclaim_expired(
        &self,
        owner: &str,
        key: &str,
        request_hash: &str,
        claimed_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<IdempotencyClaim> {
        use sea_orm::sea_query::Expr;
        let reclaim = idempotency_key::Entity::update_many()
            .col_expr(idempotency_key::Column::CreatedAt, Expr::value(now))
            .col_expr(idempotency_key::Column::RequestHash, Expr::value(request_hash))
            .col_expr(idempotency_key::Column::Status, Expr::value(Option::<i32>::None))
            .col_expr(idempotency_key::Column::Body, Expr::value(Option::<String>::None))
            .filter(idempotency_key::Column::Owner.eq(owner))
            .filter(idempotency_key::Column::Key.eq(key))
            .filter(idempotency_key::Column::CreatedAt.eq(claimed_at));
        match guarded_update(&self.conn, reclaim).await {
            Ok(()) => Ok(IdempotencyClaim::Fresh),
            Err(GuardedWriteError::Conflict) => Ok(IdempotencyClaim::InProgress),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn complete_idempotency_key(
        &self,
        owner: &str,
        key: &str,
        response: &StoredResponse,
    ) -> anyhow::Result<()> {
        let body = self
            .personal_data_keys()?
            .seal(&response.body, &answer_context(owner, key))?;
        idempotency_key::Entity::update_many()
            .col_expr(
                idempotency_key::Column::Status,
                sea_orm::sea_query::Expr::value(i32::from(response.status)),
            )
            .col_expr(
                idempotency_key::Column::Body,
                sea_orm::sea_query::Expr::value(body),
            )
            .filter(idempotency_key::Column::Owner.eq(owner))
            .filter(idempotency_key::Column::Key.eq(key))
            .exec(&self.conn)
            .await?;
        Ok(())
    }

    /// A stored answer in clear: answers are sealed like personal data (they may hold a
    /// phone or a real name, e.g. `POST /me/phone`'s). One stored before sealing (within a
    /// day of the upgrade) is clear already: that branch can go once every deployment has
    /// run the sealing version for a day (answers are replayed for 24 h at most).
    fn open_stored_answer(&self, owner: &str, key: &str, body: String) -> anyhow::Result<String> {
        if sealed_key_id(&body).is_none() {
            return Ok(body);
        }
        self.personal_data_keys()?
            .open(&body, &answer_context(owner, key))
            .context("a stored idempotent answer does not open")
    }

    /// Forgets a claim whose request failed, so a retry runs it again.
    pub async fn release_idempotency_key(&self, owner: &str, key: &str) -> anyhow::Result<()> {
        idempotency_key::Entity::delete_many()
            .filter(idempotency_key::Column::Owner.eq(owner))
            .filter(idempotency_key::Column::Key.eq(key))
            .exec(&self.conn)
            .await?;
        Ok(())
    }

    /// Drops keys older than `older_than`; retries come within minutes, not days.
    pub async fn purge_idempotency_keys(&self, older_than: DateTime<Utc>) -> anyhow::Result<u64> {
        let result = idempotency_key::Entity::delete_many()
            .filter(idempotency_key::Column::CreatedAt.lt(older_than))
            .exec(&self.conn)
            .await?;
        Ok(result.rows_affected)
    }
}
