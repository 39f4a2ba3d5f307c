//! WeChat's access token, cached until shortly before it expires and refreshed by one
//! caller at a time: in process with a mutex, across instances with a Redis lock. Redis is
//! reached through the `RedisGuard` (a short timeout and a circuit breaker): while Redis is
//! away the store works in process, so a WeChat-backed request never waits on a dead Redis.
//!
//! `stable_token` has two modes. The normal one hands back WeChat's current token (a new one
//! once the old one has expired) and is the one we use. The forced one mints a new token,
//! which invalidates the old one for every other system sharing the app id, and WeChat allows
//! it only 20 times a day, at least 30 s apart. So after WeChat rejects a token we ask in
//! normal mode, and force only when that hands back the very token just rejected, within
//! those limits counted per deployment: in process, or in Redis beside the token.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use linli_identity::ports::WechatFailure;
use redis::AsyncCommands;

use crate::redis_guard::RedisGuard;
use tokio::sync::Mutex;

use super::client::WechatClient;

/// Refresh this long before WeChat's expiry, so a token never dies in flight.
const MARGIN_SECONDS: i64 = 300;
/// How long one instance may hold the refresh lock.
const LOCK_MS: u64 = 10_000;
/// WeChat's limit on forced refreshes per app id and rolling day.
const FORCED_REFRESHES_PER_DAY: usize = 20;
/// WeChat ignores a forced refresh asked for sooner than this after the previous one.
const FORCED_REFRESH_GAP_SECONDS: i64 = 30;
const DAY_SECONDS: i64 = 24 * 60 * 60;
/// errcode of `stable_token` when the day's forced refreshes are used up.
const DAILY_QUOTA_USED_UP: i64 = 45009;

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
    InProcess {
        token: Arc<Mutex<CachedToken>>,
        /// When this deployment (this process) forced a refresh, over the last day.
        forced: Arc<std::sync::Mutex<Vec<DateTime<Utc>>>>,
    },
    Redis {
        guard: RedisGuard,
        /// Used while the breaker is open.
        fallback: Box<AccessTokenStore>,
        key: String,
        lock_key: String,
        /// A sorted set of this deployment's forced refreshes over the last day, scored by
        /// Redis's clock in milliseconds.
        forced_key: String,
    },
}

/// Why we will not force a refresh now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ForceRefusal {
    TooSoon,
    DailyLimit,
}

impl std::fmt::Display for ForceRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooSoon => write!(
                f,
                "a refresh was forced less than {FORCED_REFRESH_GAP_SECONDS} s ago"
            ),
            Self::DailyLimit => write!(
                f,
                "{FORCED_REFRESHES_PER_DAY} refreshes were forced in the last day"
            ),
        }
    }
}

impl AccessTokenStore {
    pub fn in_process() -> Self {
        Self {
            refreshing: Arc::new(Mutex::new(())),
            last_failure: Arc::default(),
            cache: Cache::InProcess {
                token: Arc::new(Mutex::new(None)),
                forced: Arc::default(),
            },
        }
    }

    pub fn redis(guard: RedisGuard, prefix: &str) -> Self {
        Self {
            refreshing: Arc::new(Mutex::new(())),
            last_failure: Arc::default(),
            cache: Cache::Redis {
                guard,
                fallback: Box::new(Self::in_process()),
                key: format!("{prefix}:wechat:access_token"),
                lock_key: format!("{prefix}:wechat:access_token:lock"),
                forced_key: format!("{prefix}:wechat:access_token:forced"),
            },
        }
    }

    async fn cached(&self) -> Result<Option<String>, WechatFailure> {
        match &self.cache {
            Cache::InProcess { token, .. } => {
                let slot = token.lock().await;
                Ok(slot
                    .as_ref()
                    .filter(|(_, until)| *until > Utc::now())
                    .map(|(t, _)| t.clone()))
            }
            Cache::Redis { guard, key, .. } => guard
                .run("wechat token get", |mut conn| async move {
                    conn.get::<_, Option<String>>(key).await
                })
                .await
                .ok_or_else(redis_down),
        }
    }

