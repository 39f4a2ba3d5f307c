//! Granting and revoking roles.

use linli_identity::{GrantRequest, GrantView};
use linli_kernel::{RoleGrantId, Scope};
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::Identity;
use super::IdentityTags;
use crate::http::contract::{Answer, errors};
use crate::http::dto::{Created, Done, Person, Place, RoleName, Text, Timestamp};
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
    /// Absent when granted from the console.
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
            granted_by: v.grant.granted_by().map(|u| u.as_uuid()),
            granted_at: v.grant.granted_at().into(),
        }
    }
}

list_of!(GrantList, Grant);

errors!(RoleGrantsCreate: [Auth, Post, Idempotent] {
    400: [validation_failed],
    403: [forbidden],
    404: [scope_not_found, user_not_found],
    409: [role_already_granted],
    422: [role_scope_mismatch, role_not_grantable, scope_kind_unsupported],
});

errors!(RoleGrantsList: [Auth, Params] { 400: [validation_failed] });

errors!(RoleGrantsDelete: [Auth, Params] { 403: [forbidden], 404: [role_grant_not_found] });

#[derive(Default)]
pub struct GrantsApi;

#[OpenApi(prefix_path = "/api/v1/role-grants", tag = "IdentityTags::RoleGrants")]
impl GrantsApi {
    /// Grant a role
    ///
    /// Only an administrator whose scope covers the target scope may grant there. Codes:
    /// `scope_not_found` / `user_not_found` (404), `forbidden` (403), `role_scope_mismatch`,
    /// `role_not_grantable`, `scope_kind_unsupported` (422), `role_already_granted` (409).
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
    ) -> Answer<Created<Grant>, RoleGrantsCreate> {
        let scope: Scope = body.scope.parse()?;
        let view = identity
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
        Ok(Created::Created(Json(view.into())))
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
    /// Codes: `role_grant_not_found` (404), `forbidden` (403).
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
