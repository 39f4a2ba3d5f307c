//! Several instances of one deployment, sharing PostgreSQL and Redis. These run in the
//! PostgreSQL + Redis suite; on the embedded back end there is only ever one instance.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use linli_tests::{spawn_app, websocket_at};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

async fn next_json(socket: &mut linli_tests::WebSocket) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a frame within ten seconds")
            .expect("the socket stays open")
            .unwrap();
        if let Message::Text(text) = frame {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

#[tokio::test]
async fn an_event_written_on_one_instance_reaches_a_websocket_on_another() {
    let app = spawn_app().await;
    if !app.is_distributed() {
        return;
    }
    let other = app.another_instance().await;
    let person = app.resident().await;
    let mut socket = websocket_at(other.addr, &person.token).await;
    socket
        .send(Message::Text(
            json!({ "type": "subscribe", "topic": "user:me" })
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    assert_eq!(next_json(&mut socket).await["type"], "subscribed");
    assert_eq!(
        app.patch("/api/v1/me", &person.token, json!({ "nickname": "跨实例" }))
            .await
            .status,
        200
    );
    let event = next_json(&mut socket).await;
    assert_eq!(event["kind"], "user.profile_updated");
}

#[tokio::test]
async fn instances_share_one_wechat_access_token() {
    let app = spawn_app().await;
    if !app.is_distributed() {
        return;
    }
    let other = app.another_instance().await;
    let mut calls = Vec::new();
    for i in 0..6 {
        let person = app.resident().await;
        let code = format!("shared-{i}");
        app.wechat.accept_phone(&code, &format!("1370000{i:04}"));
        let url = if i % 2 == 0 {
            app.url("/api/v1/me/phone")
        } else {
            other.url("/api/v1/me/phone")
        };
        calls.push(
            app.http
                .post(url)
                .bearer_auth(person.token)
                .json(&json!({ "code": code }))
                .send(),
        );
    }
    for response in futures_util::future::join_all(calls).await {
        assert_eq!(response.unwrap().status(), 200);
    }
    assert_eq!(app.wechat.stable_token_calls(), 1, "one fetch for both instances");
}

#[tokio::test]
async fn instances_count_forced_token_refreshes_together() {
    let app = spawn_app().await;
    if !app.is_distributed() {
        return;
    }
    let other = app.another_instance().await;
    let bind = |url: String, token: String, code: &'static str| {
        let http = app.http.clone();
        async move {
            let response = http
                .post(url)
                .bearer_auth(token)
                .json(&json!({ "code": code }))
                .send()
                .await
                .unwrap();
            linli_tests::into_reply(response).await
        }
    };
    let person = app.resident().await;
    for code in ["first", "on-this", "on-the-other"] {
        app.wechat.accept_phone(code, "13700000001");
    }
    let url = app.url("/api/v1/me/phone");
    assert_eq!(bind(url.clone(), person.token.clone(), "first").await.status, 200);

    // This instance has to force a refresh...
    app.wechat.make_token_stale_until_forced();
    assert_eq!(bind(url, person.token.clone(), "on-this").await.status, 200);
    assert_eq!(app.wechat.forced_token_calls(), 1);

    // ...so the other, seconds later, may not.
    app.wechat.make_token_stale_until_forced();
    let reply = bind(other.url("/api/v1/me/phone"), person.token, "on-the-other").await;
    assert_eq!(
        (reply.status, reply.code()),
        (503, "wechat_unavailable"),
        "{reply:?}"
    );
    assert_eq!(
        app.wechat.forced_token_calls(),
        1,
        "one forced refresh for the deployment"
    );
}

#[tokio::test]
async fn a_session_revoked_on_one_instance_is_refused_by_another() {
    let app = spawn_app().await;
    if !app.is_distributed() {
        return;
    }
    let other = app.another_instance().await;
    let me_on_other = |token: String| {
        let request = app.http.get(other.url("/api/v1/me")).bearer_auth(token);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    for _ in 0..5 {
        let person = app.resident().await;
        // The other instance has the session's actor in its cache…
        assert_eq!(me_on_other(person.token.clone()).await, 200);
        assert_eq!(
            app.post("/api/v1/auth/logout", &person.token, json!({}))
                .await
                .status,
            204
        );
        // …and drops it before the logout's answer has reached us.
        assert_eq!(me_on_other(person.token.clone()).await, 401);
    }
}

#[tokio::test]
async fn a_grant_revoked_on_one_instance_stops_working_on_another_at_once() {
    let app = spawn_app().await;
    if !app.is_distributed() {
        return;
    }
    let other = app.another_instance().await;
    let admin = app.district_admin().await;
    // A subdistrict with a building, so that its residents are people the district admin
    // covers (an appointment of anyone else would be an invitation).
    let subdistrict = app.create_subdistrict(&admin, "济阳街道").await;
    let community = app.create_community(&admin, subdistrict, "幸福里社区").await;
    let grid = app
        .create_grid(&admin, community, "一网格", "residential", 400)
        .await;
    let building = app.create_building(&admin, grid, "1号楼").await;
    let communities_on_other = |token: String| {
        let request = app
            .http
            .post(other.url("/api/v1/communities"))
            .bearer_auth(token)
            .json(&json!({ "subdistrict_id": subdistrict, "name": format!("社区{}", uuid::Uuid::new_v4().simple()) }));
        async move { request.send().await.unwrap().status().as_u16() }
    };
    for i in 0..5 {
        let person = app
            .resident_of(building, "王建国", &format!("1380000000{i}"))
            .await;
        let granted = app
            .post(
                "/api/v1/role-grants",
                &admin.token,
                json!({ "user_id": person.user_id, "role": "subdistrict_admin", "scope": format!("subdistrict:{subdistrict}") }),
            )
            .await;
        assert_eq!(granted.status, 201, "{granted:?}");
        assert_eq!(communities_on_other(person.token.clone()).await, 201);
        let revoked = app
            .delete(&format!("/api/v1/role-grants/{}", granted.id()), &admin.token)
            .await;
        assert_eq!(revoked.status, 204);
        // Back to a resident, who is not told the subdistrict exists.
        assert_eq!(communities_on_other(person.token.clone()).await, 404);
    }
}
