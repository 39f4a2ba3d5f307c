//! In-memory storage and ports for the use-case tests (`features = ["testing"]`). The store
//! keeps the rules storage keeps (keys unique; a change written whole, and only over the
//! versions and statuses it was computed from) and nothing else.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use linli_kernel::actor::Reach;
use linli_kernel::testing::{
    FakeDirectory, InMemoryGrants, InMemoryPeople, InMemoryResidences, InMemoryUploads, ManualClock,
    ScriptedContentCheck, lock,
};
use linli_kernel::{DomainEvent, GridId, Page, PageRequest, RequestId, ScopePath, TaskId, UserId};

use crate::category::{CategoryKey, DEFAULT_CATEGORIES, Deadlines, RequestCategory};
use crate::error::WriteError;
use crate::ports::{
    BoardFilter, CategoryRepository, Change, RequestFilter, RequestPorts, RequestRepository, TaskRepository,
};
use crate::request::{Level, ResidentRequest, TimelineEntry};
use crate::task::Task;

#[derive(Debug, Default)]
pub struct Rows {
    pub categories: Vec<RequestCategory>,
    pub requests: Vec<ResidentRequest>,
    pub tasks: Vec<Task>,
    pub timeline: Vec<TimelineEntry>,
    pub events: Vec<DomainEvent>,
    /// Changes refused because a guarded row had moved on.
    pub lost: usize,
}

/// Everything resident requests store, in memory. Clones share the same rows.
#[derive(Debug, Clone)]
pub struct InMemoryRequests(pub Arc<Mutex<Rows>>);

/// The default categories as storage starts with them.
pub fn default_categories(at: DateTime<Utc>) -> Vec<RequestCategory> {
    DEFAULT_CATEGORIES
        .iter()
        .filter_map(|(key, name, respond, resolve)| {
            Some(RequestCategory {
                key: CategoryKey::parse("key", key).ok()?,
                name: (*name).to_owned(),
                deadlines: Deadlines::new(*respond, *resolve).ok()?,
                questions: Vec::new(),
                active: true,
                updated_at: at,
            })
        })
        .collect()
}

impl Default for InMemoryRequests {
    fn default() -> Self {
        Self(Arc::new(Mutex::new(Rows {
            categories: default_categories(Utc::now()),
            ..Rows::default()
        })))
    }
}

impl InMemoryRequests {
    pub fn event_kinds(&self) -> Vec<String> {
        lock(&self.0).events.iter().map(|e| e.kind.clone()).collect()
    }

    pub fn events(&self) -> Vec<DomainEvent> {
        lock(&self.0).events.clone()
    }

    pub fn request(&self, id: RequestId) -> Option<ResidentRequest> {
        lock(&self.0).requests.iter().find(|r| r.id == id).cloned()
    }

    /// How many changes were refused because a guarded row had moved on: races lost.
    pub fn lost_races(&self) -> usize {
        lock(&self.0).lost
    }

    pub fn count_requests(&self) -> usize {
        lock(&self.0).requests.len()
    }
}

/// Gives way once to whatever else is running, as a real database round trip does: so that
/// concurrent use cases in a test interleave between their reads and their writes.
pub async fn round_trip() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            std::task::Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    })
    .await;
}

fn reach_covers(reach: &Reach, path: &ScopePath) -> bool {
    reach.covers(path)
}

fn request_matches(filter: &RequestFilter, r: &ResidentRequest) -> bool {
    let seen = reach_covers(&filter.handles, &r.place)
        || filter.author == Some(r.author)
        || filter.followed.contains(&r.id)
        || (filter.neighbourhood.is_some()
            && r.place.grid == filter.neighbourhood
            && r.moderation == crate::request::Moderation::Visible);
    seen && filter.grid_id.is_none_or(|g| r.place.grid == Some(g))
        && filter.community_id.is_none_or(|c| r.place.community == Some(c))
        && filter.status.is_none_or(|s| r.status == s)
        && filter.category.as_ref().is_none_or(|c| r.category == *c)
}

impl CategoryRepository for InMemoryRequests {
    async fn categories(&self) -> anyhow::Result<Vec<RequestCategory>> {
        let mut all = lock(&self.0).categories.clone();
        all.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(all)
    }

