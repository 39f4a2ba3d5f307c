//! Mobile retries of a refresh: within the leeway the same pair, after it a revoked session;
//! the session's absolute lifetime; the session's owner.

use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use linli_identity::AccessClaims;
use linli_identity::ports::AccessTokens;
use linli_infra::identity::tokens::JwtTokens;
use linli_tests::{JWT_SECRET, spawn_app, spawn_app_with};
use secrecy::SecretString;

fn pair(reply: &linli_tests::Reply) -> (String, String) {
    (
        reply.body["access_token"].as_str().unwrap().to_owned(),
        reply.body["refresh_token"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn ten_concurrent_refreshes_of_one_token_all_get_the_same_pair() {
    let app = spawn_app().await;
    let session = app.resident().await;
    let attempts = (0..10).map(|_| app.refresh(&session.refresh_token));
    let replies = futures_util::future::join_all(attempts).await;
    assert!(replies.iter().all(|r| r.status == 200), "{replies:?}");
    let first = pair(&replies[0]);
    assert!(replies.iter().all(|r| pair(r) == first), "{replies:?}");
    assert_ne!(first.1, session.refresh_token);
    // The session stands: the pair works, and the successor is spent as usual.
    assert_eq!(app.get("/api/v1/me", &first.0).await.status, 200);
    let next = app.refresh(&first.1).await;
    assert_eq!(next.status, 200, "{next:?}");
}

#[tokio::test]
async fn a_reuse_after_the_leeway_revokes_the_whole_session() {
    let app = spawn_app_with(|s| s.refresh_reuse_leeway_seconds = 1).await;
    let session = app.resident().await;
    let rotated = app.refresh(&session.refresh_token).await;
    assert_eq!(rotated.status, 200);
    let retried = app.refresh(&session.refresh_token).await;
    assert_eq!(pair(&retried), pair(&rotated), "within the leeway");
    tokio::time::sleep(StdDuration::from_millis(1_100)).await;
    let late = app.refresh(&session.refresh_token).await;
    assert_eq!(
        (late.status, late.code()),
        (401, "refresh_token_reused"),
        "{late:?}"
    );
    let (access, refresh) = pair(&rotated);
    let successor = app.refresh(&refresh).await;
    assert_eq!((successor.status, successor.code()), (401, "session_revoked"));
    assert_eq!(app.get("/api/v1/me", &access).await.status, 401);
}

#[tokio::test]
async fn a_successor_is_forgotten_once_its_leeway_is_over() {
    let app = spawn_app().await;
    let session = app.resident().await;
    assert_eq!(app.refresh(&session.refresh_token).await.status, 200);
    // What the minutely job does, as if the leeway had passed.
    let cleared = app
        .state
        .db
        .forget_refresh_successors(Utc::now() + Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(cleared, 1);
    let reuse = app.refresh(&session.refresh_token).await;
    assert_eq!((reuse.status, reuse.code()), (401, "refresh_token_reused"));
}

#[tokio::test]
async fn a_session_ends_at_its_maximum_lifetime_however_often_it_is_refreshed() {
    let app = spawn_app_with(|s| s.session_max_lifetime_seconds = 2).await;
    let session = app.resident().await;
    let mut refresh = session.refresh_token.clone();
    for _ in 0..2 {
        tokio::time::sleep(StdDuration::from_millis(600)).await;
        let reply = app.refresh(&refresh).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        refresh = pair(&reply).1;
    }
    tokio::time::sleep(StdDuration::from_millis(1_000)).await;
    let expired = app.refresh(&refresh).await;
    assert_eq!(
        (expired.status, expired.code()),
        (401, "session_expired"),
        "{expired:?}"
    );
}

#[tokio::test]
async fn a_token_naming_another_users_session_is_refused() {
    let app = spawn_app().await;
    let mine = app.resident().await;
    let theirs = app.resident().await;
    let tokens = JwtTokens::new(&SecretString::from(JWT_SECRET), Duration::minutes(15));
    let their_session = tokens.verify(&theirs.token, Utc::now()).unwrap().session_id;
    let forged = tokens
        .sign(
            AccessClaims {
                user_id: mine.user_id.into(),
                session_id: their_session,
            },
            Utc::now(),
            Utc::now() + Duration::minutes(15),
        )
        .unwrap();
    // Their session is live (and cached); it still does not speak for me.
    assert_eq!(app.get("/api/v1/me", &theirs.token).await.status, 200);
    let reply = app.get("/api/v1/me", &forged).await;
    assert_eq!(
        (reply.status, reply.code()),
        (401, "session_revoked"),
        "{reply:?}"
    );
}
