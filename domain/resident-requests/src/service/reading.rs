//! Reading requests and the task board, each as the viewer may see it: the author of an
//! anonymous request is shown only to its author and the staff of its grid; people are masked
//! unless the viewer's scope covers them.

use chrono::Duration;
use linli_kernel::actor::Reach;
use linli_kernel::people::PersonView;
use linli_kernel::ports::Residences;
use linli_kernel::{
    Actor, CommunityId, GridId, Page, PageRequest, Permission, RequestId, Role, Scope, TaskId, UserId,
};

use super::Requests;
use crate::category::CategoryKey;
use crate::error::{RequestError, Resource};
use crate::ports::{BoardFilter, RequestFilter, RequestPorts, RequestRepository, TaskRepository};
use crate::request::{RequestStatus, ResidentRequest, TimelineEntry};
use crate::rights::{Standing, handles, may_claim, standing};
use crate::task::{Task, TaskStatus};

/// How far back a new request's possible duplicates are looked for.
pub const DUPLICATE_WINDOW_DAYS: i64 = 30;
/// How many possible duplicates staff are shown at most.
pub const MAX_DUPLICATES: u64 = 10;

/// A request as one viewer sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestView {
    pub request: ResidentRequest,
    /// `None` when the request is anonymous and the viewer is neither its author nor staff.
    pub author: Option<PersonView>,
    pub standing: Standing,
}

/// One step of the timeline as the viewer sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineStep {
    pub entry: TimelineEntry,
    /// Who did it; `None` for the system, and for the anonymous author's own steps shown to
    /// anyone but them and staff.
    pub actor: Option<PersonView>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskView {
    pub task: Task,
    pub claimant: Option<PersonView>,
}

/// A request with its tasks and timeline (`GET /requests/{id}`).
#[derive(Debug, Clone, PartialEq)]
pub struct RequestDetail {
    pub view: RequestView,
    pub tasks: Vec<TaskView>,
    pub timeline: Vec<TimelineStep>,
    /// For staff: open requests of the same category in the same grid from the last 30 days.
    pub possible_duplicates: Vec<RequestId>,
}

/// The narrowing a listing asks for, inside what the viewer may see anyway.
#[derive(Debug, Clone, Default)]
pub struct RequestQuery {
    /// Only the viewer's own requests (and those they follow).
    pub mine: bool,
    pub grid_id: Option<GridId>,
    pub community_id: Option<CommunityId>,
    pub status: Option<RequestStatus>,
    pub category: Option<CategoryKey>,
}

#[derive(Debug, Clone, Default)]
pub struct BoardQuery {
    pub grid_id: Option<GridId>,
    /// `open` when not given: the board is what may be claimed (with `mine`: any state the
    /// viewer still holds a task in).
    pub status: Option<TaskStatus>,
    /// Only the tasks the viewer holds, wherever they are.
    pub mine: bool,
}

/// Whether the viewer sees the author of `request` (an anonymous one's only to them and staff).
fn shows_author(request: &ResidentRequest, standing: Standing) -> bool {
    !request.anonymous || matches!(standing, Standing::Handler | Standing::Author)
}

impl<P: RequestPorts> Requests<P> {
    pub async fn get(&self, actor: &Actor, id: RequestId) -> Result<RequestDetail, RequestError> {
        let (request, standing) = self.visible(actor, id).await?;
        let store = self.ports.store();
        let tasks = store.tasks_of(id).await?;
        let timeline = store.timeline(id).await?;
        let possible_duplicates = if standing == Standing::Handler {
            self.possible_duplicates(&request).await?
        } else {
            Vec::new()
        };
        let mut view = self.views(actor, vec![(request, standing)]).await?;
        let view = view.pop().ok_or(RequestError::NotFound(Resource::Request))?;
        let tasks = self.task_views(actor, tasks).await?;
        let timeline = self.timeline_steps(actor, &view, timeline).await?;
        Ok(RequestDetail {
            view,
            tasks,
            timeline,
            possible_duplicates,
        })
    }

    async fn possible_duplicates(&self, request: &ResidentRequest) -> Result<Vec<RequestId>, RequestError> {
        let Some(grid) = request.grid_id() else {
            return Ok(Vec::new());
        };
        let since = request.posted_at - Duration::days(DUPLICATE_WINDOW_DAYS);
        let open = self
            .ports
            .store()
            .open_in_grid(grid, &request.category, since, MAX_DUPLICATES + 1)
            .await?;
        Ok(open
            .into_iter()
            .filter(|r| r.id != request.id && r.posted_at <= request.posted_at)
            .map(|r| r.id)
            .take(usize::try_from(MAX_DUPLICATES).unwrap_or(usize::MAX))
            .collect())
    }

