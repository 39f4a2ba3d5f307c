//! WeChat, used as WeChat asks: the access token refreshed in normal mode and forced only
//! when WeChat leaves no other way, within its limits; a wrong app id or secret told apart
//! from an outage; no call out without credentials; phone numbers read from the fields
//! WeChat means for it, for our app only, and never logged.

use linli_tests::fake_wechat::APP_SECRET;
use linli_tests::logs::capture_logs;
use linli_tests::{TestApp, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::json;

async fn bind_phone(app: &TestApp, token: &str, code: &str) -> linli_tests::Reply {
    app.post("/api/v1/me/phone", token, json!({ "code": code })).await
}

async fn wechat_login(app: &TestApp, code: &str) -> linli_tests::Reply {
    app.request(
        Method::POST,
        "/api/v1/auth/wechat/login",
        None,
        Some(&json!({ "code": code })),
    )
    .await
}

/// A resident whose phone binding has made the app fetch (and cache) an access token.
async fn resident_with_a_cached_token(app: &TestApp) -> linli_tests::Session {
    let me = app.resident().await;
    app.wechat.accept_phone("first", "13800000001");
    assert_eq!(bind_phone(app, &me.token, "first").await.status, 200);
    assert_eq!(
        (app.wechat.normal_token_calls(), app.wechat.forced_token_calls()),
        (1, 0)
    );
    me
}

#[tokio::test]
async fn a_token_another_system_refreshed_is_replaced_in_normal_mode_without_forcing() {
    let app = spawn_app().await;
    let me = resident_with_a_cached_token(&app).await;
    app.wechat.rotate_access_token_elsewhere();
    app.wechat.accept_phone("after-rotation", "13800000002");
    let reply = bind_phone(&app, &me.token, "after-rotation").await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(app.wechat.normal_token_calls(), 2);
    assert_eq!(
        app.wechat.forced_token_calls(),
        0,
        "the normal mode gave the new token"
    );
}

#[tokio::test]
async fn a_refresh_is_forced_only_when_wechat_hands_back_the_token_it_rejected() {
    let app = spawn_app().await;
    let me = resident_with_a_cached_token(&app).await;
    app.wechat.make_token_stale_until_forced();
    app.wechat.accept_phone("stale", "13800000002");
    let reply = bind_phone(&app, &me.token, "stale").await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["phone"], "13800000002");
    assert_eq!(app.wechat.normal_token_calls(), 2, "normal mode first");
    assert_eq!(app.wechat.forced_token_calls(), 1, "then one forced refresh");
}

#[tokio::test]
async fn many_callers_on_a_token_stale_until_forced_cause_one_forced_refresh() {
    let app = spawn_app().await;
    resident_with_a_cached_token(&app).await;
    let mut people = Vec::new();
    for i in 0..6 {
        let code = format!("many-{i}");
        app.wechat.accept_phone(&code, &format!("1390000{i:04}"));
        people.push((app.resident().await, code));
    }
    app.wechat.make_token_stale_until_forced();
    let calls = people
        .iter()
        .map(|(person, code)| bind_phone(&app, &person.token, code));
    let replies = futures_util::future::join_all(calls).await;
    assert!(replies.iter().all(|r| r.status == 200), "{replies:?}");
    assert_eq!(app.wechat.forced_token_calls(), 1);
    assert_eq!(app.wechat.normal_token_calls(), 2);
}

#[tokio::test]
async fn a_second_forced_refresh_within_thirty_seconds_is_not_asked_for_and_the_caller_gets_a_503() {
    let app = spawn_app().await;
    let me = resident_with_a_cached_token(&app).await;
    app.wechat.make_token_stale_until_forced();
    app.wechat.accept_phone("forced-once", "13800000002");
    assert_eq!(bind_phone(&app, &me.token, "forced-once").await.status, 200);
    assert_eq!(app.wechat.forced_token_calls(), 1);

    app.wechat.make_token_stale_until_forced();
    app.wechat.accept_phone("too-soon", "13800000003");
    let reply = bind_phone(&app, &me.token, "too-soon").await;
    assert_eq!(
        (reply.status, reply.code()),
        (503, "wechat_unavailable"),
        "{reply:?}"
    );
    assert_eq!(app.wechat.normal_token_calls(), 3, "asked in normal mode");
    assert_eq!(app.wechat.forced_token_calls(), 1, "but did not force again");
}

