//! WeChat's access token, cached until shortly before it expires and refreshed by one
//! caller at a time: in process with a mutex, across instances with a Redis lock.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use linli_identity::ports::WechatFailure;
use redis::AsyncCommands;
use tokio::sync::Mutex;

use super::client::WechatClient;

/// Refresh this long before WeChat's expiry, so a token never dies in flight.
const MARGIN_SECONDS: i64 = 300;
/// How long one instance may hold the refresh lock.
const LOCK_MS: u64 = 10_000;

#[derive(Clone)]
pub struct AccessTokenStore {
    /// Single flight within this instance; the token itself lives in `cache`.
    refreshing: Arc<Mutex<()>>,
    /// The last refresh that failed, and when: callers who were already waiting for it get
    /// its failure at once instead of each trying (and timing out) again in turn.
    last_failure: Arc<std::sync::Mutex<Option<(Instant, WechatFailure)>>>,
    cache: Cache,
}

/// A token and the moment to stop using it.
type CachedToken = Option<(String, DateTime<Utc>)>;

#[derive(Clone)]
enum Cache {
    InProcess(Arc<Mutex<CachedToken>>),
    Redis {
        conn: redis::aio::ConnectionManager,
        key: String,
        lock_key: String,
    },
}

impl AccessTokenStore {
    pub fn in_process() -> Self {
        Self {
            refreshing: Arc::new(Mutex::new(())),
            last_failure: Arc::default(),
            cache: Cache::InProcess(Arc::new(Mutex::new(None))),
        }
    }

    pub fn redis(conn: redis::aio::ConnectionManager, prefix: &str) -> Self {
        Self {
            refreshing: Arc::new(Mutex::new(())),
            last_failure: Arc::default(),
            cache: Cache::Redis {
                conn,
                key: format!("{prefix}:wechat:access_token"),
                lock_key: format!("{prefix}:wechat:access_token:lock"),
            },
        }
    }

    async fn cached(&self) -> Result<Option<String>, WechatFailure> {
        match &self.cache {
            Cache::InProcess(slot) => {
                let slot = slot.lock().await;
                Ok(slot
                    .as_ref()
                    .filter(|(_, until)| *until > Utc::now())
                    .map(|(t, _)| t.clone()))
            }
            Cache::Redis { conn, key, .. } => {
                let mut conn = conn.clone();
                conn.get::<_, Option<String>>(key).await.map_err(redis_down)
            }
        }
    }

    async fn store(&self, token: &str, expires_in: i64) -> Result<(), WechatFailure> {
        let keep = keep_for(expires_in);
        match &self.cache {
            Cache::InProcess(slot) => {
                *slot.lock().await = Some((token.to_owned(), Utc::now() + chrono::Duration::seconds(keep)));
                Ok(())
            }
            Cache::Redis { conn, key, .. } => {
                let mut conn = conn.clone();
                conn.set_ex::<_, _, ()>(key, token, u64::try_from(keep).unwrap_or(60))
                    .await
                    .map_err(redis_down)
            }
        }
    }

    /// A token believed good: the cached one, or a fresh one fetched by a single caller.
    pub(super) async fn current(&self, client: &WechatClient) -> Result<String, WechatFailure> {
        if let Some(token) = self.cached().await? {
            return Ok(token);
        }
        self.refresh(client, None).await
    }

    /// WeChat refused `rejected` as stale: fetch a new one, unless another caller already has.
    pub(super) async fn replace_rejected(
        &self,
        client: &WechatClient,
        rejected: &str,
    ) -> Result<String, WechatFailure> {
        self.refresh(client, Some(rejected)).await
    }

    async fn refresh(&self, client: &WechatClient, rejected: Option<&str>) -> Result<String, WechatFailure> {
        let asked_at = Instant::now();
        let _single_flight = self.refreshing.lock().await;
        if let Some(failure) = self.failure_since(asked_at) {
            return Err(failure);
        }
        let usable = |token: &String| rejected != Some(token.as_str());
        if let Some(token) = self.cached().await?.filter(usable) {
            return Ok(token);
        }
        let fetched = self.fetch_and_store(client, rejected, usable).await;
        if let Err(failure) = &fetched
            && let Ok(mut last) = self.last_failure.lock()
        {
            *last = Some((Instant::now(), failure.clone()));
        }
        fetched
    }

    /// The failure of a refresh that ended after `moment`, if one did.
    fn failure_since(&self, moment: Instant) -> Option<WechatFailure> {
        let last = self.last_failure.lock().ok()?;
        last.as_ref()
            .filter(|(at, _)| *at >= moment)
            .map(|(_, failure)| failure.clone())
    }

    async fn fetch_and_store(
        &self,
        client: &WechatClient,
        rejected: Option<&str>,
        usable: impl Fn(&String) -> bool + Copy,
    ) -> Result<String, WechatFailure> {
        match &self.cache {
            Cache::InProcess(_) => {
                let (token, expires_in) = client.fetch_stable_token(rejected.is_some()).await?;
                self.store(&token, expires_in).await?;
                Ok(token)
            }
            Cache::Redis { conn, lock_key, .. } => {
                let mut conn = conn.clone();
                let owner = uuid::Uuid::now_v7().to_string();
                for _ in 0..100 {
                    let locked: Option<String> = redis::cmd("SET")
                        .arg(lock_key)
                        .arg(&owner)
                        .arg("NX")
                        .arg("PX")
                        .arg(LOCK_MS)
                        .query_async(&mut conn)
                        .await
                        .map_err(redis_down)?;
                    if locked.is_some() {
                        let fetched = async {
                            // Another instance may have refreshed while we waited for the lock.
                            if let Some(token) = self.cached().await?.filter(usable) {
                                return Ok(token);
                            }
                            let (token, expires_in) = client.fetch_stable_token(rejected.is_some()).await?;
                            self.store(&token, expires_in).await?;
                            Ok(token)
                        }
                        .await;
                        release_lock(&mut conn, lock_key, &owner).await;
                        return fetched;
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    if let Some(token) = self.cached().await?.filter(usable) {
                        return Ok(token);
                    }
                }
                Err(WechatFailure::Unavailable(
                    "timed out waiting for the access token refresh".to_owned(),
                ))
            }
        }
    }
}

/// How long to use a token WeChat says lives `expires_in` seconds: until five minutes before
/// it dies, or for half its life when it is that short.
fn keep_for(expires_in: i64) -> i64 {
    if expires_in > 2 * MARGIN_SECONDS {
        expires_in - MARGIN_SECONDS
    } else {
        (expires_in / 2).max(1)
    }
}

/// Deletes the lock only if we still own it.
async fn release_lock(conn: &mut redis::aio::ConnectionManager, lock_key: &str, owner: &str) {
    let script = redis::Script::new(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end",
    );
    if let Err(e) = script.key(lock_key).arg(owner).invoke_async::<i64>(conn).await {
        tracing::warn!(error = %e, "could not release the access token lock; it expires by itself");
    }
}

fn redis_down(e: redis::RedisError) -> WechatFailure {
    WechatFailure::Unavailable(format!("the token cache is unreachable: {e}"))
}

#[cfg(test)]
mod tests {
    use super::keep_for;

    #[test]
    fn a_token_is_dropped_well_before_wechat_expires_it() {
        assert_eq!(keep_for(7200), 6900);
        assert_eq!(keep_for(300), 150);
        assert_eq!(keep_for(1), 1);
    }
}
