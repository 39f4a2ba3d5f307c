use linli_tests::spawn_app;
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn a_user_sets_nickname_and_real_name_and_sees_them_whole() {
    let app = spawn_app().await;
    let me = app.resident().await;
    let reply = app
        .patch(
            "/api/v1/me",
            &me.token,
            json!({ "nickname": "老王", "real_name": " 王建国 " }),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["real_name"], "王建国");
    assert_eq!(reply.body["nickname"], "老王");
    let too_long = app
        .patch("/api/v1/me", &me.token, json!({ "real_name": "王".repeat(33) }))
        .await;
    assert_eq!((too_long.status, too_long.code()), (400, "validation_failed"));
    assert_eq!(too_long.body["details"]["field"], "real_name");
}

#[tokio::test]
async fn null_erases_a_field_and_an_absent_one_stays() {
    let app = spawn_app().await;
    let me = app.resident().await;
    let set = json!({ "nickname": "老王", "real_name": "王建国" });
    assert_eq!(app.patch("/api/v1/me", &me.token, set).await.status, 200);
    let erased = app
        .patch("/api/v1/me", &me.token, json!({ "nickname": null }))
        .await;
    assert_eq!(erased.status, 200, "{erased:?}");
    assert_eq!(
        (&erased.body["nickname"], &erased.body["real_name"]),
        (&json!(null), &json!("王建国"))
    );
    app.patch("/api/v1/me", &me.token, json!({ "real_name": null }))
        .await;
    let now = app.get("/api/v1/me", &me.token).await;
    assert_eq!(
        (&now.body["nickname"], &now.body["real_name"]),
        (&json!(null), &json!(null))
    );
}

#[tokio::test]
async fn a_phone_code_binds_the_number_wechat_gives() {
    let app = spawn_app().await;
    let me = app.resident().await;
    app.wechat.accept_phone("phone-ok", "13812345678");
    let reply = app
        .post("/api/v1/me/phone", &me.token, json!({ "code": "phone-ok" }))
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["phone"], "13812345678");
    let bad = app
        .post("/api/v1/me/phone", &me.token, json!({ "code": "phone-unknown" }))
        .await;
    assert_eq!((bad.status, bad.code()), (422, "invalid_phone_code"));
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_once_and_the_call_retried() {
    let app = spawn_app().await;
    let me = app.resident().await;
    app.wechat.accept_phone("p1", "13800000001");
    assert_eq!(
        app.post("/api/v1/me/phone", &me.token, json!({ "code": "p1" }))
            .await
            .status,
        200
    );
    assert_eq!(app.wechat.stable_token_calls(), 1);

    app.wechat.expire_access_token();
    app.wechat.accept_phone("p2", "13800000002");
    let reply = app
        .post("/api/v1/me/phone", &me.token, json!({ "code": "p2" }))
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["phone"], "13800000002");
    assert_eq!(app.wechat.stable_token_calls(), 2, "one refresh after 42001");
    assert_eq!(app.wechat.forced_token_calls(), 0, "in normal mode");
}

#[tokio::test]
async fn concurrent_phone_bindings_fetch_the_access_token_once() {
    let app = spawn_app().await;
    let mut people = Vec::new();
    for i in 0..8 {
        let person = app.resident().await;
        app.wechat
            .accept_phone(&format!("c{i}"), &format!("1380000{i:04}"));
        people.push(person);
    }
    let calls = people
        .iter()
        .enumerate()
        .map(|(i, p)| app.post("/api/v1/me/phone", &p.token, json!({ "code": format!("c{i}") })));
    let replies = futures_util::future::join_all(calls).await;
    assert!(replies.iter().all(|r| r.status == 200), "{replies:?}");
    assert_eq!(app.wechat.stable_token_calls(), 1);

    // And after WeChat expires it, many callers hitting 42001 cause one refresh.
    app.wechat.expire_access_token();
    let calls = people.iter().enumerate().map(|(i, p)| {
        app.wechat
            .accept_phone(&format!("d{i}"), &format!("1390000{i:04}"));
        app.post("/api/v1/me/phone", &p.token, json!({ "code": format!("d{i}") }))
    });
    let replies = futures_util::future::join_all(calls).await;
    assert!(replies.iter().all(|r| r.status == 200), "{replies:?}");
    assert_eq!(app.wechat.stable_token_calls(), 2);
    assert_eq!(app.wechat.forced_token_calls(), 0);
}

