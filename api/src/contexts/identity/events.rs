//! The data of identity's events (`linli_identity::events::IdentityEvent`), as the spec
//! documents them for WebSocket subscribers; a test holds the two together.

use uuid::Uuid;

use crate::http::events::event_data;

use crate::http::dto::RoleName;

event_data! {
    IdentityEventData;
    /// A role you were granted; `scope` is `district` or `<kind>:<id>`.
    "role_grant.created" => RoleGrantCreatedData { grant_id: Uuid, role: RoleName, scope: String }
    "role_grant.revoked" => RoleGrantRevokedData { grant_id: Uuid, role: RoleName, scope: String }
    "user.profile_updated" => ProfileUpdatedData { user_id: Uuid }
    "user.phone_bound" => PhoneBoundData { user_id: Uuid }
    "user.residence_changed" => ResidenceChangedData { user_id: Uuid, building_id: Uuid }
}

#[cfg(test)]
mod tests {
    use linli_kernel::events::ContextEvent;

    use super::conforms;

    #[test]
    fn every_identity_event_has_the_documented_shape() {
        for event in linli_identity::events::samples() {
            let data = serde_json::to_value(&event).unwrap_or_default();
            assert_eq!(conforms(event.kind(), &data), Ok(()), "{data}");
        }
    }
}
