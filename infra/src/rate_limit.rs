//! Fixed-window rate limits, shared by every instance through Redis when configured. While
//! Redis is away (its breaker open) each instance counts on its own, so limits still hold,
//! per instance, and requests never wait on Redis.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::redis_guard::RedisGuard;

#[derive(Clone)]
pub enum RateLimiter {
    InProcess(Arc<Mutex<HashMap<String, (Instant, u32)>>>),
    Redis {
        redis: RedisGuard,
        prefix: String,
        /// Counts while Redis is away.
        fallback: Box<RateLimiter>,
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

    /// Shared through Redis, falling back to counting in process while Redis is away.
    pub fn redis(redis: RedisGuard, prefix: &str) -> Self {
        Self::Redis {
            redis,
            prefix: prefix.to_owned(),
            fallback: Box::new(Self::in_process()),
        }
    }

    /// Counts one hit on `key`; `false` once more than `limit` hits fell in the window.
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
            Self::Redis {
                redis,
                prefix,
                fallback,
            } => {
                let shared = format!("{prefix}:rate:{key}");
                let seconds = i64::try_from(window.as_secs()).unwrap_or(60);
                let counted = redis
                    .run("rate limit", |mut conn| async move {
                        redis::pipe()
                            .atomic()
                            .incr(&shared, 1)
                            .expire(&shared, seconds)
                            .arg("NX")
                            .query_async::<(u32, i64)>(&mut conn)
                            .await
                    })
                    .await;
                match counted {
                    Some((count, _)) => count <= limit,
                    None => Box::pin(fallback.allow(key, limit, window)).await,
                }
            }
        }
    }
}
