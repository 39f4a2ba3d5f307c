//! Redis stopping must not stop logins: the server runs against a Redis of the test's own,
//! which is killed mid-test and started again. Runs in the PostgreSQL + Redis pass (when
//! `LINLI_TEST_REDIS_URL` is set) and only where `redis-server` is installed.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use linli_tests::{TestApp, spawn_app_with};
use reqwest::Method;

/// A hang guard per call, not a latency bound.
const GUARD: Duration = Duration::from_secs(3);

struct OwnRedis {
    port: u16,
    child: Child,
}

impl OwnRedis {
    fn start(port: u16) -> Option<Self> {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        Some(Self { port, child })
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    async fn wait_until_up(&self) {
        let client = redis::Client::open(self.url()).unwrap();
        for _ in 0..100 {
            if let Ok(mut conn) = client.get_multiplexed_async_connection().await
                && redis::cmd("PING").query_async::<String>(&mut conn).await.is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("redis-server did not come up on port {}", self.port);
    }

    /// Freezes or thaws the server (SIGSTOP, SIGCONT): a Redis that accepts and never
    /// answers, as behind a network partition.
    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Our own Redis and an app using it, or `None` where this test does not run.
async fn app_with_own_redis() -> Option<(OwnRedis, TestApp)> {
    if std::env::var("LINLI_TEST_REDIS_URL").is_err() || !redis_server_installed() {
        return None;
    }
    let redis = OwnRedis::start(free_port()).expect("redis-server starts");
    redis.wait_until_up().await;
    let url = redis.url();
    let app = spawn_app_with(|s| {
        s.redis_url = Some(url);
        s.limits.redis_retry_seconds = 1;
    })
    .await;
    app.resident().await;
    assert_eq!(readyz(&app).await.0, 200);
    Some((redis, app))
}

async fn ten_logins(app: &TestApp, label: &str) {
    for i in 0..10 {
        let login = tokio::time::timeout(GUARD, app.login(&format!("{label}-{i}"))).await;
        assert!(login.is_ok(), "login {i} hung while Redis was away");
    }
}

async fn wait_until_ready(app: &TestApp) {
    let recovered = tokio::time::timeout(Duration::from_secs(30), async {
        while readyz(app).await.0 != 200 {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await;
    assert!(recovered.is_ok(), "readyz never recovered after Redis came back");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn redis_server_installed() -> bool {
    Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

async fn readyz(app: &TestApp) -> (u16, serde_json::Value) {
    let reply = tokio::time::timeout(GUARD, app.request(Method::GET, "/readyz", None, None))
        .await
        .expect("readyz answers");
    (reply.status, reply.body)
}

async fn breaker_open(app: &TestApp) -> bool {
    let text = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines().any(|l| l == "linli_redis_breaker_open 1")
}

#[tokio::test]
async fn logins_keep_working_while_redis_is_down_and_readiness_recovers() {
    let Some((mut redis, app)) = app_with_own_redis().await else {
        return;
    };
    redis.kill();
    ten_logins(&app, "while-redis-is-down").await;
    let (status, body) = readyz(&app).await;
    assert_eq!(
        (status, &body["redis"]),
        (503, &serde_json::json!(false)),
        "{body}"
    );
    assert!(breaker_open(&app).await, "the breaker shows in /metrics");

    let _redis = OwnRedis::start(redis.port).expect("redis-server starts again");
    wait_until_ready(&app).await;
    assert!(!breaker_open(&app).await);
    tokio::time::timeout(GUARD, app.login("after-redis-returned"))
        .await
        .expect("login after Redis returned");
}

#[tokio::test]
async fn logins_keep_working_while_redis_hangs() {
    let Some((redis, app)) = app_with_own_redis().await else {
        return;
    };
    redis.signal("-STOP");
    ten_logins(&app, "while-redis-hangs").await;
    assert_eq!(readyz(&app).await.0, 503);
    assert!(breaker_open(&app).await);
    redis.signal("-CONT");
    wait_until_ready(&app).await;
}

/// The WeChat access token lives in Redis: while Redis is away it is cached in process, so a
/// WeChat-backed call still answers.
#[tokio::test]
async fn a_wechat_backed_call_answers_while_redis_is_down() {
    let Some((redis, app)) = app_with_own_redis().await else {
        return;
    };
    let me = app.resident().await;
    redis.signal("-STOP");
    for (i, phone) in ["13812345671", "13812345672"].into_iter().enumerate() {
        let code = format!("phone-{i}");
        app.wechat.accept_phone(&code, phone);
        let reply = tokio::time::timeout(
            GUARD,
            app.post("/api/v1/me/phone", &me.token, serde_json::json!({ "code": code })),
        )
        .await
        .expect("POST /me/phone hung while Redis was frozen");
        assert_eq!(reply.status, 200, "{reply:?}");
    }
    redis.signal("-CONT");
    wait_until_ready(&app).await;
}
