//! What resident requests need from storage and from the other contexts. Storage keeps three
//! aggregates (categories, requests with their timelines, tasks); every change to requests and
//! tasks goes through one write, [`RequestRepository::apply`], guarded by the versions the
//! change was computed from, with its timeline entries and events in the same transaction.
//! The rest comes through the kernel's ports: the tree, people, grants (a grid's team), homes,
//! uploads, the content check and the clock.

use std::future::Future;

use chrono::{DateTime, Utc};
use linli_kernel::actor::Reach;
use linli_kernel::ports::{
    Clock, ContentCheck, GrantStore, PersonDirectory, Residences, ScopeDirectory, Uploads,
};
use linli_kernel::{CommunityId, DomainEvent, GridId, Page, PageRequest, RequestId, TaskId, UserId};

use crate::category::{CategoryKey, RequestCategory};
use crate::error::WriteError;
use crate::request::{RequestStatus, ResidentRequest, TimelineEntry};
use crate::task::{Task, TaskStatus};

/// The dictionary of request categories. Storage starts with
/// [`crate::category::DEFAULT_CATEGORIES`]; keys are unique ([`WriteError::CategoryTaken`]).
pub trait CategoryRepository: Send + Sync + 'static {
    /// Every category, by key.
    fn categories(&self) -> impl Future<Output = anyhow::Result<Vec<RequestCategory>>> + Send;
    fn find_category(
        &self,
        key: &CategoryKey,
    ) -> impl Future<Output = anyhow::Result<Option<RequestCategory>>> + Send;
    fn insert_category(
        &self,
        category: &RequestCategory,
        events: &[DomainEvent],
    ) -> impl Future<Output = Result<(), WriteError>> + Send;
    /// Replaces the stored category of the same key; `false` when there is none.
    fn update_category(
        &self,
        category: &RequestCategory,
        events: &[DomainEvent],
    ) -> impl Future<Output = anyhow::Result<bool>> + Send;
}

/// A row a change rewrites, with the status it must still have. Its version must still be
/// one below the row's (the service adds one to every row it changes).
#[derive(Debug, Clone, PartialEq)]
pub struct Guarded<T, S> {
    pub row: T,
    pub from: S,
}

/// One change to requests and tasks: written whole, or (when any guarded row moved on since
/// it was read) not at all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Change {
    pub new_requests: Vec<ResidentRequest>,
    pub requests: Vec<Guarded<ResidentRequest, RequestStatus>>,
    pub new_tasks: Vec<Task>,
    pub tasks: Vec<Guarded<Task, TaskStatus>>,
    pub timeline: Vec<TimelineEntry>,
    pub events: Vec<DomainEvent>,
}

/// Which requests a listing wants: those the viewer may see (on any of the grounds given),
/// narrowed by the optional filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFilter {
    /// Where the viewer handles requests: every request routed there.
    pub handles: Reach,
    /// The viewer's own requests.
    pub author: Option<UserId>,
    /// Requests the viewer follows (their own was merged into them).
    pub followed: Vec<RequestId>,
    /// A grid whose visible requests the viewer sees as a neighbour (the grid of their home).
    pub neighbourhood: Option<GridId>,
    pub grid_id: Option<GridId>,
    pub community_id: Option<CommunityId>,
    pub status: Option<RequestStatus>,
    pub category: Option<CategoryKey>,
}

/// Requests, their timelines, and the one write for requests and tasks.
pub trait RequestRepository: Send + Sync + 'static {
    fn find_request(
        &self,
        id: RequestId,
    ) -> impl Future<Output = anyhow::Result<Option<ResidentRequest>>> + Send;
    /// Newest first, so a resident sees their latest request at the top.
    fn list_requests(
        &self,
        filter: &RequestFilter,
        page: PageRequest,
    ) -> impl Future<Output = anyhow::Result<Page<ResidentRequest>>> + Send;
    /// The request's timeline, oldest first.
    fn timeline(&self, id: RequestId) -> impl Future<Output = anyhow::Result<Vec<TimelineEntry>>> + Send;
    /// The authors of the requests merged into `id`: they follow it.
    fn followers(&self, id: RequestId) -> impl Future<Output = anyhow::Result<Vec<UserId>>> + Send;
    /// The requests `user` follows: those their own requests were merged into.
    fn followed_by(&self, user: UserId) -> impl Future<Output = anyhow::Result<Vec<RequestId>>> + Send;
    /// Who was made responsible for the latest request posted to `grid` at the worker level:
    /// where the round robin goes on from.
    fn last_assigned_worker(
        &self,
        grid: GridId,
    ) -> impl Future<Output = anyhow::Result<Option<UserId>>> + Send;
    /// Open requests of `category` in `grid` posted since `since`, newest first, at most
    /// `limit`: possible duplicates of a new one.
    fn open_in_grid(
        &self,
        grid: GridId,
        category: &CategoryKey,
        since: DateTime<Utc>,
        limit: u64,
    ) -> impl Future<Output = anyhow::Result<Vec<ResidentRequest>>> + Send;
    /// Writes `change` in one transaction: `true` when written, `false` when a guarded row
    /// was no longer at its version and status (nothing written).
    fn apply(&self, change: &Change) -> impl Future<Output = Result<bool, WriteError>> + Send;
}

/// Which tasks the board shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BoardFilter {
    /// Where the viewer may claim or handle work: tasks of grids under these nodes.
    pub reach: Reach,
    pub grid_id: Option<GridId>,
    /// Tasks in any of these states; any state when empty.
    pub statuses: Vec<TaskStatus>,
    /// Only tasks this person holds.
    pub claimant: Option<UserId>,
}

pub trait TaskRepository: Send + Sync + 'static {
    fn find_task(&self, id: TaskId) -> impl Future<Output = anyhow::Result<Option<Task>>> + Send;
    /// The request's tasks, oldest first.
    fn tasks_of(&self, request: RequestId) -> impl Future<Output = anyhow::Result<Vec<Task>>> + Send;
    /// Oldest first: the task waiting longest comes first on the board.
    fn board(
        &self,
        filter: &BoardFilter,
        page: PageRequest,
    ) -> impl Future<Output = anyhow::Result<Page<Task>>> + Send;
}

/// Everything the use cases of this context use, behind one name: storage and the kernel's
/// ports. The API builds one from the database and its adapters; tests from the fakes.
pub trait RequestPorts: Send + Sync + 'static {
    type Store: CategoryRepository + RequestRepository + TaskRepository;
    type Directory: ScopeDirectory;
    type People: PersonDirectory;
    type Grants: GrantStore;
    type Homes: Residences;
    type Files: Uploads;
    type Content: ContentCheck;
    type Clock: Clock;

    fn store(&self) -> &Self::Store;
    fn directory(&self) -> &Self::Directory;
    fn people(&self) -> &Self::People;
    fn grants(&self) -> &Self::Grants;
    fn homes(&self) -> &Self::Homes;
    fn files(&self) -> &Self::Files;
    fn content(&self) -> &Self::Content;
    fn clock(&self) -> &Self::Clock;
}
