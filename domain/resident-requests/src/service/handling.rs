//! Staff's handling of a request (staff of its grid and above): approve what the content check
//! held, accept with tasks, reject with a reason, transfer to another grid, merge into another
//! open request, add work, resolve. Each is one timeline step written with its events.

use chrono::{DateTime, Utc};
use linli_kernel::ports::{Clock, ScopeDirectory};
use linli_kernel::text::checked_text;
use linli_kernel::{Actor, CommunityId, GridId, RequestId, Rule, Scope, UserId, ValidationError};
use tracing::instrument;

use super::reading::RequestView;
use super::{Attempt, Requests};
use crate::error::{RequestError, Resource};
use crate::events::{TaskChange, request_events, task_events};
use crate::ports::{Change, Guarded, RequestPorts, RequestRepository, TaskRepository};
use crate::request::{Action, Moderation, RequestStatus, ResidentRequest, TimelineEntry};
use crate::rights::Standing;
use crate::task::{NewTask, Task, TaskStatus, checked_tasks};

/// Where a transfer sends a request, and why.
#[derive(Debug, Clone)]
pub struct Transfer {
    pub grid_id: GridId,
    pub note: String,
}

/// A request's change being put together: the request in its new state (version moved on),
/// the tasks it touches, the timeline steps and their events.
pub(crate) struct Step {
    pub at: DateTime<Utc>,
    pub from: RequestStatus,
    pub request: ResidentRequest,
    pub change: Change,
    /// Whether the request row is rewritten (and so guarded by its version). A task's change
    /// that leaves its request as it is (a claim of an `in_progress` request, a start, a
    /// release) does not touch it: claims of different tasks of one request never collide.
    rewrites_request: bool,
}

impl Step {
    /// Begins a change of `request` at `at`: the copy to change, guarded by the status and
    /// version it was read in.
    pub fn of(request: &ResidentRequest, at: DateTime<Utc>) -> Self {
        let mut next = request.clone();
        next.version += 1;
        Self {
            at,
            from: request.status,
            request: next,
            change: Change::default(),
            rewrites_request: true,
        }
    }

    /// Begins a change recorded in `request`'s timeline that leaves the request row as it is.
    pub fn beside(request: &ResidentRequest, at: DateTime<Utc>) -> Self {
        Self {
            at,
            from: request.status,
            request: request.clone(),
            change: Change::default(),
            rewrites_request: false,
        }
    }

    /// Records the step `entry` with the events of the request's new state (to `followers`
    /// too; `left`, a community the request leaves, hears of it).
    pub fn record(&mut self, entry: TimelineEntry, followers: &[UserId], left: Option<CommunityId>) {
        self.change
            .events
            .extend(request_events(&self.request, &entry, followers, left));
        self.change.timeline.push(entry);
    }

    /// Adds a task's change (the task as read, and its new state).
    pub fn task(&mut self, read: &Task, mut changed: Task, what: TaskChange) {
        changed.version = read.version + 1;
        self.change.events.extend(task_events(&changed, what, self.at));
        self.change.tasks.push(Guarded {
            row: changed,
            from: read.status,
        });
    }

    /// The finished change: the request (when rewritten) guarded by its read version and
    /// status.
    pub fn finish(mut self) -> (ResidentRequest, Change) {
        if self.rewrites_request {
            self.change.requests.push(Guarded {
                row: self.request.clone(),
                from: self.from,
            });
        }
        (self.request, self.change)
    }
}

impl<P: RequestPorts> Requests<P> {
    /// Writes `step`; `Lost` when a row moved on meanwhile.
    pub(crate) async fn write(&self, step: Step) -> Result<Attempt<ResidentRequest>, RequestError> {
        let (request, change) = step.finish();
        Ok(if self.ports.store().apply(&change).await? {
            Attempt::Done(request)
        } else {
            Attempt::Lost
        })
    }

    /// The view of a request the actor just changed as staff.
    async fn handler_view(
        &self,
        actor: &Actor,
        request: ResidentRequest,
    ) -> Result<RequestView, RequestError> {
        let mut views = self.views(actor, vec![(request, Standing::Handler)]).await?;
        views.pop().ok_or(RequestError::NotFound(Resource::Request))
    }

    /// A request the actor handles, in a status `allowed` accepts.
    async fn handled_in(
        &self,
        actor: &Actor,
        id: RequestId,
        allowed: fn(RequestStatus) -> bool,
    ) -> Result<ResidentRequest, RequestError> {
        let request = self.handled(actor, id).await?;
        if allowed(request.status) {
            Ok(request)
        } else {
            Err(RequestError::RequestState(request.status))
        }
    }

