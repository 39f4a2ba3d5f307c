//! In-memory fakes of the kernel's ports, for the use-case tests of every context
//! (`features = ["testing"]`). They keep the rules the real adapters keep (a grant set's
//! replacement is all or nothing, ids of unchanged grants survive; a scope directory resolves
//! side kinds only once registered), and nothing else.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Duration, TimeZone, Utc};

use uuid::Uuid;

use crate::people::PersonRecord;
use crate::ports::{
    Clock, ContentCheck, ContentCheckError, ContentVerdict, GrantStore, PersonDirectory, Residences,
    ScopeDirectory, ScopeNode, Uploads,
};
use crate::roles::{GrantSet, PlacedGrant};
use crate::{
    BuildingId, CommunityId, DomainEvent, GridId, RoleGrant, Scope, ScopeKind, ScopePath, SideKind,
    SubdistrictId, UserId,
};

/// Locks a fake's state; a test that panicked while holding it has failed already.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A clock that stands still until told to move.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl Default for ManualClock {
    fn default() -> Self {
        let start = Utc
            .with_ymd_and_hms(2026, 11, 26, 8, 30, 0)
            .single()
            .unwrap_or_else(Utc::now);
        Self(Arc::new(Mutex::new(start)))
    }
}

impl ManualClock {
    pub fn advance(&self, by: Duration) {
        let mut now = lock(&self.0);
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *lock(&self.0)
    }
}

/// One grant a replacement added or revoked, and who did it: what storage writes to the
/// grant audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditedChange {
    pub actor: Option<UserId>,
    pub granted: bool,
    pub grant: RoleGrant,
}

/// Grants in memory, with the events their changes recorded and their audit trail.
#[derive(Debug, Clone, Default)]
pub struct InMemoryGrants {
    pub grants: Arc<Mutex<Vec<PlacedGrant>>>,
    pub events: Arc<Mutex<Vec<DomainEvent>>>,
    pub audit: Arc<Mutex<Vec<AuditedChange>>>,
}

impl InMemoryGrants {
    pub fn held_by(&self, user: UserId) -> Vec<RoleGrant> {
        lock(&self.grants)
            .iter()
            .filter(|p| p.grant.user_id() == user)
            .map(|p| p.grant.clone())
            .collect()
    }

    pub fn recorded(&self) -> Vec<DomainEvent> {
        lock(&self.events).clone()
    }

    pub fn audited(&self) -> Vec<AuditedChange> {
        lock(&self.audit).clone()
    }
}

fn same_holding(a: &RoleGrant, b: &RoleGrant) -> bool {
    a.user_id() == b.user_id() && a.role() == b.role() && a.scope() == b.scope()
}

impl GrantStore for InMemoryGrants {
    async fn grants_in(&self, set: &GrantSet) -> anyhow::Result<Vec<RoleGrant>> {
        Ok(lock(&self.grants)
            .iter()
            .filter(|p| set.contains(&p.grant, &p.path))
            .map(|p| p.grant.clone())
            .collect())
    }

    async fn replace_grants<F>(
        &self,
        actor: Option<UserId>,
        set: &GrantSet,
        replacement: Vec<PlacedGrant>,
        events: F,
    ) -> anyhow::Result<()>
    where
        F: FnOnce(&[RoleGrant], &[RoleGrant]) -> Vec<DomainEvent> + Send,
    {
        let mut grants = lock(&self.grants);
        let before: Vec<RoleGrant> = grants
            .iter()
            .filter(|p| set.contains(&p.grant, &p.path))
            .map(|p| p.grant.clone())
            .collect();
        grants.retain(|p| {
            !set.contains(&p.grant, &p.path) || replacement.iter().any(|r| same_holding(&r.grant, &p.grant))
        });
        for placed in replacement {
            if !before.iter().any(|b| same_holding(b, &placed.grant)) {
                grants.push(placed);
            }
        }
        let after: Vec<RoleGrant> = grants
            .iter()
            .filter(|p| set.contains(&p.grant, &p.path))
            .map(|p| p.grant.clone())
            .collect();
        let mut audit = lock(&self.audit);
        for (granted, grant) in before
            .iter()
            .filter(|b| !after.contains(b))
            .map(|g| (false, g))
            .chain(after.iter().filter(|a| !before.contains(a)).map(|g| (true, g)))
        {
            audit.push(AuditedChange {
                actor,
                granted,
                grant: grant.clone(),
            });
        }
        lock(&self.events).extend(events(&before, &after));
        Ok(())
    }
}

/// People in memory. As in storage, the places where someone holds a role are among their
/// places, when the fake is given the grants.
#[derive(Debug, Clone, Default)]
pub struct InMemoryPeople {
    pub people: Arc<Mutex<Vec<PersonRecord>>>,
    pub grants: Option<InMemoryGrants>,
}

