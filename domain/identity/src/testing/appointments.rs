//! Invitations and the audit trail.

use super::*;

impl AppointmentRepository for InMemoryIdentity {
    async fn insert_invitation(
        &self,
        invitation: &Invitation,
        audit: &AuditEntry,
    ) -> anyhow::Result<Invitation> {
        let mut rows = lock(&self.0);
        let same = |i: &Invitation| {
            i.invitee == invitation.invitee
                && i.role == invitation.role
                && i.scope == invitation.scope
                && i.status == InvitationStatus::Pending
        };
        for stale in rows.invitations.iter_mut().filter(|i| same(i)) {
            if stale.expires_at <= invitation.created_at {
                stale.status = InvitationStatus::Expired;
            }
        }
        if let Some(waiting) = rows.invitations.iter().find(|i| same(i)) {
            return Ok(waiting.clone());
        }
        rows.invitations.push(invitation.clone());
        rows.audit.push(audit.clone());
        Ok(invitation.clone())
    }

    async fn find_invitation(&self, id: InvitationId) -> anyhow::Result<Option<Invitation>> {
        let found = lock(&self.0).invitations.iter().find(|i| i.id == id).cloned();
        YieldOnce(false).await;
        Ok(found)
    }

    async fn open_invitations_of(&self, user: UserId, now: DateTime<Utc>) -> anyhow::Result<Vec<Invitation>> {
        Ok(lock(&self.0)
            .invitations
            .iter()
            .filter(|i| i.invitee == user && i.is_open(now))
            .cloned()
            .collect())
    }

    async fn accept_invitation<F>(
        &self,
        id: InvitationId,
        grant: &RoleGrant,
        path: &ScopePath,
        event: &DomainEvent,
        audit: &AuditEntry,
        appointer_may: F,
    ) -> Result<bool, GrantInsertError>
    where
        F: FnOnce(&[RoleGrant]) -> bool + Send,
    {
        let mut rows = lock(&self.0);
        // Guarded as `WHERE status = 'pending'`, and undone whole when the grant is refused.
        let Some(at) = rows
            .invitations
            .iter()
            .position(|i| i.id == id && i.status == InvitationStatus::Pending)
        else {
            return Ok(false);
        };
        let appointer = grant.granted_by();
        let held: Vec<RoleGrant> = rows
            .grants
            .iter()
            .filter(|p| Some(p.grant.user_id()) == appointer)
            .map(|p| p.grant.clone())
            .collect();
        if !appointer_may(&held) {
            return Ok(false);
        }
        if rows.grants.iter().any(|p| same_holding(&p.grant, grant)) {
            return Err(GrantInsertError::Duplicate);
        }
        if let Some(invitation) = rows.invitations.get_mut(at) {
            invitation.status = InvitationStatus::Accepted;
        }
        rows.grants.push(PlacedGrant {
            grant: grant.clone(),
            path: *path,
        });
        rows.events.push(event.clone());
        rows.audit.push(audit.clone());
        Ok(true)
    }

    async fn decline_invitation(&self, id: InvitationId, audit: &AuditEntry) -> anyhow::Result<bool> {
        let mut rows = lock(&self.0);
        let Some(invitation) = rows
            .invitations
            .iter_mut()
            .find(|i| i.id == id && i.status == InvitationStatus::Pending)
        else {
            return Ok(false);
        };
        invitation.status = InvitationStatus::Declined;
        rows.audit.push(audit.clone());
        Ok(true)
    }

    async fn list_audit(&self, reach: &Reach, page: PageRequest) -> anyhow::Result<Page<AuditEntry>> {
        let id = |a: &AuditEntry| a.id.as_uuid();
        let mut rows: Vec<AuditEntry> = lock(&self.0)
            .audit
            .iter()
            .filter(|a| reach.covers(&a.path))
            .filter(|a| page.after().is_none_or(|after| id(a) > after))
            .cloned()
            .collect();
        rows.sort_by_key(id);
        rows.truncate(usize::try_from(page.fetch_limit()).unwrap_or(usize::MAX));
        Ok(Page::from_rows(rows, page, id))
    }
}
