//! What identity announces, each on the channel of the user it concerns (`user:<id>`).

use chrono::{DateTime, Utc};
use linli_kernel::events::{ContextEvent, topics};
use linli_kernel::{BuildingId, DomainEvent, RoleGrant, RoleGrantId, UserId};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum IdentityEvent {
    RoleGrantCreated {
        #[serde(skip)]
        user_id: UserId,
        grant_id: RoleGrantId,
        role: String,
        /// `district`, or `<kind>:<id>`.
        scope: String,
    },
    RoleGrantRevoked {
        #[serde(skip)]
        user_id: UserId,
        grant_id: RoleGrantId,
        role: String,
        scope: String,
    },
    ProfileUpdated {
        user_id: UserId,
    },
    PhoneBound {
        user_id: UserId,
    },
    ResidenceChanged {
        user_id: UserId,
        building_id: BuildingId,
    },
}

impl ContextEvent for IdentityEvent {
    fn kind(&self) -> &'static str {
        match self {
            Self::RoleGrantCreated { .. } => "role_grant.created",
            Self::RoleGrantRevoked { .. } => "role_grant.revoked",
            Self::ProfileUpdated { .. } => "user.profile_updated",
            Self::PhoneBound { .. } => "user.phone_bound",
            Self::ResidenceChanged { .. } => "user.residence_changed",
        }
    }
}

impl IdentityEvent {
    pub fn granted(grant: &RoleGrant) -> Self {
        Self::RoleGrantCreated {
            user_id: grant.user_id(),
            grant_id: grant.id(),
            role: grant.role().as_str().to_owned(),
            scope: grant.scope().to_string(),
        }
    }

    pub fn revoked(grant: &RoleGrant) -> Self {
        Self::RoleGrantRevoked {
            user_id: grant.user_id(),
            grant_id: grant.id(),
            role: grant.role().as_str().to_owned(),
            scope: grant.scope().to_string(),
        }
    }

    fn user_id(&self) -> UserId {
        match self {
            Self::RoleGrantCreated { user_id, .. }
            | Self::RoleGrantRevoked { user_id, .. }
            | Self::ProfileUpdated { user_id }
            | Self::PhoneBound { user_id }
            | Self::ResidenceChanged { user_id, .. } => *user_id,
        }
    }

    /// The event, happened at `at`, on its user's channel.
    pub fn at(self, at: DateTime<Utc>) -> DomainEvent {
        DomainEvent::of(topics::user(self.user_id()), &self, at)
    }
}

/// One of each kind, for checking that every kind's data matches what the API documents.
#[cfg(any(test, feature = "testing"))]
pub fn samples() -> Vec<IdentityEvent> {
    let user_id = UserId::new();
    let grant = || {
        (
            RoleGrantId::new(),
            "grid_worker".to_owned(),
            format!("grid:{}", uuid::Uuid::now_v7()),
        )
    };
    let (grant_id, role, scope) = grant();
    let (revoked_id, revoked_role, revoked_scope) = grant();
    vec![
        IdentityEvent::RoleGrantCreated {
            user_id,
            grant_id,
            role,
            scope,
        },
        IdentityEvent::RoleGrantRevoked {
            user_id,
            grant_id: revoked_id,
            role: revoked_role,
            scope: revoked_scope,
        },
        IdentityEvent::ProfileUpdated { user_id },
        IdentityEvent::PhoneBound { user_id },
        IdentityEvent::ResidenceChanged {
            user_id,
            building_id: BuildingId::new(),
        },
    ]
}
