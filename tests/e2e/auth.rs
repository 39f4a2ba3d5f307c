use chrono::{Duration, Utc};
use linli_identity::AccessClaims;
use linli_infra::identity::tokens::JwtTokens;
use linli_tests::{JWT_SECRET, spawn_app, spawn_app_with};
use reqwest::Method;
use secrecy::SecretString;
use serde_json::json;

async fn wechat_login(app: &linli_tests::TestApp, code: &str) -> linli_tests::Reply {
    app.request(
        Method::POST,
        "/api/v1/auth/wechat/login",
        None,
        Some(&json!({ "code": code })),
    )
    .await
}

#[tokio::test]
async fn a_wechat_login_creates_the_user_once_and_keeps_the_unionid() {
    let app = spawn_app().await;
    app.wechat.accept_login("code-1", "o-openid-1", Some("u-union-1"));
    let first = wechat_login(&app, "code-1").await;
    assert_eq!(first.status, 200, "{first:?}");
    assert_eq!(first.body["token_type"], "Bearer");
    assert_eq!(first.body["expires_in"], 900);
    assert!(first.body["refresh_token"].as_str().unwrap().len() >= 40);

    app.wechat.accept_login("code-2", "o-openid-1", None);
    let second = wechat_login(&app, "code-2").await;
    assert_eq!(second.status, 200);
    assert_eq!(
        first.body["user"]["id"], second.body["user"]["id"],
        "one openid, one user"
    );

    let me = app
        .get("/api/v1/me", second.body["access_token"].as_str().unwrap())
        .await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["id"], first.body["user"]["id"]);
    // WeChat left the unionid out the second time; the one it gave first is kept.
    use linli_identity::ports::UserRepository;
    let user_id: uuid::Uuid = first.body["user"]["id"].as_str().unwrap().parse().unwrap();
    let stored = app.state.db.find_user(user_id.into()).await.unwrap().unwrap();
    assert_eq!(
        stored.unionid.map(|u| u.into_string()).as_deref(),
        Some("u-union-1")
    );
}

#[tokio::test]
async fn each_wechat_error_maps_to_its_status_and_code() {
    let app = spawn_app().await;
    let unknown = wechat_login(&app, "never-issued").await;
    assert_eq!((unknown.status, unknown.code()), (401, "invalid_code"));

    app.wechat.accept_login("once", "o-once", None);
    assert_eq!(wechat_login(&app, "once").await.status, 200);
    let reused = wechat_login(&app, "once").await;
    assert_eq!(
        (reused.status, reused.code()),
        (401, "invalid_code"),
        "40163: code been used"
    );

    for (errcode, status, code) in [
        (45011, 429, "wechat_rate_limited"),
        (40226, 403, "wechat_user_blocked"),
        (-1, 503, "wechat_unavailable"),
        (40013, 500, "wechat_misconfigured"),
        (40125, 500, "wechat_misconfigured"),
        (40164, 500, "wechat_misconfigured"),
        (40097, 503, "wechat_error"),
    ] {
        app.wechat.accept_login("c", "o-x", None);
        app.wechat.fail_next_login(errcode);
        let reply = wechat_login(&app, "c").await;
        assert_eq!((reply.status, reply.code()), (status, code), "errcode {errcode}");
        assert!(reply.body["request_id"].as_str().is_some_and(|r| !r.is_empty()));
    }
}

#[tokio::test]
async fn a_stalled_wechat_is_a_503_not_a_hang() {
    let app = spawn_app().await;
    app.wechat.accept_login("slow", "o-slow", None);
    app.wechat.stall(true);
    let answered = tokio::time::timeout(std::time::Duration::from_secs(10), wechat_login(&app, "slow")).await;
    let reply = answered.expect("the server answers well before WeChat would");
    assert_eq!((reply.status, reply.code()), (503, "wechat_unavailable"));
}

