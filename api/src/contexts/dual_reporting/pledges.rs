//! Pledges (承诺践诺): a Party member the community received pledges a year's service, records
//! each time they keep it, and the staff over their grid verify or reject each record.

use linli_dual_reporting::service::{PledgeDetail, PledgeQuery, PledgeView};
use linli_dual_reporting::{FulfilmentId, PledgeId};
use linli_kernel::{CommunityId, UnitId};
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use uuid::Uuid;

use super::{DualReporting, DualReportingTags};
use crate::http::contract::{Answer, errors};
use crate::http::dto::{Created, Person, Text, Timestamp};
use crate::http::pagination::{Limit, list_of, page_request};
use crate::http::security::BearerAuth;

/// Where a record of a pledge stands: `submitted → verified | rejected`, once.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case", remote = "linli_dual_reporting::FulfilmentStatus")]
pub enum FulfilmentStatus {
    /// Recorded by the member, waiting for the staff over their grid.
    Submitted,
    /// Verified: it counts towards the pledge's progress.
    Verified,
    /// Rejected, with a reason; it frees its place under the target.
    Rejected,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct NewPledge {
    /// What you promise, e.g. `每月走访独居老人`: 1 to 50 characters.
    pub title: Text,
    /// The key of a service category (`GET /service-categories`).
    pub category: Text,
    /// How many times you promise to do it: 1 to 1000.
    pub target: i64,
    /// The year the pledge is for: this year or the next.
    pub period: i64,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct NewFulfilment {
    /// What you did: 1 to 500 characters.
    pub note: Text,
    /// At most 9 photos, each an `https://` address or a `/files/` path of this system, at
    /// most 512 characters, none twice.
    #[oai(default)]
    pub photos: Vec<Text>,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct FulfilmentRejection {
    /// Why, for the member: 1 to 200 characters.
    pub reason: Text,
}

/// A pledge's progress: its verified records against its target.
#[derive(Object, Debug)]
pub struct PledgeProgress {
    /// Records verified: what counts.
    pub verified: u32,
    /// Records awaiting a decision.
    pub pending: u32,
    pub target: u32,
    /// Whether the verified records reach the target.
    pub kept: bool,
}

/// A member's pledge. Its member, the staff over the member's grid and the admins of the
/// member's unit see it, and its member whole.
#[derive(Object, Debug)]
pub struct Pledge {
    pub id: Uuid,
    pub title: String,
    /// The key of its service category.
    pub category: String,
    /// The year it is for.
    pub period: i32,
    pub progress: PledgeProgress,
    /// Where the member served when pledging; the pledge stays there.
    pub community_id: Uuid,
    pub grid_id: Uuid,
    /// The unit employing the member; null for a member transferred to the community.
    #[oai(nullable)]
    pub unit_id: Option<Uuid>,
    pub member: Person,
    pub created_at: Timestamp,
}

impl From<PledgeView> for Pledge {
    fn from(view: PledgeView) -> Self {
        let p = view.pledge;
        Self {
            id: p.id.as_uuid(),
            progress: PledgeProgress {
                verified: p.verified,
                pending: p.pending,
                target: p.target,
                kept: p.is_kept(),
            },
            title: p.title,
            category: p.category.to_string(),
            period: p.period.year(),
            community_id: p.place.community.map(|c| c.as_uuid()).unwrap_or_default(),
            grid_id: p.place.grid.map(|g| g.as_uuid()).unwrap_or_default(),
            unit_id: p.unit_id.map(|u| u.as_uuid()),
            member: view.member.into(),
            created_at: p.created_at.into(),
        }
    }
}

list_of!(PledgeList, Pledge);

/// One record of a pledge kept.
#[derive(Object, Debug)]
pub struct Fulfilment {
    pub id: Uuid,
    pub pledge_id: Uuid,
    pub note: String,
    pub photos: Vec<String>,
    pub status: FulfilmentStatus,
    /// Why it was rejected; null otherwise.
    #[oai(nullable)]
    pub reason: Option<String>,
    pub submitted_at: Timestamp,
    /// Who verified or rejected it; null while submitted.
    #[oai(nullable)]
    pub decided_by: Option<Uuid>,
    #[oai(nullable)]
    pub decided_at: Option<Timestamp>,
}

impl From<linli_dual_reporting::Fulfilment> for Fulfilment {
    fn from(f: linli_dual_reporting::Fulfilment) -> Self {
        Self {
            id: f.id.as_uuid(),
            pledge_id: f.pledge_id.as_uuid(),
            note: f.note,
            photos: f.photos,
            status: f.status.into(),
            reason: f.reason,
            submitted_at: f.submitted_at.into(),
            decided_by: f.decided_by.map(|u| u.as_uuid()),
            decided_at: f.decided_at.map(Into::into),
        }
    }
}

/// A pledge with every record of it, oldest first.
#[derive(Object, Debug)]
pub struct PledgeWithFulfilments {
    #[oai(flatten)]
    pub pledge: Pledge,
    pub fulfilments: Vec<Fulfilment>,
}

impl From<PledgeDetail> for PledgeWithFulfilments {
    fn from(detail: PledgeDetail) -> Self {
        Self {
            pledge: detail.view.into(),
            fulfilments: detail.fulfilments.into_iter().map(Into::into).collect(),
        }
    }
}

errors!(PledgesCreate: [Auth, Post, Idempotent] {
    400: [validation_failed],
    403: [not_a_reported_member],
    409: [pledge_limit],
    422: [unknown_category],
});

errors!(PledgesList: [Auth, Params] { 400: [validation_failed] });

errors!(PledgesGet: [Auth, Params] { 404: [pledge_not_found] });

errors!(PledgesRecord: [Auth, Params, Post, Idempotent] {
    400: [validation_failed],
    403: [forbidden, not_a_reported_member],
    404: [pledge_not_found],
    409: [pledge_period_closed, pledge_target_reached],
});

errors!(FulfilmentsVerify: [Auth, Params, Post] {
    403: [forbidden, own_fulfilment],
    404: [fulfilment_not_found],
    409: [fulfilment_state],
});

errors!(FulfilmentsReject: [Auth, Params, Post] {
    400: [validation_failed],
    403: [forbidden, own_fulfilment],
    404: [fulfilment_not_found],
    409: [fulfilment_state],
});

#[derive(Default)]
pub struct PledgesApi;

#[OpenApi(prefix_path = "/api/v1", tag = "DualReportingTags::Pledges")]
impl PledgesApi {
    /// Make a pledge
    ///
    /// A Party member the community received (an accepted member report, or a registration as
    /// a transferred member) pledges a year's service in a category; the pledge takes the
    /// member's community, grid and unit (none for a transferred member) from it. Anyone else:
    /// `not_a_reported_member` (403). At most 20 pledges a member a year:
    /// `pledge_limit` (409, `details.max`). Codes also: `unknown_category` (422),
    /// `validation_failed` (title, target 1 to 1000, period this year or the next).
    #[oai(path = "/pledges", method = "post", operation_id = "pledges_create")]
    async fn create(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        /// A retry with the same key and body gets the first answer (`idempotent-replayed:
        /// true`) and pledges nothing twice; 1 to 128 visible ASCII characters.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        body: Json<NewPledge>,
    ) -> Answer<Created<Pledge>, PledgesCreate> {
        let body = body.0;
        let view = dual
            .pledges
            .pledge(
                &auth.0,
                linli_dual_reporting::NewPledge {
                    title: body.title.into(),
                    category: body.category.into(),
                    target: body.target,
                    period: body.period,
                },
            )
            .await?;
        Ok(Created::Created(Json(view.into())))
    }

    /// Pledges you may see
    ///
    /// Your own, those of members serving where you are staff (a grid worker sees the grid's,
    /// a community admin the community's), and those of the members of the units you
    /// administer; oldest first, narrowed by the optional filters (`mine=true`: only yours).
    /// Everyone else's is not listed (an empty list, not an error).
    #[oai(path = "/pledges", method = "get", operation_id = "pledges_list")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        community_id: Query<Option<Uuid>>,
        unit_id: Query<Option<Uuid>>,
        /// A year.
        period: Query<Option<i32>>,
        /// Only your own pledges.
        mine: Query<Option<bool>>,
        limit: Query<Option<Limit>>,
        cursor: Query<Option<String>>,
    ) -> Answer<Json<PledgeList>, PledgesList> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let query = PledgeQuery {
            community_id: community_id.0.map(CommunityId::from_uuid),
            unit_id: unit_id.0.map(UnitId::from_uuid),
            period: period.0,
            mine: mine.0.unwrap_or(false),
        };
        Ok(Json(dual.pledges.list(&auth.0, query, page).await?.into()))
    }

    /// A pledge and its records
    ///
    /// Its member, the staff over the member's grid and the admins of the member's unit see
    /// it; for anyone else `pledge_not_found` (404).
    #[oai(path = "/pledges/:id", method = "get", operation_id = "pledges_get")]
    async fn get(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Json<PledgeWithFulfilments>, PledgesGet> {
        Ok(Json(
            dual.pledges.get(&auth.0, PledgeId::from_uuid(id.0)).await?.into(),
        ))
    }

    /// Record a pledge kept
    ///
    /// The pledge's member records what they did, with photos; the staff over their grid are
    /// told (`pledge.fulfilment_submitted` on `community:<id>:reports`). Only while the
    /// community still counts them as its member (`not_a_reported_member`, 403, once their
    /// report or registration is withdrawn), during the pledge's year (`pledge_period_closed`, 409,
    /// `details.period`), and while verified and pending records stay below the target
    /// (`pledge_target_reached`, 409; a rejection frees a place). Codes also:
    /// `pledge_not_found` (404, also outside your scope), `forbidden` (you see the pledge but
    /// it is not yours), `validation_failed`.
    #[oai(
        path = "/pledges/:id/fulfilments",
        method = "post",
        operation_id = "pledges_record"
    )]
    async fn record(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        id: Path<Uuid>,
        /// A retry with the same key and body gets the first answer and records nothing
        /// twice; 1 to 128 visible ASCII characters.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        body: Json<NewFulfilment>,
    ) -> Answer<Created<Fulfilment>, PledgesRecord> {
        let body = body.0;
        let fulfilment = dual
            .pledges
            .record(
                &auth.0,
                PledgeId::from_uuid(id.0),
                linli_dual_reporting::NewFulfilment {
                    note: body.note.into(),
                    photos: body.photos.into_iter().map(String::from).collect(),
                },
            )
            .await?;
        Ok(Created::Created(Json(fulfilment.into())))
    }