    /// The requests the viewer may see, newest first: those of grids they handle, their own
    /// and those they follow, and the visible ones of the grid they live in; narrowed by
    /// `query`.
    pub async fn list(
        &self,
        actor: &Actor,
        query: RequestQuery,
        page: PageRequest,
    ) -> Result<Page<RequestView>, RequestError> {
        let store = self.ports.store();
        let followed = store.followed_by(actor.user_id()).await?;
        let (handles_reach, home) = if query.mine {
            (Reach::default(), None)
        } else {
            let home = self.ports.homes().residence_of(actor.user_id()).await?;
            (actor.reach(Permission::HandleRequests), home)
        };
        let filter = RequestFilter {
            handles: handles_reach,
            author: Some(actor.user_id()),
            followed: followed.clone(),
            neighbourhood: home.and_then(|h| h.grid),
            grid_id: query.grid_id,
            community_id: query.community_id,
            status: query.status,
            category: query.category,
        };
        let found = store.list_requests(&filter, page).await?;
        // Storage chose by the same grounds; the standing says which, for what is shown.
        let placed = found
            .items
            .into_iter()
            .filter_map(|r| {
                let follows = followed.contains(&r.id);
                standing(actor, &r, home.as_ref(), follows).map(|s| (r, s))
            })
            .collect();
        Ok(Page {
            items: self.views(actor, placed).await?,
            next_after: found.next_after,
        })
    }

    /// The task board: tasks of the grids where the actor may claim (Party members of the
    /// community) or handles requests (staff); open ones unless `query` asks otherwise.
    pub async fn board(
        &self,
        actor: &Actor,
        query: BoardQuery,
        page: PageRequest,
    ) -> Result<Page<TaskView>, RequestError> {
        let filter = if query.mine {
            // What the actor holds, wherever it is (a role lost since does not hide it), and
            // in any unfinished state unless one is asked for.
            BoardFilter {
                reach: Reach {
                    whole_district: true,
                    ..Reach::default()
                },
                grid_id: query.grid_id,
                statuses: query.status.map_or_else(
                    || vec![TaskStatus::Claimed, TaskStatus::InProgress, TaskStatus::Done],
                    |s| vec![s],
                ),
                claimant: Some(actor.user_id()),
            }
        } else {
            BoardFilter {
                reach: board_reach(actor),
                grid_id: query.grid_id,
                statuses: vec![query.status.unwrap_or(TaskStatus::Open)],
                claimant: None,
            }
        };
        let found = self.ports.store().board(&filter, page).await?;
        Ok(Page {
            items: self.task_views(actor, found.items).await?,
            next_after: found.next_after,
        })
    }

    /// One task, for someone who may see the board it is on or holds it.
    pub async fn task(&self, actor: &Actor, id: TaskId) -> Result<TaskView, RequestError> {
        let task = self.seen_task(actor, id).await?;
        let mut views = self.task_views(actor, vec![task]).await?;
        views.pop().ok_or(RequestError::NotFound(Resource::Task))
    }

    /// The task, when the actor may see it: on a board they see, or held by them.
    pub(crate) async fn seen_task(&self, actor: &Actor, id: TaskId) -> Result<Task, RequestError> {
        self.ports
            .store()
            .find_task(id)
            .await?
            .filter(|t| {
                handles(actor, &t.place)
                    || may_claim(actor, &t.place)
                    || t.claim.is_some_and(|c| c.claimant == actor.user_id())
            })
            .ok_or(RequestError::NotFound(Resource::Task))
    }

    pub(crate) async fn views(
        &self,
        actor: &Actor,
        requests: Vec<(ResidentRequest, Standing)>,
    ) -> Result<Vec<RequestView>, RequestError> {
        let shown: Vec<UserId> = requests
            .iter()
            .filter(|(r, s)| shows_author(r, *s))
            .map(|(r, _)| r.author)
            .collect();
        let people = self.people_as_seen(actor, &shown).await?;
        Ok(requests
            .into_iter()
            .map(|(request, standing)| RequestView {
                author: shows_author(&request, standing)
                    .then(|| people.iter().find(|p| p.id == request.author).cloned())
                    .flatten(),
                request,
                standing,
            })
            .collect())
    }

    pub(crate) async fn task_views(
        &self,
        actor: &Actor,
        tasks: Vec<Task>,
    ) -> Result<Vec<TaskView>, RequestError> {
        let claimants: Vec<UserId> = tasks.iter().filter_map(|t| t.claim.map(|c| c.claimant)).collect();
        let people = self.people_as_seen(actor, &claimants).await?;
        Ok(tasks
            .into_iter()
            .map(|task| TaskView {
                claimant: task
                    .claim
                    .and_then(|c| people.iter().find(|p| p.id == c.claimant).cloned()),
                task,
            })
            .collect())
    }

    async fn timeline_steps(
        &self,
        actor: &Actor,
        view: &RequestView,
        entries: Vec<TimelineEntry>,
    ) -> Result<Vec<TimelineStep>, RequestError> {
        let hides_author = view.author.is_none();
        let author = view.request.author;
        let shown = |e: &TimelineEntry| e.actor.filter(|a| !(hides_author && *a == author));
        let actors: Vec<UserId> = entries.iter().filter_map(shown).collect();
        let people = self.people_as_seen(actor, &actors).await?;
        Ok(entries
            .into_iter()
            .map(|entry| TimelineStep {
                actor: shown(&entry).and_then(|a| people.iter().find(|p| p.id == a).cloned()),
                entry,
            })
            .collect())
    }
}

/// Where the actor sees the task board: where they handle requests, and the communities they
/// are Party members of.
fn board_reach(actor: &Actor) -> Reach {
    let mut reach = actor.reach(Permission::HandleRequests);
    for (role, scope) in actor.grants() {
        if let (Role::PartyMember, Scope::Community(id)) = (role, scope) {
            reach.communities.push(*id);
        }
    }
    reach
}
