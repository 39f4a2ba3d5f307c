//! Granting and revoking roles. A role is granted or revoked only by an administrator whose
//! role ranks above it at a node covering the target scope ([`Role::appoints`]), never by
//! oneself, and only to someone the appointer already covers: anyone else is invited and
//! holds the role once they accept (see `invitations.rs`). Every change leaves an audit row.

use std::collections::HashMap;

use linli_kernel::people::PersonView;
use linli_kernel::ports::{Clock, PersonDirectory, ScopeDirectory, ScopeNode};
use linli_kernel::{
    Actor, Denial, Page, PageRequest, Permission, PlacedGrant, Role, RoleGrant, RoleGrantId, Scope, UserId,
};
use tracing::instrument;

use crate::appointments::{AuditAction, AuditEntry, Invitation};
use crate::events::IdentityEvent;
use crate::models::OpenId;
use crate::ports::{AppointmentRepository, GrantFilter, RoleGrantRepository, UserRepository};
use crate::{IdentityError, Resource};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrantRequest {
    pub user_id: UserId,
    pub role: Role,
    pub scope: Scope,
}

/// A grant as a viewer may see it: the grantee's personal data masked unless the viewer's
/// scope covers them, and who granted it only to those who cover the granter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantView {
    pub grant: RoleGrant,
    pub node: Option<ScopeNode>,
    pub person: Option<PersonView>,
    pub granted_by: Option<UserId>,
}

/// An invitation as its appointer or its invitee sees it. The invitee is shown by id only:
/// the appointer does not cover them (and must not learn whether the id names anyone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationView {
    pub invitation: Invitation,
    pub node: Option<ScopeNode>,
    pub person: PersonView,
}

/// What an appointment did: a grant at once, or an invitation waiting for its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantOutcome {
    Granted(GrantView),
    Invited(InvitationView),
}

/// [`Actor::check`], answered in this context's terms.
pub(super) fn refused(check: Result<(), Denial>, hidden: Resource) -> Result<(), IdentityError> {
    check.map_err(|denial| match denial {
        Denial::Forbidden => IdentityError::Forbidden,
        Denial::Hidden => IdentityError::NotFound(hidden),
    })
}

pub struct GrantService<R, D, C> {
    pub(super) repo: R,
    pub(super) directory: D,
    pub(super) clock: C,
}