    /// The cached token, unless it is the one WeChat just rejected.
    async fn usable_cached(&self, rejected: Option<&str>) -> Result<Option<String>, WechatFailure> {
        Ok(self
            .cached()
            .await?
            .filter(|token| rejected != Some(token.as_str())))
    }

    async fn store(&self, token: &str, expires_in: i64) -> Result<(), WechatFailure> {
        let keep = keep_for(expires_in);
        match &self.cache {
            Cache::InProcess { token: slot, .. } => {
                *slot.lock().await = Some((token.to_owned(), Utc::now() + chrono::Duration::seconds(keep)));
                Ok(())
            }
            Cache::Redis { guard, key, .. } => guard
                .run("wechat token set", |mut conn| async move {
                    conn.set_ex::<_, _, ()>(key, token, u64::try_from(keep).unwrap_or(60))
                        .await
                })
                .await
                .ok_or_else(redis_down),
        }
    }

    /// A token believed good: the cached one, or a fresh one fetched by a single caller.
    pub(super) async fn current(&self, client: &WechatClient) -> Result<String, WechatFailure> {
        if let Some(fallback) = self.fallback(false) {
            return Box::pin(fallback.current(client)).await;
        }
        let result = match self.cached().await {
            Ok(Some(token)) => Ok(token),
            Ok(None) => self.refresh(client, None).await,
            Err(e) => Err(e),
        };
        match self.fallback(result.is_err()) {
            Some(fallback) => Box::pin(fallback.current(client)).await,
            None => result,
        }
    }

    /// The in-process store to use instead, while Redis's breaker is open (checked before a
    /// call, and after one that `failed`).
    fn fallback(&self, failed: bool) -> Option<&Self> {
        match &self.cache {
            Cache::Redis { guard, fallback, .. } if guard.is_open() => {
                if failed {
                    tracing::warn!("Redis is unreachable: the WeChat access token is cached in process");
                }
                Some(fallback)
            }
            _ => None,
        }
    }

    /// WeChat refused `rejected` as stale: fetch a new one, unless another caller already has.
    pub(super) async fn replace_rejected(
        &self,
        client: &WechatClient,
        rejected: &str,
    ) -> Result<String, WechatFailure> {
        if let Some(fallback) = self.fallback(false) {
            return Box::pin(fallback.replace_rejected(client, rejected)).await;
        }
        let result = self.refresh(client, Some(rejected)).await;
        match self.fallback(result.is_err()) {
            Some(fallback) => Box::pin(fallback.replace_rejected(client, rejected)).await,
            None => result,
        }
    }