#[tokio::test]
async fn no_more_than_twenty_refreshes_are_forced_in_a_rolling_day_by_the_deployment() {
    // The count lives in Redis when the token does; in process it is a unit test of
    // `access_token::may_force`, as twenty forced refreshes take ten minutes.
    let app = spawn_app().await;
    let Some(redis_url) = app.settings.redis_url.clone() else {
        return;
    };
    let me = resident_with_a_cached_token(&app).await;
    // The deployment forced twenty refreshes over the last day, the latest an hour ago.
    let mut redis = redis::Client::open(redis_url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let (seconds, _): (i64, i64) = redis::cmd("TIME").query_async(&mut redis).await.unwrap();
    let forced_key = format!("{}:wechat:access_token:forced", app.settings.redis_prefix);
    for i in 0..20 {
        let _: () = redis::cmd("ZADD")
            .arg(&forced_key)
            .arg(seconds * 1000 - 3_600_000 - i * 60_000)
            .arg(format!("earlier-{i}"))
            .query_async(&mut redis)
            .await
            .unwrap();
    }
    app.wechat.make_token_stale_until_forced();
    app.wechat.accept_phone("quota", "13800000002");
    let reply = bind_phone(&app, &me.token, "quota").await;
    assert_eq!(
        (reply.status, reply.code()),
        (503, "wechat_unavailable"),
        "{reply:?}"
    );
    assert_eq!(app.wechat.forced_token_calls(), 0);
}

#[tokio::test]
async fn when_wechat_declines_a_forced_refresh_another_system_made_moments_ago_the_caller_gets_a_503() {
    let app = spawn_app().await;
    let me = resident_with_a_cached_token(&app).await;
    app.wechat.rotate_access_token_elsewhere();
    app.wechat.accept_phone("rotated", "13800000002");
    assert_eq!(bind_phone(&app, &me.token, "rotated").await.status, 200);
    app.wechat.make_token_stale_until_forced();
    app.wechat.accept_phone("declined", "13800000003");
    let reply = bind_phone(&app, &me.token, "declined").await;
    assert_eq!(
        (reply.status, reply.code()),
        (503, "wechat_unavailable"),
        "{reply:?}"
    );
    assert_eq!(app.wechat.forced_token_calls(), 1);
}

#[tokio::test]
async fn when_wechat_s_forced_refreshes_for_the_day_are_used_up_the_caller_gets_a_503() {
    let app = spawn_app().await;
    let me = resident_with_a_cached_token(&app).await;
    app.wechat.use_up_forced_refreshes_elsewhere();
    app.wechat.make_token_stale_until_forced();
    app.wechat.accept_phone("used-up", "13800000002");
    let reply = bind_phone(&app, &me.token, "used-up").await;
    assert_eq!(
        (reply.status, reply.code()),
        (503, "wechat_unavailable"),
        "{reply:?}"
    );
    assert_eq!(app.wechat.forced_token_calls(), 1, "WeChat answered 45009");
}

#[tokio::test]
async fn a_wrong_app_secret_is_a_500_wechat_misconfigured_logged_at_error_without_the_secret() {
    const WRONG_SECRET: &str = "a-wrong-secret-0123456789";
    let logs = capture_logs();
    let app = spawn_app_with(|s| s.wechat_secret = Some(WRONG_SECRET.into())).await;
    app.wechat.accept_login("login", "o-misconfigured", None);
    let login = wechat_login(&app, "login").await;
    assert_eq!(
        (login.status, login.code()),
        (500, "wechat_misconfigured"),
        "{login:?}"
    );
    let text = logs.text();
    let loud = text
        .lines()
        .find(|l| l.contains("ERROR") && l.contains("40125"))
        .unwrap_or_else(|| panic!("no ERROR line for 40125 in:\n{text}"));
    assert!(loud.contains("LINLI_WECHAT_SECRET"), "{loud}");
    assert!(!text.contains(WRONG_SECRET), "the secret was logged:\n{text}");
    assert!(!text.contains(APP_SECRET));
}

#[tokio::test]
async fn a_wrong_secret_fails_phone_binding_as_misconfigured_too() {
    let mut app = spawn_app().await;
    let me = app.resident().await;
    // The operator changes the secret to a wrong one; the session outlives the restart.
    app.settings.wechat_secret = Some("a-wrong-secret".into());
    app.restart().await;
    app.wechat.accept_phone("p", "13800000001");
    let reply = bind_phone(&app, &me.token, "p").await;
    assert_eq!(
        (reply.status, reply.code()),
        (500, "wechat_misconfigured"),
        "{reply:?}"
    );
    assert_eq!(app.wechat.phone_calls(), 0, "no token, no phone call");
}

#[tokio::test]
async fn a_wrong_app_id_is_a_500_wechat_misconfigured() {
    let app = spawn_app_with(|s| s.wechat_appid = Some("wx-not-our-app".to_owned())).await;
    app.wechat.accept_login("login", "o-wrong-app", None);
    let login = wechat_login(&app, "login").await;
    assert_eq!(
        (login.status, login.code()),
        (500, "wechat_misconfigured"),
        "{login:?}"
    );
}

#[tokio::test]
async fn a_server_outside_the_ip_whitelist_is_a_500_wechat_misconfigured() {
    let app = spawn_app().await;
    let me = app.resident().await;
    app.wechat.refuse_our_address(true);
    app.wechat.accept_phone("p", "13800000001");
    let reply = bind_phone(&app, &me.token, "p").await;
    assert_eq!(
        (reply.status, reply.code()),
        (500, "wechat_misconfigured"),
        "{reply:?}"
    );
}

#[tokio::test]
async fn without_a_wechat_app_id_the_wechat_endpoints_answer_503_at_once_without_calling_out() {
    let app = spawn_app_with(|s| s.wechat_appid = None).await;
    let login = wechat_login(&app, "any-code").await;
    assert_eq!(
        (login.status, login.code()),
        (503, "wechat_not_configured"),
        "{login:?}"
    );
    let dev = app
        .request(
            Method::POST,
            "/api/v1/auth/dev/login",
            None,
            Some(&json!({ "openid": "o-dev-phone" })),
        )
        .await;
    assert_eq!(dev.status, 200, "{dev:?}");
    let token = dev.body["access_token"].as_str().unwrap();
    let phone = bind_phone(&app, token, "any-code").await;
    assert_eq!(
        (phone.status, phone.code()),
        (503, "wechat_not_configured"),
        "{phone:?}"
    );
    assert_eq!(app.wechat.calls(), 0);
}

#[tokio::test]
async fn a_number_from_china_is_stored_as_wechat_gives_it_and_one_from_abroad_with_its_country_code() {
    let app = spawn_app().await;
    let me = app.resident().await;
    app.wechat.accept_phone_from("china", "86", "13812345678");
    let reply = bind_phone(&app, &me.token, "china").await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["phone"], "13812345678");
    app.wechat.accept_phone_from("abroad", "1", "2025550123");
    let reply = bind_phone(&app, &me.token, "abroad").await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["phone"], "+12025550123");
}

