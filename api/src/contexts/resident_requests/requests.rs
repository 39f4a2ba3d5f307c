//! Residents' requests: posted from a phone, routed to a grid and a responsible person, handled
//! by the grid's staff, confirmed and rated by the author.

use linli_kernel::{BuildingId, CommunityId, GridId, RequestId};
use linli_resident_requests::service::{NewRating, NewRequest as DomainRequest, RequestQuery, Transfer};
use linli_resident_requests::{CategoryKey, RequestStatus as DomainStatus};
use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use uuid::Uuid;

use super::dto::{
    Acceptance, Confirmation, MergeBody, NewRequest, NoteBody, Reason, RequestList, RequestStatus,
    ResidentRequest, ResidentRequestDetail, TransferBody,
};
use super::{RequestTags, ResidentRequests, shown};
use crate::http::contract::{Answer, errors};
use crate::http::dto::Created;
use crate::http::pagination::{Limit, page_request};
use crate::http::security::BearerAuth;

errors!(RequestsPost: [Auth, Post, Idempotent] {
    400: [validation_failed],
    404: [building_not_found, grid_not_found],
    422: [unknown_request_category, location_required, content_rejected, photo_not_uploaded],
    503: [content_check_unavailable],
});

errors!(RequestsList: [Auth, Params] { 400: [validation_failed] });

errors!(RequestsGet: [Auth, Params] { 404: [request_not_found] });

errors!(RequestsHandle: [Auth, Params, Post] {
    400: [validation_failed],
    403: [forbidden],
    404: [request_not_found],
    409: [request_state, request_changed],
});

errors!(RequestsTransfer: [Auth, Params, Post] {
    400: [validation_failed],
    403: [forbidden],
    404: [request_not_found, grid_not_found],
    409: [request_state, request_changed],
});

errors!(RequestsMerge: [Auth, Params, Post] {
    400: [validation_failed],
    403: [forbidden],
    404: [request_not_found],
    409: [request_state, request_changed],
    422: [merge_target_invalid],
});

errors!(RequestsResolve: [Auth, Params, Post] {
    400: [validation_failed],
    403: [forbidden],
    404: [request_not_found],
    409: [request_state, request_changed, tasks_unfinished],
});

errors!(RequestsClose: [Auth, Params, Post] {
    400: [validation_failed],
    403: [not_author],
    404: [request_not_found],
    409: [request_state, request_changed],
    422: [content_rejected],
    503: [content_check_unavailable],
});

errors!(RequestsAddTasks: [Auth, Params, Post, Idempotent] {
    400: [validation_failed],
    403: [forbidden],
    404: [request_not_found],
    409: [request_state, request_changed],
});

#[derive(Default)]
pub struct RequestsApi;

/// The status filter, from the spec's enum to the domain's.
fn status(s: Option<RequestStatus>) -> Option<DomainStatus> {
    s.map(Into::into)
}

#[OpenApi(prefix_path = "/api/v1", tag = "RequestTags::Requests")]
impl RequestsApi {
    /// Post a request
    ///
    /// Routed to the grid of `building_id`, else of your registered home (`PUT /me/residence`),
    /// else `grid_id`, and to one responsible person there (the grid's workers in turn, else
    /// its leader, else the community's admin), with the category's two deadlines. The title
    /// and description go through the content check: `content_rejected` (422, nothing
    /// stored), or stored as `moderation: pending_review` (shown only to you and the staff
    /// until they approve it); `content_check_unavailable` (503, nothing stored: post again).
    /// Codes also: `unknown_request_category` (or retired), `location_required` (no building,
    /// no home, no grid), `photo_not_uploaded` (`details.photo`: not one of your uploads),
    /// `building_not_found`, `grid_not_found`, `validation_failed`.
    #[oai(path = "/requests", method = "post", operation_id = "requests_post")]
    async fn post(
        &self,
        requests: Data<&ResidentRequests>,
        auth: BearerAuth,
        /// A retry with the same key and body gets the first answer (`idempotent-replayed:
        /// true`) and posts nothing twice: send one with every post from a phone.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        body: Json<NewRequest>,
    ) -> Answer<Created<ResidentRequest>, RequestsPost> {
        let body = body.0;
        let view = requests
            .service
            .post(
                &auth.0,
                DomainRequest {
                    category: body.category.0,
                    title: body.title.0,
                    description: body.description.0,
                    photos: body.photos,
                    answers: body.answers.into_iter().collect(),
                    building_id: body.building_id.map(BuildingId::from_uuid),
                    grid_id: body.grid_id.map(GridId::from_uuid),
                    anonymous: body.anonymous,
                },
            )
            .await?;
        Ok(Created::Created(Json(shown(view)?)))
    }