    /// Lets others see a request the content check held for review.
    #[instrument(skip_all, err)]
    pub async fn approve(&self, actor: &Actor, id: RequestId) -> Result<RequestView, RequestError> {
        let request = self
            .retrying(|| async {
                let request = self.handled(actor, id).await?;
                if request.moderation == Moderation::Visible {
                    return Ok(Attempt::Done(request));
                }
                let now = self.now();
                let mut step = Step::of(&request, now);
                step.request.moderation = Moderation::Visible;
                let entry = TimelineEntry::new(id, Action::Approved, Some(actor.user_id()), now);
                step.record(entry, &self.followers(id).await?, None);
                self.write(step).await
            })
            .await?;
        self.handler_view(actor, request).await
    }

    /// Takes the request on, with the work it needs (one task at least).
    #[instrument(skip_all, err)]
    pub async fn accept(
        &self,
        actor: &Actor,
        id: RequestId,
        tasks: Vec<NewTask>,
    ) -> Result<RequestView, RequestError> {
        let request = self
            .retrying(|| async {
                let request = self.handled_in(actor, id, RequestStatus::awaits_response).await?;
                let now = self.now();
                let tasks = checked_tasks(tasks.clone(), 1, 0, now)?;
                let mut step = Step::of(&request, now);
                step.request.status = RequestStatus::Accepted;
                step.request.responded_at.get_or_insert(now);
                let entry = TimelineEntry::new(id, Action::Accepted, Some(actor.user_id()), now)
                    .with_fact("tasks", tasks.len());
                step.record(entry, &self.followers(id).await?, None);
                Self::open_tasks(&mut step, tasks);
                self.write(step).await
            })
            .await?;
        self.handler_view(actor, request).await
    }

    /// Adds work to a request being handled (after a reopening, or when more is found).
    #[instrument(skip_all, err)]
    pub async fn add_tasks(
        &self,
        actor: &Actor,
        id: RequestId,
        tasks: Vec<NewTask>,
    ) -> Result<RequestView, RequestError> {
        let request = self
            .retrying(|| async {
                let request = self
                    .handled_in(actor, id, RequestStatus::is_being_handled)
                    .await?;
                let existing = self.ports.store().tasks_of(id).await?.len();
                let now = self.now();
                let tasks = checked_tasks(tasks.clone(), 1, existing, now)?;
                let mut step = Step::of(&request, now);
                let entry = TimelineEntry::new(id, Action::TasksAdded, Some(actor.user_id()), now)
                    .with_fact("tasks", tasks.len());
                step.record(entry, &self.followers(id).await?, None);
                Self::open_tasks(&mut step, tasks);
                self.write(step).await
            })
            .await?;
        self.handler_view(actor, request).await
    }

    /// Puts `tasks` on the board as part of `step`.
    fn open_tasks(step: &mut Step, tasks: Vec<NewTask>) {
        for new in tasks {
            let task = new.into_task(step.request.id, step.request.place, step.at);
            step.change
                .events
                .extend(task_events(&task, TaskChange::Opened, step.at));
            step.change.new_tasks.push(task);
        }
    }

    /// Declines the request, with the reason the author will read.
    #[instrument(skip_all, err)]
    pub async fn reject(
        &self,
        actor: &Actor,
        id: RequestId,
        reason: &str,
    ) -> Result<RequestView, RequestError> {
        let reason = checked_text("reason", reason, 1, 200)?;
        let request = self
            .retrying(|| async {
                let request = self.handled_in(actor, id, RequestStatus::awaits_response).await?;
                let now = self.now();
                let mut step = Step::of(&request, now);
                step.request.status = RequestStatus::Rejected;
                step.request.responded_at.get_or_insert(now);
                let entry = TimelineEntry::new(id, Action::Rejected, Some(actor.user_id()), now)
                    .with_note(reason.clone());
                step.record(entry, &self.followers(id).await?, None);
                self.write(step).await
            })
            .await?;
        self.handler_view(actor, request).await
    }