impl InMemoryPeople {
    pub fn with_grants(grants: InMemoryGrants) -> Self {
        Self {
            people: Arc::default(),
            grants: Some(grants),
        }
    }

    pub fn add(&self, person: PersonRecord) {
        lock(&self.people).push(person);
    }
}

impl PersonDirectory for InMemoryPeople {
    async fn people(&self, ids: &[UserId]) -> anyhow::Result<Vec<PersonRecord>> {
        let held: Vec<PlacedGrant> = self
            .grants
            .as_ref()
            .map(|g| lock(&g.grants).clone())
            .unwrap_or_default();
        Ok(lock(&self.people)
            .iter()
            .filter(|p| ids.contains(&p.id))
            .map(|p| {
                let mut person = p.clone();
                person
                    .places
                    .extend(held.iter().filter(|g| g.grant.user_id() == p.id).map(|g| g.path));
                person
            })
            .collect())
    }
}

/// A scope directory over the nodes a test adds, named as the real one names them
/// (`济阳街道 / 幸福里社区 / 三网格`). It starts with the district. The tree's kinds are
/// supported; a side kind only once [`FakeDirectory::register`]ed, as the real
/// [`Directory`](crate::ports::Directory) resolves only the side kinds some context registered.
#[derive(Debug, Clone)]
pub struct FakeDirectory(Arc<Mutex<DirectoryRows>>);

#[derive(Debug)]
struct DirectoryRows {
    /// The district first, then every node added.
    nodes: Vec<ScopeNode>,
    sides: Vec<SideKind>,
}

impl Default for FakeDirectory {
    fn default() -> Self {
        Self::named("济阳区")
    }
}

impl FakeDirectory {
    /// A directory holding only the district, under this name.
    pub fn named(district: &str) -> Self {
        let node = ScopeNode {
            scope: Scope::District,
            path: ScopePath::district(),
            name: district.to_owned(),
            full_name: district.to_owned(),
        };
        Self(Arc::new(Mutex::new(DirectoryRows {
            nodes: vec![node],
            sides: Vec::new(),
        })))
    }

    /// The district's node.
    pub fn district(&self) -> ScopeNode {
        let rows = lock(&self.0);
        let district = rows.nodes.iter().find(|n| n.scope == Scope::District);
        district.cloned().unwrap_or(ScopeNode {
            scope: Scope::District,
            path: ScopePath::district(),
            name: String::new(),
            full_name: String::new(),
        })
    }

    /// Adds a node as given, e.g. one whose kind is not registered.
    pub fn add(&self, node: ScopeNode) -> ScopeNode {
        lock(&self.0).nodes.push(node.clone());
        node
    }

    /// Makes scopes of this side kind resolvable, as a context registering its kind does.
    pub fn register(&self, kind: SideKind) {
        lock(&self.0).sides.push(kind);
    }

    fn child(&self, parent: &ScopeNode, scope: Scope, path: ScopePath, name: &str) -> ScopeNode {
        let full_name = if parent.scope == Scope::District {
            name.to_owned()
        } else {
            format!("{} / {name}", parent.full_name)
        };
        self.add(ScopeNode {
            scope,
            path,
            name: name.to_owned(),
            full_name,
        })
    }

    pub fn subdistrict(&self, name: &str) -> ScopeNode {
        let id = SubdistrictId::new();
        self.child(
            &self.district(),
            Scope::Subdistrict(id),
            ScopePath::subdistrict(id),
            name,
        )
    }

    /// A community in `subdistrict` (a node [`FakeDirectory::subdistrict`] made).
    pub fn community(&self, subdistrict: &ScopeNode, name: &str) -> ScopeNode {
        let id = CommunityId::new();
        let path = ScopePath {
            community: Some(id),
            ..subdistrict.path
        };
        self.child(subdistrict, Scope::Community(id), path, name)
    }

    /// A grid in `community` (a node [`FakeDirectory::community`] made).
    pub fn grid(&self, community: &ScopeNode, name: &str) -> ScopeNode {
        let id = GridId::new();
        let path = ScopePath {
            grid: Some(id),
            ..community.path
        };
        self.child(community, Scope::Grid(id), path, name)
    }

    /// A building in `grid` (a node [`FakeDirectory::grid`] made).
    pub fn building(&self, grid: &ScopeNode, name: &str) -> ScopeNode {
        let id = BuildingId::new();
        let path = ScopePath {
            building: Some(id),
            ..grid.path
        };
        self.child(grid, Scope::Building(id), path, name)
    }