#[tokio::test]
async fn a_number_watermarked_for_another_app_is_refused_and_logged_without_the_number() {
    let logs = capture_logs();
    let app = spawn_app().await;
    let me = app.resident().await;
    app.wechat
        .accept_phone_for_app("other-app", "13812345678", "wx-someone-else");
    let reply = bind_phone(&app, &me.token, "other-app").await;
    assert_eq!(
        (reply.status, reply.code()),
        (503, "wechat_unavailable"),
        "{reply:?}"
    );
    let now = app.get("/api/v1/me", &me.token).await;
    assert_eq!(now.body["phone"], serde_json::Value::Null, "nothing was bound");
    let text = logs.text();
    assert!(
        text.lines()
            .any(|l| l.contains("wx-someone-else") && l.contains("another app")),
        "the mismatch is logged:\n{text}"
    );
    assert!(!text.contains("13812345678"), "the number was logged:\n{text}");
}

#[tokio::test]
async fn a_bound_phone_number_never_reaches_the_logs() {
    let logs = capture_logs();
    let app = spawn_app().await;
    let me = app.resident().await;
    app.wechat.accept_phone("bound", "13876543210");
    app.wechat.accept_phone_from("abroad", "44", "7700900123");
    assert_eq!(bind_phone(&app, &me.token, "bound").await.status, 200);
    assert_eq!(bind_phone(&app, &me.token, "abroad").await.status, 200);
    assert_eq!(
        app.get("/api/v1/me", &me.token).await.body["phone"],
        "+447700900123"
    );
    let text = logs.text();
    assert!(
        text.contains("/api/v1/me/phone"),
        "the logs were captured:\n{text}"
    );
    assert!(!text.contains("13876543210"), "{text}");
    assert!(!text.contains("7700900123"), "{text}");
}
