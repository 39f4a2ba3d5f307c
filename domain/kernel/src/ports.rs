//! Ports every context may need. Each is served by an adapter in `infra`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::people::PersonRecord;
use crate::roles::{GrantSet, PlacedGrant};
use crate::{DomainEvent, RoleGrant, Scope, ScopeKind, ScopePath, SideKind, UserId};

/// A boxed future, for the ports that are held as trait objects.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The time, so that rules about expiry can be tested without waiting.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A node as other contexts see it: where it sits and what it is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeNode {
    pub scope: Scope,
    pub path: ScopePath,
    /// The node's own name, e.g. `三网格`.
    pub name: String,
    /// The names from the subdistrict down, e.g. `济阳街道 / 幸福里社区 / 三网格`.
    pub full_name: String,
}

/// Resolves scopes to their place and name. The tree is served by the grid context; nodes
/// beside it by the contexts that registered their kinds (see [`Directory`]).
pub trait ScopeDirectory: Send + Sync + 'static {
    /// Whether scopes of this kind can be resolved at all (a side kind whose context is not
    /// built yet cannot).
    fn supports(&self, kind: ScopeKind) -> bool;

    /// The nodes among `scopes` that exist, in no particular order; one round trip per kind.
    ///
    /// # Errors
    /// Only when storage fails.
    fn describe_many(&self, scopes: &[Scope]) -> impl Future<Output = anyhow::Result<Vec<ScopeNode>>> + Send;

    /// The node a scope names, or `None` when no such node exists.
    ///
    /// # Errors
    /// Only when storage fails.
    fn describe(&self, scope: Scope) -> impl Future<Output = anyhow::Result<Option<ScopeNode>>> + Send {
        async move { Ok(self.describe_many(&[scope]).await?.into_iter().next()) }
    }
}

/// Resolves the nodes of one side kind; each context beside the tree registers one.
pub trait SideDirectory: Send + Sync + 'static {
    fn kind(&self) -> SideKind;

    /// The nodes among `ids` that exist.
    fn describe<'a>(&'a self, ids: &'a [Uuid]) -> BoxFuture<'a, anyhow::Result<Vec<ScopeNode>>>;
}

/// The one scope directory: the tree's resolver and every registered side kind's.
pub struct Directory<T> {
    tree: T,
    sides: Vec<Arc<dyn SideDirectory>>,
}

impl<T: Clone> Clone for Directory<T> {
    fn clone(&self) -> Self {
        Self {
            tree: self.tree.clone(),
            sides: self.sides.clone(),
        }
    }
}

impl<T> Directory<T> {
    pub fn new(tree: T) -> Self {
        Self {
            tree,
            sides: Vec::new(),
        }
    }

    /// Adds the resolver of one side kind.
    pub fn with_side(mut self, side: Arc<dyn SideDirectory>) -> Self {
        self.sides.push(side);
        self
    }
}

impl<T: ScopeDirectory> ScopeDirectory for Directory<T> {
    fn supports(&self, kind: ScopeKind) -> bool {
        match kind {
            ScopeKind::Side(side) => self.sides.iter().any(|s| s.kind() == side),
            tree => self.tree.supports(tree),
        }
    }

    async fn describe_many(&self, scopes: &[Scope]) -> anyhow::Result<Vec<ScopeNode>> {
        let tree: Vec<Scope> = scopes.iter().copied().filter(|s| s.kind().is_tree()).collect();
        let mut nodes = if tree.is_empty() {
            Vec::new()
        } else {
            self.tree.describe_many(&tree).await?
        };
        for side in &self.sides {
            let ids: Vec<Uuid> = scopes
                .iter()
                .filter_map(|s| match s {
                    Scope::Side(kind, id) if *kind == side.kind() => Some(*id),
                    _ => None,
                })
                .collect();
            if !ids.is_empty() {
                nodes.extend(side.describe(&ids).await?);
            }
        }
        Ok(nodes)
    }
}

/// People by id, with the places that decide who may see their personal data. Served by
/// the identity context.
pub trait PersonDirectory: Send + Sync + 'static {
    /// The people among `ids` that exist, in no particular order.
    ///
    /// # Errors
    /// Only when storage fails.
    fn people(&self, ids: &[UserId]) -> impl Future<Output = anyhow::Result<Vec<PersonRecord>>> + Send;
}

