//! Sessions and their rotated refresh tokens.

use chrono::{DateTime, Utc};
use linli_identity::ports::{RefreshRecord, RoleGrantRepository, SessionRepository};
use linli_kernel::{ActorGrants, SessionId, UserId};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::entity::{refresh_token, session};
use crate::db::Database;
use crate::db::guarded::{GuardedWriteError, guarded_update};

impl Database {
    /// Clears the sealed successors of tokens spent before `spent_before` (the reuse leeway
    /// is over for them), so no successor is kept longer than it can be used.
    pub async fn forget_refresh_successors(&self, spent_before: DateTime<Utc>) -> anyhow::Result<u64> {
        let result = refresh_token::Entity::update_many()
            .col_expr(
                refresh_token::Column::SuccessorSealed,
                Expr::value(Option::<String>::None),
            )
            .filter(refresh_token::Column::SpentAt.lt(spent_before))
            .filter(refresh_token::Column::SuccessorSealed.is_not_null())
            .exec(&self.conn)
            .await?;
        Ok(result.rows_affected)
    }
}

impl SessionRepository for Database {
    async fn open_session(
        &self,
        session_id: SessionId,
        user_id: UserId,
        refresh_hash: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let txn = self.begin_write().await?;
        session::Entity::insert(session::ActiveModel {
            id: Set(session_id.as_uuid()),
            user_id: Set(user_id.as_uuid()),
            created_at: Set(now),
            revoked_at: Set(None),
        })
        .exec_without_returning(&txn)
        .await?;
        refresh_token::Entity::insert(refresh_token::ActiveModel {
            token_hash: Set(refresh_hash.to_owned()),
            session_id: Set(session_id.as_uuid()),
            user_id: Set(user_id.as_uuid()),
            expires_at: Set(expires_at),
            spent_at: Set(None),
            successor_sealed: Set(None),
            created_at: Set(now),
        })
        .exec_without_returning(&txn)
        .await?;
        txn.commit().await?;
        Ok(())
    }

    async fn find_refresh(&self, refresh_hash: &str) -> anyhow::Result<Option<RefreshRecord>> {
        let Some(token) = refresh_token::Entity::find_by_id(refresh_hash.to_owned())
            .one(&self.conn)
            .await?
        else {
            return Ok(None);
        };
        let session = session::Entity::find_by_id(token.session_id)
            .one(&self.conn)
            .await?;
        Ok(Some(RefreshRecord {
            session_id: SessionId::from_uuid(token.session_id),
            user_id: UserId::from_uuid(token.user_id),
            expires_at: token.expires_at,
            spent_at: token.spent_at,
            sealed_successor: token.successor_sealed,
            session_revoked: session.as_ref().is_none_or(|s| s.revoked_at.is_some()),
            session_started_at: session.map_or(token.created_at, |s| s.created_at),
        }))
    }

    async fn rotate_refresh(
        &self,
        spent_hash: &str,
        next_hash: &str,
        sealed_successor: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let txn = self.begin_write().await?;
        // Guarded by `spent_at IS NULL`: of two requests spending one token, one wins and
        // the other gets a conflict (a replayed token); first in the transaction, so the
        // loser has written nothing.
        let spend = refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::SpentAt, Expr::value(now))
            .col_expr(
                refresh_token::Column::SuccessorSealed,
                Expr::value(sealed_successor.to_owned()),
            )
            .filter(refresh_token::Column::TokenHash.eq(spent_hash))
            .filter(refresh_token::Column::SpentAt.is_null());
        match guarded_update(&txn, spend).await {
            Ok(()) => {}
            Err(GuardedWriteError::Conflict) => return Ok(false),
            Err(e) => return Err(e.into()),
        }
        let Some(old) = refresh_token::Entity::find_by_id(spent_hash.to_owned())
            .one(&txn)
            .await?
        else {
            return Ok(false);
        };
        refresh_token::Entity::insert(refresh_token::ActiveModel {
            token_hash: Set(next_hash.to_owned()),
            session_id: Set(old.session_id),
            user_id: Set(old.user_id),
            expires_at: Set(expires_at),
            spent_at: Set(None),
            successor_sealed: Set(None),
            created_at: Set(now),
        })
        .exec_without_returning(&txn)
        .await?;
        txn.commit().await?;
        Ok(true)
    }

    async fn revoke_session(&self, session_id: SessionId, now: DateTime<Utc>) -> anyhow::Result<()> {
        session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, Expr::value(now))
            .filter(session::Column::Id.eq(session_id.as_uuid()))
            .filter(session::Column::RevokedAt.is_null())
            .exec(&self.conn)
            .await?;
        if let Some(ended) = session::Entity::find_by_id(session_id.as_uuid())
            .one(&self.conn)
            .await?
        {
            self.actors.changed(&[UserId::from_uuid(ended.user_id)]).await;
        }
        Ok(())
    }

    async fn session_active(&self, session_id: SessionId) -> anyhow::Result<bool> {
        Ok(session::Entity::find_by_id(session_id.as_uuid())
            .one(&self.conn)
            .await?
            .is_some_and(|s| s.revoked_at.is_none()))
    }

    async fn live_grants(
        &self,
        session_id: SessionId,
        user_id: UserId,
    ) -> anyhow::Result<Option<ActorGrants>> {
        if let Some(grants) = self.actors.get(session_id, user_id) {
            return Ok(Some(grants));
        }
        let generation = self.actors.generation();
        let live = session::Entity::find_by_id(session_id.as_uuid())
            .one(&self.conn)
            .await?
            .is_some_and(|s| s.revoked_at.is_none() && s.user_id == user_id.as_uuid());
        if !live {
            return Ok(None);
        }
        let grants: ActorGrants = self
            .grants_of(user_id)
            .await?
            .iter()
            .map(|g| (g.role(), g.scope()))
            .collect();
        self.actors.put(session_id, user_id, grants.clone(), generation);
        Ok(Some(grants))
    }
}
