//! Configuration: defaults, then an optional `linli.toml`, then `LINLI_*` environment
//! variables (and `DATABASE_URL`, `REDIS_URL`). Secrets are `SecretString`s and URLs are
//! printed with their passwords hidden.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use linli_infra::crypto::{PersonalDataKeys, resolve_personal_data_keys};
use linli_infra::db::redact_url;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use files::{create_private_dir, create_private_file, write_private};

mod files;
mod uploads;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Dev,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

pub const REAL_WECHAT_API: &str = "https://api.weixin.qq.com";
const MIN_SECRET_BYTES: usize = 32;
const MAX_LEEWAY_SECONDS: u64 = 300;
const MAX_SESSION_SECONDS: u64 = 3650 * 24 * 3600;

#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free port.
    pub listen: String,
    /// Where the embedded database and the generated dev JWT secret live.
    pub data_dir: PathBuf,
    pub env: Environment,
    /// Signs access tokens; at least 32 bytes in production.
    #[serde(serialize_with = "no_secret")]
    pub jwt_secret: Option<SecretString>,
    pub wechat_appid: Option<String>,
    #[serde(serialize_with = "no_secret")]
    pub wechat_secret: Option<SecretString>,
    pub wechat_api_base: String,
    pub wechat_timeout_ms: u64,
    /// Comma-separated openids made district admins at start-up.
    pub bootstrap_admins: String,
    /// Without WeChat (development), the content check finds these comma-separated words in
    /// what people write, whatever their case: risky (refused) and review (held for staff).
    pub content_risky_words: String,
    pub content_review_words: String,
    pub log_format: LogFormat,
    /// PostgreSQL (`postgres://…`) or SQLite (`sqlite://…`); the embedded file when unset.
    pub database_url: Option<String>,
    pub database_max_connections: Option<u32>,
    /// Redis for the event bus, caches and rate limits; in process when unset.
    pub redis_url: Option<String>,
    /// Prefix of every Redis key and channel, so deployments (and tests) can share a server.
    pub redis_prefix: String,
    pub district_name: Option<String>,
    /// Forces dev login on or off. On is refused in production.
    pub dev_login: Option<bool>,
    /// Login attempts allowed per client address and minute.
    pub auth_rate_limit_per_minute: u32,
    /// How long in-flight requests may take to finish after a shutdown signal.
    pub shutdown_grace_seconds: u64,
    /// Behind a load balancer: take the client address from `X-Forwarded-For`.
    pub behind_proxy: bool,
    /// A session ends this long after login however often it is refreshed (90 days).
    pub session_max_lifetime_seconds: u64,
    /// A spent refresh token presented again this soon after its rotation gets the same pair
    /// (a mobile retry); later, it revokes the session.
    pub refresh_reuse_leeway_seconds: u64,
    /// Whether `env` was set (`LINLI_ENV` or the file) rather than left to its default.
    #[serde(skip)]
    pub env_explicit: bool,
    /// Rows a CSV import may hold; a larger file is refused whole.
    pub import_max_rows: usize,
    /// The form field an uploaded file is in (`wx.uploadFile`'s `name`).
    pub upload_field: String,
    /// Where uploaded files are kept; `<data dir>/uploads` when unset.
    pub upload_dir: Option<PathBuf>,
    /// The largest file `POST /api/v1/uploads` accepts.
    pub upload_max_bytes: usize,
    /// The SM4 keys sealing phones and real names, `id:key,…`, the first current
    /// (`LINLI_DATA_KEYS`); generated in the data dir in development, required in production.
    #[serde(serialize_with = "no_secret")]
    pub data_keys: Option<SecretString>,
    /// The HMAC-SM3 key of the phone index (`LINLI_DATA_INDEX_KEY`).
    #[serde(serialize_with = "no_secret")]
    pub data_index_key: Option<SecretString>,
    /// Transport limits: timeouts, connections, WebSocket frames, Redis on request paths.
    #[serde(flatten)]
    pub limits: TransportSettings,
}

/// How patient the server is with clients and with Redis (flattened into `Settings`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct TransportSettings {
    /// A request's headers must arrive within this; an idle HTTP/1 connection closes after it.
    pub header_read_timeout_seconds: u64,
    /// A connection with no traffic for this long is closed (WebSockets excepted).
    pub idle_timeout_seconds: u64,
    /// A request's body must arrive within this, however it trickles; beyond, 408.
    pub body_read_timeout_seconds: u64,
    /// Open connections at most (WebSockets included); beyond, new ones wait to be accepted.
    /// WebSockets may hold at most three quarters of them, so plain HTTP always has room.
    pub max_connections: usize,
    /// Open WebSockets one user may hold; beyond, the upgrade is refused with 429.
    pub ws_max_per_user: usize,
    /// Largest WebSocket message (and frame) a client may send; larger closes with 1009.
    pub ws_max_message_bytes: usize,
    /// Client WebSocket messages per second per connection, sustained; beyond, 1008.
    pub ws_messages_per_second: u32,
    /// How many client WebSocket messages may come at once before the rate applies.
    pub ws_message_burst: u32,
    /// Each Redis call on a request path gives up after this long.
    pub redis_timeout_ms: u64,
    /// After a Redis failure, skip Redis and probe it this often until it answers.
    pub redis_retry_seconds: u64,
}

