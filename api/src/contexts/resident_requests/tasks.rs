//! The task board: Party members of a community claim the open tasks of its grids (exactly one
//! claimant each, whatever the concurrency), do them, and the grid's staff verify the work.

use linli_kernel::{GridId, TaskId, VolunteerTeamId};
use linli_resident_requests::service::{BoardQuery, NewCompletion};
use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use uuid::Uuid;

use super::dto::{ClaimBody, CompletionBody, Task, TaskList, TaskStatus};
use super::{RequestTags, ResidentRequests, shown};
use crate::http::contract::{Answer, errors};
use crate::http::pagination::{Limit, page_request};
use crate::http::security::BearerAuth;

errors!(TasksList: [Auth, Params] { 400: [validation_failed] });

errors!(TasksGet: [Auth, Params] { 404: [task_not_found] });

errors!(TasksClaim: [Auth, Params, Post] {
    400: [validation_failed],
    403: [claim_not_allowed, own_request],
    404: [task_not_found, request_not_found],
    409: [task_already_claimed, task_state, request_changed],
    422: [team_unknown],
});

errors!(TasksWork: [Auth, Params, Post] {
    400: [validation_failed],
    403: [not_claimant],
    404: [task_not_found, request_not_found],
    409: [task_state, request_changed],
    422: [photo_not_uploaded, content_rejected],
    503: [content_check_unavailable],
});

errors!(TasksVerify: [Auth, Params, Post] {
    403: [forbidden, own_task],
    404: [task_not_found, request_not_found],
    409: [task_state, request_changed],
});

#[derive(Default)]
pub struct TasksApi;

#[OpenApi(prefix_path = "/api/v1", tag = "RequestTags::Tasks")]
impl TasksApi {
    /// The task board
    ///
    /// Tasks of the grids where you may claim (a Party member of their community) or handle
    /// requests (staff), oldest first: the open ones unless `status` says otherwise; with
    /// `mine=true`, only those you hold.
    #[oai(path = "/tasks", method = "get", operation_id = "tasks_list")]
    #[expect(
        clippy::too_many_arguments,
        reason = "one argument per query parameter of the spec"
    )]
    async fn list(
        &self,
        requests: Data<&ResidentRequests>,
        auth: BearerAuth,
        grid_id: Query<Option<Uuid>>,
        /// `open` when not given.
        status: Query<Option<TaskStatus>>,
        /// Only the tasks you hold.
        #[oai(default)]
        mine: Query<bool>,
        limit: Query<Option<Limit>>,
        cursor: Query<Option<String>>,
    ) -> Answer<Json<TaskList>, TasksList> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let query = BoardQuery {
            grid_id: grid_id.0.map(GridId::from_uuid),
            status: status.0.map(Into::into),
            mine: mine.0,
        };
        Ok(Json(shown(requests.service.board(&auth.0, query, page).await?)?))
    }

    /// A task
    ///
    /// For those who see its board, and its claimant.
    #[oai(path = "/tasks/:id", method = "get", operation_id = "tasks_get")]
    async fn get(
        &self,
        requests: Data<&ResidentRequests>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Json<Task>, TasksGet> {
        Ok(Json(shown(
            requests.service.task(&auth.0, TaskId::from_uuid(id.0)).await?,
        )?))
    }

    /// Claim a task
    ///
    /// A Party member of the task's community claims an open task for themselves. Exactly one
    /// claimant ever holds a task: of many claiming at once one wins (200) and every other is
    /// told `task_already_claimed` (409). The winner retrying (a lost answer) gets 200 again.
    /// Codes also: `claim_not_allowed` (403: you see the board as staff but are no Party
    /// member there), `own_request` (403: the request is yours), `task_state` (409: done,
    /// verified, withdrawn), `team_unknown` (422: teams claim once volunteering lands).
    #[oai(path = "/tasks/:id/claim", method = "post", operation_id = "tasks_claim")]
    async fn claim(
        &self,
        requests: Data<&ResidentRequests>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<ClaimBody>,
    ) -> Answer<Json<Task>, TasksClaim> {
        let team = body.0.team_id.map(VolunteerTeamId::from_uuid);
        let view = requests
            .service
            .claim(&auth.0, TaskId::from_uuid(id.0), team)
            .await?;
        Ok(Json(shown(view)?))
    }

    /// Release a claimed task
    ///
    /// Its claimant gives an unstarted task back to the board.
    #[oai(path = "/tasks/:id/release", method = "post", operation_id = "tasks_release")]
    async fn release(
        &self,
        requests: Data<&ResidentRequests>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Json<Task>, TasksWork> {
        let view = requests.service.release(&auth.0, TaskId::from_uuid(id.0)).await?;
        Ok(Json(shown(view)?))
    }

    /// Start a claimed task
    #[oai(path = "/tasks/:id/start", method = "post", operation_id = "tasks_start")]
    async fn start(
        &self,
        requests: Data<&ResidentRequests>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Json<Task>, TasksWork> {
        let view = requests.service.start(&auth.0, TaskId::from_uuid(id.0)).await?;
        Ok(Json(shown(view)?))
    }

    /// Complete a started task
    ///
    /// Its claimant reports the work done, with a note and photos (their own uploads).
    #[oai(
        path = "/tasks/:id/complete",
        method = "post",
        operation_id = "tasks_complete"
    )]
    async fn complete(
        &self,
        requests: Data<&ResidentRequests>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<CompletionBody>,
    ) -> Answer<Json<Task>, TasksWork> {
        let body = body.0;
        let view = requests
            .service
            .complete(
                &auth.0,
                TaskId::from_uuid(id.0),
                NewCompletion {
                    note: body.note.0,
                    photos: body.photos,
                },
            )
            .await?;
        Ok(Json(shown(view)?))
    }

    /// Verify a completed task
    ///
    /// Staff over its grid, never the person who did the work (`own_task`, 403). The last
    /// verification resolves the request.
    #[oai(path = "/tasks/:id/verify", method = "post", operation_id = "tasks_verify")]
    async fn verify(
        &self,
        requests: Data<&ResidentRequests>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Json<Task>, TasksVerify> {
        let view = requests.service.verify(&auth.0, TaskId::from_uuid(id.0)).await?;
        Ok(Json(shown(view)?))
    }
}
