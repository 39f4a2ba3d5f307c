//! The logged-in user's own profile.

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::Identity;
use super::IdentityTags;
use super::appointments::PendingAppointment;
use crate::http::contract::{Answer, errors};
use crate::http::dto::{Place, RoleName, Text, Timestamp};
use crate::http::security::BearerAuth;

/// Your own profile, whole.
#[derive(Object, Debug, Clone)]
pub struct Profile {
    pub id: Uuid,
    #[oai(nullable)]
    pub nickname: Option<String>,
    #[oai(nullable)]
    pub real_name: Option<String>,
    #[oai(nullable)]
    pub phone: Option<String>,
    /// The building you live in, if you said.
    #[oai(nullable)]
    pub residence_building_id: Option<Uuid>,
    pub created_at: Timestamp,
}

impl From<&linli_identity::User> for Profile {
    fn from(u: &linli_identity::User) -> Self {
        Self {
            id: u.id.as_uuid(),
            nickname: u.nickname.as_ref().map(|n| n.as_str().to_owned()),
            real_name: u.real_name.as_ref().map(|n| n.as_str().to_owned()),
            phone: u.phone.as_ref().map(|n| n.as_str().to_owned()),
            residence_building_id: u.residence.map(|r| r.building.as_uuid()),
            created_at: u.created_at.into(),
        }
    }
}

/// A role you hold, and where.
#[derive(Object, Debug, Clone)]
pub struct HeldRole {
    pub grant_id: Uuid,
    pub role: RoleName,
    /// `district`, or `<kind>:<id>`.
    pub scope: String,
    /// The node the role is held at, named; absent for kinds of scope not built yet.
    #[oai(nullable)]
    pub place: Option<Place>,
}

#[derive(Object, Debug, Clone)]
pub struct Me {
    #[oai(flatten)]
    pub profile: Profile,
    /// Besides these, every logged-in user is a `resident`.
    pub roles: Vec<HeldRole>,
    #[oai(nullable)]
    pub residence: Option<Place>,
    /// Appointments waiting for your answer.
    pub invitations: Vec<PendingAppointment>,
}

impl From<linli_identity::MeView> for Me {
    fn from(me: linli_identity::MeView) -> Self {
        Self {
            profile: Profile::from(&me.user),
            roles: me
                .roles
                .into_iter()
                .map(|r| HeldRole {
                    grant_id: r.grant.id().as_uuid(),
                    role: r.grant.role().into(),
                    scope: r.grant.scope().to_string(),
                    place: r.node.map(Place::from),
                })
                .collect(),
            residence: me.residence.map(Place::from),
            invitations: me.invitations.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct ProfilePatch {
    /// Absent: unchanged; `null`: erased.
    pub nickname: MaybeUndefined<Text>,
    /// Your legal name, needed for dual reporting. Absent: unchanged; `null`: erased.
    pub real_name: MaybeUndefined<Text>,
}

/// `None` keeps a field, `Some(None)` erases it.
fn change(field: &MaybeUndefined<Text>) -> Option<Option<&str>> {
    match field {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(text) => Some(Some(&text.0)),
    }
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct PhoneCode {
    /// The code `getPhoneNumber` returned.
    pub code: Text,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct Residence {
    /// Usually scanned from the QR code at the building's entrance.
    pub building_id: Uuid,
}

errors!(MeGet: [Auth] {});

errors!(MeUpdate: [Auth, Body] { 400: [validation_failed] });

errors!(MeBindPhone: [Auth, Post] {
    400: [validation_failed],
    403: [wechat_user_blocked],
    422: [invalid_phone_code],
    429: [wechat_rate_limited],
    500: [wechat_misconfigured],
    503: [wechat_unavailable, wechat_error, wechat_not_configured],
});

errors!(MeSetResidence: [Auth, Body] { 404: [building_not_found] });

#[derive(Default)]
pub struct MeApi;

#[OpenApi(prefix_path = "/api/v1/me", tag = "IdentityTags::Me")]
impl MeApi {
    /// Your profile, roles and residence
    #[oai(path = "/", method = "get", operation_id = "me_get")]
    async fn me(&self, identity: Data<&Identity>, auth: BearerAuth) -> Answer<Json<Me>, MeGet> {
        Ok(Json(identity.profiles.me(&auth.0).await?.into()))
    }

    /// Change your nickname or real name
    ///
    /// Absent fields stay as they are; `null` erases one. Codes: `validation_failed`.
    ///
    /// From `wx.request`, which cannot send PATCH: POST with `X-HTTP-Method-Override: PATCH`.
    #[oai(path = "/", method = "patch", operation_id = "me_update")]
    async fn update(
        &self,
        identity: Data<&Identity>,
        auth: BearerAuth,
        body: Json<ProfilePatch>,
    ) -> Answer<Json<Me>, MeUpdate> {
        let me = identity
            .profiles
            .update_profile(&auth.0, change(&body.nickname), change(&body.real_name))
            .await?;
        Ok(Json(me.into()))
    }

    /// Share your phone number
    ///
    /// Exchanges the `getPhoneNumber` code with WeChat. Codes: `invalid_phone_code` (422),
    /// `wechat_unavailable` (503), `wechat_rate_limited` (429), `wechat_misconfigured` (500),
    /// `wechat_not_configured` (503).
    #[oai(path = "/phone", method = "post", operation_id = "me_bind_phone")]
    async fn bind_phone(
        &self,
        identity: Data<&Identity>,
        auth: BearerAuth,
        body: Json<PhoneCode>,
    ) -> Answer<Json<Me>, MeBindPhone> {
        Ok(Json(
            identity.profiles.bind_phone(&auth.0, &body.code).await?.into(),
        ))
    }

    /// Say where you live
    ///
    /// Codes: `building_not_found` (404).
    #[oai(path = "/residence", method = "put", operation_id = "me_set_residence")]
    async fn set_residence(
        &self,
        identity: Data<&Identity>,
        auth: BearerAuth,
        body: Json<Residence>,
    ) -> Answer<Json<Me>, MeSetResidence> {
        let me = identity
            .profiles
            .set_residence(&auth.0, body.building_id.into())
            .await?;
        Ok(Json(me.into()))
    }
}