impl Default for TransportSettings {
    fn default() -> Self {
        Self {
            header_read_timeout_seconds: 10,
            idle_timeout_seconds: 60,
            body_read_timeout_seconds: 30,
            max_connections: 4096,
            ws_max_per_user: 5,
            ws_max_message_bytes: 64 * 1024,
            ws_messages_per_second: 10,
            ws_message_burst: 20,
            redis_timeout_ms: 250,
            redis_retry_seconds: 5,
        }
    }
}

fn no_secret<S: serde::Serializer>(_: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_none()
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".to_owned(),
            data_dir: PathBuf::from("./data"),
            env: Environment::Dev,
            jwt_secret: None,
            wechat_appid: None,
            wechat_secret: None,
            wechat_api_base: REAL_WECHAT_API.to_owned(),
            wechat_timeout_ms: 5_000,
            bootstrap_admins: String::new(),
            content_risky_words: String::new(),
            content_review_words: String::new(),
            log_format: LogFormat::Pretty,
            database_url: None,
            database_max_connections: None,
            redis_url: None,
            redis_prefix: "linli".to_owned(),
            district_name: None,
            dev_login: None,
            auth_rate_limit_per_minute: 60,
            shutdown_grace_seconds: 20,
            behind_proxy: false,
            limits: TransportSettings::default(),
            session_max_lifetime_seconds: 90 * 24 * 3600,
            refresh_reuse_leeway_seconds: 10,
            env_explicit: false,
            import_max_rows: linli_grid::import::DEFAULT_MAX_ROWS,
            upload_field: "file".to_owned(),
            upload_dir: None,
            upload_max_bytes: linli_uploads::DEFAULT_MAX_BYTES,
            data_keys: None,
            data_index_key: None,
        }
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("env", &self.env)
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "***"))
            .field("wechat_appid", &self.wechat_appid)
            .field("wechat_secret", &self.wechat_secret.as_ref().map(|_| "***"))
            .field("wechat_api_base", &self.wechat_api_base)
            .field("database_url", &self.database_url.as_deref().map(redact_url))
            .field("redis_url", &self.redis_url.as_deref().map(redact_url))
            .field("redis_prefix", &self.redis_prefix)
            .field("dev_login", &self.dev_login)
            .field("data_keys", &self.data_keys.as_ref().map(|_| "***"))
            .field("data_index_key", &self.data_index_key.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// Defaults, then `linli.toml` (or `LINLI_CONFIG`) if present, then the environment.
    pub fn load() -> anyhow::Result<Self> {
        let file = std::env::var("LINLI_CONFIG").unwrap_or_else(|_| "linli.toml".to_owned());
        let file = Path::new(&file);
        let mut settings: Self = Self::figment(file)
            .extract()
            .context("reading the configuration")?;
        settings.env_explicit = Self::sources(file).find_value("env").is_ok();
        Ok(settings)
    }

    fn figment(file: &Path) -> Figment {
        Figment::from(Serialized::defaults(Settings::default())).merge(Self::sources(file))
    }

    /// What the operator configured, without the defaults.
    fn sources(file: &Path) -> Figment {
        Figment::new()
            .merge(Toml::file(file))
            .merge(
                Env::prefixed("LINLI_")
                    .ignore(&["config"])
                    .map(|k| k.as_str().to_lowercase().into()),
            )
            .merge(Env::raw().only(&["DATABASE_URL", "REDIS_URL"]))
    }

    /// Dev login answers only in development, without a WeChat app id, unless switched off.
    pub fn dev_login_enabled(&self) -> bool {
        self.env == Environment::Dev && self.wechat_appid.is_none() && self.dev_login != Some(false)
    }

    pub fn bootstrap_admin_openids(&self) -> Vec<String> {
        self.bootstrap_admins
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// Refuses what must never run in production: dev login, a short or missing JWT
    /// secret, missing WeChat credentials, WeChat over plain HTTP. Anywhere, refuses dev login
    /// reachable from other machines unless development was asked for explicitly.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.dev_login_enabled() && !self.env_explicit && !is_loopback(&self.listen) {
            bail!(
                "refusing to start: dev login (anyone may log in as anyone) would answer on {}, \
                 which other machines can reach. Set LINLI_ENV=dev to allow it explicitly, \
                 LINLI_DEV_LOGIN=false to turn dev login off, or listen on 127.0.0.1",
                self.listen
            );
        }
        if self.refresh_reuse_leeway_seconds > MAX_LEEWAY_SECONDS {
            bail!(
                "LINLI_REFRESH_REUSE_LEEWAY_SECONDS is at most {MAX_LEEWAY_SECONDS}: it is a retry window, not a second life for a stolen token"
            );
        }
        if !(1..=MAX_SESSION_SECONDS).contains(&self.session_max_lifetime_seconds) {
            bail!(
                "LINLI_SESSION_MAX_LIFETIME_SECONDS must be between 1 and {MAX_SESSION_SECONDS} (ten years)"
            );
        }
        self.check_uploads()?;
        if self.env != Environment::Production {
            return Ok(());
        }
        let mut problems = Vec::new();
        if !wechat_base_is_safe(&self.wechat_api_base) {
            problems.push(format!(
                "LINLI_WECHAT_API_BASE must be an https:// address (plain http only to a loopback \
                 address), not {}",
                self.wechat_api_base
            ));
        }
        if self.dev_login == Some(true) {
            problems.push("dev login is enabled (LINLI_DEV_LOGIN=true)".to_owned());
        }
        match &self.jwt_secret {
            None => problems.push("LINLI_JWT_SECRET is not set".to_owned()),
            Some(s) if s.expose_secret().len() < MIN_SECRET_BYTES => {
                problems.push(format!(
                    "LINLI_JWT_SECRET is shorter than {MIN_SECRET_BYTES} bytes"
                ));
            }
            Some(_) => {}
        }
        if self.wechat_appid.as_deref().is_none_or(str::is_empty) {
            problems.push("LINLI_WECHAT_APPID is not set".to_owned());
        }
        if self
            .wechat_secret
            .as_ref()
            .is_none_or(|s| s.expose_secret().is_empty())
        {
            problems.push("LINLI_WECHAT_SECRET is not set".to_owned());
        }
        for (value, name) in [
            (&self.data_keys, "LINLI_DATA_KEYS"),
            (&self.data_index_key, "LINLI_DATA_INDEX_KEY"),
        ] {
            if value.as_ref().is_none_or(|s| s.expose_secret().trim().is_empty()) {
                problems.push(format!("{name} is not set"));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            bail!("refusing to start in production: {}", problems.join("; "))
        }
    }

    /// The database to use: `DATABASE_URL`, or the embedded SQLite file in the data dir.
    pub fn database_url(&self) -> anyhow::Result<String> {
        match &self.database_url {
            Some(url) => Ok(url.clone()),
            None => {
                create_private_dir(&self.data_dir)?;
                let file = self.data_dir.join("linli.db");
                create_private_file(&file)
                    .with_context(|| format!("creating the database file {}", file.display()))?;
                Ok(format!("sqlite://{}?mode=rwc", file.display()))
            }
        }
    }

    /// The configured JWT secret; in development without one, a secret generated once and
    /// kept in the data directory, so tokens survive a restart.
    pub fn resolve_jwt_secret(&self) -> anyhow::Result<SecretString> {
        if let Some(secret) = &self.jwt_secret {
            return Ok(secret.clone());
        }
        if self.env == Environment::Production {
            bail!("LINLI_JWT_SECRET is not set");
        }
        let path = self.data_dir.join("jwt_secret");
        if let Ok(existing) = std::fs::read_to_string(&path) {
            let existing = existing.trim().to_owned();
            if existing.len() >= MIN_SECRET_BYTES {
                return Ok(SecretString::from(existing));
            }
        }
        create_private_dir(&self.data_dir)?;
        let secret = generate_secret();
        write_private(&path, &secret)
            .with_context(|| format!("keeping the dev JWT secret in {}", path.display()))?;
        tracing::info!(path = %path.display(), "generated a JWT secret for development");
        Ok(SecretString::from(secret))
    }
}

