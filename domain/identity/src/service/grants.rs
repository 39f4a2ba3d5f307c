//! Granting and revoking roles. Only an administrator whose scope covers the target scope
//! may grant there: a community admin names grid workers in its own community, not in
//! another.

use std::collections::HashMap;

use linli_kernel::people::PersonView;
use linli_kernel::ports::{Clock, PersonDirectory, ScopeDirectory, ScopeNode};
use linli_kernel::{
    Actor, Denial, Page, PageRequest, Permission, PlacedGrant, Role, RoleGrant, RoleGrantId, Scope, UserId,
};
use tracing::instrument;

use crate::events::IdentityEvent;
use crate::models::OpenId;
use crate::ports::{GrantFilter, GrantInsertError, RoleGrantRepository, UserRepository};
use crate::{IdentityError, Resource};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrantRequest {
    pub user_id: UserId,
    pub role: Role,
    pub scope: Scope,
}

/// A grant as a viewer may see it: the grantee's personal data masked unless the viewer's
/// scope covers them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantView {
    pub grant: RoleGrant,
    pub node: Option<ScopeNode>,
    pub person: Option<PersonView>,
}

/// [`Actor::check`], answered in this context's terms.
fn refused(check: Result<(), Denial>, hidden: Resource) -> Result<(), IdentityError> {
    check.map_err(|denial| match denial {
        Denial::Forbidden => IdentityError::Forbidden,
        Denial::Hidden => IdentityError::NotFound(hidden),
    })
}

pub struct GrantService<R, D, C> {
    repo: R,
    directory: D,
    clock: C,
}

impl<R, D, C> GrantService<R, D, C>
where
    R: UserRepository + RoleGrantRepository + PersonDirectory,
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

    #[instrument(skip_all, err)]
    pub async fn grant(&self, actor: &Actor, request: GrantRequest) -> Result<GrantView, IdentityError> {
        let now = self.clock.now();
        let grant = RoleGrant::new(
            request.user_id,
            request.role,
            request.scope,
            Some(actor.user_id()),
            now,
        )?;
        let node = self.node_to_administer(actor, request.scope).await?;
        self.repo
            .find_user(request.user_id)
            .await?
            .ok_or(IdentityError::NotFound(Resource::User))?;
        self.store(grant, node, actor).await
    }

    async fn store(
        &self,
        grant: RoleGrant,
        node: ScopeNode,
        viewer: &Actor,
    ) -> Result<GrantView, IdentityError> {
        let event = IdentityEvent::granted(&grant).at(grant.granted_at());
        match self.repo.insert_grant(&grant, &node.path, &event).await {
            Ok(()) => {}
            Err(GrantInsertError::Duplicate) => return Err(IdentityError::DuplicateGrant),
            Err(GrantInsertError::Storage(e)) => return Err(e.into()),
        }
        let person = self.person(grant.user_id(), viewer).await?;
        Ok(GrantView {
            grant,
            node: Some(node),
            person,
        })
    }

    /// Makes sure the person with this openid holds the role, creating the user if they have
    /// never logged in. For the console (`linli admin grant`, bootstrap admins); idempotent.
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
        match self.store(grant.clone(), node, &console).await {
            Ok(view) => Ok(view.grant),
            Err(IdentityError::DuplicateGrant) => Ok(grant),
            Err(e) => Err(e),
        }
    }

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
        let event = IdentityEvent::revoked(&placed.grant).at(self.clock.now());
        if !self.repo.delete_grant(id, &event).await? {
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
        let ids: Vec<UserId> = page.items.iter().map(|p| p.grant.user_id()).collect();
        let people = self.repo.people(&ids).await?;
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
            let person = people
                .iter()
                .find(|p| p.id == grant.user_id())
                .map(|p| p.view_for(actor));
            items.push(GrantView { grant, node, person });
        }
        Ok(Page {
            items,
            next_after: page.next_after,
        })
    }

    async fn person(&self, id: UserId, viewer: &Actor) -> Result<Option<PersonView>, IdentityError> {
        Ok(self
            .repo
            .people(&[id])
            .await?
            .into_iter()
            .next()
            .map(|p| p.view_for(viewer)))
    }
}
