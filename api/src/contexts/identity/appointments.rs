//! Appointments waiting for the appointee (`/me/invitations`), and the audit trail of every
//! change to who holds which role (`/role-grants/audit`).

use linli_identity::service::AuditView;
use linli_identity::{InvitationView, PendingInvitation};
use linli_kernel::InvitationId;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::grants::Grant;
use super::{Identity, IdentityTags};
use crate::http::contract::{Answer, errors};
use crate::http::dto::{Created, Done, Person, Place, RoleName, Timestamp};
use crate::http::pagination::{Limit, list_of, page_request};
use crate::http::security::BearerAuth;

/// An appointment of someone the appointer does not cover: it waits for them to accept.
#[derive(Object, Debug)]
pub struct Invitation {
    pub id: Uuid,
    pub role: RoleName,
    /// `district`, or `<kind>:<id>`.
    pub scope: String,
    #[oai(nullable)]
    pub place: Option<Place>,
    /// The invitee, by id only: nothing about them is shown until they accept.
    pub person: Person,
    /// `pending`, `accepted` or `declined`.
    pub status: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

impl From<InvitationView> for Invitation {
    fn from(v: InvitationView) -> Self {
        let i = v.invitation;
        Self {
            id: i.id.as_uuid(),
            role: i.role.into(),
            scope: i.scope.to_string(),
            place: v.node.map(Place::from),
            person: v.person.into(),
            status: i.status.as_str().to_owned(),
            created_at: i.created_at.into(),
            expires_at: i.expires_at.into(),
        }
    }
}

/// An appointment waiting for your answer (`POST /me/invitations/{id}/accept` or `/decline`).
#[derive(Object, Debug, Clone)]
pub struct PendingAppointment {
    pub id: Uuid,
    pub role: RoleName,
    /// `district`, or `<kind>:<id>`.
    pub scope: String,
    #[oai(nullable)]
    pub place: Option<Place>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

impl From<PendingInvitation> for PendingAppointment {
    fn from(p: PendingInvitation) -> Self {
        let i = p.invitation;
        Self {
            id: i.id.as_uuid(),
            role: i.role.into(),
            scope: i.scope.to_string(),
            place: p.node.map(Place::from),
            created_at: i.created_at.into(),
            expires_at: i.expires_at.into(),
        }
    }
}

/// One change to who holds which role.
#[derive(Object, Debug)]
pub struct AuditRecord {
    pub id: Uuid,
    /// `granted`, `invited`, `accepted`, `declined` or `revoked`.
    pub action: String,
    pub role: RoleName,
    pub scope: String,
    /// Whose role it is (or would be).
    pub user_id: Uuid,
    /// Who acted: null for the console, and when your scope does not cover them.
    #[oai(nullable)]
    pub actor_id: Option<Uuid>,
    /// The console acted (`linli admin grant`, bootstrap admins).
    pub by_console: bool,
    #[oai(nullable)]
    pub grant_id: Option<Uuid>,
    #[oai(nullable)]
    pub invitation_id: Option<Uuid>,
    pub at: Timestamp,
}

impl From<AuditView> for AuditRecord {
    fn from(v: AuditView) -> Self {
        let e = v.entry;
        Self {
            id: e.id.as_uuid(),
            action: e.action.as_str().to_owned(),
            role: e.role.into(),
            scope: e.scope.to_string(),
            user_id: e.target.as_uuid(),
            actor_id: v.actor.map(|a| a.as_uuid()),
            by_console: e.actor.is_none(),
            grant_id: e.grant_id.map(|g| g.as_uuid()),
            invitation_id: e.invitation_id.map(|i| i.as_uuid()),
            at: e.at.into(),
        }
    }
}

list_of!(AuditList, AuditRecord);

errors!(MeInvitationsAccept: [Auth, Post] {
    404: [invitation_not_found],
    409: [invitation_void, role_already_granted],
});

errors!(MeInvitationsDecline: [Auth, Post] {
    404: [invitation_not_found],
    409: [invitation_void],
});

errors!(RoleGrantsAudit: [Auth, Params] { 400: [validation_failed] });

#[derive(Default)]
pub struct InvitationsApi;

#[OpenApi(prefix_path = "/api/v1/me/invitations", tag = "IdentityTags::Me")]
impl InvitationsApi {
    /// Accept an appointment
    ///
    /// Only the invitee; anyone else is told `invitation_not_found` (404). An invitation
    /// already answered, expired, or whose appointer may no longer make it is
    /// `invitation_void` (409); `role_already_granted` (409).
    #[oai(path = "/:id/accept", method = "post", operation_id = "me_invitations_accept")]
    async fn accept(
        &self,
        identity: Data<&Identity>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Created<Grant>, MeInvitationsAccept> {
        let view = identity
            .grants
            .accept(&auth.0, InvitationId::from_uuid(id.0))
            .await?;
        Ok(Created::Created(Json(view.into())))
    }

    /// Decline an appointment
    ///
    /// Codes: `invitation_not_found` (404), `invitation_void` (409).
    #[oai(
        path = "/:id/decline",
        method = "post",
        operation_id = "me_invitations_decline"
    )]
    async fn decline(
        &self,
        identity: Data<&Identity>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Done, MeInvitationsDecline> {
        identity
            .grants
            .decline(&auth.0, InvitationId::from_uuid(id.0))
            .await?;
        Ok(Done::NoContent)
    }
}

#[derive(Default)]
pub struct AuditApi;

#[OpenApi(prefix_path = "/api/v1/role-grants/audit", tag = "IdentityTags::RoleGrants")]
impl AuditApi {
    /// The audit trail of grants
    ///
    /// Every grant, invitation, acceptance, decline and revocation at scopes where you may
    /// grant roles, oldest first; empty for anyone who grants nowhere.
    #[oai(path = "/", method = "get", operation_id = "role_grants_audit")]
    async fn list(
        &self,
        identity: Data<&Identity>,
        auth: BearerAuth,
        limit: Query<Option<Limit>>,
        cursor: Query<Option<String>>,
    ) -> Answer<Json<AuditList>, RoleGrantsAudit> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        Ok(Json(identity.grants.audit(&auth.0, page).await?.into()))
    }
}
