//! Fixed-window rate limits, shared by every instance through Redis when configured.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use redis::AsyncCommands;
use tokio::sync::Mutex;

#[derive(Clone)]
pub enum RateLimiter {
    InProcess(Arc<Mutex<HashMap<String, (Instant, u32)>>>),
    Redis {
        conn: redis::aio::ConnectionManager,
        prefix: String,
    },
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::InProcess(_) => "RateLimiter::InProcess",
            Self::Redis { .. } => "RateLimiter::Redis",
        })
    }
}

impl RateLimiter {
    pub fn in_process() -> Self {
        Self::InProcess(Arc::new(Mutex::new(HashMap::new())))
    }

    /// Counts one hit on `key`; `false` once more than `limit` hits fell in the window.
    /// Fails open: if Redis is down the request goes through (and the failure is logged).
    pub async fn allow(&self, key: &str, limit: u32, window: Duration) -> bool {
        match self {
            Self::InProcess(windows) => {
                let mut windows = windows.lock().await;
                let now = Instant::now();
                if windows.len() > 100_000 {
                    windows.retain(|_, (start, _)| now.duration_since(*start) < window);
                }
                let entry = windows.entry(key.to_owned()).or_insert((now, 0));
                if now.duration_since(entry.0) >= window {
                    *entry = (now, 0);
                }
                entry.1 += 1;
                entry.1 <= limit
            }
            Self::Redis { conn, prefix } => {
                let mut conn = conn.clone();
                let key = format!("{prefix}:rate:{key}");
                let counted: redis::RedisResult<(u32, i64)> = redis::pipe()
                    .atomic()
                    .incr(&key, 1)
                    .expire(&key, i64::try_from(window.as_secs()).unwrap_or(60))
                    .arg("NX")
                    .query_async(&mut conn)
                    .await;
                match counted {
                    Ok((count, _)) => count <= limit,
                    Err(e) => {
                        tracing::warn!(error = %e, "rate limit unavailable; letting the request through");
                        let _ = conn.ping::<String>().await;
                        true
                    }
                }
            }
        }
    }
}
