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
}