    /// A node beside the tree, placed at `at` (a unit paired with a grid, say). Its kind
    /// still has to be registered before the directory resolves it.
    pub fn side(&self, kind: SideKind, at: &ScopeNode, name: &str) -> ScopeNode {
        let id = Uuid::now_v7();
        self.child(at, Scope::Side(kind, id), at.path.with_side(kind, id), name)
    }
}

impl ScopeDirectory for FakeDirectory {
    fn supports(&self, kind: ScopeKind) -> bool {
        match kind {
            ScopeKind::Side(side) => lock(&self.0).sides.contains(&side),
            _ => true,
        }
    }

    async fn describe_many(&self, scopes: &[Scope]) -> anyhow::Result<Vec<ScopeNode>> {
        let rows = lock(&self.0);
        let resolvable = |kind: ScopeKind| match kind {
            ScopeKind::Side(side) => rows.sides.contains(&side),
            _ => true,
        };
        Ok(rows
            .nodes
            .iter()
            .filter(|n| scopes.contains(&n.scope) && resolvable(n.scope.kind()))
            .cloned()
            .collect())
    }
}

/// A content check that answers as told: `Pass` by default, `Risky` or `Review` for a text
/// containing a word set with [`ScriptedContentCheck::flag`], or unavailable when switched off.
/// It records every text it was asked about, so a test can see that nothing was checked.
#[derive(Debug, Clone, Default)]
pub struct ScriptedContentCheck(Arc<Mutex<ScriptedChecks>>);

#[derive(Debug, Default)]
struct ScriptedChecks {
    flagged: Vec<(String, ContentVerdict)>,
    unavailable: bool,
    asked: Vec<(UserId, String)>,
}

impl ScriptedContentCheck {
    pub fn flag(&self, word: &str, verdict: ContentVerdict) {
        lock(&self.0).flagged.push((word.to_owned(), verdict));
    }

    pub fn set_unavailable(&self, unavailable: bool) {
        lock(&self.0).unavailable = unavailable;
    }

    /// Every text checked so far, with its author.
    pub fn asked(&self) -> Vec<(UserId, String)> {
        lock(&self.0).asked.clone()
    }
}

impl ContentCheck for ScriptedContentCheck {
    async fn check(&self, author: UserId, texts: &[&str]) -> Result<ContentVerdict, ContentCheckError> {
        let mut state = lock(&self.0);
        if state.unavailable {
            return Err(ContentCheckError::Unavailable(anyhow::anyhow!(
                "switched off by the test"
            )));
        }
        state
            .asked
            .extend(texts.iter().map(|text| (author, (*text).to_owned())));
        let verdicts = texts.iter().flat_map(|text| {
            state
                .flagged
                .iter()
                .filter(|(word, _)| text.contains(word.as_str()))
                .map(|(_, verdict)| *verdict)
        });
        Ok(verdicts.fold(ContentVerdict::Pass, |worst, v| match (worst, v) {
            (ContentVerdict::Risky, _) | (_, ContentVerdict::Risky) => ContentVerdict::Risky,
            (ContentVerdict::Review, _) | (_, ContentVerdict::Review) => ContentVerdict::Review,
            _ => ContentVerdict::Pass,
        }))
    }
}

/// Uploaded files by owner: [`InMemoryUploads::upload`] makes one and answers its URL.
#[derive(Debug, Clone, Default)]
pub struct InMemoryUploads(Arc<Mutex<Vec<(UserId, String)>>>);

impl InMemoryUploads {
    pub fn upload(&self, owner: UserId) -> String {
        let url = format!("/files/{}.jpg", Uuid::now_v7());
        lock(&self.0).push((owner, url.clone()));
        url
    }
}

impl Uploads for InMemoryUploads {
    async fn uploaded_by(&self, owner: UserId, urls: &[String]) -> anyhow::Result<Vec<String>> {
        let files = lock(&self.0);
        Ok(urls
            .iter()
            .filter(|url| files.iter().any(|(o, u)| *o == owner && u == *url))
            .cloned()
            .collect())
    }
}

/// Residences by person: [`InMemoryResidences::set`] registers one.
#[derive(Debug, Clone, Default)]
pub struct InMemoryResidences(Arc<Mutex<Vec<(UserId, ScopePath)>>>);

impl InMemoryResidences {
    pub fn set(&self, person: UserId, home: ScopePath) {
        let mut homes = lock(&self.0);
        homes.retain(|(p, _)| *p != person);
        homes.push((person, home));
    }
}

impl Residences for InMemoryResidences {
    async fn residence_of(&self, person: UserId) -> anyhow::Result<Option<ScopePath>> {
        Ok(lock(&self.0)
            .iter()
            .find(|(p, _)| *p == person)
            .map(|(_, home)| *home))
    }
}