impl<R, D, C> GrantService<R, D, C>
where
    R: UserRepository + RoleGrantRepository + AppointmentRepository + PersonDirectory,
    D: ScopeDirectory,
    C: Clock,
{
    pub fn new(repo: R, directory: D, clock: C) -> Self {
        Self {
            repo,
            directory,
            clock,
        }
    }

    /// Resolves the scope and checks the actor may grant there. An actor who cannot even
    /// see the scope learns only that it was not found.
    async fn node_to_administer(&self, actor: &Actor, scope: Scope) -> Result<ScopeNode, IdentityError> {
        if !self.directory.supports(scope.kind()) {
            return Err(IdentityError::ScopeKindUnsupported(scope.kind()));
        }
        let node = self
            .directory
            .describe(scope)
            .await?
            .ok_or(IdentityError::NotFound(Resource::Scope))?;
        refused(actor.check(Permission::GrantRoles, &node.path), Resource::Scope)?;
        Ok(node)
    }

    /// Grants the role at once to someone the actor covers; invites anyone else (an unknown
    /// id included, so the answer never tells whether a user exists).
    #[instrument(skip_all, err)]
    pub async fn grant(&self, actor: &Actor, request: GrantRequest) -> Result<GrantOutcome, IdentityError> {
        let GrantRequest { user_id, role, scope } = request;
        if !role.is_grantable() {
            return Err(IdentityError::RoleNotGrantable(role));
        }
        RoleGrant::check_shape(role, scope)?;
        let node = self.node_to_administer(actor, scope).await?;
        if user_id == actor.user_id() {
            return Err(IdentityError::SelfGrant);
        }
        if !actor.may_appoint(role, &node.path) {
            return Err(IdentityError::InsufficientRank);
        }
        let covered = self
            .repo
            .people(&[user_id])
            .await?
            .first()
            .is_some_and(|p| p.is_covered_by(actor));
        let now = self.clock.now();
        if !covered {
            return self
                .invite(actor, user_id, role, node)
                .await
                .map(GrantOutcome::Invited);
        }
        let grant = RoleGrant::new(user_id, role, scope, Some(actor.user_id()), now)?;
        let audit = AuditEntry::new(
            Some(actor.user_id()),
            AuditAction::Granted,
            (role, scope, node.path),
            user_id,
            now,
        );
        self.store(grant, node, actor, &audit)
            .await
            .map(GrantOutcome::Granted)
    }

    async fn invite(
        &self,
        actor: &Actor,
        invitee: UserId,
        role: Role,
        node: ScopeNode,
    ) -> Result<InvitationView, IdentityError> {
        let now = self.clock.now();
        // Asking twice answers with the invitation already waiting.
        let waiting = self.repo.open_invitations_of(invitee, now).await?;
        let invitation = match waiting
            .into_iter()
            .find(|i| i.role == role && i.scope == node.scope && i.invited_by == actor.user_id())
        {
            Some(invitation) => invitation,
            None => {
                let invitation = Invitation::new(invitee, role, node.scope, node.path, actor.user_id(), now);
                let audit = AuditEntry::new(
                    Some(actor.user_id()),
                    AuditAction::Invited,
                    (role, node.scope, node.path),
                    invitee,
                    now,
                )
                .of_invitation(invitation.id);
                // A concurrent identical request may have won: storage answers with its invitation.
                self.repo.insert_invitation(&invitation, &audit).await?
            }
        };
        Ok(InvitationView {
            invitation,
            node: Some(node),
            person: PersonView::hidden(invitee),
        })
    }

    async fn store(
        &self,
        grant: RoleGrant,
        node: ScopeNode,
        viewer: &Actor,
        audit: &AuditEntry,
    ) -> Result<GrantView, IdentityError> {
        let event = IdentityEvent::granted(&grant).at(grant.granted_at());
        let audit = audit.clone().of_grant(grant.id());
        self.repo.insert_grant(&grant, &node.path, &event, &audit).await?;
        let person = self.person(grant.user_id(), viewer).await?;
        Ok(GrantView {
            granted_by: grant.granted_by(),
            grant,
            node: Some(node),
            person,
        })
    }

    /// Makes sure the person with this openid holds the role, creating the user if they have
    /// never logged in. For the console (`linli admin grant`, bootstrap admins), which is
    /// the one way to make a district admin; idempotent, and audited as the console.
    #[instrument(skip_all, err)]
    pub async fn ensure_by_openid(
        &self,
        openid: &str,
        role: Role,
        scope: Scope,
    ) -> Result<RoleGrant, IdentityError> {
        let console = Actor::console();
        let openid = OpenId::parse(openid)?;
        // Whether the grant can be made at all is settled before anyone is created: a
        // refused console command leaves no user behind.
        if !role.is_grantable() {
            return Err(IdentityError::RoleNotGrantable(role));
        }
        RoleGrant::check_shape(role, scope)?;
        let node = self.node_to_administer(&console, scope).await?;
        let now = self.clock.now();
        let user = self.repo.upsert_by_openid(&openid, None, now).await?;
        if let Some(held) = self
            .repo
            .grants_of(user.id)
            .await?
            .into_iter()
            .find(|g| g.role() == role && g.scope() == scope)
        {
            return Ok(held);
        }
        let grant = RoleGrant::new(user.id, role, scope, None, now)?;
        let audit = AuditEntry::new(None, AuditAction::Granted, (role, scope, node.path), user.id, now);
        match self.store(grant.clone(), node, &console, &audit).await {
            Ok(view) => Ok(view.grant),
            Err(IdentityError::DuplicateGrant) => Ok(grant),
            Err(e) => Err(e),
        }
    }

    /// Revokes a grant: only someone ranking above its role at a node covering it, and
    /// never one's own (a district admin is removed from the console only).
    #[instrument(skip_all, err)]
    pub async fn revoke(&self, actor: &Actor, id: RoleGrantId) -> Result<(), IdentityError> {
        let placed = self
            .repo
            .find_grant(id)
            .await?
            .ok_or(IdentityError::NotFound(Resource::RoleGrant))?;
        refused(
            actor.check(Permission::GrantRoles, &placed.path),
            Resource::RoleGrant,
        )?;
        let grant = &placed.grant;
        if grant.user_id() == actor.user_id() {
            return Err(IdentityError::SelfRevoke);
        }
        if !grant.role().is_grantable() {
            return Err(IdentityError::RoleNotGrantable(grant.role()));
        }
        if !actor.may_appoint(grant.role(), &placed.path) {
            return Err(IdentityError::InsufficientRank);
        }
        let now = self.clock.now();
        let event = IdentityEvent::revoked(grant).at(now);
        let audit = AuditEntry::new(
            Some(actor.user_id()),
            AuditAction::Revoked,
            (grant.role(), grant.scope(), placed.path),
            grant.user_id(),
            now,
        )
        .of_grant(grant.id());
        if !self.repo.delete_grant(id, &event, &audit).await? {
            return Err(IdentityError::NotFound(Resource::RoleGrant));
        }
        Ok(())
    }

    /// The grants whose scope the actor can see, newest last.
    #[instrument(skip_all, err)]
    pub async fn list(
        &self,
        actor: &Actor,
        user_id: Option<UserId>,
        page: PageRequest,
    ) -> Result<Page<GrantView>, IdentityError> {
        let reach = actor.reach(Permission::ViewStructure);
        if reach.is_empty() {
            return Ok(Page::empty());
        }
        let page = self
            .repo
            .list_grants(&GrantFilter { reach, user_id }, page)
            .await?;
        // The grantees and the granters, in one read: a granter is named only to those who
        // cover them (as their personal data would be).
        let mut ids: Vec<UserId> = page.items.iter().map(|p| p.grant.user_id()).collect();
        ids.extend(page.items.iter().filter_map(|p| p.grant.granted_by()));
        ids.sort();
        ids.dedup();
        let people = self.repo.people(&ids).await?;
        let seen = |id: UserId| people.iter().find(|p| p.id == id).map(|p| p.view_for(actor));
        let mut scopes: Vec<Scope> = page.items.iter().map(|p| p.grant.scope()).collect();
        scopes.sort_by_key(ToString::to_string);
        scopes.dedup();
        let nodes: HashMap<Scope, ScopeNode> = self
            .directory
            .describe_many(&scopes)
            .await?
            .into_iter()
            .map(|n| (n.scope, n))
            .collect();
        let mut items = Vec::with_capacity(page.items.len());
        for PlacedGrant { grant, .. } in page.items {
            let node = nodes.get(&grant.scope()).cloned();
            let person = seen(grant.user_id());
            let granted_by = grant
                .granted_by()
                .filter(|by| seen(*by).is_some_and(|p| !p.masked));
            items.push(GrantView {
                grant,
                node,
                person,
                granted_by,
            });
        }
        Ok(Page {
            items,
            next_after: page.next_after,
        })
    }

    pub(super) async fn person(
        &self,
        id: UserId,
        viewer: &Actor,
    ) -> Result<Option<PersonView>, IdentityError> {
        Ok(self
            .repo
            .people(&[id])
            .await?
            .into_iter()
            .next()
            .map(|p| p.view_for(viewer)))
    }
}
