//! The dictionary of request categories: deadlines and extra questions.

use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::Json;

use super::dto::{NewRequestCategory, RequestCategory, RequestCategoryList, RequestCategoryPatch, questions};
use super::{RequestTags, ResidentRequests};
use crate::http::contract::{Answer, errors};
use crate::http::dto::Created;
use crate::http::security::BearerAuth;

errors!(RequestCategoriesList: [Auth] {});

errors!(RequestCategoriesCreate: [Auth, Post, Idempotent] {
    400: [validation_failed],
    403: [forbidden],
    409: [request_category_taken],
});

errors!(RequestCategoriesUpdate: [Auth, Params, Body] {
    400: [validation_failed],
    403: [forbidden],
    404: [request_category_not_found],
});

#[derive(Default)]
pub struct RequestCategoriesApi;

#[OpenApi(prefix_path = "/api/v1", tag = "RequestTags::RequestCategories")]
impl RequestCategoriesApi {
    /// The request categories
    ///
    /// Every category, active or retired, by key, with its deadlines and extra questions;
    /// anyone logged in reads them (the mini-program shows them when a resident posts). A
    /// district starts with five: `emergency` (2 h to respond / 24 h to resolve), `utilities`
    /// (24 h / 72 h), `general` (2 days / 7 days), `complex` (2 days / 15 days) and `wish`
    /// (微心愿, 3 days / 30 days).
    #[oai(
        path = "/request-categories",
        method = "get",
        operation_id = "request_categories_list"
    )]
    async fn list(
        &self,
        requests: Data<&ResidentRequests>,
        _auth: BearerAuth,
    ) -> Answer<Json<RequestCategoryList>, RequestCategoriesList> {
        let items = requests.service.categories().await?;
        Ok(Json(RequestCategoryList {
            items: items.into_iter().map(Into::into).collect(),
        }))
    }

    /// Add a request category
    ///
    /// District admins only. Codes: `forbidden`, `request_category_taken` (409,
    /// `details.key`), `validation_failed` (a key is 1 to 32 lowercase letters, digits or `_`;
    /// deadlines 1 minute to 90 days, resolution not before response; at most 10 questions,
    /// each with the fields its type needs).
    #[oai(
        path = "/request-categories",
        method = "post",
        operation_id = "request_categories_create"
    )]
    async fn create(
        &self,
        requests: Data<&ResidentRequests>,
        auth: BearerAuth,
        /// A retry with the same key and body gets the first answer (`idempotent-replayed:
        /// true`) and changes nothing twice; 1 to 128 visible ASCII characters.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        body: Json<NewRequestCategory>,
    ) -> Answer<Created<RequestCategory>, RequestCategoriesCreate> {
        let body = body.0;
        let new = linli_resident_requests::service::NewCategory {
            key: body.key.0,
            name: body.name.0,
            respond_within_minutes: body.respond_within_minutes,
            resolve_within_minutes: body.resolve_within_minutes,
            questions: questions(body.questions)?,
        };
        let category = requests.service.create_category(&auth.0, new).await?;
        Ok(Created::Created(Json(category.into())))
    }

    /// Change a request category
    ///
    /// District admins only: its name, deadlines (for requests posted from now on), questions,
    /// or `active: false` to retire it. Codes: `forbidden`, `request_category_not_found`,
    /// `validation_failed`.
    #[oai(
        path = "/request-categories/:key",
        method = "patch",
        operation_id = "request_categories_update"
    )]
    async fn update(
        &self,
        requests: Data<&ResidentRequests>,
        auth: BearerAuth,
        key: Path<String>,
        body: Json<RequestCategoryPatch>,
    ) -> Answer<Json<RequestCategory>, RequestCategoriesUpdate> {
        let body = body.0;
        let patch = linli_resident_requests::service::CategoryPatch {
            name: body.name.map(String::from),
            respond_within_minutes: body.respond_within_minutes,
            resolve_within_minutes: body.resolve_within_minutes,
            questions: body.questions.map(questions).transpose()?,
            active: body.active,
        };
        let category = requests.service.update_category(&auth.0, &key.0, patch).await?;
        Ok(Json(category.into()))
    }
}
