//! `Application::build(settings)` wires the adapters to the services, binds (port 0 in
//! tests), and runs until a shutdown signal, then drains.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use linli_identity::AuthSettings;
use linli_infra::content::{ContentChecker, LocalContentCheck};
use linli_infra::db::{Database, DatabaseSettings, IDEMPOTENCY_KEY_TTL};
use linli_infra::events::{EventBus, outbox_relay};
use linli_infra::identity::tokens::JwtTokens;
use linli_infra::jobs::{Job, Jobs, RunningJobs};
use linli_infra::rate_limit::RateLimiter;
use linli_infra::redis_guard::{self, RedisGuard};
use linli_infra::wechat::{AccessTokenStore, WechatClient, WechatContentCheck, WechatSettings};
use linli_kernel::ports::SystemClock;
use secrecy::SecretString;
use tokio_util::sync::CancellationToken;

use crate::config::Settings;
use crate::contexts::{self, Contexts, Foundation};
use crate::http::form::FormSettings;
use crate::http::middleware::MAX_BODY_BYTES;
use crate::http::security::Authenticator;
use crate::http::state::{AppState, Inner};
use crate::metrics::Metrics;
use crate::server::ConnectionLimits;

/// Access tokens live 15 minutes; a stolen one is useful briefly.
const ACCESS_TOKEN_TTL_MINUTES: i64 = 15;
/// A session not refreshed for 30 days ends.
const SESSION_TTL_DAYS: i64 = 30;
/// Stored answers past `IDEMPOTENCY_KEY_TTL` (a day) are never replayed; the purge deletes
/// them hourly.
const IDEMPOTENCY_PURGE_EVERY: Duration = Duration::from_secs(3600);

pub struct Application {
    listener: tokio::net::TcpListener,
    limits: ConnectionLimits,
    addr: SocketAddr,
    state: AppState,
    contexts: Contexts,
    grace: Duration,
    /// Started by `build`; stopped and awaited when `run_until` ends.
    jobs: RunningJobs,
}

/// Connects to the settings' database without changing it, with the keys that seal
/// personal data.
pub async fn connect_database(settings: &Settings) -> anyhow::Result<Database> {
    let keys = Arc::new(settings.resolve_personal_data_keys()?);
    let url = settings.database_url()?;
    let max_connections = settings
        .database_max_connections
        .unwrap_or(if url.starts_with("sqlite:") { 8 } else { 20 });
    Ok(Database::connect(&DatabaseSettings { url, max_connections })
        .await?
        .with_personal_data_keys(keys))
}

/// Connects to the settings' database and brings it up to date.
pub async fn open_database(settings: &Settings) -> anyhow::Result<Database> {
    let db = connect_database(settings).await?;
    db.migrate().await?;
    // Migrations cannot see the keys: what an older version stored in clear is sealed here.
    let sealed = db
        .seal_clear_personal_data()
        .await
        .context("sealing personal data still stored in clear")?;
    if sealed.sealed > 0 {
        tracing::info!(
            rows = sealed.rows,
            values = sealed.sealed,
            "sealed personal data stored in clear"
        );
    }
    if let Some(name) = &settings.district_name {
        db.set_district_name(name).await?;
    }
    Ok(db)
}

/// The grant use cases, for the console (`linli admin grant`).
pub fn grant_service(db: &Database) -> contexts::identity::Grants {
    contexts::identity::grant_service(db, &contexts::directory(db))
}

/// What instances share: the event bus, the login rate limiter and WeChat's access token,
/// in Redis behind its guard when `REDIS_URL` is set, in process otherwise.
struct Shared {
    bus: EventBus,
    rate_limiter: RateLimiter,
    wechat_tokens: AccessTokenStore,
    redis: Option<RedisGuard>,
}

