//! Co-building projects (项目清单): a need matched with offers, signed by both sides, run to
//! completion or cancelled, with the activities held under them.

use linli_dual_reporting::service::{NewShare, ProjectQuery};
use linli_dual_reporting::{NeedId, ProjectId, ResourceOfferId};
use linli_kernel::UnitId;
use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use uuid::Uuid;

use super::lists_dto::{
    Activity, ActivityList, NewActivity, NewProject, Project, ProjectCancellation, ProjectList, ProjectStatus,
};
use super::{DualReporting, DualReportingTags};
use crate::http::contract::{Answer, errors};
use crate::http::dto::Created;
use crate::http::pagination::{Limit, page_request};
use crate::http::security::BearerAuth;

errors!(ProjectsCreate: [Auth, Post, Idempotent] {
    400: [validation_failed],
    403: [forbidden],
    404: [need_not_found, resource_offer_not_found],
    409: [need_state, resource_offer_not_open, resource_offer_short],
});

errors!(ProjectsList: [Auth, Params] { 400: [validation_failed] });

errors!(ProjectsGet: [Auth, Params] { 404: [project_not_found] });

errors!(ProjectsSign: [Auth, Params, Post] {
    403: [forbidden],
    404: [project_not_found],
    409: [project_state, project_already_signed],
});

errors!(ProjectsStart: [Auth, Params, Post] {
    403: [forbidden],
    404: [project_not_found],
    409: [project_state, project_unsigned],
});

errors!(ProjectsComplete: [Auth, Params, Post] {
    403: [forbidden],
    404: [project_not_found],
    409: [project_state],
});

errors!(ProjectsCancel: [Auth, Params, Post] {
    400: [validation_failed],
    403: [forbidden],
    404: [project_not_found],
    409: [project_state],
});

errors!(ProjectActivitiesCreate: [Auth, Params, Post, Idempotent] {
    400: [validation_failed],
    403: [forbidden],
    404: [project_not_found],
    409: [project_state],
});

errors!(ProjectActivitiesList: [Auth, Params] { 400: [validation_failed], 404: [project_not_found] });

#[derive(Default)]
pub struct ProjectsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "DualReportingTags::Projects")]
impl ProjectsApi {
    /// Propose a project
    ///
    /// An administrator over an open need's node proposes a project for it with 1 to 10 open
    /// offers (found with `GET /needs/{id}/matches`), each giving `amount` in its measure or
    /// all that is left. The project is `planned`, signed by nobody yet; the need is taken and
    /// the offers' shares set aside at once, or not at all. Codes: `need_not_found` (404, also
    /// outside your scope), `forbidden` (you see the need but do not administer it),
    /// `resource_offer_not_found`, `need_state` (409: taken by another project or met;
    /// `details.status`), `resource_offer_not_open` (409: outside its period or used up;
    /// `details.offer_id`), `resource_offer_short` (409: less is left; `details.offer_id`),
    /// `validation_failed`.
    #[oai(path = "/projects", method = "post", operation_id = "projects_create")]
    async fn create(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        /// A retry with the same key and body gets the first answer (`idempotent-replayed:
        /// true`) and proposes nothing twice; 1 to 128 visible ASCII characters.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        body: Json<NewProject>,
    ) -> Answer<Created<Project>, ProjectsCreate> {
        let body = body.0;
        let view = dual
            .lists
            .projects
            .create(
                &auth.0,
                linli_dual_reporting::service::NewProject {
                    need_id: NeedId::from_uuid(body.need_id),
                    title: body.title.into(),
                    description: body.description.into(),
                    offers: body
                        .offers
                        .iter()
                        .map(|s| NewShare {
                            offer_id: ResourceOfferId::from_uuid(s.offer_id),
                            amount: s.amount,
                        })
                        .collect(),
                },
            )
            .await?;
        Ok(Created::Created(Json(view.into())))
    }

