//! Needs (需求清单) posted by subdistricts and communities, and the offers that match them.

use linli_dual_reporting::NeedId;
use linli_dual_reporting::service::{NeedPlace, NeedQuery};
use linli_kernel::{CommunityId, PageRequest, Rule, SubdistrictId, ValidationError};
use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use uuid::Uuid;

use super::lists_dto::{Need, NeedList, NeedMatches, NeedStatus, NewNeed, ResourceKind, Urgency};
use super::{DualReporting, DualReportingTags};
use crate::http::contract::{Answer, errors};
use crate::http::dto::Created;
use crate::http::pagination::{Limit, page_request};
use crate::http::security::BearerAuth;

errors!(NeedsCreate: [Auth, Post, Idempotent] {
    400: [validation_failed],
    403: [forbidden],
    404: [community_not_found, subdistrict_not_found],
    422: [unknown_category],
});

errors!(NeedsList: [Auth, Params] { 400: [validation_failed] });

errors!(NeedsGet: [Auth, Params] { 404: [need_not_found] });

errors!(NeedsMatches: [Auth, Params] { 400: [validation_failed], 404: [need_not_found] });

/// The node a body names: a community or a subdistrict, exactly one.
fn place(body: &NewNeed) -> Result<NeedPlace, ValidationError> {
    match (body.community_id, body.subdistrict_id) {
        (Some(community), None) => Ok(NeedPlace::Community(CommunityId::from_uuid(community))),
        (None, Some(subdistrict)) => Ok(NeedPlace::Subdistrict(SubdistrictId::from_uuid(subdistrict))),
        (Some(_), Some(_)) => Err(ValidationError::new(
            "community_id",
            Rule::MutuallyExclusive,
            "give community_id or subdistrict_id, not both",
        )
        .with("other", "subdistrict_id")),
        (None, None) => Err(ValidationError::new(
            "community_id",
            Rule::Empty,
            "give community_id or subdistrict_id",
        )),
    }
}

#[derive(Default)]
pub struct NeedsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "DualReportingTags::Needs")]
impl NeedsApi {
    /// Post a need
    ///
    /// An administrator of a community or a subdistrict (or the district admin) posts what it
    /// needs, at that node: `community_id` or `subdistrict_id`, exactly one. A node outside
    /// your scope is answered as not there. Codes: `community_not_found`,
    /// `subdistrict_not_found`, `forbidden` (you see the node but do not administer it),
    /// `unknown_category` (422), `validation_failed`.
    #[oai(path = "/needs", method = "post", operation_id = "needs_create")]
    async fn create(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        /// A retry with the same key and body gets the first answer (`idempotent-replayed:
        /// true`) and posts nothing twice; 1 to 128 visible ASCII characters.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        body: Json<NewNeed>,
    ) -> Answer<Created<Need>, NeedsCreate> {
        let body = body.0;
        let place = place(&body)?;
        let need = dual
            .lists
            .needs
            .create(
                &auth.0,
                linli_dual_reporting::service::NewNeed {
                    place,
                    kind: linli_dual_reporting::ResourceKind::from(body.kind)
                        .as_str()
                        .to_owned(),
                    category: body.category.map(String::from),
                    title: body.title.into(),
                    description: body.description.into(),
                    urgency: linli_dual_reporting::Urgency::from(body.urgency)
                        .as_str()
                        .to_owned(),
                    amount: body.amount,
                    measure: body.measure.into(),
                },
            )
            .await?;
        Ok(Created::Created(Json(need.into())))
    }

    /// Needs you may see
    ///
    /// The needs posted at nodes you administer or under them (district staff see all);
    /// oldest first, narrowed by the optional filters. Anyone else gets an empty list.
    #[oai(path = "/needs", method = "get", operation_id = "needs_list")]
    // One parameter per query filter, each documented in the spec.
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        status: Query<Option<NeedStatus>>,
        kind: Query<Option<ResourceKind>>,
        urgency: Query<Option<Urgency>>,
        limit: Query<Option<Limit>>,
        cursor: Query<Option<String>>,
    ) -> Answer<Json<NeedList>, NeedsList> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let query = NeedQuery {
            status: status.0.map(Into::into),
            kind: kind.0.map(Into::into),
            urgency: urgency.0.map(Into::into),
        };
        Ok(Json(dual.lists.needs.list(&auth.0, query, page).await?.into()))
    }

    /// A need
    ///
    /// District staff and the administrators over the node that posted it see it; anyone
    /// else is told `need_not_found` (404).
    #[oai(path = "/needs/:id", method = "get", operation_id = "needs_get")]
    async fn get(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Json<Need>, NeedsGet> {
        Ok(Json(
            dual.lists
                .needs
                .get(&auth.0, NeedId::from_uuid(id.0))
                .await?
                .into(),
        ))
    }

    /// Offers that match a need
    ///
    /// Every offer of the district open today (valid, not used up), ranked for the need, the
    /// best `limit` (default 20, at most 100): an offer of the need's kind before any other;
    /// then the nearer in purpose and place (same service category; a unit paired in the
    /// same community, else in the same subdistrict); then the one whose quantity fits
    /// (covers the need, else part of it, in the same measure); ties go to the offer that
    /// lapses first, then by id. Each match carries its `score` and `reasons`. Whoever sees
    /// the need sees the matches, wherever the offering units are: the resource bank is
    /// there to be drawn on. Codes: `need_not_found` (404, also outside your scope).
    #[oai(path = "/needs/:id/matches", method = "get", operation_id = "needs_matches")]
    async fn matches(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        id: Path<Uuid>,
        limit: Query<Option<Limit>>,
    ) -> Answer<Json<NeedMatches>, NeedsMatches> {
        let limit = PageRequest::new(limit.0.map(|l| l.0), None)?.limit();
        let (need, matches) = dual
            .lists
            .needs
            .matches(
                &auth.0,
                NeedId::from_uuid(id.0),
                usize::try_from(limit).unwrap_or(20),
            )
            .await?;
        Ok(Json(NeedMatches {
            need: need.into(),
            items: matches.into_iter().map(Into::into).collect(),
        }))
    }
}