    async fn find_category(&self, key: &CategoryKey) -> anyhow::Result<Option<RequestCategory>> {
        Ok(lock(&self.0).categories.iter().find(|c| c.key == *key).cloned())
    }

    async fn insert_category(
        &self,
        category: &RequestCategory,
        events: &[DomainEvent],
    ) -> Result<(), WriteError> {
        let mut rows = lock(&self.0);
        if rows.categories.iter().any(|c| c.key == category.key) {
            return Err(WriteError::CategoryTaken(category.key.as_str().to_owned()));
        }
        rows.categories.push(category.clone());
        rows.events.extend_from_slice(events);
        Ok(())
    }

    async fn update_category(
        &self,
        category: &RequestCategory,
        events: &[DomainEvent],
    ) -> anyhow::Result<bool> {
        let mut rows = lock(&self.0);
        let Some(stored) = rows.categories.iter_mut().find(|c| c.key == category.key) else {
            return Ok(false);
        };
        *stored = category.clone();
        rows.events.extend_from_slice(events);
        Ok(true)
    }
}

impl RequestRepository for InMemoryRequests {
    async fn find_request(&self, id: RequestId) -> anyhow::Result<Option<ResidentRequest>> {
        round_trip().await;
        Ok(self.request(id))
    }

    async fn list_requests(
        &self,
        filter: &RequestFilter,
        page: PageRequest,
    ) -> anyhow::Result<Page<ResidentRequest>> {
        let mut found: Vec<ResidentRequest> = lock(&self.0)
            .requests
            .iter()
            .filter(|r| request_matches(filter, r))
            .filter(|r| page.after().is_none_or(|after| r.id.as_uuid() < after))
            .cloned()
            .collect();
        found.sort_by_key(|r| std::cmp::Reverse(r.id));
        Ok(Page::from_rows(
            found
                .into_iter()
                .take(usize::try_from(page.fetch_limit()).unwrap_or(usize::MAX))
                .collect(),
            page,
            |r| r.id.as_uuid(),
        ))
    }

    async fn timeline(&self, id: RequestId) -> anyhow::Result<Vec<TimelineEntry>> {
        Ok(lock(&self.0)
            .timeline
            .iter()
            .filter(|e| e.request_id == id)
            .cloned()
            .collect())
    }

    async fn followers(&self, id: RequestId) -> anyhow::Result<Vec<UserId>> {
        Ok(lock(&self.0)
            .requests
            .iter()
            .filter(|r| r.merged_into == Some(id))
            .map(|r| r.author)
            .collect())
    }

    async fn followed_by(&self, user: UserId) -> anyhow::Result<Vec<RequestId>> {
        Ok(lock(&self.0)
            .requests
            .iter()
            .filter(|r| r.author == user)
            .filter_map(|r| r.merged_into)
            .collect())
    }

    async fn last_assigned_worker(&self, grid: GridId) -> anyhow::Result<Option<UserId>> {
        Ok(lock(&self.0)
            .requests
            .iter()
            .filter(|r| r.place.grid == Some(grid))
            .filter_map(|r| {
                r.responsible
                    .filter(|p| p.level == Level::GridWorker)
                    .map(|p| (r.id, p.user_id))
            })
            .max_by_key(|(id, _)| *id)
            .map(|(_, user)| user))
    }

    async fn open_in_grid(
        &self,
        grid: GridId,
        category: &CategoryKey,
        since: DateTime<Utc>,
        limit: u64,
    ) -> anyhow::Result<Vec<ResidentRequest>> {
        let mut found: Vec<ResidentRequest> = lock(&self.0)
            .requests
            .iter()
            .filter(|r| {
                r.place.grid == Some(grid)
                    && r.category == *category
                    && r.posted_at >= since
                    && r.status.is_open()
            })
            .cloned()
            .collect();
        found.sort_by_key(|r| std::cmp::Reverse(r.id));
        found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(found)
    }

