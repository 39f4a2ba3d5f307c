//! The invitee's side of an appointment (accept, decline, the pending ones in `GET /me`) and
//! the audit trail as administrators read it.

use linli_kernel::people::PersonView;
use linli_kernel::ports::{Clock, PersonDirectory, ScopeDirectory};
use linli_kernel::{Actor, InvitationId, Page, PageRequest, Permission, RoleGrant, Scope, ScopePath, UserId};
use tracing::instrument;

use super::grants::{GrantService, GrantView, InvitationView};
use crate::appointments::{AuditAction, AuditEntry, Invitation};
use crate::events::IdentityEvent;
use crate::ports::{AppointmentRepository, RoleGrantRepository, UserRepository};
use crate::{IdentityError, Resource};

/// An audit row as one administrator may see it: who acted is named only to those who
/// cover them (or when it was the viewer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditView {
    pub entry: AuditEntry,
    pub actor: Option<UserId>,
}

impl<R, D, C> GrantService<R, D, C>
where
    R: UserRepository + RoleGrantRepository + AppointmentRepository + PersonDirectory,
    D: ScopeDirectory,
    C: Clock,
{
    /// The invitation, if it is addressed to the actor; anyone else is told it does not exist.
    async fn own_invitation(&self, actor: &Actor, id: InvitationId) -> Result<Invitation, IdentityError> {
        self.repo
            .find_invitation(id)
            .await?
            .filter(|i| i.invitee == actor.user_id())
            .ok_or(IdentityError::NotFound(Resource::Invitation))
    }

    /// Whether the appointer could still make this appointment, given their grants as they
    /// stand: they rank above the role at the node (`path`).
    fn appointer_may(invitation: &Invitation, path: ScopePath) -> impl FnOnce(&[RoleGrant]) -> bool + Send {
        let (appointer, role) = (invitation.invited_by, invitation.role);
        move |grants: &[RoleGrant]| {
            let held: Vec<_> = grants.iter().map(|g| (g.role(), g.scope())).collect();
            Actor::new(appointer, None, held).may_appoint(role, &path)
        }
    }

    /// Accepts an invitation addressed to the actor: the grant is made now, as the appointer
    /// would make it. A declined, accepted or expired invitation, or one whose appointer has
    /// lost the right to make it, is void.
    #[instrument(skip_all, err)]
    pub async fn accept(&self, actor: &Actor, id: InvitationId) -> Result<GrantView, IdentityError> {
        let invitation = self.own_invitation(actor, id).await?;
        let now = self.clock.now();
        if !invitation.is_open(now) {
            return Err(IdentityError::InvitationVoid);
        }
        let Some(place) = self.directory.describe(invitation.scope).await? else {
            return Err(IdentityError::InvitationVoid);
        };
        let grant = RoleGrant::new(
            invitation.invitee,
            invitation.role,
            invitation.scope,
            Some(invitation.invited_by),
            now,
        )?;
        let event = IdentityEvent::granted(&grant).at(now);
        let audit = AuditEntry::new(
            Some(actor.user_id()),
            AuditAction::Accepted,
            (invitation.role, invitation.scope, invitation.path),
            invitation.invitee,
            now,
        )
        .of_grant(grant.id())
        .of_invitation(invitation.id);
        match self
            .repo
            .accept_invitation(
                id,
                &grant,
                &invitation.path,
                &event,
                &audit,
                Self::appointer_may(&invitation, place.path),
            )
            .await
        {
            Ok(true) => {}
            Ok(false) => return Err(IdentityError::InvitationVoid),
            Err(e) => return Err(e.into()),
        }
        let node = Some(place);
        let person = self.person(actor.user_id(), actor).await?;
        let granted_by = self
            .person(invitation.invited_by, actor)
            .await?
            .filter(|p| !p.masked)
            .map(|p| p.id);
        Ok(GrantView {
            grant,
            node,
            person,
            granted_by,
        })
    }

    /// Declines an invitation addressed to the actor.
    #[instrument(skip_all, err)]
    pub async fn decline(&self, actor: &Actor, id: InvitationId) -> Result<(), IdentityError> {
        let invitation = self.own_invitation(actor, id).await?;
        let now = self.clock.now();
        if !invitation.is_open(now) {
            return Err(IdentityError::InvitationVoid);
        }
        let audit = AuditEntry::new(
            Some(actor.user_id()),
            AuditAction::Declined,
            (invitation.role, invitation.scope, invitation.path),
            invitation.invitee,
            now,
        )
        .of_invitation(invitation.id);
        if !self.repo.decline_invitation(id, &audit).await? {
            return Err(IdentityError::InvitationVoid);
        }
        Ok(())
    }

    /// The actor's invitations waiting for an answer, oldest first.
    #[instrument(skip_all, err)]
    pub async fn my_invitations(&self, actor: &Actor) -> Result<Vec<InvitationView>, IdentityError> {
        let invitations = self
            .repo
            .open_invitations_of(actor.user_id(), self.clock.now())
            .await?;
        if invitations.is_empty() {
            return Ok(Vec::new());
        }
        let scopes: Vec<Scope> = invitations.iter().map(|i| i.scope).collect();
        let nodes = self.directory.describe_many(&scopes).await?;
        Ok(invitations
            .into_iter()
            .map(|invitation| InvitationView {
                node: nodes.iter().find(|n| n.scope == invitation.scope).cloned(),
                person: PersonView::hidden(invitation.invitee),
                invitation,
            })
            .collect())
    }

    /// The audit rows at scopes where the actor may grant roles, oldest first; nothing for
    /// anyone who grants nowhere.
    #[instrument(skip_all, err)]
    pub async fn audit(&self, actor: &Actor, page: PageRequest) -> Result<Page<AuditView>, IdentityError> {
        let reach = actor.reach(Permission::GrantRoles);
        if reach.is_empty() {
            return Ok(Page::empty());
        }
        let page = self.repo.list_audit(&reach, page).await?;
        let mut ids: Vec<UserId> = page.items.iter().filter_map(|e| e.actor).collect();
        ids.sort();
        ids.dedup();
        let people = self.repo.people(&ids).await?;
        let covered = |id: UserId| {
            people
                .iter()
                .find(|p| p.id == id)
                .is_some_and(|p| !p.view_for(actor).masked)
        };
        let items = page
            .items
            .into_iter()
            .map(|entry| AuditView {
                actor: entry.actor.filter(|a| covered(*a)),
                entry,
            })
            .collect();
        Ok(Page {
            items,
            next_after: page.next_after,
        })
    }
}