#[tokio::test]
async fn a_malformed_login_request_is_a_400_with_the_error_shape() {
    let app = spawn_app().await;
    let empty = wechat_login(&app, "  ").await;
    assert_eq!((empty.status, empty.code()), (400, "validation_failed"));
    let response = app
        .http
        .post(app.url("/api/v1/auth/wechat/login"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let reply = linli_tests::into_reply(response).await;
    assert_eq!((reply.status, reply.code()), (400, "malformed_request"));
}

#[tokio::test]
async fn refreshing_rotates_the_refresh_token() {
    let app = spawn_app().await;
    let session = app.resident().await;
    let refreshed = app.refresh(&session.refresh_token).await;
    assert_eq!(refreshed.status, 200, "{refreshed:?}");
    let next = refreshed.body["refresh_token"].as_str().unwrap();
    assert_ne!(next, session.refresh_token);
    let again = app.refresh(next).await;
    assert_eq!(again.status, 200, "the rotated token works once");
}

#[tokio::test]
async fn reusing_a_spent_refresh_token_revokes_the_whole_session() {
    // Without the retry leeway (`refresh_leeway.rs` covers it), any reuse is one.
    let app = spawn_app_with(|s| s.refresh_reuse_leeway_seconds = 0).await;
    let session = app.resident().await;
    let rotated = app.refresh(&session.refresh_token).await;
    assert_eq!(rotated.status, 200);
    let new_refresh = rotated.body["refresh_token"].as_str().unwrap().to_owned();
    let new_access = rotated.body["access_token"].as_str().unwrap().to_owned();

    let replay = app.refresh(&session.refresh_token).await;
    assert_eq!((replay.status, replay.code()), (401, "refresh_token_reused"));

    let thief_or_owner = app.refresh(&new_refresh).await;
    assert_eq!(
        (thief_or_owner.status, thief_or_owner.code()),
        (401, "session_revoked")
    );
    let me = app.get("/api/v1/me", &new_access).await;
    assert_eq!((me.status, me.code()), (401, "session_revoked"));
}

#[tokio::test]
async fn without_a_leeway_of_concurrent_refreshes_with_one_token_exactly_one_succeeds() {
    let app = spawn_app_with(|s| s.refresh_reuse_leeway_seconds = 0).await;
    let session = app.resident().await;
    let attempts = (0..8).map(|_| app.refresh(&session.refresh_token));
    let replies = futures_util::future::join_all(attempts).await;
    let ok = replies.iter().filter(|r| r.status == 200).count();
    assert_eq!(ok, 1, "{replies:?}");
    assert!(
        replies
            .iter()
            .filter(|r| r.status != 200)
            .all(|r| r.status == 401)
    );
    // The reuse revoked the session, the winner's new token included.
    let winner = replies.iter().find(|r| r.status == 200).unwrap();
    let me = app
        .get("/api/v1/me", winner.body["access_token"].as_str().unwrap())
        .await;
    assert_eq!(me.status, 401);
}

#[tokio::test]
async fn an_expired_access_token_is_refused_as_expired() {
    let app = spawn_app().await;
    let session = app.resident().await;
    let me = app.get("/api/v1/me", &session.token).await;
    let session_id = {
        // The session id is inside the token; read it back by verifying with the shared secret.
        let tokens = JwtTokens::new(&SecretString::from(JWT_SECRET), Duration::minutes(15));
        use linli_identity::ports::AccessTokens;
        tokens.verify(&session.token, Utc::now()).unwrap().session_id
    };
    assert_eq!(me.status, 200);
    let tokens = JwtTokens::new(&SecretString::from(JWT_SECRET), Duration::minutes(15));
    let expired = tokens
        .sign(
            AccessClaims {
                user_id: session.user_id.into(),
                session_id,
            },
            Utc::now() - Duration::minutes(30),
            Utc::now() - Duration::minutes(15),
        )
        .unwrap();
    let reply = app.get("/api/v1/me", &expired).await;
    assert_eq!((reply.status, reply.code()), (401, "token_expired"));

    let forged = JwtTokens::new(
        &SecretString::from("another-secret-of-at-least-32-bytes"),
        Duration::minutes(15),
    )
    .sign(
        AccessClaims {
            user_id: session.user_id.into(),
            session_id,
        },
        Utc::now(),
        Utc::now() + Duration::minutes(15),
    )
    .unwrap();
    let reply = app.get("/api/v1/me", &forged).await;
    assert_eq!((reply.status, reply.code()), (401, "invalid_token"));

    let anonymous = app.request(Method::GET, "/api/v1/me", None, None).await;
    assert_eq!((anonymous.status, anonymous.code()), (401, "unauthorized"));
}

#[tokio::test]
async fn logging_out_ends_the_access_and_refresh_tokens() {
    let app = spawn_app().await;
    let session = app.resident().await;
    let out = app.post("/api/v1/auth/logout", &session.token, json!({})).await;
    assert_eq!(out.status, 204, "{out:?}");
    assert_eq!(
        app.get("/api/v1/me", &session.token).await.code(),
        "session_revoked"
    );
    let refresh = app.refresh(&session.refresh_token).await;
    assert_eq!(refresh.status, 401);
}

#[tokio::test]
async fn concurrent_first_logins_of_one_openid_make_one_user() {
    let app = spawn_app().await;
    let codes: Vec<String> = (0..8).map(|_| app.login_code("o-racing")).collect();
    let replies = futures_util::future::join_all(codes.iter().map(|c| wechat_login(&app, c))).await;
    assert!(replies.iter().all(|r| r.status == 200), "{replies:?}");
    let first = &replies[0].body["user"]["id"];
    assert!(replies.iter().all(|r| &r.body["user"]["id"] == first));
}

#[tokio::test]
async fn dev_login_is_404_when_a_wechat_app_is_configured() {
    let app = spawn_app().await;
    let reply = app
        .request(
            Method::POST,
            "/api/v1/auth/dev/login",
            None,
            Some(&json!({ "openid": "anyone" })),
        )
        .await;
    assert_eq!((reply.status, reply.code()), (404, "not_found"));
}

#[tokio::test]
async fn dev_login_works_in_dev_mode_without_a_wechat_app() {
    let app = spawn_app_with(|s| s.wechat_appid = None).await;
    let reply = app
        .request(
            Method::POST,
            "/api/v1/auth/dev/login",
            None,
            Some(&json!({ "openid": "dev-user", "nickname": "小李" })),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["user"]["nickname"], "小李");
}

#[tokio::test]
async fn login_attempts_beyond_the_limit_are_429() {
    let app = spawn_app_with(|s| s.auth_rate_limit_per_minute = 3).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(wechat_login(&app, "whatever").await);
    }
    let codes: Vec<u16> = statuses.iter().map(|r| r.status).collect();
    assert_eq!(codes, vec![401, 401, 401, 429, 429]);
    assert_eq!(statuses[3].code(), "rate_limited");
}

#[tokio::test]
async fn a_refresh_is_never_replayed_from_an_idempotency_key() {
    let app = spawn_app_with(|s| s.refresh_reuse_leeway_seconds = 0).await;
    let session = app.resident().await;
    let refresh = || {
        app.http
            .post(app.url("/api/v1/auth/refresh"))
            .header("idempotency-key", "retry-1")
            .json(&json!({ "refresh_token": session.refresh_token }))
            .send()
    };
    let first = linli_tests::into_reply(refresh().await.unwrap()).await;
    assert_eq!(first.status, 200);
    let second = linli_tests::into_reply(refresh().await.unwrap()).await;
    assert_eq!(
        (second.status, second.code()),
        (401, "refresh_token_reused"),
        "{second:?}"
    );
}

#[tokio::test]
async fn behind_a_proxy_the_limit_follows_the_address_the_proxy_saw() {
    let app = spawn_app_with(|s| {
        s.auth_rate_limit_per_minute = 2;
        s.behind_proxy = true;
    })
    .await;
    let mut statuses = Vec::new();
    for i in 0..3 {
        // The client forges the first entry; the proxy appends the address it saw.
        let response = app
            .http
            .post(app.url("/api/v1/auth/wechat/login"))
            .header("x-forwarded-for", format!("10.9.8.{i}, 203.0.113.7"))
            .json(&json!({ "code": "x" }))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, vec![401, 401, 429]);
}

#[tokio::test]
async fn refreshing_is_not_rate_limited_like_logging_in() {
    let app = spawn_app_with(|s| s.auth_rate_limit_per_minute = 1).await;
    let session = app.login("o-only-login").await;
    let mut token = session.refresh_token;
    for _ in 0..3 {
        let reply = app.refresh(&token).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        token = reply.body["refresh_token"].as_str().unwrap().to_owned();
    }
}

#[tokio::test]
async fn bootstrap_admins_are_district_admins_from_the_start() {
    let app = spawn_app_with(|s| s.bootstrap_admins = "boot-one, boot-two".to_owned()).await;
    for openid in ["boot-one", "boot-two"] {
        let admin = app.login(openid).await;
        let created = app
            .post("/api/v1/subdistricts", &admin.token, json!({ "name": openid }))
            .await;
        assert_eq!(created.status, 201, "{openid}: {created:?}");
    }
    let other = app.resident().await;
    assert_eq!(
        app.post("/api/v1/subdistricts", &other.token, json!({ "name": "x" }))
            .await
            .status,
        403
    );
}
