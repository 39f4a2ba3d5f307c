//! What a generated client relies on: strict bodies, the PATCH override for `wx.request`,
//! millisecond UTC times, `Retry-After`, and every answer inside the spec (the contract
//! guard of debug builds fails a test whose server answered anything undeclared).

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use linli_tests::{into_reply, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

fn is_millisecond_utc(time: &Value) -> bool {
    let s = time.as_str().unwrap_or("");
    let b = s.as_bytes();
    s.len() == 24
        && b[10] == b'T'
        && b[19] == b'.'
        && b[20..23].iter().all(u8::is_ascii_digit)
        && s.ends_with('Z')
        && chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

#[tokio::test]
async fn a_wrong_type_or_an_unknown_field_in_a_body_is_400() {
    let app = spawn_app_with(|s| s.wechat_appid = None).await;
    let app = &app;
    let dev_login = |body: Value| async move {
        app.request(Method::POST, "/api/v1/auth/dev/login", None, Some(&body))
            .await
    };
    let as_false = dev_login(json!({ "openid": false })).await;
    assert_eq!(
        (as_false.status, as_false.code()),
        (400, "malformed_request"),
        "{as_false:?}"
    );
    let as_number = dev_login(json!({ "openid": 12 })).await;
    assert_eq!(as_number.status, 400);
    let extra = dev_login(json!({ "openid": "dev-user", "admin": true })).await;
    assert_eq!((extra.status, extra.code()), (400, "malformed_request"));
    let wechat = app
        .request(
            Method::POST,
            "/api/v1/auth/wechat/login",
            None,
            Some(&json!({ "code": true })),
        )
        .await;
    assert_eq!(wechat.status, 400);

    let user = dev_login(json!({ "openid": "dev-user", "nickname": "小李" })).await;
    let token = user.body["access_token"].as_str().unwrap().to_owned();
    let misspelt = app
        .patch("/api/v1/me", &token, json!({ "nick_name": "小王" }))
        .await;
    assert_eq!((misspelt.status, misspelt.code()), (400, "malformed_request"));
    let me = app.get("/api/v1/me", &token).await;
    assert_eq!(me.body["nickname"], "小李", "nothing changed");
}

#[tokio::test]
async fn unknown_fields_in_structure_bodies_are_400() {
    let app = spawn_app().await;
    let admin = app.district_admin().await;
    let reply = app
        .post(
            "/api/v1/subdistricts",
            &admin.token,
            json!({ "name": "济阳街道", "nmae": "x" }),
        )
        .await;
    assert_eq!((reply.status, reply.code()), (400, "malformed_request"));
    let wrong_type = app
        .post("/api/v1/subdistricts", &admin.token, json!({ "name": 7 }))
        .await;
    assert_eq!(wrong_type.status, 400);
    let listed = app.get("/api/v1/subdistricts", &admin.token).await;
    assert_eq!(listed.body["items"], json!([]));
}

async fn post_overriding(
    app: &linli_tests::TestApp,
    path: &str,
    token: &str,
    to: &str,
    body: Value,
) -> linli_tests::Reply {
    let response = app
        .http
        .post(app.url(path))
        .bearer_auth(token)
        .header("X-HTTP-Method-Override", to)
        .json(&body)
        .send()
        .await
        .unwrap();
    into_reply(response).await
}

#[tokio::test]
async fn a_post_with_the_patch_override_is_a_patch_and_nothing_else_may_be_overridden() {
    let app = spawn_app().await;
    let admin = app.district_admin().await;
    let created = app
        .post(
            "/api/v1/subdistricts",
            &admin.token,
            json!({ "name": "济阳街道" }),
        )
        .await;
    let path = format!("/api/v1/subdistricts/{}", created.id());

    let renamed = post_overriding(&app, &path, &admin.token, "PATCH", json!({ "name": "济北街道" })).await;
    assert_eq!(
        (renamed.status, renamed.body["name"].as_str()),
        (200, Some("济北街道")),
        "{renamed:?}"
    );
    let lower = post_overriding(&app, &path, &admin.token, "patch", json!({ "name": "济南街道" })).await;
    assert_eq!(lower.status, 200);
    let me = post_overriding(
        &app,
        "/api/v1/me",
        &admin.token,
        "PATCH",
        json!({ "nickname": "老王" }),
    )
    .await;
    assert_eq!((me.status, me.body["nickname"].as_str()), (200, Some("老王")));

    let delete = post_overriding(&app, &path, &admin.token, "DELETE", json!({})).await;
    assert_eq!(
        (delete.status, delete.code()),
        (400, "method_override_not_allowed")
    );
    let get = post_overriding(&app, "/api/v1/subdistricts", &admin.token, "GET", json!({})).await;
    assert_eq!((get.status, get.code()), (400, "method_override_not_allowed"));
    let no_patch_here = post_overriding(
        &app,
        "/api/v1/subdistricts",
        &admin.token,
        "PATCH",
        json!({ "name": "x" }),
    )
    .await;
    assert_eq!(
        (no_patch_here.status, no_patch_here.code()),
        (405, "method_not_allowed")
    );
    let still = app.get(&path, &admin.token).await;
    assert_eq!(still.body["name"], "济南街道");
}

#[tokio::test]
async fn times_are_utc_with_exactly_milliseconds() {
    let app = spawn_app().await;
    let admin = app.district_admin().await;
    let created = app
        .post(
            "/api/v1/subdistricts",
            &admin.token,
            json!({ "name": "济阳街道" }),
        )
        .await;
    assert!(
        is_millisecond_utc(&created.body["created_at"]),
        "{}",
        created.body
    );
    let me = app.get("/api/v1/me", &admin.token).await;
    assert!(is_millisecond_utc(&me.body["created_at"]), "{}", me.body);
    let grants = app.get("/api/v1/role-grants", &admin.token).await;
    assert!(
        is_millisecond_utc(&grants.body["items"][0]["granted_at"]),
        "{}",
        grants.body
    );

    let mut socket = app.websocket(&admin.token).await;
    let subscribe = json!({ "type": "subscribe", "topic": "user:me" });
    socket
        .send(Message::Text(subscribe.to_string().into()))
        .await
        .unwrap();
    app.patch("/api/v1/me", &admin.token, json!({ "nickname": "老王" }))
        .await;
    let event = loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a frame within five seconds")
            .expect("the socket stays open")
            .unwrap();
        let Message::Text(text) = frame else { continue };
        let frame: Value = serde_json::from_str(&text).unwrap();
        if frame["type"] == "event" {
            break frame;
        }
    };
    assert!(is_millisecond_utc(&event["at"]), "{event}");
}

#[tokio::test]
async fn a_rate_limited_login_says_when_to_come_back() {
    let app = spawn_app_with(|s| s.auth_rate_limit_per_minute = 1).await;
    let body = json!({ "code": "x" });
    let login = || app.request(Method::POST, "/api/v1/auth/wechat/login", None, Some(&body));
    assert_eq!(login().await.status, 401);
    let limited = login().await;
    assert_eq!((limited.status, limited.code()), (429, "rate_limited"));
    let seconds: u64 = limited.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&seconds), "{seconds}");
}