    /// Projects you may see
    ///
    /// Projects for needs at nodes you administer (district staff see all) and those with an
    /// offer of a unit you administer; oldest first, narrowed by the optional filters. Anyone
    /// else gets an empty list.
    #[oai(path = "/projects", method = "get", operation_id = "projects_list")]
    // One parameter per query filter, each documented in the spec.
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        status: Query<Option<ProjectStatus>>,
        need_id: Query<Option<Uuid>>,
        unit_id: Query<Option<Uuid>>,
        limit: Query<Option<Limit>>,
        cursor: Query<Option<String>>,
    ) -> Answer<Json<ProjectList>, ProjectsList> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let query = ProjectQuery {
            status: status.0.map(Into::into),
            need_id: need_id.0.map(NeedId::from_uuid),
            unit_id: unit_id.0.map(UnitId::from_uuid),
        };
        Ok(Json(dual.lists.projects.list(&auth.0, query, page).await?.into()))
    }

    /// A project
    ///
    /// Both sides see it: whoever sees its need, and the admins of its offering units (who
    /// get `need` null). Anyone else is told `project_not_found` (404).
    #[oai(path = "/projects/:id", method = "get", operation_id = "projects_get")]
    async fn get(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Json<Project>, ProjectsGet> {
        Ok(Json(
            dual.lists
                .projects
                .get(&auth.0, ProjectId::from_uuid(id.0))
                .await?
                .into(),
        ))
    }

    /// Sign a project
    ///
    /// Signs a planned project for every side you speak for that has not signed: the need's
    /// (an administrator over its node) and each offering unit you administer (`to_sign`
    /// says which). Codes: `project_not_found`, `forbidden` (you speak for no side),
    /// `project_already_signed` (409), `project_state` (409: not planned; `details.status`).
    #[oai(path = "/projects/:id/sign", method = "post", operation_id = "projects_sign")]
    async fn sign(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Json<Project>, ProjectsSign> {
        let view = dual
            .lists
            .projects
            .sign(&auth.0, ProjectId::from_uuid(id.0))
            .await?;
        Ok(Json(view.into()))
    }

    /// Start a project
    ///
    /// The need's side starts a planned project once every side has signed. Of two
    /// changes at once, one is made and the other told `project_state` (409,
    /// `details.status`). Codes also: `project_not_found`, `forbidden` (not the need's side),
    /// `project_unsigned` (409: `details.pending` lists the sides yet to sign).
    #[oai(
        path = "/projects/:id/start",
        method = "post",
        operation_id = "projects_start"
    )]
    async fn start(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Json<Project>, ProjectsStart> {
        let view = dual
            .lists
            .projects
            .start(&auth.0, ProjectId::from_uuid(id.0))
            .await?;
        Ok(Json(view.into()))
    }

    /// Complete a project
    ///
    /// The need's side, whom it served, says an active project is done; the need is met.
    /// Codes: `project_not_found`, `forbidden`, `project_state` (409: not active, or changed
    /// meanwhile; `details.status`).
    #[oai(
        path = "/projects/:id/complete",
        method = "post",
        operation_id = "projects_complete"
    )]
    async fn complete(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Json<Project>, ProjectsComplete> {
        let view = dual
            .lists
            .projects
            .complete(&auth.0, ProjectId::from_uuid(id.0))
            .await?;
        Ok(Json(view.into()))
    }

    /// Cancel a project
    ///
    /// Either side calls off a planned or active project, with a reason: the offers get their
    /// shares back and the need is open again. Codes: `project_not_found`, `forbidden`,
    /// `project_state` (409: completed or cancelled, or changed meanwhile; `details.status`),
    /// `validation_failed`.
    #[oai(
        path = "/projects/:id/cancel",
        method = "post",
        operation_id = "projects_cancel"
    )]
    async fn cancel(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<ProjectCancellation>,
    ) -> Answer<Json<Project>, ProjectsCancel> {
        let view = dual
            .lists
            .projects
            .cancel(&auth.0, ProjectId::from_uuid(id.0), &body.reason)
            .await?;
        Ok(Json(view.into()))
    }

    /// Record an activity
    ///
    /// Either side records a co-building activity held under an active project, with how
    /// many took part and how many residents it served; the project counts them. Codes:
    /// `project_not_found`, `forbidden`, `project_state` (409: not active), `validation_failed`
    /// (also a day before the project started, or in the future).
    #[oai(
        path = "/projects/:id/activities",
        method = "post",
        operation_id = "project_activities_create"
    )]
    async fn record_activity(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        /// A retry with the same key and body gets the first answer (`idempotent-replayed:
        /// true`) and records nothing twice; 1 to 128 visible ASCII characters.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        id: Path<Uuid>,
        body: Json<NewActivity>,
    ) -> Answer<Created<Activity>, ProjectActivitiesCreate> {
        let body = body.0;
        let activity = dual
            .lists
            .projects
            .record_activity(
                &auth.0,
                ProjectId::from_uuid(id.0),
                linli_dual_reporting::service::NewActivity {
                    title: body.title.into(),
                    held_on: body.held_on,
                    participants: body.participants,
                    beneficiaries: body.beneficiaries,
                    note: body.note.into(),
                },
            )
            .await?;
        Ok(Created::Created(Json(activity.into())))
    }

    /// A project's activities
    ///
    /// Oldest first, for whoever sees the project. Codes: `project_not_found` (404).
    #[oai(
        path = "/projects/:id/activities",
        method = "get",
        operation_id = "project_activities_list"
    )]
    async fn activities(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        id: Path<Uuid>,
        limit: Query<Option<Limit>>,
        cursor: Query<Option<String>>,
    ) -> Answer<Json<ActivityList>, ProjectActivitiesList> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        Ok(Json(
            dual.lists
                .projects
                .activities(&auth.0, ProjectId::from_uuid(id.0), page)
                .await?
                .into(),
        ))
    }
}
