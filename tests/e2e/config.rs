use linli_api::Application;
use linli_api::config::Environment;
use linli_tests::database::TestDatabase;
use linli_tests::fake_wechat::FakeWechat;
use linli_tests::{spawn_app_with, test_settings};
use secrecy::SecretString;

async fn refusal(adjust: impl FnOnce(&mut linli_api::Settings)) -> String {
    let database = TestDatabase::create().await;
    let wechat = FakeWechat::start().await;
    let mut settings = test_settings(&database, &wechat);
    settings.env = Environment::Production;
    settings.jwt_secret = Some(SecretString::from("x".repeat(40)));
    adjust(&mut settings);
    match Application::build(settings).await {
        Ok(_) => panic!("production started with an insecure setting"),
        Err(e) => format!("{e:#}"),
    }
}

#[tokio::test]
async fn production_refuses_dev_login() {
    let why = refusal(|s| s.dev_login = Some(true)).await;
    assert!(why.contains("dev login"), "{why}");
}

#[tokio::test]
async fn production_refuses_a_missing_or_short_jwt_secret() {
    assert!(
        refusal(|s| s.jwt_secret = None)
            .await
            .contains("LINLI_JWT_SECRET")
    );
    assert!(
        refusal(|s| s.jwt_secret = Some(SecretString::from("short")))
            .await
            .contains("32 bytes")
    );
}

#[tokio::test]
async fn production_refuses_missing_wechat_credentials() {
    assert!(
        refusal(|s| s.wechat_appid = None)
            .await
            .contains("LINLI_WECHAT_APPID")
    );
    assert!(
        refusal(|s| s.wechat_secret = None)
            .await
            .contains("LINLI_WECHAT_SECRET")
    );
}

#[tokio::test]
async fn production_with_secure_settings_starts() {
    let database = TestDatabase::create().await;
    let wechat = FakeWechat::start().await;
    let mut settings = test_settings(&database, &wechat);
    settings.env = Environment::Production;
    assert!(Application::build(settings).await.is_ok());
}

#[tokio::test]
async fn in_dev_a_generated_jwt_secret_survives_a_restart() {
    let mut app = spawn_app_with(|s| s.jwt_secret = None).await;
    let session = app.resident().await;
    assert_eq!(app.get("/api/v1/me", &session.token).await.status, 200);
    app.restart().await;
    let after = app.get("/api/v1/me", &session.token).await;
    assert_eq!(
        after.status, 200,
        "the token signed before the restart still works: {after:?}"
    );
}

#[tokio::test]
async fn dev_login_is_404_in_production() {
    let app = spawn_app_with(|s| s.env = Environment::Production).await;
    let reply = app
        .request(
            reqwest::Method::POST,
            "/api/v1/auth/dev/login",
            None,
            Some(&serde_json::json!({ "openid": "anyone" })),
        )
        .await;
    assert_eq!((reply.status, reply.code()), (404, "not_found"));
}
