//! What one request costs, for a profiler rather than a stopwatch: `N` sequential requests of
//! one kind against the real server, between two marker functions, so that
//!
//! ```sh
//! cargo bench -p linli-tests --bench auth_cost --no-run   # prints the binary's path
//! valgrind --tool=callgrind --zero-before='*profile_start*' --dump-before='*profile_stop*' \
//!     target/release/deps/auth_cost-… session 2000
//! ```
//!
//! counts the instructions of exactly those requests (every thread: client and server).
//! Kinds: `healthz`, `session` (`GET /api/v1/auth/session`), `authenticate` (the
//! authenticator alone, no HTTP). Run directly, it prints the wall time per request.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::Instant;

use linli_api::contexts;
use linli_tests::spawn_app;

// Bodies differ, so that the linker cannot fold the two markers into one symbol.
#[inline(never)]
fn profile_start() {
    std::hint::black_box("start");
}

#[inline(never)]
fn profile_stop() {
    std::hint::black_box("stop");
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let kind = args.next().unwrap_or_else(|| "session".to_owned());
    let n: u32 = args.next().map_or(1000, |n| n.parse().expect("a count"));

    let app = spawn_app().await;
    assert!(contexts::load_demo(&app.state.db).await.unwrap());
    let admin = app.login(contexts::grid::demo::DISTRICT_ADMIN_OPENID).await;
    let http = reqwest::Client::new();
    let authenticator = app.state.authenticator.0.clone();
    let (url, token) = match kind.as_str() {
        "healthz" => (app.url("/healthz"), None),
        "session" | "authenticate" => (app.url("/api/v1/auth/session"), Some(admin.token.clone())),
        other => panic!("unknown kind {other}: healthz, session or authenticate"),
    };
    let one = async || {
        if kind == "authenticate" {
            authenticator.authenticate(&admin.token).await.unwrap();
            return;
        }
        let mut request = http.get(&url);
        if let Some(token) = &token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert!(response.status().is_success(), "{url}: {}", response.status());
        response.bytes().await.unwrap();
    };
    // Warm: the connection, the actor cache, lazily built statics.
    for _ in 0..20 {
        one().await;
    }
    profile_start();
    let started = Instant::now();
    for _ in 0..n {
        one().await;
    }
    let elapsed = started.elapsed();
    profile_stop();
    println!(
        "{kind}: {n} requests, {:.1} µs each",
        elapsed.as_secs_f64() * 1e6 / f64::from(n.max(1))
    );
}