async fn shared_state(settings: &Settings, shutdown: &CancellationToken) -> anyhow::Result<Shared> {
    let (bus, rate_limiter, wechat_tokens, redis) = match &settings.redis_url {
        Some(url) => {
            let client = redis::Client::open(url.as_str()).context("reading REDIS_URL")?;
            let conn = redis_guard::connection_manager(client.clone())
                .await
                .context("connecting to Redis")?;
            let guard = RedisGuard::new(
                conn.clone(),
                Duration::from_millis(settings.limits.redis_timeout_ms),
                Duration::from_secs(settings.limits.redis_retry_seconds.max(1)),
                shutdown.clone(),
            );
            let bus =
                EventBus::redis(client, guard.clone(), &settings.redis_prefix, shutdown.clone()).await?;
            (
                bus,
                RateLimiter::redis(guard.clone(), &settings.redis_prefix),
                AccessTokenStore::redis(guard.clone(), &settings.redis_prefix),
                Some(guard),
            )
        }
        None => (
            EventBus::in_process(),
            RateLimiter::in_process(),
            AccessTokenStore::in_process(),
            None,
        ),
    };
    Ok(Shared {
        bus,
        rate_limiter,
        wechat_tokens,
        redis,
    })
}

/// The WeChat client of these settings, its access token kept in `tokens`.
pub fn wechat_client(settings: &Settings, tokens: AccessTokenStore) -> anyhow::Result<WechatClient> {
    WechatClient::new(
        WechatSettings {
            api_base: settings.wechat_api_base.clone(),
            app_id: settings.wechat_appid.clone().unwrap_or_default(),
            app_secret: settings
                .wechat_secret
                .clone()
                .unwrap_or_else(|| SecretString::from("")),
            timeout: Duration::from_millis(settings.wechat_timeout_ms),
        },
        tokens,
    )
}

