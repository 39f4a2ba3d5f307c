//! The work on tasks: a Party member of the community claims a task from the board (exactly
//! one claimant ever holds it), releases it or starts it, completes it with a note and photos;
//! staff verify it, and the last verification resolves the request.
//!
//! Every task change also moves its request's version on, so that changes to one request's
//! tasks are decided one after another: two last verifications cannot both miss that the
//! request is now resolved, and the loser of a race reads again before it decides.

use linli_kernel::text::checked_text;
use linli_kernel::{Actor, TaskId, VolunteerTeamId};
use tracing::instrument;

use super::handling::Step;
use super::reading::TaskView;
use super::{Attempt, Requests};
use crate::error::{RequestError, Resource};
use crate::events::TaskChange;
use crate::ports::{RequestPorts, RequestRepository, TaskRepository};
use crate::request::{Action, RequestStatus, ResidentRequest, TimelineEntry};
use crate::rights::{handles, may_claim};
use crate::task::{Claim, Completion, Task, TaskStatus};

/// What a claimant reports when they finish.
#[derive(Debug, Clone, Default)]
pub struct NewCompletion {
    pub note: String,
    pub photos: Vec<String>,
}

impl<P: RequestPorts> Requests<P> {
    /// Claims an open task, for oneself (a Party member of the task's community) or, once
    /// volunteering lands, for a volunteer team one leads. Of concurrent claims exactly one
    /// wins; the others are told the task is claimed.
    #[instrument(skip_all, err)]
    pub async fn claim(
        &self,
        actor: &Actor,
        id: TaskId,
        team: Option<VolunteerTeamId>,
    ) -> Result<TaskView, RequestError> {
        if team.is_some() {
            // No volunteer team exists before volunteering lands.
            return Err(RequestError::TeamUnknown);
        }
        let held_by_me = |task: &Task| task.status == TaskStatus::Claimed && claimant_is(actor, task);
        let seen = self.seen_task(actor, id).await?;
        if held_by_me(&seen) {
            // A claim retried after a lost answer: it is the caller's already.
            let mut views = self.task_views(actor, vec![seen]).await?;
            return views.pop().ok_or(RequestError::NotFound(Resource::Task));
        }
        self.task_change(actor, id, |task, request| {
            if !may_claim(actor, &task.place) {
                return Err(RequestError::ClaimNotAllowed);
            }
            if request.author == actor.user_id() {
                return Err(RequestError::OwnRequest);
            }
            match task.status {
                TaskStatus::Open => {}
                TaskStatus::Claimed | TaskStatus::InProgress => return Err(RequestError::TaskAlreadyClaimed),
                s => return Err(RequestError::TaskState(s)),
            }
            let mut claimed = task.clone();
            claimed.status = TaskStatus::Claimed;
            let now = self.now();
            claimed.claim = Some(Claim {
                claimant: actor.user_id(),
                team_id: team,
                claimed_at: now,
            });
            let step = if request.status == RequestStatus::Accepted {
                let mut step = Step::of(request, now);
                step.request.status = RequestStatus::InProgress;
                step
            } else {
                Step::beside(request, now)
            };
            Ok((step, claimed, TaskChange::Claimed, Action::TaskClaimed, None))
        })
        .await
    }

    /// Gives a claimed, unstarted task back to the board; the claimant only.
    #[instrument(skip_all, err)]
    pub async fn release(&self, actor: &Actor, id: TaskId) -> Result<TaskView, RequestError> {
        self.task_change(actor, id, |task, request| {
            holds(actor, task)?;
            if task.status != TaskStatus::Claimed {
                return Err(RequestError::TaskState(task.status));
            }
            let mut open = task.clone();
            open.status = TaskStatus::Open;
            open.claim = None;
            Ok((
                Step::beside(request, self.now()),
                open,
                TaskChange::Released,
                Action::TaskReleased,
                None,
            ))
        })
        .await
    }

    /// Starts a claimed task; the claimant only.
    #[instrument(skip_all, err)]
    pub async fn start(&self, actor: &Actor, id: TaskId) -> Result<TaskView, RequestError> {
        self.task_change(actor, id, |task, request| {
            holds(actor, task)?;
            if task.status != TaskStatus::Claimed {
                return Err(RequestError::TaskState(task.status));
            }
            let now = self.now();
            let mut started = task.clone();
            started.status = TaskStatus::InProgress;
            started.started_at = Some(now);
            Ok((
                Step::beside(request, now),
                started,
                TaskChange::Started,
                Action::TaskStarted,
                None,
            ))
        })
        .await
    }