    /// Verify a record
    ///
    /// The staff over the member's grid (its grid leader and workers, the community admin and
    /// those above) verify a submitted record: it counts towards the pledge's progress. The
    /// member and the community's staff are told (`pledge.fulfilment_verified`). Of two
    /// deciding at once one wins; the other is told `fulfilment_state` (409,
    /// `details.status`). Codes also: `fulfilment_not_found` (404, also outside your scope),
    /// `forbidden` (you see it but do not decide: the member, a unit admin), `own_fulfilment`
    /// (403: nobody decides on their own record).
    #[oai(
        path = "/pledge-fulfilments/:id/verify",
        method = "post",
        operation_id = "pledge_fulfilments_verify"
    )]
    async fn verify(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Json<Fulfilment>, FulfilmentsVerify> {
        Ok(Json(
            dual.pledges
                .verify(&auth.0, FulfilmentId::from_uuid(id.0))
                .await?
                .into(),
        ))
    }

    /// Reject a record
    ///
    /// As verifying, with a reason the member sees (`pledge.fulfilment_rejected`); the record
    /// frees its place under the target. Codes: `fulfilment_not_found`, `forbidden`,
    /// `own_fulfilment`, `fulfilment_state` (409), `validation_failed`.
    #[oai(
        path = "/pledge-fulfilments/:id/reject",
        method = "post",
        operation_id = "pledge_fulfilments_reject"
    )]
    async fn reject(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<FulfilmentRejection>,
    ) -> Answer<Json<Fulfilment>, FulfilmentsReject> {
        Ok(Json(
            dual.pledges
                .reject(&auth.0, FulfilmentId::from_uuid(id.0), &body.reason)
                .await?
                .into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use linli_dual_reporting::events::fulfilment_events;
    use linli_dual_reporting::pledges::MemberBasis;
    use linli_dual_reporting::{
        CategoryKey, Fulfilment, FulfilmentId, FulfilmentStatus, MemberReportId, Pledge, PledgeId,
    };
    use linli_kernel::{CommunityId, GridId, ScopePath, SubdistrictId, UnitId, UserId};

    use super::super::events::conforms;

    /// A record in each state, as the domain announces it, has the documented shape.
    #[test]
    fn every_pledge_event_has_the_documented_shape() {
        let now = Utc::now();
        let pledge = Pledge {
            id: PledgeId::new(),
            user_id: UserId::new(),
            basis: MemberBasis::Report(MemberReportId::new()),
            unit_id: Some(UnitId::new()),
            place: ScopePath::grid(SubdistrictId::new(), CommunityId::new(), GridId::new()),
            title: "每月走访独居老人".to_owned(),
            category: CategoryKey::parse("category", "elderly_disabled_help").unwrap(),
            target: 12,
            period: linli_dual_reporting::appraisal::Period::new("period", 2026).unwrap(),
            verified: 0,
            pending: 0,
            created_at: now,
        };
        let submitted = Fulfilment {
            id: FulfilmentId::new(),
            pledge_id: pledge.id,
            user_id: pledge.user_id,
            note: "陪张奶奶复查".to_owned(),
            photos: vec![],
            status: FulfilmentStatus::Submitted,
            reason: None,
            submitted_at: now,
            decided_by: None,
            decided_at: None,
        };
        let verified = Fulfilment {
            status: FulfilmentStatus::Verified,
            decided_by: Some(UserId::new()),
            decided_at: Some(now),
            ..submitted.clone()
        };
        let rejected = Fulfilment {
            status: FulfilmentStatus::Rejected,
            reason: Some("照片模糊".to_owned()),
            ..verified.clone()
        };
        let mut kinds = std::collections::BTreeSet::new();
        for record in [&submitted, &verified, &rejected] {
            for event in fulfilment_events(&pledge, record, now) {
                assert_eq!(conforms(&event.kind, &event.data), Ok(()), "{}", event.data);
                kinds.insert(event.kind);
            }
        }
        assert_eq!(kinds.len(), 3, "{kinds:?}");
    }
}
