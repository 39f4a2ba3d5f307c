//! Role grants.

use super::*;

impl RoleGrantRepository for InMemoryIdentity {
    async fn grants_of(&self, user_id: UserId) -> anyhow::Result<Vec<RoleGrant>> {
        Ok(lock(&self.0)
            .grants
            .iter()
            .filter(|p| p.grant.user_id() == user_id)
            .map(|p| p.grant.clone())
            .collect())
    }

    async fn insert_grant(
        &self,
        grant: &RoleGrant,
        path: &ScopePath,
        event: &DomainEvent,
        audit: &AuditEntry,
    ) -> Result<(), GrantInsertError> {
        let mut rows = lock(&self.0);
        if rows.grants.iter().any(|p| same_holding(&p.grant, grant)) {
            return Err(GrantInsertError::Duplicate);
        }
        // The foreign key to `users`.
        if !rows.users.iter().any(|u| u.id == grant.user_id()) {
            return Err(GrantInsertError::Storage(anyhow::anyhow!(
                "no user {} to hold a grant",
                grant.user_id()
            )));
        }
        rows.grants.push(PlacedGrant {
            grant: grant.clone(),
            path: *path,
        });
        rows.events.push(event.clone());
        rows.audit.push(audit.clone());
        Ok(())
    }

    async fn find_grant(&self, id: RoleGrantId) -> anyhow::Result<Option<PlacedGrant>> {
        let found = lock(&self.0).grants.iter().find(|p| p.grant.id() == id).cloned();
        YieldOnce(false).await;
        Ok(found)
    }

    async fn delete_grant(
        &self,
        id: RoleGrantId,
        event: &DomainEvent,
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let mut rows = lock(&self.0);
        let before = rows.grants.len();
        rows.grants.retain(|p| p.grant.id() != id);
        let deleted = rows.grants.len() < before;
        if deleted {
            rows.events.push(event.clone());
            rows.audit.push(audit.clone());
        }
        Ok(deleted)
    }

    async fn list_grants(
        &self,
        filter: &GrantFilter,
        page: PageRequest,
    ) -> anyhow::Result<Page<PlacedGrant>> {
        let id = |p: &PlacedGrant| p.grant.id().as_uuid();
        let mut rows: Vec<PlacedGrant> = lock(&self.0)
            .grants
            .iter()
            .filter(|p| filter.reach.covers(&p.path))
            .filter(|p| filter.user_id.is_none_or(|u| p.grant.user_id() == u))
            .filter(|p| page.after().is_none_or(|after| id(p) > after))
            .cloned()
            .collect();
        rows.sort_by_key(id);
        rows.truncate(usize::try_from(page.fetch_limit()).unwrap_or(usize::MAX));
        Ok(Page::from_rows(rows, page, id))
    }
}
