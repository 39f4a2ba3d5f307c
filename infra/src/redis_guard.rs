//! Redis on a request path: every call gets a short timeout, and a failure opens a circuit
//! breaker. While it is open, calls skip Redis at once (their callers fall back or fail
//! open), and a background probe pings Redis until it answers, which closes the breaker.
//! So a Redis outage costs one request one timeout, not every request a connection attempt.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, RedisResult};
use tokio_util::sync::CancellationToken;

/// A connection manager that gives up reconnecting quickly: the redis crate's default (six
/// retries with exponential backoff) is what made each login wait 9.5 s for a dead Redis.
pub async fn connection_manager(client: redis::Client) -> RedisResult<ConnectionManager> {
    let config = ConnectionManagerConfig::new()
        .set_number_of_retries(1)
        .set_max_delay(Duration::from_millis(500))
        .set_connection_timeout(Some(Duration::from_secs(1)));
    client.get_connection_manager_with_config(config).await
}

#[derive(Clone)]
pub struct RedisGuard {
    inner: Arc<Inner>,
}

struct Inner {
    conn: ConnectionManager,
    timeout: Duration,
    probe_every: Duration,
    open: AtomicBool,
    probing: AtomicBool,
    /// How often the breaker opened, and how many calls it skipped (for metrics).
    trips: AtomicU64,
    skipped: AtomicU64,
    shutdown: CancellationToken,
}

impl std::fmt::Debug for RedisGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisGuard")
            .field("open", &self.is_open())
            .finish_non_exhaustive()
    }
}

impl RedisGuard {
    /// Calls through `conn` time out after `timeout`; after a failure Redis is probed every
    /// `probe_every` until it answers (or `shutdown`).
    pub fn new(
        conn: ConnectionManager,
        timeout: Duration,
        probe_every: Duration,
        shutdown: CancellationToken,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                conn,
                timeout,
                probe_every,
                open: AtomicBool::new(false),
                probing: AtomicBool::new(false),
                trips: AtomicU64::new(0),
                skipped: AtomicU64::new(0),
                shutdown,
            }),
        }
    }

    /// The connection itself, for background work that retries on its own.
    pub fn connection(&self) -> ConnectionManager {
        self.inner.conn.clone()
    }

    /// Whether Redis is being skipped after a failure.
    pub fn is_open(&self) -> bool {
        self.inner.open.load(Ordering::Acquire)
    }

    pub fn trips(&self) -> u64 {
        self.inner.trips.load(Ordering::Relaxed)
    }

    pub fn skipped(&self) -> u64 {
        self.inner.skipped.load(Ordering::Relaxed)
    }

    /// Runs `call` on the connection unless the breaker is open. `None` when skipped,
    /// failed or timed out; a failure or a timeout opens the breaker.
    pub async fn run<T, F, Fut>(&self, what: &'static str, call: F) -> Option<T>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        if self.is_open() {
            self.inner.skipped.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        match tokio::time::timeout(self.inner.timeout, call(self.inner.conn.clone())).await {
            Ok(Ok(value)) => Some(value),
            Ok(Err(e)) => {
                self.trip(what, &e.to_string());
                None
            }
            Err(_) => {
                self.trip(what, "timed out");
                None
            }
        }
    }

    /// Whether Redis answers a PING now (through the breaker: `false` while it is open).
    pub async fn ping(&self) -> bool {
        self.run("ping", |mut conn| async move { conn.ping::<String>().await })
            .await
            .is_some()
    }

    fn trip(&self, what: &str, why: &str) {
        if !self.inner.open.swap(true, Ordering::AcqRel) {
            self.inner.trips.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                call = what,
                error = why,
                "Redis unavailable; skipping it until it answers again"
            );
        }
        if !self.inner.probing.swap(true, Ordering::AcqRel) {
            tokio::spawn(self.clone().probe());
        }
    }

    /// Pings until Redis answers, then closes the breaker.
    async fn probe(self) {
        let inner = &self.inner;
        loop {
            tokio::select! {
                () = inner.shutdown.cancelled() => break,
                () = tokio::time::sleep(inner.probe_every) => {}
            }
            let mut conn = inner.conn.clone();
            // Reconnecting takes longer than a command: give the probe a second at least.
            let patience = inner.timeout.max(Duration::from_secs(1));
            if let Ok(Ok(_)) = tokio::time::timeout(patience, conn.ping::<String>()).await {
                // Probing ends before the breaker closes, so a failure right after starts
                // a new probe.
                inner.probing.store(false, Ordering::Release);
                inner.open.store(false, Ordering::Release);
                tracing::info!("Redis answers again");
                return;
            }
        }
        inner.probing.store(false, Ordering::Release);
    }
}