#[tokio::test]
async fn a_stalled_phone_lookup_is_a_503() {
    let app = spawn_app().await;
    let me = app.resident().await;
    app.wechat.stall(true);
    let reply = app
        .post("/api/v1/me/phone", &me.token, json!({ "code": "whatever" }))
        .await;
    assert_eq!((reply.status, reply.code()), (503, "wechat_unavailable"));
}

#[tokio::test]
async fn residence_must_be_a_real_building_and_shows_where_it_is() {
    let app = spawn_app().await;
    let world = app.world().await;
    let me = app.resident().await;
    let unknown = app
        .put(
            "/api/v1/me/residence",
            &me.token,
            json!({ "building_id": Uuid::now_v7() }),
        )
        .await;
    assert_eq!((unknown.status, unknown.code()), (404, "building_not_found"));
    let reply = app
        .put(
            "/api/v1/me/residence",
            &me.token,
            json!({ "building_id": world.a.building }),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["residence_building_id"], world.a.building.to_string());
    let full_name = reply.body["residence"]["full_name"].as_str().unwrap();
    assert!(full_name.contains(&world.a.name), "{full_name}");
}

#[tokio::test]
async fn me_lists_the_roles_held_with_their_places() {
    let app = spawn_app().await;
    let world = app.world().await;
    let me = app.get("/api/v1/me", &world.a.admin.token).await;
    assert_eq!(me.status, 200);
    let roles = me.body["roles"].as_array().unwrap();
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0]["role"], "community_admin");
    assert_eq!(roles[0]["place"]["name"], world.a.name);
}

#[tokio::test]
async fn callers_waiting_on_a_stalled_token_refresh_fail_with_it_instead_of_retrying_in_turn() {
    let app = spawn_app().await;
    let mut people = Vec::new();
    for i in 0..4 {
        people.push(app.resident().await);
        app.wechat.accept_phone(&format!("s{i}"), "13800000000");
    }
    app.wechat.stall_access_token(true);
    let calls = people
        .iter()
        .enumerate()
        .map(|(i, p)| app.post("/api/v1/me/phone", &p.token, json!({ "code": format!("s{i}") })));
    let replies = futures_util::future::join_all(calls).await;
    assert!(replies.iter().all(|r| r.status == 503), "{replies:?}");
    assert_eq!(
        app.wechat.stable_token_calls(),
        1,
        "one attempt, its failure shared"
    );
}

#[tokio::test]
async fn concurrent_changes_to_one_profile_all_land() {
    let app = spawn_app().await;
    let world = app.world().await;
    let me = app.resident().await;
    app.wechat.accept_phone("concurrent", "13811112222");
    let (name, residence, phone) = tokio::join!(
        app.patch("/api/v1/me", &me.token, json!({ "real_name": "周立新" })),
        app.put(
            "/api/v1/me/residence",
            &me.token,
            json!({ "building_id": world.a.building })
        ),
        app.post("/api/v1/me/phone", &me.token, json!({ "code": "concurrent" })),
    );
    assert_eq!((name.status, residence.status, phone.status), (200, 200, 200));
    let now = app.get("/api/v1/me", &me.token).await;
    assert_eq!(now.body["real_name"], "周立新");
    assert_eq!(now.body["phone"], "13811112222");
    assert_eq!(now.body["residence_building_id"], world.a.building.to_string());
}