    async fn apply(&self, change: &Change) -> Result<bool, WriteError> {
        round_trip().await;
        let mut rows = lock(&self.0);
        let requests_hold = change.requests.iter().all(|g| {
            rows.requests
                .iter()
                .any(|r| r.id == g.row.id && r.status == g.from && r.version + 1 == g.row.version)
        });
        let tasks_hold = change.tasks.iter().all(|g| {
            rows.tasks
                .iter()
                .any(|t| t.id == g.row.id && t.status == g.from && t.version + 1 == g.row.version)
        });
        if !requests_hold || !tasks_hold {
            rows.lost += 1;
            return Ok(false);
        }
        for g in &change.requests {
            if let Some(r) = rows.requests.iter_mut().find(|r| r.id == g.row.id) {
                *r = g.row.clone();
            }
        }
        for g in &change.tasks {
            if let Some(t) = rows.tasks.iter_mut().find(|t| t.id == g.row.id) {
                *t = g.row.clone();
            }
        }
        rows.requests.extend(change.new_requests.iter().cloned());
        rows.tasks.extend(change.new_tasks.iter().cloned());
        rows.timeline.extend(change.timeline.iter().cloned());
        rows.events.extend(change.events.iter().cloned());
        Ok(true)
    }
}

impl TaskRepository for InMemoryRequests {
    async fn find_task(&self, id: TaskId) -> anyhow::Result<Option<Task>> {
        round_trip().await;
        Ok(lock(&self.0).tasks.iter().find(|t| t.id == id).cloned())
    }

    async fn tasks_of(&self, request: RequestId) -> anyhow::Result<Vec<Task>> {
        Ok(lock(&self.0)
            .tasks
            .iter()
            .filter(|t| t.request_id == request)
            .cloned()
            .collect())
    }

    async fn board(&self, filter: &BoardFilter, page: PageRequest) -> anyhow::Result<Page<Task>> {
        let mut found: Vec<Task> = lock(&self.0)
            .tasks
            .iter()
            .filter(|t| reach_covers(&filter.reach, &t.place))
            .filter(|t| filter.grid_id.is_none_or(|g| t.place.grid == Some(g)))
            .filter(|t| filter.statuses.is_empty() || filter.statuses.contains(&t.status))
            .filter(|t| {
                filter
                    .claimant
                    .is_none_or(|c| t.claim.is_some_and(|k| k.claimant == c))
            })
            .filter(|t| page.after().is_none_or(|after| t.id.as_uuid() > after))
            .cloned()
            .collect();
        found.sort_by_key(|t| t.id);
        found.truncate(usize::try_from(page.fetch_limit()).unwrap_or(usize::MAX));
        Ok(Page::from_rows(found, page, |t| t.id.as_uuid()))
    }
}

/// Every port, faked: what a use-case test builds [`crate::Requests`] over.
#[derive(Debug, Clone, Default)]
pub struct FakePorts {
    pub store: InMemoryRequests,
    pub directory: FakeDirectory,
    pub people: InMemoryPeople,
    pub grants: InMemoryGrants,
    pub homes: InMemoryResidences,
    pub files: InMemoryUploads,
    pub content: ScriptedContentCheck,
    pub clock: ManualClock,
}

impl FakePorts {
    /// Fakes whose people directory knows the grants (as storage does: the places where
    /// someone holds a role are among their places).
    pub fn new() -> Self {
        let grants = InMemoryGrants::default();
        Self {
            people: InMemoryPeople::with_grants(grants.clone()),
            grants,
            ..Self::default()
        }
    }
}

impl RequestPorts for FakePorts {
    type Store = InMemoryRequests;
    type Directory = FakeDirectory;
    type People = InMemoryPeople;
    type Grants = InMemoryGrants;
    type Homes = InMemoryResidences;
    type Files = InMemoryUploads;
    type Content = ScriptedContentCheck;
    type Clock = ManualClock;

    fn store(&self) -> &Self::Store {
        &self.store
    }
    fn directory(&self) -> &Self::Directory {
        &self.directory
    }
    fn people(&self) -> &Self::People {
        &self.people
    }
    fn grants(&self) -> &Self::Grants {
        &self.grants
    }
    fn homes(&self) -> &Self::Homes {
        &self.homes
    }
    fn files(&self) -> &Self::Files {
        &self.files
    }
    fn content(&self) -> &Self::Content {
        &self.content
    }
    fn clock(&self) -> &Self::Clock {
        &self.clock
    }
}
