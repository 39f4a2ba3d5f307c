//! The end-to-end harness: `spawn_app()` starts the real server on port 0 with its own
//! database (SQLite, or PostgreSQL + Redis when `LINLI_TEST_DATABASE_URL` /
//! `LINLI_TEST_REDIS_URL` are set) and a fake WeChat API, and gives typed client helpers.
//! Logs stay silent unless `TEST_LOG` is set.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

pub mod database;
pub mod fake_wechat;
pub mod forms;
pub mod logs;
pub mod world;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};

use linli_api::Application;
use linli_api::app::grant_service;
use linli_api::config::{Environment, Settings};
use linli_api::http::state::AppState;
use linli_kernel::{Role, Scope};
use reqwest::Method;
use secrecy::SecretString;
use serde_json::Value;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use database::TestDatabase;
use fake_wechat::FakeWechat;

pub const JWT_SECRET: &str = "test-secret-that-is-long-enough-for-hs256";
/// The tests' keys of personal data (`LINLI_DATA_KEYS`, `LINLI_DATA_INDEX_KEY`): configured,
/// as in production; a test that wants the development key file sets them to `None`.
pub const DATA_KEYS: &str = "e2e-1:00112233445566778899aabbccddeeff";
pub const DATA_INDEX_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

pub struct TestApp {
    pub addr: SocketAddr,
    pub http: reqwest::Client,
    pub wechat: FakeWechat,
    pub state: AppState,
    pub settings: Settings,
    shutdown: CancellationToken,
    server: Option<JoinHandle<anyhow::Result<()>>>,
    codes: AtomicUsize,
    database: TestDatabase,
}

/// A logged-in user.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub refresh_token: String,
    pub user_id: Uuid,
    pub openid: String,
}

/// An answer: status, JSON body (Null when empty or not JSON), headers.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    pub fn id(&self) -> Uuid {
        self.body["id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no id in {self:?}"))
    }

    pub fn text(&self) -> String {
        self.body.to_string()
    }
}

fn init_logs() {
    logs::install();
}