    /// Reports a started task done, with a note and photos (the claimant's own uploads).
    #[instrument(skip_all, err)]
    pub async fn complete(
        &self,
        actor: &Actor,
        id: TaskId,
        completion: NewCompletion,
    ) -> Result<TaskView, RequestError> {
        let note = checked_text("note", &completion.note, 0, 500)?;
        self.refuse_risky(actor.user_id(), &note).await?;
        let photos = self.own_uploads(actor.user_id(), completion.photos).await?;
        self.task_change(actor, id, |task, request| {
            holds(actor, task)?;
            if task.status != TaskStatus::InProgress {
                return Err(RequestError::TaskState(task.status));
            }
            let now = self.now();
            let mut done = task.clone();
            done.status = TaskStatus::Done;
            done.completion = Some(Completion {
                note: note.clone(),
                photos: photos.clone(),
                completed_at: now,
            });
            let note = (!note.is_empty()).then(|| note.clone());
            Ok((
                Step::beside(request, now),
                done,
                TaskChange::Completed,
                Action::TaskCompleted,
                note,
            ))
        })
        .await
    }

    /// Verifies a done task; staff over its grid, and never the person who did the work. The
    /// last verification resolves the request.
    #[instrument(skip_all, err)]
    pub async fn verify(&self, actor: &Actor, id: TaskId) -> Result<TaskView, RequestError> {
        self.task_change(actor, id, |task, request| {
            if !handles(actor, &task.place) {
                return Err(RequestError::Forbidden);
            }
            if task.claim.is_some_and(|c| c.claimant == actor.user_id()) {
                return Err(RequestError::OwnTask);
            }
            if task.status != TaskStatus::Done {
                return Err(RequestError::TaskState(task.status));
            }
            let now = self.now();
            let mut verified = task.clone();
            verified.status = TaskStatus::Verified;
            verified.verified_by = Some(actor.user_id());
            verified.verified_at = Some(now);
            Ok((
                Step::of(request, now),
                verified,
                TaskChange::Verified,
                Action::TaskVerified,
                None,
            ))
        })
        .await
    }

    /// The task the actor may see and its request.
    async fn task_and_request(
        &self,
        actor: &Actor,
        id: TaskId,
    ) -> Result<(Task, ResidentRequest), RequestError> {
        let task = self.seen_task(actor, id).await?;
        let request = self
            .ports
            .store()
            .find_request(task.request_id)
            .await?
            .ok_or(RequestError::NotFound(Resource::Request))?;
        Ok((task, request))
    }

    /// Reads the task and its request, lets `decide` make the change (the request's step, the
    /// task's new state, what happened, a note), records it in the request's timeline and
    /// writes it; over again when someone changed either meanwhile.
    async fn task_change<F>(&self, actor: &Actor, id: TaskId, decide: F) -> Result<TaskView, RequestError>
    where
        F: Fn(
            &Task,
            &ResidentRequest,
        ) -> Result<(Step, Task, TaskChange, Action, Option<String>), RequestError>,
    {
        let task = self
            .retrying(|| async {
                let (task, request) = self.task_and_request(actor, id).await?;
                let (mut step, changed, what, action, note) = decide(&task, &request)?;
                let mut entry = TimelineEntry::new(request.id, action, Some(actor.user_id()), step.at)
                    .with_fact("task_id", task.id);
                if let Some(note) = note {
                    entry = entry.with_note(note);
                }
                step.record(entry, &self.followers(request.id).await?, None);
                if changed.status == TaskStatus::Verified && self.was_last(&changed).await? {
                    let resolved =
                        TimelineEntry::new(request.id, Action::Resolved, Some(actor.user_id()), step.at)
                            .with_fact("task_id", task.id);
                    self.resolve_step(&mut step, resolved).await?;
                }
                step.task(&task, changed.clone(), what);
                Ok(match self.write(step).await? {
                    Attempt::Done(_) => Attempt::Done(changed),
                    Attempt::Lost => Attempt::Lost,
                })
            })
            .await?;
        let mut views = self.task_views(actor, vec![task]).await?;
        views.pop().ok_or(RequestError::NotFound(Resource::Task))
    }
}

impl<P: RequestPorts> Requests<P> {
    /// Whether `verified` finishes its request's work: every other task of the request is
    /// verified or withdrawn.
    async fn was_last(&self, verified: &Task) -> Result<bool, RequestError> {
        let tasks = self.ports.store().tasks_of(verified.request_id).await?;
        Ok(tasks
            .iter()
            .filter(|t| t.id != verified.id)
            .all(|t| t.status.is_final()))
    }
}

fn claimant_is(actor: &Actor, task: &Task) -> bool {
    task.claim.is_some_and(|c| c.claimant == actor.user_id())
}

/// Lets the claimant through; anyone else is told they do not hold the task.
fn holds(actor: &Actor, task: &Task) -> Result<(), RequestError> {
    if claimant_is(actor, task) {
        Ok(())
    } else {
        Err(RequestError::NotClaimant)
    }
}
