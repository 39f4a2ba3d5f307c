//! Domain events: recorded in the outbox in the same transaction as the change they
//! describe, then relayed to the event bus and to WebSocket subscribers.
//!
//! Each context declares its events as one type ([`ContextEvent`]: a kind and its data), so
//! that what is announced is typed where it is made and can be documented in the spec; and
//! contributes a [`TopicPolicy`] saying who may read its topics.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ports::BoxFuture;
use crate::{Actor, CommunityId, EventId, UserId};

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

/// The events of one context: each value is one kind of event with its data. Serialising a
/// value gives the event's data (so declare the enum `#[serde(untagged)]` with struct
/// variants).
pub trait ContextEvent: Serialize {
    /// What happened, `<thing>.<what>` (e.g. `grid.created`); stable, clients switch on it.
    fn kind(&self) -> &'static str;
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

    /// The event `event` on `topic`.
    pub fn of(topic: String, event: &impl ContextEvent, occurred_at: DateTime<Utc>) -> Self {
        // Data made of ids, strings and numbers always serialises.
        let data = serde_json::to_value(event).unwrap_or(serde_json::Value::Null);
        Self::new(topic, event.kind(), data, occurred_at)
    }
}

/// Why a subscriber may not read a topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopicRefusal {
    /// The topic names what the actor may not read (or what does not exist: the two are
    /// answered alike, so nobody learns of places outside their scope).
    Forbidden(String),
    /// No such topic.
    Unknown(String),
}

/// Who may read a context's topics. Each context contributes one.
pub trait TopicPolicy: Send + Sync + 'static {
    /// The stored topic behind the topic a subscriber names, when it is one of this
    /// context's; `None` when the topic is not this context's at all.
    fn authorize<'a>(
        &'a self,
        actor: &'a Actor,
        requested: &'a str,
    ) -> BoxFuture<'a, Option<Result<String, TopicRefusal>>>;

    /// The topics this context opens, as a subscriber names them (`community:<id>:structure`).
    fn open_topics(&self) -> &'static [&'static str];
}

/// Every context's policy, asked in turn.
#[derive(Clone, Default)]
pub struct TopicPolicies(Vec<Arc<dyn TopicPolicy>>);

impl TopicPolicies {
    pub fn with(mut self, policy: Arc<dyn TopicPolicy>) -> Self {
        self.0.push(policy);
        self
    }

    pub async fn authorize(&self, actor: &Actor, requested: &str) -> Result<String, TopicRefusal> {
        for policy in &self.0 {
            if let Some(answer) = policy.authorize(actor, requested).await {
                return answer;
            }
        }
        let open: Vec<&str> = self
            .0
            .iter()
            .flat_map(|p| p.open_topics().iter().copied())
            .collect();
        Err(TopicRefusal::Unknown(format!(
            "no topic `{requested}`; open topics: {}",
            open.join(", ")
        )))
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

    /// `user:me`: a user reads their own channel, under that name only.
    pub struct OwnChannel;

    impl TopicPolicy for OwnChannel {
        fn authorize<'a>(
            &'a self,
            actor: &'a Actor,
            requested: &'a str,
        ) -> BoxFuture<'a, Option<Result<String, TopicRefusal>>> {
            let answer = match requested {
                "user:me" => Some(Ok(user(actor.user_id()))),
                t if t.starts_with("user:") => Some(Err(TopicRefusal::Forbidden(
                    "subscribe to your own events as `user:me`".to_owned(),
                ))),
                _ => None,
            };
            Box::pin(async move { answer })
        }

        fn open_topics(&self) -> &'static [&'static str] {
            &["user:me"]
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[tokio::test]
        async fn a_user_reads_its_own_channel_and_no_one_elses() {
            let me = UserId::new();
            let actor = Actor::new(me, None, vec![]);
            let policies = TopicPolicies::default().with(Arc::new(OwnChannel));
            assert_eq!(policies.authorize(&actor, "user:me").await, Ok(user(me)));
            assert!(matches!(
                policies.authorize(&actor, &user(me)).await,
                Err(TopicRefusal::Forbidden(_))
            ));
            assert!(matches!(
                policies.authorize(&actor, &user(UserId::new())).await,
                Err(TopicRefusal::Forbidden(_))
            ));
            assert!(matches!(
                policies.authorize(&actor, "grid:x:tasks").await,
                Err(TopicRefusal::Unknown(m)) if m.contains("user:me")
            ));
        }
    }
}
