//! `cargo bench -p linli-tests`: how fast the real server answers, as ratios against limits
//! measured in the same run on the same machine, never against fixed numbers:
//! - a bare poem endpoint: what the HTTP stack alone can do;
//! - the database's own rate for the statements a request needs.
//!
//! On SQLite by default; on PostgreSQL + Redis with `LINLI_TEST_DATABASE_URL` and
//! `LINLI_TEST_REDIS_URL`, like the tests.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::{Duration, Instant};

use linli_api::contexts;
use linli_tests::spawn_app;
use poem::listener::TcpAcceptor;
use poem::web::Json;
use poem::{Route, Server, get, handler};
use sea_orm::{ConnectionTrait, Statement};

const CLIENTS: usize = 32;
const RUN: Duration = Duration::from_secs(3);

struct Measure {
    name: &'static str,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// Runs `CLIENTS` concurrent loops of `one` for `RUN`, and measures.
async fn measure<F, Fut>(name: &'static str, one: F) -> Measure
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    // Warm up: connections, caches, the query planner.
    for _ in 0..50 {
        one().await;
    }
    let started = Instant::now();
    let workers = (0..CLIENTS).map(|_| {
        let one = one.clone();
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            while started.elapsed() < RUN {
                let t = Instant::now();
                one().await;
                latencies.push(t.elapsed());
            }
            latencies
        })
    });
    let mut latencies: Vec<Duration> = Vec::new();
    for worker in futures_util::future::join_all(workers).await {
        latencies.extend(worker.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize].as_secs_f64() * 1000.0;
    Measure {
        name,
        per_second: latencies.len() as f64 / elapsed,
        p50_ms: at(0.50),
        p99_ms: at(0.99),
    }
}

#[handler]
fn bare() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

async fn bare_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let acceptor = TcpAcceptor::from_tokio(listener).unwrap();
    tokio::spawn(Server::new_with_acceptor(acceptor).run(Route::new().at("/", get(bare))));
    format!("http://{addr}/")
}

#[tokio::main]
async fn main() {
    let app = spawn_app().await;
    assert!(contexts::load_demo(&app.state.db).await.unwrap());
    let admin = app.login(contexts::grid::demo::DISTRICT_ADMIN_OPENID).await;
    let community_admin = app.login("demo-c01-staff-1").await;
    let backend = if app.on_postgres() {
        "PostgreSQL + Redis"
    } else {
        "SQLite, in-process bus"
    };
    let http = reqwest::Client::new();

    let get_ok = |url: String, token: Option<String>| {
        let http = http.clone();
        move || {
            let (http, url, token) = (http.clone(), url.clone(), token.clone());
            async move {
                let mut request = http.get(&url);
                if let Some(token) = &token {
                    request = request.bearer_auth(token);
                }
                let response = request.send().await.unwrap();
                assert!(response.status().is_success(), "{url}: {}", response.status());
                response.bytes().await.unwrap();
            }
        }
    };

    let bare_url = bare_server().await;
    let limit_http = measure("bare poem endpoint (the HTTP limit)", get_ok(bare_url, None)).await;

    // The database's own rate for the reads `GET /me` makes (token's session, grants, user).
    let db = app.state.db.connection().clone();
    let backend_kind = db.get_database_backend();
    let user = admin.user_id;
    let limit_db = measure("the reads of GET /me, straight to the database", move || {
        let db = db.clone();
        async move {
            let uuid = sea_orm::Value::from(user);
            for sql in [
                "SELECT revoked_at FROM sessions WHERE user_id = $1 LIMIT 1",
                "SELECT role, scope_kind, scope_id FROM role_grants WHERE user_id = $1",
                "SELECT nickname FROM users WHERE id = $1",
            ] {
                let sql = if backend_kind == sea_orm::DatabaseBackend::Sqlite {
                    sql.replace("$1", "?")
                } else {
                    sql.to_owned()
                };
                db.query_all_raw(Statement::from_sql_and_values(backend_kind, sql, [uuid.clone()]))
                    .await
                    .unwrap();
            }
        }
    })
    .await;

    let healthz = measure(
        "GET /healthz (whole middleware stack)",
        get_ok(app.url("/healthz"), None),
    )
    .await;
    let session = measure(
        "GET /api/v1/auth/session (authenticated, reads nothing else)",
        get_ok(app.url("/api/v1/auth/session"), Some(admin.token.clone())),
    )
    .await;
    let me = measure(
        "GET /api/v1/me",
        get_ok(app.url("/api/v1/me"), Some(admin.token.clone())),
    )
    .await;
    let grids = measure(
        "GET /api/v1/grids?limit=20 (community admin)",
        get_ok(
            app.url("/api/v1/grids?limit=20"),
            Some(community_admin.token.clone()),
        ),
    )
    .await;
    let coverage = measure(
        "GET /api/v1/stats/coverage (whole demo district)",
        get_ok(app.url("/api/v1/stats/coverage"), Some(admin.token.clone())),
    )
    .await;

    println!(
        "\nlinli benchmark: {CLIENTS} concurrent clients, {} s each, {backend}\n",
        RUN.as_secs()
    );
    println!("| measure | req/s | p50 ms | p99 ms | ratio to HTTP limit | ratio to DB limit |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for m in [&limit_http, &limit_db, &healthz, &session, &me, &grids, &coverage] {
        println!(
            "| {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} |",
            m.name,
            m.per_second,
            m.p50_ms,
            m.p99_ms,
            m.per_second / limit_http.per_second,
            m.per_second / limit_db.per_second,
        );
    }
    println!(
        "\nauthentication: GET /api/v1/auth/session answers {:.2} × the rate of GET /healthz \
         through the same middleware (goal: at least 0.8)",
        session.per_second / healthz.per_second
    );
}