/// Every operation of the spec, called with nonsense ids and bodies, by nobody and by a
/// resident: whatever each answers must be declared (the guard checks it when the app drops).
#[tokio::test]
async fn every_operation_answers_inside_its_declared_statuses_and_codes() {
    let app = spawn_app().await;
    let resident = app.resident().await;
    let spec: Value = serde_json::from_str(&linli_api::routes::openapi_spec()).unwrap();
    let mut calls = 0;
    for (template, operations) in spec["paths"].as_object().unwrap() {
        if template == "/api/v1/ws" {
            continue;
        }
        let path = template.replace("{id}", &Uuid::now_v7().to_string());
        for (method, _) in operations.as_object().unwrap() {
            let method: Method = method.to_uppercase().parse().unwrap();
            for token in [None, Some(resident.token.as_str())] {
                for body in [json!({}), json!({ "name": 1, "unknown": true }), json!([])] {
                    let body = (method != Method::GET && method != Method::DELETE).then_some(&body);
                    app.request(method.clone(), &path, token, body).await;
                    calls += 1;
                }
                let bad_id = template.replace("{id}", "not-a-uuid");
                app.request(
                    method.clone(),
                    &format!("{bad_id}?limit=abc&cursor=%%"),
                    token,
                    None,
                )
                .await;
            }
        }
    }
    assert!(calls > 100, "{calls}");
    app.assert_contract_kept();
}
