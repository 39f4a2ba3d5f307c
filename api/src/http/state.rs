//! What the shared machinery (middleware, WebSocket, health) reaches: the database, the
//! event bus, limits and metrics, and the authenticator. Each context's services live in
//! its own data (see `crate::contexts`), not here.

use std::collections::HashMap;
use std::sync::Arc;

use linli_infra::db::Database;
use linli_infra::events::EventBus;
use linli_infra::rate_limit::RateLimiter;
use linli_infra::redis_guard::RedisGuard;
use linli_kernel::events::TopicPolicies;
use tokio_util::sync::CancellationToken;

use super::security::Authenticator;
use crate::config::TransportSettings;
use crate::metrics::Metrics;

pub struct Inner {
    pub db: Database,
    pub bus: EventBus,
    pub redis_configured: bool,
    /// Redis's circuit breaker, when Redis is configured (its state shows in metrics).
    pub redis: Option<RedisGuard>,
    /// Timeouts and limits; the WebSocket ones are read per connection.
    pub transport: TransportSettings,
    /// How forms carrying a file are read: the file's field, the whole form's bound.
    pub forms: super::form::FormSettings,
    pub authenticator: Authenticator,
    /// Who may read which WebSocket topics, as each context says.
    pub topics: TopicPolicies,
    pub rate_limiter: RateLimiter,
    pub auth_rate_limit_per_minute: u32,
    /// Whether to read the client address from `X-Forwarded-For` (behind a load balancer).
    pub behind_proxy: bool,
    pub metrics: Arc<Metrics>,
    /// Open WebSockets, per user and in all.
    pub ws_slots: crate::ws::WsSlots,
    /// Operation id → the spec's path template, for metrics and logs.
    pub route_templates: Arc<HashMap<String, String>>,
    /// Cancelled on shutdown: WebSockets close with a close frame, background jobs stop.
    pub shutdown: CancellationToken,
}

/// Cheap to clone; handlers take it as `Data<&AppState>`.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    pub fn new(inner: Inner) -> Self {
        Self(Arc::new(inner))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}
