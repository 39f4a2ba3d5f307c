use linli_tests::spawn_app;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn every_response_carries_a_request_id_and_keeps_a_sensible_incoming_one() {
    let app = spawn_app().await;
    let plain = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert!(plain.headers().get("x-request-id").is_some());
    let echoed = app
        .http
        .get(app.url("/healthz"))
        .header("x-request-id", "trace-123")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "trace-123");
    let error = app.request(Method::GET, "/api/v1/me", None, None).await;
    assert_eq!(
        error.body["request_id"],
        error.headers["x-request-id"].to_str().unwrap()
    );
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_in_the_error_shape() {
    let app = spawn_app().await;
    let missing = app.request(Method::GET, "/api/v1/nothing-here", None, None).await;
    assert_eq!((missing.status, missing.code()), (404, "not_found"));
    let wrong_method = app
        .request(Method::DELETE, "/api/v1/auth/refresh", None, None)
        .await;
    assert_eq!(
        (wrong_method.status, wrong_method.code()),
        (405, "method_not_allowed")
    );
}

#[tokio::test]
async fn a_retried_creating_call_with_the_same_key_does_nothing_twice() {
    let app = spawn_app().await;
    let admin = app.district_admin().await;
    let send = |key: &'static str, name: &'static str| {
        app.http
            .post(app.url("/api/v1/subdistricts"))
            .bearer_auth(&admin.token)
            .header("idempotency-key", key)
            .json(&json!({ "name": name }))
            .send()
    };
    let first = linli_tests::into_reply(send("key-1", "济阳街道").await.unwrap()).await;
    assert_eq!(first.status, 201);
    let retry = linli_tests::into_reply(send("key-1", "济阳街道").await.unwrap()).await;
    assert_eq!(retry.status, 201);
    assert_eq!(retry.body, first.body, "the first answer, replayed");
    assert_eq!(retry.headers["idempotent-replayed"], "true");
    let other_body = linli_tests::into_reply(send("key-1", "济北街道").await.unwrap()).await;
    assert_eq!(
        (other_body.status, other_body.code()),
        (422, "idempotency_key_reused")
    );
    let listed = app.get("/api/v1/subdistricts", &admin.token).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn concurrent_retries_with_one_key_create_one_thing() {
    let app = spawn_app().await;
    let admin = app.district_admin().await;
    let attempts = (0..8).map(|_| {
        app.http
            .post(app.url("/api/v1/subdistricts"))
            .bearer_auth(&admin.token)
            .header("idempotency-key", "same-key")
            .json(&json!({ "name": "济阳街道" }))
            .send()
    });
    let replies = futures_util::future::join_all(attempts).await;
    let mut statuses = Vec::new();
    for reply in replies {
        statuses.push(linli_tests::into_reply(reply.unwrap()).await);
    }
    assert!(
        statuses
            .iter()
            .all(|r| r.status == 201 || (r.status == 409 && r.code() == "idempotency_key_in_use")),
        "{statuses:?}"
    );
    let listed = app.get("/api/v1/subdistricts", &admin.token).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_failed_call_can_be_retried_with_its_key() {
    let app = spawn_app().await;
    let admin = app.district_admin().await;
    let resident = app.resident().await;
    let attempt = |token: String| {
        app.http
            .post(app.url("/api/v1/subdistricts"))
            .bearer_auth(token)
            .header("idempotency-key", "k")
            .json(&json!({ "name": "街道" }))
            .send()
    };
    let refused = linli_tests::into_reply(attempt(resident.token.clone()).await.unwrap()).await;
    assert_eq!(refused.status, 403);
    let again = linli_tests::into_reply(attempt(resident.token.clone()).await.unwrap()).await;
    assert_eq!(again.status, 403, "errors are not stored, the call runs again");
    let admins = linli_tests::into_reply(attempt(admin.token.clone()).await.unwrap()).await;
    assert_eq!(admins.status, 201, "keys are per caller");
}

#[tokio::test]
async fn health_readiness_metrics_and_docs_are_served() {
    let app = spawn_app().await;
    let health = app.request(Method::GET, "/healthz", None, None).await;
    assert_eq!(health.body, json!({ "status": "ok" }));
    let ready = app.request(Method::GET, "/readyz", None, None).await;
    assert_eq!(ready.status, 200);
    assert_eq!(ready.body["database"], true);
    if app.settings.redis_url.is_some() {
        assert_eq!(ready.body["redis"], true);
    }
    let admin = app.district_admin().await;
    let grid = uuid::Uuid::now_v7();
    app.get(&format!("/api/v1/grids/{grid}"), &admin.token).await;
    let metrics = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains(r#"route="/api/v1/grids/{id}""#), "{metrics}");
    assert!(metrics.contains(r#"status="404""#));
    assert!(!metrics.contains(&grid.to_string()), "ids never become labels");
    for job in ["outbox_relay", "idempotency_key_purge"] {
        assert!(
            metrics.contains(&format!(r#"linli_job_runs_total{{job="{job}",outcome="ok"}}"#)),
            "{metrics}"
        );
    }
    // The relay ran at start; its first success shows within moments.
    let mut metrics = metrics;
    for _ in 0..50 {
        if metrics.contains(r#"linli_job_last_success_timestamp_seconds{job="outbox_relay"}"#) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        metrics = app
            .http
            .get(app.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
    }
    assert!(
        metrics.contains(r#"linli_job_last_success_timestamp_seconds{job="outbox_relay"}"#),
        "{metrics}"
    );
    let docs = app.http.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    let spec = app.request(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(spec.body["info"]["title"], "linli");
}

#[tokio::test]
async fn an_oversized_body_is_refused_without_reaching_a_handler() {
    let app = spawn_app().await;
    let admin = app.district_admin().await;
    let reply = app.import_csv(&admin.token, "x".repeat(5 * 1024 * 1024)).await;
    assert_eq!((reply.status, reply.code()), (413, "payload_too_large"));
}