    async fn refresh(&self, client: &WechatClient, rejected: Option<&str>) -> Result<String, WechatFailure> {
        let asked_at = Instant::now();
        let _single_flight = self.refreshing.lock().await;
        if let Some(failure) = self.failure_since(asked_at) {
            return Err(failure);
        }
        if let Some(token) = self.usable_cached(rejected).await? {
            return Ok(token);
        }
        let fetched = match &self.cache {
            Cache::InProcess { .. } => self.fetch_and_store(client, rejected).await,
            Cache::Redis { guard, lock_key, .. } => {
                self.fetch_and_store_locked(client, rejected, guard, lock_key)
                    .await
            }
        };
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

    /// `fetch_and_store` by one instance of the deployment at a time; the others wait for
    /// its token.
    async fn fetch_and_store_locked(
        &self,
        client: &WechatClient,
        rejected: Option<&str>,
        guard: &RedisGuard,
        lock_key: &str,
    ) -> Result<String, WechatFailure> {
        let owner = uuid::Uuid::now_v7().to_string();
        for _ in 0..100 {
            let locked: Option<String> = guard
                .run("wechat token lock", |mut conn| {
                    let owner = &owner;
                    async move {
                        redis::cmd("SET")
                            .arg(lock_key)
                            .arg(owner)
                            .arg("NX")
                            .arg("PX")
                            .arg(LOCK_MS)
                            .query_async(&mut conn)
                            .await
                    }
                })
                .await
                .ok_or_else(redis_down)?;
            if locked.is_some() {
                let fetched = async {
                    // Another instance may have refreshed while we waited for the lock.
                    if let Some(token) = self.usable_cached(rejected).await? {
                        return Ok(token);
                    }
                    self.fetch_and_store(client, rejected).await
                }
                .await;
                release_lock(guard, lock_key, &owner).await;
                return fetched;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            if let Some(token) = self.usable_cached(rejected).await? {
                return Ok(token);
            }
        }
        Err(WechatFailure::Unavailable(
            "timed out waiting for the access token refresh".to_owned(),
        ))
    }

    /// Asks WeChat for its current token in normal mode, and forces a new one only when the
    /// normal mode hands back the very token WeChat just rejected.
    async fn fetch_and_store(
        &self,
        client: &WechatClient,
        rejected: Option<&str>,
    ) -> Result<String, WechatFailure> {
        let (token, expires_in) = client.fetch_stable_token(false).await?;
        let (token, expires_in) = match rejected {
            Some(stale) if token == stale => self.force(client, stale).await?,
            _ => (token, expires_in),
        };
        self.store(&token, expires_in).await?;
        Ok(token)
    }

    async fn force(&self, client: &WechatClient, stale: &str) -> Result<(String, i64), WechatFailure> {
        if let Err(refusal) = self.count_forced_refresh().await? {
            tracing::warn!(
                %refusal,
                "WeChat rejects the access token it hands out, and WeChat's limits allow no forced refresh now"
            );
            return Err(WechatFailure::Unavailable(format!(
                "WeChat rejects the access token it hands out, and {refusal}"
            )));
        }
        tracing::warn!(
            "WeChat rejects the access token it hands out; forcing a refresh, which also invalidates it \
             for every other system using this app id"
        );
        let (token, expires_in) = client
            .fetch_stable_token(true)
            .await
            .map_err(|failure| match failure {
                WechatFailure::Rejected { errcode, .. } if errcode == DAILY_QUOTA_USED_UP => {
                    WechatFailure::Unavailable(
                        "WeChat refused a forced refresh: its daily quota is used up".to_owned(),
                    )
                }
                other => other,
            })?;
        if token == stale {
            // WeChat does not refresh when forced within 30 s of a forced refresh by any system
            // sharing the app id; it hands back the current token.
            return Err(WechatFailure::Unavailable(
                "WeChat did not refresh the rejected access token when forced".to_owned(),
            ));
        }
        Ok((token, expires_in))
    }

    /// Counts a forced refresh for this deployment if WeChat's limits allow one now.
    async fn count_forced_refresh(&self) -> Result<Result<(), ForceRefusal>, WechatFailure> {
        match &self.cache {
            Cache::InProcess { forced, .. } => {
                let mut forced = forced.lock().map_err(|_| {
                    WechatFailure::Unavailable("the forced refresh log is poisoned".to_owned())
                })?;
                Ok(may_force(&mut forced, Utc::now()))
            }
            Cache::Redis {
                guard, forced_key, ..
            } => {
                let answer: i64 = guard
                    .run("wechat forced refresh count", |mut conn| async move {
                        redis::Script::new(FORCE_SCRIPT)
                            .key(forced_key)
                            .arg(DAY_SECONDS * 1000)
                            .arg(FORCED_REFRESH_GAP_SECONDS * 1000)
                            .arg(FORCED_REFRESHES_PER_DAY)
                            .arg(uuid::Uuid::now_v7().to_string())
                            .invoke_async(&mut conn)
                            .await
                    })
                    .await
                    .ok_or_else(redis_down)?;
                Ok(match answer {
                    0 => Ok(()),
                    1 => Err(ForceRefusal::TooSoon),
                    _ => Err(ForceRefusal::DailyLimit),
                })
            }
        }
    }
}

/// `may_force` in Redis, atomically across instances, on Redis's clock. KEYS[1]: the sorted
/// set; ARGV: a day in ms, the gap in ms, the daily limit, a unique member. Answers 0 (counted),
/// 1 (too soon) or 2 (the day's limit is reached).
const FORCE_SCRIPT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local day, gap, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - day)
local last = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if last[2] and now - tonumber(last[2]) < gap then return 1 end
if redis.call('ZCARD', KEYS[1]) >= limit then return 2 end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], day)
return 0
";