    /// Sends the request to another grid: it waits there for that grid's staff, with a new
    /// responsible person and the deadlines it had.
    #[instrument(skip_all, err)]
    pub async fn transfer(
        &self,
        actor: &Actor,
        id: RequestId,
        to: Transfer,
    ) -> Result<RequestView, RequestError> {
        let note = checked_text("note", &to.note, 0, 200)?;
        let target = self
            .ports
            .directory()
            .describe(Scope::Grid(to.grid_id))
            .await?
            .ok_or(RequestError::NotFound(Resource::Grid))?;
        let request = self
            .retrying(|| async {
                let request = self.handled_in(actor, id, RequestStatus::awaits_response).await?;
                if request.grid_id() == Some(to.grid_id) {
                    return Err(ValidationError::new(
                        "grid_id",
                        Rule::UnknownValue,
                        "the request is in this grid already",
                    )
                    .with("value", to.grid_id)
                    .into());
                }
                let team = self.grid_team(&target.path).await?;
                let last = self.ports.store().last_assigned_worker(to.grid_id).await?;
                let now = self.now();
                let left = request.community_id();
                let mut step = Step::of(&request, now);
                step.request.status = RequestStatus::Transferred;
                step.request.place = target.path;
                step.request.responsible = team.responsible_for_new(last);
                step.request.responded_at.get_or_insert(now);
                let mut entry = TimelineEntry::new(id, Action::Transferred, Some(actor.user_id()), now)
                    .with_fact("from_grid_id", request.grid_id())
                    .with_fact("grid_id", to.grid_id);
                if !note.is_empty() {
                    entry = entry.with_note(note.clone());
                }
                step.record(entry, &self.followers(id).await?, left);
                self.write(step).await
            })
            .await?;
        // Answered as the actor saw it when they sent it, though the grid it went to may be
        // outside their scope: they read it a moment ago.
        self.handler_view(actor, request).await
    }

    /// Folds a request waiting for its first answer into another open request the actor also
    /// handles; its author follows the other one from then on.
    #[instrument(skip_all, err)]
    pub async fn merge(
        &self,
        actor: &Actor,
        id: RequestId,
        into: RequestId,
    ) -> Result<RequestView, RequestError> {
        if id == into {
            return Err(RequestError::MergeTarget);
        }
        let request = self
            .retrying(|| async {
                let request = self.handled_in(actor, id, RequestStatus::awaits_response).await?;
                let target = self.handled(actor, into).await?;
                // A request others were merged into is merged no further: its followers would
                // be left following a request nobody handles. Merge the other way round.
                if !target.status.is_open() || !self.followers(id).await?.is_empty() {
                    return Err(RequestError::MergeTarget);
                }
                let now = self.now();
                let mut step = Step::of(&request, now);
                step.request.status = RequestStatus::Merged;
                step.request.merged_into = Some(into);
                step.request.responded_at.get_or_insert(now);
                let entry = TimelineEntry::new(id, Action::Merged, Some(actor.user_id()), now)
                    .with_fact("into", into);
                step.record(entry, &self.followers(id).await?, None);

                let mut absorbing = Step::of(&target, now);
                let mut followers = self.followers(into).await?;
                followers.push(request.author);
                let entry = TimelineEntry::new(into, Action::Absorbed, Some(actor.user_id()), now)
                    .with_fact("request_id", id);
                absorbing.record(entry, &followers, None);
                let (_, absorbed) = absorbing.finish();
                step.change.requests.extend(absorbed.requests);
                step.change.timeline.extend(absorbed.timeline);
                step.change.events.extend(absorbed.events);
                self.write(step).await
            })
            .await?;
        self.handler_view(actor, request).await
    }

    /// Resolves a request being handled, when nobody holds one of its tasks; tasks still open
    /// are taken off the board.
    #[instrument(skip_all, err)]
    pub async fn resolve(
        &self,
        actor: &Actor,
        id: RequestId,
        note: &str,
    ) -> Result<RequestView, RequestError> {
        let note = checked_text("note", note, 0, 200)?;
        let request = self
            .retrying(|| async {
                let request = self
                    .handled_in(actor, id, RequestStatus::is_being_handled)
                    .await?;
                let tasks = self.ports.store().tasks_of(id).await?;
                if tasks.iter().any(|t| t.status.is_held()) {
                    return Err(RequestError::TasksUnfinished);
                }
                let now = self.now();
                let mut step = Step::of(&request, now);
                let mut entry = TimelineEntry::new(id, Action::Resolved, Some(actor.user_id()), now);
                if !note.is_empty() {
                    entry = entry.with_note(note.clone());
                }
                self.resolve_step(&mut step, entry).await?;
                for task in tasks.iter().filter(|t| t.status == TaskStatus::Open) {
                    let mut withdrawn = task.clone();
                    withdrawn.status = TaskStatus::Withdrawn;
                    step.task(task, withdrawn, TaskChange::Withdrawn);
                }
                self.write(step).await
            })
            .await?;
        self.handler_view(actor, request).await
    }

    /// Marks `step`'s request resolved by the step `entry`.
    pub(crate) async fn resolve_step(
        &self,
        step: &mut Step,
        entry: TimelineEntry,
    ) -> Result<(), RequestError> {
        step.request.status = RequestStatus::Resolved;
        step.request.resolved_at = Some(step.at);
        let followers = self.followers(step.request.id).await?;
        step.record(entry, &followers, None);
        Ok(())
    }

    pub(crate) async fn followers(&self, id: RequestId) -> Result<Vec<UserId>, RequestError> {
        Ok(self.ports.store().followers(id).await?)
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.ports.clock().now()
    }
}