/// Role grants as other contexts use them. Identity owns the grants and is the only one to
/// store them; another context (a grid's team, later a unit's admins) reads and replaces
/// the grants of a [`GrantSet`] through this port.
pub trait GrantStore: Send + Sync + 'static {
    /// The grants of the set, oldest first.
    ///
    /// # Errors
    /// Only when storage fails.
    fn grants_in(&self, set: &GrantSet) -> impl Future<Output = anyhow::Result<Vec<RoleGrant>>> + Send;

    /// Makes `replacement` the set's grants, in one transaction that takes turns with other
    /// replacements of the same set: grants in both keep their ids, the others are revoked
    /// or granted. `events` is given the set as it stood inside that transaction and the
    /// set as it stands after, and its events are stored with the change, so what they say
    /// is never stale. Each grant added or revoked leaves a row in the grant audit trail,
    /// in the same transaction, naming `actor` (`None` for the console and demo seeding).
    ///
    /// # Errors
    /// Only when storage fails.
    fn replace_grants<F>(
        &self,
        actor: Option<UserId>,
        set: &GrantSet,
        replacement: Vec<PlacedGrant>,
        events: F,
    ) -> impl Future<Output = anyhow::Result<()>> + Send
    where
        F: FnOnce(&[RoleGrant], &[RoleGrant]) -> Vec<DomainEvent> + Send;
}

/// What a person did for their community over a time: minutes of service and tasks they
/// completed. Dual reporting reports it back to the units their members work for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServiceTotals {
    pub minutes: u64,
    pub tasks_done: u32,
}

/// The service people gave, from whichever contexts record it (volunteering's ledger of hours,
/// resident requests' tasks). Until those contexts land, [`NoServiceRecorded`] answers zero.
pub trait ServiceHours: Send + Sync + 'static {
    /// The totals of each of `people` from `from` (inclusive) to `to` (exclusive); people with
    /// nothing recorded may be left out.
    ///
    /// # Errors
    /// Only when storage fails.
    fn totals(
        &self,
        people: &[UserId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<Vec<(UserId, ServiceTotals)>>> + Send;
}

/// The service record while no context records service: nothing, so zero for everyone. It
/// is replaced by volunteering's ledger (hours) and resident requests (tasks) when they land.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoServiceRecorded;

impl ServiceHours for NoServiceRecorded {
    async fn totals(
        &self,
        _people: &[UserId],
        _from: DateTime<Utc>,
        _to: DateTime<Utc>,
    ) -> anyhow::Result<Vec<(UserId, ServiceTotals)>> {
        Ok(Vec::new())
    }
}

/// What a content check says of a text a person wants to publish (WeChat's
/// `msg_sec_check` suggestions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentVerdict {
    /// Nothing found: publish it.
    Pass,
    /// Doubtful: store it, but show it only to its author and to staff until staff approve it.
    Review,
    /// Not to be published: store nothing.
    Risky,
}

/// Why a content check gave no verdict.
#[derive(Debug, thiserror::Error)]
pub enum ContentCheckError {
    /// The checking service did not answer usably (down, timed out, refused us): nothing
    /// may be stored unchecked, so the caller answers 503 and the author retries.
    #[error("the content check is unavailable")]
    Unavailable(#[source] anyhow::Error),
}

/// Checks what people write before anyone else sees it: WeChat's `msg_sec_check` in
/// production, a configurable word list in development.
pub trait ContentCheck: Send + Sync + 'static {
    /// The verdict on `texts` written by `author`, taken together: the most severe of the
    /// texts' verdicts (`Risky` over `Review` over `Pass`).
    ///
    /// # Errors
    /// [`ContentCheckError::Unavailable`] when no verdict could be had.
    fn check(
        &self,
        author: UserId,
        texts: &[&str],
    ) -> impl Future<Output = Result<ContentVerdict, ContentCheckError>> + Send;
}

/// Files people uploaded (photos of a request, of a finished task), known by the URL path the
/// upload answered with (`/files/<name>`). A context that takes photos checks through this that
/// each was uploaded, and by whom, before it keeps the URL.
pub trait Uploads: Send + Sync + 'static {
    /// Those of `urls` that name files `owner` uploaded, in no particular order.
    ///
    /// # Errors
    /// Only when storage fails.
    fn uploaded_by(
        &self,
        owner: UserId,
        urls: &[String],
    ) -> impl Future<Output = anyhow::Result<Vec<String>>> + Send;
}

/// Where people live: the building each registered as their residence (`PUT /me/residence`),
/// kept by identity. A resident's request with no place given goes to the grid of their home.
pub trait Residences: Send + Sync + 'static {
    /// The place (down to the building) of `person`'s registered residence, if any.
    ///
    /// # Errors
    /// Only when storage fails.
    fn residence_of(&self, person: UserId) -> impl Future<Output = anyhow::Result<Option<ScopePath>>> + Send;
}
