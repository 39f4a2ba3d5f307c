//! Idempotency keys belong to the verified user of a live session: one parser for the
//! `Authorization` header (any case of `Bearer`), no replay without a live session.

use linli_tests::{Reply, TestApp, into_reply, spawn_app};
use serde_json::json;

async fn create(app: &TestApp, authorization: Option<String>, key: &str, name: &str) -> Reply {
    let mut request = app
        .http
        .post(app.url("/api/v1/subdistricts"))
        .header("idempotency-key", key)
        .json(&json!({ "name": name }));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    into_reply(request.send().await.unwrap()).await
}

fn replayed(reply: &Reply) -> bool {
    reply.headers.get("idempotent-replayed").is_some()
}

#[tokio::test]
async fn a_lowercase_bearer_scheme_is_the_same_caller_and_is_replayed() {
    let app = spawn_app().await;
    let admin = app.district_admin().await;
    let first = create(
        &app,
        Some(format!("bearer {}", admin.token)),
        "k-lower",
        "济阳街道",
    )
    .await;
    assert_eq!(first.status, 201, "{first:?}");
    let retry = create(
        &app,
        Some(format!("BEARER {}", admin.token)),
        "k-lower",
        "济阳街道",
    )
    .await;
    assert_eq!(retry.status, 201, "{retry:?}");
    assert!(replayed(&retry), "{retry:?}");
    assert_eq!(retry.body, first.body);
    let listed = app.get("/api/v1/subdistricts", &admin.token).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1, "created once");
}

#[tokio::test]
async fn a_request_without_a_token_never_gets_anothers_stored_answer() {
    let app = spawn_app().await;
    let admin = app.district_admin().await;
    let first = create(
        &app,
        Some(format!("bearer {}", admin.token)),
        "shared",
        "济阳街道",
    )
    .await;
    assert_eq!(first.status, 201);
    for authorization in [None, Some("bearer".to_owned()), Some("Basic YTpi".to_owned())] {
        let anonymous = create(&app, authorization.clone(), "shared", "济阳街道").await;
        assert_eq!(
            (anonymous.status, replayed(&anonymous)),
            (401, false),
            "{authorization:?}: {anonymous:?}"
        );
        assert!(!anonymous.text().contains(&first.id().to_string()));
    }
}

#[tokio::test]
async fn after_logout_the_old_token_and_key_are_refused_not_replayed() {
    let app = spawn_app().await;
    let admin = app.district_admin().await;
    let first = create(&app, Some(format!("Bearer {}", admin.token)), "k-out", "济阳街道").await;
    assert_eq!(first.status, 201);
    let out = app.post("/api/v1/auth/logout", &admin.token, json!({})).await;
    assert_eq!(out.status, 204);
    let after = create(&app, Some(format!("Bearer {}", admin.token)), "k-out", "济阳街道").await;
    assert_eq!(
        (after.status, after.code()),
        (401, "session_revoked"),
        "{after:?}"
    );
    assert!(!replayed(&after));
}

#[tokio::test]
async fn a_stored_answer_older_than_a_day_is_never_replayed() {
    let app = spawn_app().await;
    let admin = app.district_admin().await;
    let first = create(&app, Some(format!("Bearer {}", admin.token)), "k-old", "济阳街道").await;
    assert_eq!(first.status, 201);
    // The purge has not come by yet: the key is a day and a minute old.
    let aged = chrono::Utc::now() - chrono::Duration::hours(24) - chrono::Duration::minutes(1);
    let backend = app.state.db.backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => {
            "UPDATE idempotency_keys SET created_at = $1 WHERE key = 'k-old'"
        }
        _ => "UPDATE idempotency_keys SET created_at = ? WHERE key = 'k-old'",
    };
    use sea_orm::ConnectionTrait;
    app.state
        .db
        .connection()
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            sql,
            [aged.into()],
        ))
        .await
        .unwrap();
    let later = create(&app, Some(format!("Bearer {}", admin.token)), "k-old", "济阳街道").await;
    assert_eq!(
        (later.status, later.code(), replayed(&later)),
        (409, "name_taken", false),
        "the request ran again: {later:?}"
    );
}
