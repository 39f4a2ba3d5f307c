//! Domain events: recorded in the outbox in the same transaction as the change they
//! describe, then relayed to the event bus and to WebSocket subscribers.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{CommunityId, EventId, UserId};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainEvent {
    pub id: EventId,
    /// The channel the event belongs to, e.g. `user:<id>`; see [`topics`].
    pub topic: String,
    /// What happened, e.g. `role_grant.created`.
    pub kind: String,
    pub data: serde_json::Value,
    pub occurred_at: DateTime<Utc>,
}

impl DomainEvent {
    pub fn new(topic: String, kind: &str, data: serde_json::Value, occurred_at: DateTime<Utc>) -> Self {
        Self {
            id: EventId::new(),
            topic,
            kind: kind.to_owned(),
            data,
            occurred_at,
        }
    }
}

/// The names of event topics, in one place so that writers and subscribers agree.
pub mod topics {
    use super::*;

    /// What concerns one user: their roles, their profile.
    pub fn user(id: UserId) -> String {
        format!("user:{id}")
    }

    /// Changes to a community's structure: grids, buildings, teams, branches.
    pub fn community_structure(id: CommunityId) -> String {
        format!("community:{id}:structure")
    }

    /// Changes above communities: subdistricts and communities themselves.
    pub const DISTRICT_STRUCTURE: &str = "district:structure";

    /// Why a subscriber may not read a topic.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum TopicRefusal {
        /// The topic names what the actor may not read.
        Forbidden(String),
        /// No such topic (yet).
        Unknown(String),
    }

    /// The stored topic behind the topic a subscriber names, if the actor may read it.
    /// Topics of contexts still to come (`grid:<id>:tasks`, `request:<id>`…) are one more arm
    /// each, checked against the actor's scopes like any use case.
    pub fn authorize(actor: &crate::Actor, requested: &str) -> Result<String, TopicRefusal> {
        match requested {
            "user:me" => Ok(user(actor.user_id())),
            t if t.starts_with("user:") => Err(TopicRefusal::Forbidden(
                "subscribe to your own events as `user:me`".to_owned(),
            )),
            other => Err(TopicRefusal::Unknown(format!(
                "no topic `{other}`; open topics: user:me"
            ))),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::Actor;

        #[test]
        fn a_user_reads_its_own_channel_and_no_one_elses() {
            let me = UserId::new();
            let actor = Actor::new(me, None, vec![]);
            assert_eq!(authorize(&actor, "user:me"), Ok(user(me)));
            assert!(matches!(
                authorize(&actor, &user(me)),
                Err(TopicRefusal::Forbidden(_))
            ));
            assert!(matches!(
                authorize(&actor, &user(UserId::new())),
                Err(TopicRefusal::Forbidden(_))
            ));
            assert!(matches!(
                authorize(&actor, "grid:x:tasks"),
                Err(TopicRefusal::Unknown(_))
            ));
        }
    }
}