/// Whether a refresh may be forced at `now` after the forced refreshes at `earlier`: at most
/// 20 in a rolling day, 30 s apart. Forgets those older than a day; records `now` if allowed.
fn may_force(earlier: &mut Vec<DateTime<Utc>>, now: DateTime<Utc>) -> Result<(), ForceRefusal> {
    earlier.retain(|at| now.signed_duration_since(*at) < chrono::Duration::seconds(DAY_SECONDS));
    let gap = chrono::Duration::seconds(FORCED_REFRESH_GAP_SECONDS);
    if earlier
        .iter()
        .max()
        .is_some_and(|last| now.signed_duration_since(*last) < gap)
    {
        return Err(ForceRefusal::TooSoon);
    }
    if earlier.len() >= FORCED_REFRESHES_PER_DAY {
        return Err(ForceRefusal::DailyLimit);
    }
    earlier.push(now);
    Ok(())
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
async fn release_lock(guard: &RedisGuard, lock_key: &str, owner: &str) {
    let released = guard
        .run("wechat token unlock", |mut conn| async move {
            redis::Script::new(
                "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end",
            )
            .key(lock_key)
            .arg(owner)
            .invoke_async::<i64>(&mut conn)
            .await
        })
        .await;
    if released.is_none() {
        tracing::warn!("could not release the access token lock; it expires by itself");
    }
}

/// The guard has logged why (and opened the breaker).
fn redis_down() -> WechatFailure {
    WechatFailure::Unavailable("the token cache is unreachable".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_dropped_well_before_wechat_expires_it() {
        assert_eq!(keep_for(7200), 6900);
        assert_eq!(keep_for(300), 150);
        assert_eq!(keep_for(1), 1);
    }

    #[test]
    fn forced_refreshes_are_thirty_seconds_apart() {
        let start = Utc::now();
        let mut log = Vec::new();
        assert_eq!(may_force(&mut log, start), Ok(()));
        let soon = start + chrono::Duration::seconds(29);
        assert_eq!(may_force(&mut log, soon), Err(ForceRefusal::TooSoon));
        assert_eq!(log.len(), 1, "a refused force is not counted");
        assert_eq!(may_force(&mut log, start + chrono::Duration::seconds(30)), Ok(()));
    }

    #[test]
    fn at_most_twenty_refreshes_are_forced_in_a_rolling_day() {
        let start = Utc::now();
        let mut log = Vec::new();
        let minutes = |m: i64| start + chrono::Duration::minutes(m);
        for i in 0..20 {
            assert_eq!(may_force(&mut log, minutes(i)), Ok(()), "force {i}");
        }
        assert_eq!(may_force(&mut log, minutes(60)), Err(ForceRefusal::DailyLimit));
        assert_eq!(
            may_force(&mut log, minutes(24 * 60 - 1)),
            Err(ForceRefusal::DailyLimit),
            "still within a day of the first"
        );
        assert_eq!(
            may_force(&mut log, minutes(24 * 60)),
            Ok(()),
            "the first is a day old"
        );
        assert_eq!(log.len(), 20);
    }
}
