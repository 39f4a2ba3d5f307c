//! Entity ids: UUID v7, so they sort by creation and make stable pagination cursors.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! entity_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh id, ordered after every id made before it on this machine.
            #[allow(clippy::new_without_default)]
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

entity_id!(
    /// A person using the mini-program.
    UserId
);
entity_id!(
    /// A login session: one family of rotated refresh tokens.
    SessionId
);
entity_id!(RoleGrantId);
entity_id!(SubdistrictId);
entity_id!(CommunityId);
entity_id!(GridId);
entity_id!(BuildingId);
entity_id!(StairwellId);
entity_id!(PartyBranchId);
entity_id!(
    /// A unit stationed in the district (dual reporting).
    UnitId
);
entity_id!(
    /// A volunteer team (not a grid team, which is the grants held at a grid).
    VolunteerTeamId
);
entity_id!(
    /// A domain event recorded in the outbox.
    EventId
);
entity_id!(
    /// An appointment waiting for the appointee to accept it.
    InvitationId
);
entity_id!(
    /// A row of the grant audit trail.
    AuditEntryId
);
entity_id!(
    /// A resident's request (居民诉求), from posting to its rated close.
    RequestId
);
entity_id!(
    /// A piece of work a request is broken into, claimed from the task board.
    TaskId
);
entity_id!(
    /// One step in a request's timeline: who did what, when, why.
    TimelineEntryId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_made_later_sort_after_earlier_ones() {
        let first = GridId::new();
        let second = GridId::new();
        assert!(first < second);
    }

    #[test]
    fn an_id_survives_its_text_form() {
        let id = UserId::new();
        assert_eq!(id.to_string().parse::<UserId>().ok(), Some(id));
    }
}