/// The settings every test starts from: WeChat at the fake server, a known JWT secret.
pub fn test_settings(database: &TestDatabase, wechat: &FakeWechat) -> Settings {
    Settings {
        listen: "127.0.0.1:0".to_owned(),
        data_dir: database.data_dir(),
        env: Environment::Dev,
        jwt_secret: Some(SecretString::from(JWT_SECRET)),
        wechat_appid: Some(fake_wechat::APP_ID.to_owned()),
        wechat_secret: Some(SecretString::from(fake_wechat::APP_SECRET)),
        wechat_api_base: wechat.base_url(),
        wechat_timeout_ms: 1_000,
        database_url: database.url(),
        redis_url: std::env::var("LINLI_TEST_REDIS_URL")
            .ok()
            .filter(|u| !u.is_empty()),
        redis_prefix: format!("linli-test-{}", Uuid::new_v4().simple()),
        auth_rate_limit_per_minute: 100_000,
        shutdown_grace_seconds: 2,
        data_keys: Some(SecretString::from(DATA_KEYS)),
        data_index_key: Some(SecretString::from(DATA_INDEX_KEY)),
        ..Settings::default()
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the app after `adjust` has changed the test settings.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    init_logs();
    let database = TestDatabase::create().await;
    let wechat = FakeWechat::start().await;
    let mut settings = test_settings(&database, &wechat);
    adjust(&mut settings);
    let app = Application::build(settings.clone())
        .await
        .expect("the app starts");
    let addr = app.addr();
    let state = app.state().clone();
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    let server = tokio::spawn(app.run_until(async move { stop.cancelled().await }));
    TestApp {
        addr,
        http: reqwest::Client::new(),
        wechat,
        state,
        settings,
        shutdown,
        server: Some(server),
        codes: AtomicUsize::new(0),
        database,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
        if !std::thread::panicking() {
            self.assert_contract_kept();
        }
        if let Some(url) = self.settings.redis_url.clone() {
            forget_redis_keys(url, self.settings.redis_prefix.clone());
        }
    }
}

/// Deletes the test's keys (caches, rate limits), so runs leave Redis as they found it.
fn forget_redis_keys(url: String, prefix: String) {
    let _ = std::thread::spawn(move || {
        let Ok(client) = redis::Client::open(url.as_str()) else {
            return;
        };
        let Ok(mut conn) = client.get_connection() else {
            return;
        };
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{prefix}:*"))
            .query(&mut conn)
            .unwrap_or_default();
        if !keys.is_empty() {
            let _: redis::RedisResult<()> = redis::cmd("DEL").arg(keys).query(&mut conn);
        }
    })
    .join();
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn on_postgres(&self) -> bool {
        self.database.is_postgres()
    }

    /// Fails the test if the server answered anything its spec does not declare (the
    /// contract guard of debug builds records it).
    pub fn assert_contract_kept(&self) {
        let violations = linli_api::http::contract_check::violations(&self.addr.to_string());
        assert!(
            violations.is_empty(),
            "answers outside the spec:\n{}",
            violations.join("\n")
        );
    }

    /// Stops the server and starts it again on the same database and data directory.
    pub async fn restart(&mut self) {
        self.assert_contract_kept();
        self.stop().await;
        let app = Application::build(self.settings.clone())
            .await
            .expect("the app starts again");
        self.addr = app.addr();
        self.state = app.state().clone();
        self.shutdown = CancellationToken::new();
        let stop = self.shutdown.clone();
        self.server = Some(tokio::spawn(app.run_until(async move { stop.cancelled().await })));
    }

    /// Stops the server as SIGTERM would, and waits until it has.
    pub async fn stop(&mut self) {
        self.shutdown.cancel();
        if let Some(server) = self.server.take() {
            server
                .await
                .expect("the server task ends")
                .expect("the server stops cleanly");
        }
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let mut request = self.http.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        into_reply(request.send().await.expect("the server answers")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.request(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.request(Method::POST, path, Some(token), Some(&body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.request(Method::PATCH, path, Some(token), Some(&body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Reply {
        self.request(Method::PUT, path, Some(token), Some(&body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.request(Method::DELETE, path, Some(token), None).await
    }

    /// `POST /api/v1/auth/refresh` with this refresh token.
    pub async fn refresh(&self, refresh_token: &str) -> Reply {
        let body = serde_json::json!({ "refresh_token": refresh_token });
        self.request(Method::POST, "/api/v1/auth/refresh", None, Some(&body))
            .await
    }

    /// `POST /api/v1/grids/import` with a CSV body.
    pub async fn import_csv(&self, token: &str, csv: impl Into<String>) -> Reply {
        let response = self
            .http
            .post(self.url("/api/v1/grids/import"))
            .bearer_auth(token)
            .header("content-type", "text/csv")
            .body(csv.into())
            .send()
            .await
            .expect("the server answers");
        into_reply(response).await
    }

    /// `POST /api/v1/grids/import` with a form carrying the CSV in the field `file`.
    pub async fn import_form(&self, token: &str, csv: impl Into<String>) -> Reply {
        let form = forms::FormBody::new().text("note", "网格导入").file(
            "file",
            "网格.csv",
            "text/csv",
            csv.into().as_bytes(),
        );
        self.post_form("/api/v1/grids/import", Some(token), &form).await
    }

    /// Uploads a small JPEG as `token`'s user (`POST /api/v1/uploads`) and gives its URL, for
    /// tests of what takes photos (a request's, a task's).
    pub async fn upload_photo(&self, token: &str) -> String {
        let form = forms::FormBody::new().file(
            "file",
            "wx_camera.jpg",
            "image/jpeg",
            &linli_uploads::testing::samples::JPEG,
        );
        let reply = self.post_form("/api/v1/uploads", Some(token), &form).await;
        assert_eq!(reply.status, 201, "upload: {reply:?}");
        reply.body["url"].as_str().expect("a url").to_owned()
    }

    /// POSTs a form to `path`.
    pub async fn post_form(&self, path: &str, token: Option<&str>, form: &forms::FormBody) -> Reply {
        let mut request = self
            .http
            .post(self.url(path))
            .header("content-type", forms::FormBody::content_type())
            .body(form.body());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        into_reply(request.send().await.expect("the server answers")).await
    }

    /// A fresh `wx.login` code that WeChat will accept once for this openid.
    pub fn login_code(&self, openid: &str) -> String {
        let code = format!(
            "code-{}-{}",
            self.codes.fetch_add(1, Ordering::SeqCst),
            Uuid::new_v4().simple()
        );
        self.wechat.accept_login(&code, openid, None);
        code
    }

    /// Logs in through WeChat (the fake one) as `openid`.
    pub async fn login(&self, openid: &str) -> Session {
        let code = self.login_code(openid);
        let reply = self
            .request(
                Method::POST,
                "/api/v1/auth/wechat/login",
                None,
                Some(&serde_json::json!({ "code": code })),
            )
            .await;
        assert_eq!(reply.status, 200, "login as {openid}: {reply:?}");
        session_of(&reply, openid)
    }

    /// Gives `openid` a role from the console, as `linli admin grant` does.
    pub async fn console_grant(&self, openid: &str, role: Role, scope: Scope) {
        grant_service(&self.state.db)
            .ensure_by_openid(openid, role, scope)
            .await
            .expect("console grant");
    }

    /// A logged-in district admin.
    pub async fn district_admin(&self) -> Session {
        let openid = format!("district-admin-{}", Uuid::new_v4().simple());
        self.console_grant(&openid, Role::DistrictAdmin, Scope::District)
            .await;
        self.login(&openid).await
    }

    /// A logged-in user holding `role` at `scope`.
    pub async fn staff(&self, role: Role, scope: Scope) -> Session {
        let openid = format!("{role}-{}", Uuid::new_v4().simple());
        self.console_grant(&openid, role, scope).await;
        self.login(&openid).await
    }

    /// A logged-in user with no role but `resident`.
    pub async fn resident(&self) -> Session {
        self.login(&format!("resident-{}", Uuid::new_v4().simple())).await
    }

    /// Opens `GET /api/v1/ws` with the token in the `Authorization` header.
    pub async fn websocket(&self, token: &str) -> WebSocket {
        websocket_at(self.addr, token).await
    }

    /// Whether instances of this app share state beyond the database (Redis is configured).
    pub fn is_distributed(&self) -> bool {
        self.settings.redis_url.is_some() && self.on_postgres()
    }

    /// Another instance of the same deployment: same database, same Redis, same WeChat.
    pub async fn another_instance(&self) -> Instance {
        let app = Application::build(self.settings.clone())
            .await
            .expect("a second instance starts");
        let addr = app.addr();
        let shutdown = CancellationToken::new();
        let stop = shutdown.clone();
        tokio::spawn(app.run_until(async move { stop.cancelled().await }));
        Instance { addr, shutdown }
    }
}

pub type WebSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A second instance of a test's app; stopped when dropped.
pub struct Instance {
    pub addr: SocketAddr,
    shutdown: CancellationToken,
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl Instance {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// Opens `GET /api/v1/ws` at `addr` with the token in the `Authorization` header.
pub async fn websocket_at(addr: SocketAddr, token: &str) -> WebSocket {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = format!("ws://{addr}/api/v1/ws").into_client_request().unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    let (socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the WebSocket opens");
    socket
}

pub async fn into_reply(response: reqwest::Response) -> Reply {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        body,
        headers,
    }
}

pub fn session_of(reply: &Reply, openid: &str) -> Session {
    Session {
        token: reply.body["access_token"]
            .as_str()
            .expect("an access token")
            .to_owned(),
        refresh_token: reply.body["refresh_token"]
            .as_str()
            .expect("a refresh token")
            .to_owned(),
        user_id: reply.body["user"]["id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .expect("a user id"),
        openid: openid.to_owned(),
    }
}
