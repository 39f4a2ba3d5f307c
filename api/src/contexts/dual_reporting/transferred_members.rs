//! Transferred members (组织关系转入): Party members whose organisation relation moved to the
//! community where they live, registered by the community as its own members.

use chrono::NaiveDate;
use linli_dual_reporting::TransferredMemberId;
use linli_dual_reporting::service::{TransferredMemberView, TransferredQuery};
use linli_kernel::{CommunityId, GridId, UserId};
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

/// Where a registration stands: `active → withdrawn`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(
    rename_all = "snake_case",
    remote = "linli_dual_reporting::transferred::TransferStatus"
)]
pub enum TransferStatus {
    /// The person is a Party member of the community and holds `party_member` there.
    Active,
    /// Withdrawn (moved away, or entered by mistake): `party_member` there is taken back.
    Withdrawn,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct NewTransferredMember {
    /// The person: someone your scope already covers (living, or holding a role, there).
    pub user_id: Uuid,
    pub community_id: Uuid,
    /// The grid of the community the member is assigned to. The grid's Party branch follows
    /// from it (a grid belongs to one branch at most), so it is not given here.
    pub grid_id: Uuid,
    /// The day the organisation relation moved; not in the future.
    pub transferred_at: NaiveDate,
    /// The organisation it came from, e.g. `原济阳县化肥厂党委`; 1 to 64 characters.
    pub from_organisation: Text,
}

#[derive(Object, Debug, Default)]
#[oai(deny_unknown_fields)]
pub struct TransferredMemberWithdrawal {
    /// Why (at most 200 characters); optional.
    #[oai(default)]
    pub reason: Option<Text>,
}

/// A transferred member: one of the community's own Party members (not in service, no unit),
/// with the person whole for the staff over the community and for themselves.
#[derive(Object, Debug)]
pub struct TransferredMember {
    pub id: Uuid,
    pub community_id: Uuid,
    pub grid_id: Uuid,
    pub from_organisation: String,
    pub transferred_at: NaiveDate,
    pub status: TransferStatus,
    pub registered_by: Uuid,
    pub registered_at: Timestamp,
    /// Null while active.
    #[oai(nullable)]
    pub withdrawn_at: Option<Timestamp>,
    /// Why it was withdrawn, when a reason was given.
    #[oai(nullable)]
    pub reason: Option<String>,
    pub person: Person,
}

impl From<TransferredMemberView> for TransferredMember {
    fn from(view: TransferredMemberView) -> Self {
        let m = view.member;
        Self {
            id: m.id.as_uuid(),
            community_id: m.community_id().map(|c| c.as_uuid()).unwrap_or_default(),
            grid_id: m.grid_id().map(|g| g.as_uuid()).unwrap_or_default(),
            from_organisation: m.from_organisation,
            transferred_at: m.transferred_on,
            status: m.status.into(),
            registered_by: m.registered_by.as_uuid(),
            registered_at: m.registered_at.into(),
            withdrawn_at: m.withdrawn_at.map(Into::into),
            reason: m.reason,
            person: view.person.into(),
        }
    }
}

list_of!(TransferredMemberList, TransferredMember);

errors!(TransferredMembersRegister: [Auth, Post, Idempotent] {
    400: [validation_failed],
    403: [forbidden],
    404: [community_not_found],
    409: [transferred_member_exists, person_has_open_report],
    422: [person_not_covered, grid_outside_community, person_profile_incomplete],
});

errors!(TransferredMembersList: [Auth, Params] { 400: [validation_failed] });

errors!(TransferredMembersWithdraw: [Auth, Params, Post] {
    400: [validation_failed],
    403: [forbidden],
    404: [transferred_member_not_found],
    409: [transferred_member_state],
});

#[derive(Default)]
pub struct TransferredMembersApi;

#[OpenApi(prefix_path = "/api/v1", tag = "DualReportingTags::TransferredMembers")]
impl TransferredMembersApi {
    /// Register a transferred member
    ///
    /// An administrator over the community registers a Party member whose organisation
    /// relation moved there (组织关系转入) as the community's own member, assigned to one of its
    /// grids; they hold `party_member` in the community at once. The person must be someone
    /// your scope already covers: `person_not_covered` (422) otherwise, for an unknown user id
    /// alike (they first record their residence in the community); never yourself
    /// (`forbidden`). They must have given their real name and bound a phone:
    /// `person_profile_incomplete` (422, `details.missing`). A person is an in-service or a
    /// transferred member, not both: `person_has_open_report` (409) while they have a submitted or
    /// accepted member report, `transferred_member_exists` (409) if they are registered already
    /// (also when two registrations come at once: one stands). Codes also:
    /// `community_not_found` (404, also outside your scope), `forbidden` (you see the community
    /// but do not administer it), `grid_outside_community` (422), `validation_failed`.
    #[oai(
        path = "/transferred-members",
        method = "post",
        operation_id = "transferred_members_register"
    )]
    async fn register(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        /// A retry with the same key and body gets the first answer (`idempotent-replayed:
        /// true`) and registers nothing twice; 1 to 128 visible ASCII characters.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        body: Json<NewTransferredMember>,
    ) -> Answer<Created<TransferredMember>, TransferredMembersRegister> {
        let body = body.0;
        let view = dual
            .transferred_members
            .register(
                &auth.0,
                linli_dual_reporting::NewTransferredMember {
                    user_id: UserId::from_uuid(body.user_id),
                    community_id: CommunityId::from_uuid(body.community_id),
                    grid_id: GridId::from_uuid(body.grid_id),
                    transferred_on: body.transferred_at,
                    from_organisation: body.from_organisation.into(),
                },
            )
            .await?;
        Ok(Created::Created(Json(view.into())))
    }

    /// Transferred members you may see
    ///
    /// Those of the communities your scope covers, and your own registration; oldest first,
    /// narrowed by the optional filters. Anything else is not listed (an empty list).
    #[oai(
        path = "/transferred-members",
        method = "get",
        operation_id = "transferred_members_list"
    )]
    async fn list(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        community_id: Query<Option<Uuid>>,
        status: Query<Option<TransferStatus>>,
        limit: Query<Option<Limit>>,
        cursor: Query<Option<String>>,
    ) -> Answer<Json<TransferredMemberList>, TransferredMembersList> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let query = TransferredQuery {
            community_id: community_id.0.map(CommunityId::from_uuid),
            status: status.0.map(Into::into),
        };
        Ok(Json(
            dual.transferred_members.list(&auth.0, query, page).await?.into(),
        ))
    }

    /// Withdraw a transferred member
    ///
    /// An administrator over the community (the person moved away, or was entered by
    /// mistake): they lose `party_member` there, and may be registered again or report as an
    /// in-service member. Codes: `transferred_member_not_found` (404, also outside your scope),
    /// `forbidden` (you see it but do not administer the community), `transferred_member_state`
    /// (409: withdrawn already), `validation_failed`.
    #[oai(
        path = "/transferred-members/:id/withdraw",
        method = "post",
        operation_id = "transferred_members_withdraw"
    )]
    async fn withdraw(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<TransferredMemberWithdrawal>,
    ) -> Answer<Json<TransferredMember>, TransferredMembersWithdraw> {
        let reason = body.0.reason.map(String::from).unwrap_or_default();
        let view = dual
            .transferred_members
            .withdraw(&auth.0, TransferredMemberId::from_uuid(id.0), &reason)
            .await?;
        Ok(Json(view.into()))
    }
}