/// Whether `host[:port]` (or an IP address with a port) names this machine only.
fn is_loopback(address: &str) -> bool {
    if let Ok(addr) = address.parse::<std::net::SocketAddr>() {
        return addr.ip().is_loopback();
    }
    let host = match address.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => address,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `https://…`, or `http://` to this machine (a local fake or egress proxy): never the
/// WeChat secret in clear across a network.
fn wechat_base_is_safe(base: &str) -> bool {
    let lower = base.to_ascii_lowercase();
    if lower.starts_with("https://") {
        return true;
    }
    lower.strip_prefix("http://").is_some_and(|rest| {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        !authority.contains('@') && is_loopback(authority)
    })
}

impl Settings {
    /// The keys of personal data at rest: the configured ones, or in development without
    /// either a key file generated once in the data directory; refused in production
    /// without both (see `infra/CRYPTO.md`).
    pub fn resolve_personal_data_keys(&self) -> anyhow::Result<PersonalDataKeys> {
        fn configured(value: &Option<SecretString>) -> Option<&str> {
            value
                .as_ref()
                .map(|s| s.expose_secret())
                .filter(|s| !s.trim().is_empty())
        }
        resolve_personal_data_keys(
            configured(&self.data_keys),
            configured(&self.data_index_key),
            self.env == Environment::Production,
            &self.data_dir,
        )
        .context("the keys of personal data (LINLI_DATA_KEYS, LINLI_DATA_INDEX_KEY)")
    }
}

fn generate_secret() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests;
