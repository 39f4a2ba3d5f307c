//! Ports every context may need. Each is served by an adapter in `infra`.

use std::future::Future;

use chrono::{DateTime, Utc};

use crate::people::PersonRecord;
use crate::{Scope, ScopePath, UserId};

/// The time, so that rules about expiry can be tested without waiting.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A node of the tree as other contexts see it: where it sits and what it is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeNode {
    pub scope: Scope,
    pub path: ScopePath,
    /// The node's own name, e.g. `三网格`.
    pub name: String,
    /// The names from the subdistrict down, e.g. `济阳街道 / 幸福里社区 / 三网格`.
    pub full_name: String,
}

/// Resolves scopes to their place in the tree. Served by the grid context.
pub trait ScopeDirectory: Send + Sync + 'static {
    /// The node a scope names, or `None` when no such node exists.
    ///
    /// # Errors
    /// Only when storage fails.
    fn describe(&self, scope: Scope) -> impl Future<Output = anyhow::Result<Option<ScopeNode>>> + Send;
}

/// People by id, with the places that decide who may see their personal data. Served by
/// the identity context.
pub trait PersonDirectory: Send + Sync + 'static {
    /// The people among `ids` that exist, in no particular order.
    ///
    /// # Errors
    /// Only when storage fails.
    fn people(&self, ids: &[UserId]) -> impl Future<Output = anyhow::Result<Vec<PersonRecord>>> + Send;
}
