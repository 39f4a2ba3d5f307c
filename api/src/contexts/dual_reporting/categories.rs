//! The dictionary of service categories.

use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::Header;
use poem_openapi::payload::Json;

use super::dto::{NewCategory, ServiceCategory, ServiceCategoryList};
use super::{DualReporting, DualReportingTags};
use crate::http::contract::{Answer, errors};
use crate::http::dto::Created;
use crate::http::security::BearerAuth;

errors!(ServiceCategoriesList: [Auth] {});

errors!(ServiceCategoriesCreate: [Auth, Post, Idempotent] {
    400: [validation_failed],
    403: [forbidden],
    409: [category_taken],
});

#[derive(Default)]
pub struct CategoriesApi;

#[OpenApi(prefix_path = "/api/v1", tag = "DualReportingTags::ServiceCategories")]
impl CategoriesApi {
    /// The service categories
    ///
    /// Every category, by key; anyone logged in reads them (a member's assignment and a
    /// team's specialty are named by them). A district starts with seven.
    #[oai(
        path = "/service-categories",
        method = "get",
        operation_id = "service_categories_list"
    )]
    async fn list(
        &self,
        dual: Data<&DualReporting>,
        _auth: BearerAuth,
    ) -> Answer<Json<ServiceCategoryList>, ServiceCategoriesList> {
        let items = dual.categories.list().await?;
        Ok(Json(ServiceCategoryList {
            items: items.into_iter().map(Into::into).collect(),
        }))
    }

    /// Add a service category
    ///
    /// District admins only. Codes: `forbidden`, `category_taken` (409, `details.key`),
    /// `validation_failed` (a key is 1 to 32 lowercase letters, digits or `_`).
    #[oai(
        path = "/service-categories",
        method = "post",
        operation_id = "service_categories_create"
    )]
    async fn create(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        /// A retry with the same key and body gets the first answer (`idempotent-replayed:
        /// true`) and changes nothing twice; 1 to 128 visible ASCII characters.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        body: Json<NewCategory>,
    ) -> Answer<Created<ServiceCategory>, ServiceCategoriesCreate> {
        let category = dual.categories.create(&auth.0, &body.key, &body.name).await?;
        Ok(Created::Created(Json(category.into())))
    }
}