    /// Requests you may see
    ///
    /// Newest first: with `mine=true` your own (and those yours was merged into); otherwise
    /// also those of the grids you handle as staff, and the visible ones of the grid you live
    /// in (an anonymous author shown to nobody but the staff). Narrowed by the filters.
    #[oai(path = "/requests", method = "get", operation_id = "requests_list")]
    #[expect(
        clippy::too_many_arguments,
        reason = "one argument per query parameter of the spec"
    )]
    async fn list(
        &self,
        requests: Data<&ResidentRequests>,
        auth: BearerAuth,
        /// Only your own requests and those you follow.
        #[oai(default)]
        mine: Query<bool>,
        grid_id: Query<Option<Uuid>>,
        community_id: Query<Option<Uuid>>,
        status: Query<Option<RequestStatus>>,
        /// A category's key.
        category: Query<Option<String>>,
        limit: Query<Option<Limit>>,
        cursor: Query<Option<String>>,
    ) -> Answer<Json<RequestList>, RequestsList> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let query = RequestQuery {
            mine: mine.0,
            grid_id: grid_id.0.map(GridId::from_uuid),
            community_id: community_id.0.map(CommunityId::from_uuid),
            status: self::status(status.0),
            category: category
                .0
                .as_deref()
                .map(|c| CategoryKey::parse("category", c))
                .transpose()?,
        };
        let found = requests.service.list(&auth.0, query, page).await?;
        Ok(Json(shown(found)?))
    }

    /// A request, with its tasks and timeline
    ///
    /// Its author, those following it, the staff over its grid, and (when visible) the
    /// residents of its grid see it; for anyone else `request_not_found` (404).
    #[oai(path = "/requests/:id", method = "get", operation_id = "requests_get")]
    async fn get(
        &self,
        requests: Data<&ResidentRequests>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Json<ResidentRequestDetail>, RequestsGet> {
        let detail = requests.service.get(&auth.0, RequestId::from_uuid(id.0)).await?;
        Ok(Json(shown(detail)?))
    }

    /// Approve a held request
    ///
    /// Staff over its grid let a request the content check held be seen by others.
    #[oai(
        path = "/requests/:id/approve",
        method = "post",
        operation_id = "requests_approve"
    )]
    async fn approve(
        &self,
        requests: Data<&ResidentRequests>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Json<ResidentRequest>, RequestsHandle> {
        let view = requests
            .service
            .approve(&auth.0, RequestId::from_uuid(id.0))
            .await?;
        Ok(Json(shown(view)?))
    }

    /// Accept a request with its tasks
    ///
    /// Staff over its grid take a submitted (or transferred) request on, with 1 to 20 tasks
    /// that open on the grid's task board. Of two answering at once one wins; the other is
    /// told `request_state` (409, `details.status`). Codes also: `forbidden` (you see it but
    /// do not handle it), `request_not_found`, `validation_failed`.
    #[oai(
        path = "/requests/:id/accept",
        method = "post",
        operation_id = "requests_accept"
    )]
    async fn accept(
        &self,
        requests: Data<&ResidentRequests>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<Acceptance>,
    ) -> Answer<Json<ResidentRequest>, RequestsHandle> {
        let tasks = body.0.tasks.into_iter().map(Into::into).collect();
        let view = requests
            .service
            .accept(&auth.0, RequestId::from_uuid(id.0), tasks)
            .await?;
        Ok(Json(shown(view)?))
    }

    /// Add tasks to a request being handled
    ///
    /// After a reopening, or when more work is found; 20 tasks a request at most.
    #[oai(
        path = "/requests/:id/tasks",
        method = "post",
        operation_id = "requests_add_tasks"
    )]
    async fn add_tasks(
        &self,
        requests: Data<&ResidentRequests>,
        auth: BearerAuth,
        id: Path<Uuid>,
        /// A retry with the same key and body gets the first answer and adds nothing twice.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        body: Json<Acceptance>,
    ) -> Answer<Json<ResidentRequest>, RequestsAddTasks> {
        let tasks = body.0.tasks.into_iter().map(Into::into).collect();
        let view = requests
            .service
            .add_tasks(&auth.0, RequestId::from_uuid(id.0), tasks)
            .await?;
        Ok(Json(shown(view)?))
    }

    /// Reject a request
    ///
    /// With a reason the author reads.
    #[oai(
        path = "/requests/:id/reject",
        method = "post",
        operation_id = "requests_reject"
    )]
    async fn reject(
        &self,
        requests: Data<&ResidentRequests>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<Reason>,
    ) -> Answer<Json<ResidentRequest>, RequestsHandle> {
        let view = requests
            .service
            .reject(&auth.0, RequestId::from_uuid(id.0), &body.reason)
            .await?;
        Ok(Json(shown(view)?))
    }

    /// Transfer a request to another grid
    ///
    /// It waits there (`transferred`) for that grid's staff, with a new responsible person and
    /// the deadlines it had: the clock keeps running. Codes: `grid_not_found`, `request_state`
    /// (also: the grid it is in already), and those of accepting.
    #[oai(
        path = "/requests/:id/transfer",
        method = "post",
        operation_id = "requests_transfer"
    )]
    async fn transfer(
        &self,
        requests: Data<&ResidentRequests>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<TransferBody>,
    ) -> Answer<Json<ResidentRequest>, RequestsTransfer> {
        let body = body.0;
        let view = requests
            .service
            .transfer(
                &auth.0,
                RequestId::from_uuid(id.0),
                Transfer {
                    grid_id: GridId::from_uuid(body.grid_id),
                    note: body.note.0,
                },
            )
            .await?;
        Ok(Json(shown(view)?))
    }

    /// Merge a request into another
    ///
    /// A request waiting for its first answer is folded into another open request you handle
    /// too; its author follows that one from then on (sees it, hears its events). Codes:
    /// `merge_target_invalid` (itself, or a request not open), and those of accepting.
    #[oai(
        path = "/requests/:id/merge",
        method = "post",
        operation_id = "requests_merge"
    )]
    async fn merge(
        &self,
        requests: Data<&ResidentRequests>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<MergeBody>,
    ) -> Answer<Json<ResidentRequest>, RequestsMerge> {
        let view = requests
            .service
            .merge(
                &auth.0,
                RequestId::from_uuid(id.0),
                RequestId::from_uuid(body.0.into),
            )
            .await?;
        Ok(Json(shown(view)?))
    }

    /// Resolve a request
    ///
    /// Staff resolve a request being handled when nobody holds one of its tasks
    /// (`tasks_unfinished`, 409); its open tasks leave the board. A request also resolves
    /// itself on the verification of its last task.
    #[oai(
        path = "/requests/:id/resolve",
        method = "post",
        operation_id = "requests_resolve"
    )]
    async fn resolve(
        &self,
        requests: Data<&ResidentRequests>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<NoteBody>,
    ) -> Answer<Json<ResidentRequest>, RequestsResolve> {
        let view = requests
            .service
            .resolve(&auth.0, RequestId::from_uuid(id.0), &body.note)
            .await?;
        Ok(Json(shown(view)?))
    }

    /// Confirm and rate the outcome
    ///
    /// The author of a resolved request closes it with a rating of 1 to 5 (4 and 5 count as
    /// satisfied) and a comment. Codes: `not_author` (403), `request_state` (409: not
    /// resolved), `validation_failed`.
    #[oai(
        path = "/requests/:id/confirm",
        method = "post",
        operation_id = "requests_confirm"
    )]
    async fn confirm(
        &self,
        requests: Data<&ResidentRequests>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<Confirmation>,
    ) -> Answer<Json<ResidentRequest>, RequestsClose> {
        let body = body.0;
        let rating = NewRating {
            stars: body.rating,
            comment: body.comment.0,
        };
        let view = requests
            .service
            .confirm(&auth.0, RequestId::from_uuid(id.0), rating)
            .await?;
        Ok(Json(shown(view)?))
    }

    /// Reopen a resolved request
    ///
    /// The author says the problem is not solved, with a reason: back to `accepted`, for the
    /// staff to add the work still needed.
    #[oai(
        path = "/requests/:id/reopen",
        method = "post",
        operation_id = "requests_reopen"
    )]
    async fn reopen(
        &self,
        requests: Data<&ResidentRequests>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<Reason>,
    ) -> Answer<Json<ResidentRequest>, RequestsClose> {
        let view = requests
            .service
            .reopen(&auth.0, RequestId::from_uuid(id.0), &body.reason)
            .await?;
        Ok(Json(shown(view)?))
    }
}