/// The content check, chosen as login is: WeChat's `msg_sec_check` through `wechat` once an
/// app id is configured (always in production), else the configured word lists (dev).
pub fn content_checker(settings: &Settings, db: &Database, wechat: &WechatClient) -> ContentChecker {
    let local = LocalContentCheck::from_lists(&settings.content_risky_words, &settings.content_review_words);
    if settings.wechat_appid.is_none() {
        let (risky, review) = local.word_counts();
        tracing::info!(
            risky,
            review,
            "content check: the local word lists (no WeChat app id)"
        );
        return ContentChecker::Local(local);
    }
    if local.word_counts() != (0, 0) {
        tracing::warn!(
            "LINLI_CONTENT_RISKY_WORDS and LINLI_CONTENT_REVIEW_WORDS are ignored: with a WeChat app id, \
             WeChat's msg_sec_check checks content"
        );
    }
    ContentChecker::WeChat(WechatContentCheck::new(wechat.clone(), db.clone()))
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        settings.check()?;
        linli_infra::install_crypto_provider();
        let shutdown = CancellationToken::new();
        let db = open_database(&settings).await?;

        let Shared {
            bus,
            rate_limiter,
            wechat_tokens,
            redis,
        } = shared_state(&settings, &shutdown).await?;

        let tokens = JwtTokens::new(
            &settings.resolve_jwt_secret()?,
            chrono::Duration::minutes(ACCESS_TOKEN_TTL_MINUTES),
        );
        let wechat = wechat_client(&settings, wechat_tokens)?;
        let content = content_checker(&settings, &db, &wechat);
        let contexts = Contexts::build(Foundation {
            db: &db,
            wechat: &wechat,
            content: &content,
            tokens: &tokens,
            auth: auth_settings(&settings),
            import_max_rows: settings.import_max_rows,
            uploads: contexts::uploads::UploadSettings {
                dir: settings.upload_dir()?,
                max_bytes: settings.upload_max_bytes,
            },
        });
        for openid in settings.bootstrap_admin_openids() {
            crate::console::bootstrap_admin(&db, &settings, &openid)
                .await
                .with_context(|| format!("making bootstrap admin {openid}"))?;
        }
        let metrics = Arc::new(Metrics::default());
        let state = AppState::new(Inner {
            db: db.clone(),
            bus: bus.clone(),
            redis_configured: redis.is_some(),
            redis,
            transport: settings.limits.clone(),
            forms: FormSettings::new(
                settings.upload_field.clone(),
                settings.upload_max_bytes.max(MAX_BODY_BYTES),
            ),
            authenticator: Authenticator(Arc::new(contexts.identity.clone())),
            topics: contexts::topic_policies(&db),
            rate_limiter,
            auth_rate_limit_per_minute: settings.auth_rate_limit_per_minute,
            behind_proxy: settings.behind_proxy,
            metrics: metrics.clone(),
            ws_slots: crate::ws::WsSlots::new(
                settings.limits.ws_max_per_user,
                crate::ws::ws_total_for(settings.limits.max_connections.max(1)),
            ),
            route_templates: crate::routes::route_templates(),
            shutdown: shutdown.clone(),
        });
        bus.serve_actor_cache(db.actor_cache(), shutdown.clone());

        let listener = tokio::net::TcpListener::bind(&settings.listen)
            .await
            .with_context(|| format!("listening on {}", settings.listen))?;
        let addr = listener.local_addr()?;
        let limits = ConnectionLimits {
            header_read_timeout: Duration::from_secs(settings.limits.header_read_timeout_seconds),
            idle_timeout: Duration::from_secs(settings.limits.idle_timeout_seconds),
            max_connections: settings.limits.max_connections.max(1),
        };

        // Last, so that a failed start leaves no job behind.
        let jobs = Jobs::new(Arc::new(SystemClock))
            .exclusive_on(&db)
            .observed_by(metrics)
            .with(outbox_relay(db.clone(), bus))
            .with(idempotency_key_purge(db.clone()))
            .with(refresh_successor_purge(db, leeway(&settings)))
            .start(&shutdown);
        Ok(Self {
            listener,
            limits,
            addr,
            state,
            contexts,
            grace: Duration::from_secs(settings.shutdown_grace_seconds),
            jobs,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn contexts(&self) -> &Contexts {
        &self.contexts
    }

    /// Serves until `stop` resolves; then closes WebSockets with a close frame, stops
    /// accepting, lets in-flight requests finish within the grace period, and stops the
    /// background jobs, letting a running one finish its run (within the grace period too).
    pub async fn run_until(self, stop: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let Self {
            listener,
            limits,
            state,
            contexts,
            grace,
            jobs,
            ..
        } = self;
        let shutdown = state.shutdown.clone();
        let signal = {
            let shutdown = shutdown.clone();
            async move {
                stop.await;
                tracing::info!("shutting down: draining requests and closing WebSockets");
                shutdown.cancel();
            }
        };
        let routes = crate::routes::routes(state, &contexts);
        let result = crate::server::serve(listener, routes, limits, signal, grace).await;
        shutdown.cancel();
        if tokio::time::timeout(grace, jobs.shutdown()).await.is_err() {
            tracing::warn!("a background job was still running after the grace period; left behind");
        }
        result.context("serving HTTP")
    }
}

/// Both settings are bounded by `Settings::check`, far below where this would saturate.
fn seconds(value: u64) -> chrono::Duration {
    chrono::Duration::seconds(i64::try_from(value).unwrap_or(i64::MAX / 1000))
}

fn leeway(settings: &Settings) -> chrono::Duration {
    seconds(settings.refresh_reuse_leeway_seconds)
}

fn auth_settings(settings: &Settings) -> AuthSettings {
    AuthSettings {
        dev_login_enabled: settings.dev_login_enabled(),
        refresh_token_ttl: chrono::Duration::days(SESSION_TTL_DAYS),
        session_max_lifetime: seconds(settings.session_max_lifetime_seconds),
        refresh_reuse_leeway: leeway(settings),
    }
}

/// Clears the sealed successors of refresh tokens whose reuse leeway is over, every minute:
/// a successor is kept no longer than it can be handed out.
fn refresh_successor_purge(db: Database, leeway: chrono::Duration) -> Job {
    Job::new("refresh_successor_purge", Duration::from_secs(60), move |run| {
        let db = db.clone();
        async move {
            let cleared = db.forget_refresh_successors(run.now - leeway).await?;
            tracing::debug!(cleared, "cleared refresh successors past their leeway");
            Ok(())
        }
    })
}

/// Drops idempotency keys older than `IDEMPOTENCY_KEY_TTL` (a day), hourly (and at start, so an instance restarted
/// more often than hourly still purges).
fn idempotency_key_purge(db: Database) -> Job {
    Job::new("idempotency_key_purge", IDEMPOTENCY_PURGE_EVERY, move |run| {
        let db = db.clone();
        async move {
            let purged = db.purge_idempotency_keys(run.now - IDEMPOTENCY_KEY_TTL).await?;
            tracing::debug!(purged, "purged idempotency keys");
            Ok(())
        }
    })
}

/// Resolves on ctrl-c or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
