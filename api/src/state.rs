//! What every handler can reach: one service per use-case group, wired to the adapters.

use std::sync::Arc;

use linli_grid::StructureService;
use linli_identity::{AuthService, GrantService, ProfileService};
use linli_infra::db::Database;
use linli_infra::events::EventBus;
use linli_infra::rate_limit::RateLimiter;
use linli_infra::tokens::JwtTokens;
use linli_infra::wechat::WechatClient;
use linli_kernel::ports::SystemClock;
use tokio_util::sync::CancellationToken;

use crate::metrics::Metrics;

pub type Auth = AuthService<Database, WechatClient, JwtTokens, SystemClock>;
pub type Profiles = ProfileService<Database, WechatClient, Database, SystemClock>;
pub type Grants = GrantService<Database, Database, SystemClock>;
pub type Structure = StructureService<Database, Database, SystemClock>;

pub struct Inner {
    pub auth: Auth,
    pub profiles: Profiles,
    pub grants: Grants,
    pub structure: Structure,
    pub db: Database,
    pub bus: EventBus,
    pub redis_configured: bool,
    pub tokens: JwtTokens,
    pub rate_limiter: RateLimiter,
    pub auth_rate_limit_per_minute: u32,
    /// Whether to read the client address from `X-Forwarded-For` (behind a load balancer).
    pub behind_proxy: bool,
    pub metrics: Arc<Metrics>,
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
