//! Resource offers (资源清单): what units put at the communities' disposal.

use chrono::NaiveDate;
use linli_dual_reporting::ResourceOfferId;
use linli_kernel::UnitId;
use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use uuid::Uuid;

use super::banks::offer_query;
use super::lists_dto::{NewResourceOffer, ResourceKind, ResourceOffer, ResourceOfferList, Validity};
use super::{DualReporting, DualReportingTags};
use crate::http::contract::{Answer, errors};
use crate::http::dto::Created;
use crate::http::pagination::{Limit, page_request};
use crate::http::security::BearerAuth;

errors!(ResourceOffersCreate: [Auth, Post, Idempotent] {
    400: [validation_failed],
    403: [forbidden],
    404: [unit_not_found],
    422: [unknown_category],
});

errors!(ResourceOffersList: [Auth, Params] { 400: [validation_failed] });

errors!(ResourceOffersGet: [Auth, Params] { 404: [resource_offer_not_found] });

#[derive(Default)]
pub struct ResourceOffersApi;

#[OpenApi(prefix_path = "/api/v1", tag = "DualReportingTags::ResourceOffers")]
impl ResourceOffersApi {
    /// Offer a resource
    ///
    /// A unit's admin offers funds, a venue, equipment, volunteers or expertise in the unit's
    /// name, in some quantity, for a period; the district admin may enter an offer for any
    /// unit. Codes: `unit_not_found`, `forbidden` (not an admin of the unit),
    /// `unknown_category` (422), `validation_failed` (also a period that ends before it
    /// starts, or has ended).
    #[oai(
        path = "/resource-offers",
        method = "post",
        operation_id = "resource_offers_create"
    )]
    async fn create(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        /// A retry with the same key and body gets the first answer (`idempotent-replayed:
        /// true`) and offers nothing twice; 1 to 128 visible ASCII characters.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        body: Json<NewResourceOffer>,
    ) -> Answer<Created<ResourceOffer>, ResourceOffersCreate> {
        let body = body.0;
        let view = dual
            .lists
            .offers
            .create(
                &auth.0,
                linli_dual_reporting::service::NewOffer {
                    unit_id: UnitId::from_uuid(body.unit_id),
                    kind: linli_dual_reporting::ResourceKind::from(body.kind)
                        .as_str()
                        .to_owned(),
                    category: body.category.map(String::from),
                    title: body.title.into(),
                    description: body.description.into(),
                    amount: body.amount,
                    measure: body.measure.into(),
                    valid_from: body.valid_from,
                    valid_until: body.valid_until,
                },
            )
            .await?;
        Ok(Created::Created(Json(view.into())))
    }

    /// Resource offers you may see
    ///
    /// The offers of the units you administer, and, for administrators, those of units paired
    /// with grids in their scope (district staff see all); oldest first, narrowed by the
    /// optional filters (`open=true`: valid today and not used up). Anyone else gets an empty
    /// list. The offers that may serve a need are ranked by `GET /needs/{id}/matches`.
    #[oai(
        path = "/resource-offers",
        method = "get",
        operation_id = "resource_offers_list"
    )]
    // One parameter per query filter, each documented in the spec.
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        unit_id: Query<Option<Uuid>>,
        kind: Query<Option<ResourceKind>>,
        open: Query<Option<bool>>,
        /// Only offers valid on this day (`2026-12-01`), used up or not.
        valid_on: Query<Option<NaiveDate>>,
        /// Only offers whose period has not begun (`upcoming`), has begun and not ended
        /// (`current`) or has ended (`expired`) today, in the district's time.
        validity: Query<Option<Validity>>,
        limit: Query<Option<Limit>>,
        cursor: Query<Option<String>>,
    ) -> Answer<Json<ResourceOfferList>, ResourceOffersList> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let query = offer_query(unit_id.0, kind.0, open.0, valid_on.0, validity.0);
        Ok(Json(dual.lists.offers.list(&auth.0, query, page).await?.into()))
    }

    /// A resource offer
    ///
    /// Its unit's admins, the administrators over its unit's grid and district staff see it;
    /// anyone else is told `resource_offer_not_found` (404).
    #[oai(
        path = "/resource-offers/:id",
        method = "get",
        operation_id = "resource_offers_get"
    )]
    async fn get(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Json<ResourceOffer>, ResourceOffersGet> {
        Ok(Json(
            dual.lists
                .offers
                .get(&auth.0, ResourceOfferId::from_uuid(id.0))
                .await?
                .into(),
        ))
    }
}
