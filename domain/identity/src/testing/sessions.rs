//! Sessions and refresh tokens.

use super::*;

impl SessionRepository for InMemoryIdentity {
    async fn open_session(
        &self,
        session_id: SessionId,
        user_id: UserId,
        refresh_hash: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let mut rows = lock(&self.0);
        if rows.sessions.iter().any(|s| s.id == session_id)
            || rows.refresh_tokens.iter().any(|t| t.token_hash == refresh_hash)
        {
            anyhow::bail!("session {session_id} or its refresh token exists already");
        }
        rows.sessions.push(SessionRow {
            id: session_id,
            user_id,
            created_at: now,
            revoked_at: None,
        });
        rows.refresh_tokens.push(RefreshRow {
            token_hash: refresh_hash.to_owned(),
            session_id,
            user_id,
            expires_at,
            spent_at: None,
            sealed_successor: None,
            created_at: now,
        });
        Ok(())
    }

    async fn find_refresh(&self, refresh_hash: &str) -> anyhow::Result<Option<RefreshRecord>> {
        let record = {
            let rows = lock(&self.0);
            rows.refresh_tokens
                .iter()
                .find(|t| t.token_hash == refresh_hash)
                .map(|t| RefreshRecord {
                    session_id: t.session_id,
                    user_id: t.user_id,
                    expires_at: t.expires_at,
                    spent_at: t.spent_at,
                    sealed_successor: t.sealed_successor.clone(),
                    // A missing session counts as revoked, as in the adapter.
                    session_revoked: rows
                        .sessions
                        .iter()
                        .find(|s| s.id == t.session_id)
                        .is_none_or(|s| s.revoked_at.is_some()),
                    session_started_at: rows
                        .sessions
                        .iter()
                        .find(|s| s.id == t.session_id)
                        .map_or(t.created_at, |s| s.created_at),
                })
        };
        YieldOnce(false).await;
        Ok(record)
    }

    async fn rotate_refresh(
        &self,
        spent_hash: &str,
        next_hash: &str,
        sealed_successor: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let mut rows = lock(&self.0);
        // Guarded as `WHERE spent_at IS NULL`: of two spends of one token, one wins.
        let Some(spent) = rows
            .refresh_tokens
            .iter_mut()
            .find(|t| t.token_hash == spent_hash && t.spent_at.is_none())
        else {
            return Ok(false);
        };
        spent.spent_at = Some(now);
        spent.sealed_successor = Some(sealed_successor.to_owned());
        let next = RefreshRow {
            token_hash: next_hash.to_owned(),
            session_id: spent.session_id,
            user_id: spent.user_id,
            expires_at,
            spent_at: None,
            sealed_successor: None,
            created_at: now,
        };
        rows.refresh_tokens.push(next);
        Ok(true)
    }

    async fn revoke_session(&self, session_id: SessionId, now: DateTime<Utc>) -> anyhow::Result<()> {
        let mut rows = lock(&self.0);
        if let Some(session) = rows
            .sessions
            .iter_mut()
            .find(|s| s.id == session_id && s.revoked_at.is_none())
        {
            session.revoked_at = Some(now);
        }
        Ok(())
    }

    async fn session_active(&self, session_id: SessionId) -> anyhow::Result<bool> {
        Ok(lock(&self.0)
            .sessions
            .iter()
            .any(|s| s.id == session_id && s.revoked_at.is_none()))
    }

    async fn live_grants(
        &self,
        session_id: SessionId,
        user_id: UserId,
    ) -> anyhow::Result<Option<ActorGrants>> {
        let rows = lock(&self.0);
        let live = rows
            .sessions
            .iter()
            .any(|s| s.id == session_id && s.user_id == user_id && s.revoked_at.is_none());
        Ok(live.then(|| {
            rows.grants
                .iter()
                .filter(|p| p.grant.user_id() == user_id)
                .map(|p| (p.grant.role(), p.grant.scope()))
                .collect()
        }))
    }
}
