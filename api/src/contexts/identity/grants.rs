//! Granting and revoking roles.

use linli_identity::{GrantOutcome, GrantRequest, GrantView};
use linli_kernel::{RoleGrantId, Scope};
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::Identity;
use super::IdentityTags;
use super::appointments::Invitation;
use crate::http::contract::{Answer, errors};
use crate::http::dto::{Done, Person, Place, RoleName, Text, Timestamp};
use crate::http::pagination::{Limit, list_of, page_request};
use crate::http::security::BearerAuth;

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct NewGrant {
    pub user_id: Uuid,
    pub role: RoleName,
    /// `district`, or `<kind>:<id>` with kind `subdistrict`, `community`, `grid` or
    /// `building`, matching the role (`grid_worker` → `grid:<id>`).
    pub scope: Text,
}

#[derive(Object, Debug)]
pub struct Grant {
    pub id: Uuid,
    pub user_id: Uuid,
    pub role: RoleName,
    pub scope: String,
    #[oai(nullable)]
    pub place: Option<Place>,
    /// The grantee, masked unless your scope covers them.
    #[oai(nullable)]
    pub person: Option<Person>,
    /// Who granted it: null when granted from the console, and when your scope does not
    /// cover them.
    #[oai(nullable)]
    pub granted_by: Option<Uuid>,
    pub granted_at: Timestamp,
}

impl From<GrantView> for Grant {
    fn from(v: GrantView) -> Self {
        Self {
            id: v.grant.id().as_uuid(),
            user_id: v.grant.user_id().as_uuid(),
            role: v.grant.role().into(),
            scope: v.grant.scope().to_string(),
            place: v.node.map(Place::from),
            person: v.person.map(Person::from),
            granted_by: v.granted_by.map(|u| u.as_uuid()),
            granted_at: v.grant.granted_at().into(),
        }
    }
}

list_of!(GrantList, Grant);

errors!(RoleGrantsCreate: [Auth, Post, Idempotent] {
    400: [validation_failed],
    403: [forbidden, self_grant, insufficient_rank],
    404: [scope_not_found],
    409: [role_already_granted],
    422: [role_scope_mismatch, role_not_grantable, scope_kind_unsupported],
});

errors!(RoleGrantsList: [Auth, Params] { 400: [validation_failed] });

errors!(RoleGrantsDelete: [Auth, Params] {
    403: [forbidden, self_revoke, insufficient_rank],
    404: [role_grant_not_found],
    422: [role_not_grantable],
});

/// A grant made at once, or an invitation waiting for the appointee.
#[derive(ApiResponse)]
pub enum Appointed {
    /// Granted: the appointer already covers the person.
    #[oai(status = 201)]
    Granted(Json<Grant>),
    /// Invited: the person holds the role once they accept (`GET /me`).
    #[oai(status = 202)]
    Invited(Json<Invitation>),
}

#[derive(Default)]
pub struct GrantsApi;

#[OpenApi(prefix_path = "/api/v1/role-grants", tag = "IdentityTags::RoleGrants")]
impl GrantsApi {
    /// Grant a role
    ///
    /// Only an administrator whose role ranks above the role, at a node covering the target
    /// scope, may grant it; never to oneself. Someone your scope already covers holds it at
    /// once (201); anyone else (an unknown id answers the same) is invited (202) and holds
    /// it once they accept. Codes: `scope_not_found` (404), `forbidden`, `self_grant`,
    /// `insufficient_rank` (403), `role_scope_mismatch`, `role_not_grantable`,
    /// `scope_kind_unsupported` (422), `role_already_granted` (409).
    #[oai(path = "/", method = "post", operation_id = "role_grants_create")]
    async fn create(
        &self,
        identity: Data<&Identity>,
        auth: BearerAuth,
        /// A retry with the same key and body gets the first answer (`idempotent-replayed:
        /// true`) and changes nothing twice; 1 to 128 visible ASCII characters.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        body: Json<NewGrant>,
    ) -> Answer<Appointed, RoleGrantsCreate> {
        let scope: Scope = body.scope.parse()?;
        let outcome = identity
            .grants
            .grant(
                &auth.0,
                GrantRequest {
                    user_id: body.user_id.into(),
                    role: body.role.into(),
                    scope,
                },
            )
            .await?;
        Ok(match outcome {
            GrantOutcome::Granted(view) => Appointed::Granted(Json(view.into())),
            GrantOutcome::Invited(view) => Appointed::Invited(Json(view.into())),
        })
    }

    /// Grants inside your scope
    #[oai(path = "/", method = "get", operation_id = "role_grants_list")]
    async fn list(
        &self,
        identity: Data<&Identity>,
        auth: BearerAuth,
        /// Only this user's grants.
        user_id: Query<Option<Uuid>>,
        limit: Query<Option<Limit>>,
        cursor: Query<Option<String>>,
    ) -> Answer<Json<GrantList>, RoleGrantsList> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let page = identity
            .grants
            .list(&auth.0, user_id.0.map(Into::into), page)
            .await?;
        Ok(Json(GrantList::from(page)))
    }

    /// Revoke a grant
    ///
    /// By the same rule as granting: someone ranking above the role, never one's own. Codes:
    /// `role_grant_not_found` (404), `forbidden`, `self_revoke`, `insufficient_rank` (403),
    /// `role_not_grantable` (422).
    #[oai(path = "/:id", method = "delete", operation_id = "role_grants_delete")]
    async fn delete(
        &self,
        identity: Data<&Identity>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Done, RoleGrantsDelete> {
        identity
            .grants
            .revoke(&auth.0, RoleGrantId::from_uuid(id.0))
            .await?;
        Ok(Done::NoContent)
    }
}
