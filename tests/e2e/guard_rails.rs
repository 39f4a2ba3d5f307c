//! What a production (or exposed) configuration refuses, the console's audit trail, and the
//! embedded database's file modes.

use linli_api::Application;
use linli_api::config::Environment;
use linli_kernel::{Role, Scope};
use linli_tests::database::TestDatabase;
use linli_tests::fake_wechat::FakeWechat;
use linli_tests::logs::capture_logs;
use linli_tests::{spawn_app, test_settings};
use uuid::Uuid;

async fn start(adjust: impl FnOnce(&mut linli_api::Settings)) -> anyhow::Result<Application> {
    let database = TestDatabase::create().await;
    let wechat = FakeWechat::start().await;
    let mut settings = test_settings(&database, &wechat);
    adjust(&mut settings);
    Application::build(settings).await
}

#[tokio::test]
async fn production_refuses_wechat_over_plain_http() {
    let refused = start(|s| {
        s.env = Environment::Production;
        s.wechat_api_base = "http://api.weixin.qq.com".to_owned();
    })
    .await;
    let why = format!("{:#}", refused.err().expect("refused"));
    assert!(why.contains("LINLI_WECHAT_API_BASE"), "{why}");
}

#[tokio::test]
async fn dev_login_on_a_reachable_address_is_refused_unless_dev_is_asked_for() {
    let exposed = |s: &mut linli_api::Settings| {
        s.wechat_appid = None;
        s.listen = "0.0.0.0:0".to_owned();
    };
    let refused = start(exposed).await;
    let why = format!("{:#}", refused.err().expect("refused"));
    assert!(why.contains("LINLI_ENV=dev"), "{why}");
    let asked = start(|s| {
        exposed(s);
        s.env_explicit = true;
    })
    .await;
    assert!(asked.is_ok(), "LINLI_ENV=dev set explicitly");
}

#[tokio::test]
async fn the_demo_is_refused_in_production() {
    let database = TestDatabase::create().await;
    let wechat = FakeWechat::start().await;
    let mut settings = test_settings(&database, &wechat);
    settings.env = Environment::Production;
    assert!(linli_api::console::check_demo_allowed(&settings).is_err());
}

#[tokio::test]
async fn a_console_grant_is_logged_at_warn_and_kept_in_the_audit_trail() {
    let app = spawn_app().await;
    let logs = capture_logs();
    let openid = format!("console-{}", Uuid::now_v7().simple());
    let mut settings = app.settings.clone();
    settings.env = Environment::Production;
    let grant = linli_api::console::admin_grant(
        &app.state.db,
        &settings,
        &openid,
        Role::DistrictAdmin,
        Scope::District,
    )
    .await
    .unwrap();
    let trail = app.state.db.console_actions().await.unwrap();
    assert_eq!(trail.len(), 1, "{trail:?}");
    let entry = &trail[0];
    assert_eq!(entry.action, "admin_grant");
    assert_eq!(entry.environment, "production");
    assert!(entry.detail.contains(&openid), "{entry:?}");
    assert!(entry.detail.contains("district_admin"), "{entry:?}");
    assert!(entry.detail.contains(&grant.id().to_string()), "{entry:?}");
    assert!(!entry.operator.is_empty() && !entry.host.is_empty());
    let logged = logs.text();
    let line = logged
        .lines()
        .find(|l| l.contains("console granted a role"))
        .unwrap_or_else(|| panic!("no log line: {logged}"));
    assert!(line.contains("WARN"), "{line}");
    assert!(line.contains(&openid) && line.contains("operator="), "{line}");
    // The grant works.
    let admin = app.login(&openid).await;
    let created = app
        .post(
            "/api/v1/subdistricts",
            &admin.token,
            serde_json::json!({ "name": "济阳街道" }),
        )
        .await;
    assert_eq!(created.status, 201);
}

#[cfg(unix)]
#[tokio::test]
async fn the_embedded_database_is_private_to_its_account() {
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_app().await;
    if app.on_postgres() {
        return;
    }
    let mode = |p: std::path::PathBuf| std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
    let dir = app.settings.data_dir.clone();
    assert_eq!(mode(dir.clone()), 0o700);
    assert_eq!(mode(dir.join("linli.db")), 0o600);
    let wal = dir.join("linli.db-wal");
    if wal.exists() {
        assert_eq!(mode(wal), 0o600);
    }
}

#[tokio::test]
async fn people_to_invite_are_named_by_plain_ids() {
    let app = spawn_app().await;
    let world = app.world().await;
    let stranger = Uuid::now_v7();
    let reply = app
        .put(
            &format!("/api/v1/grids/{}/team", world.a.grids[1]),
            &world.a.admin.token,
            serde_json::json!({ "leader_id": stranger }),
        )
        .await;
    // An unknown id answers as one out of scope would (see appointments.rs).
    assert_eq!((reply.status, reply.code()), (422, "invitation_required"));
    assert_eq!(reply.body["details"]["user_ids"], serde_json::json!([stranger]));
    assert!(!reply.text().contains("UserId("), "{reply:?}");
}

#[tokio::test]
async fn a_bootstrap_admin_is_logged_at_warn_and_kept_in_the_console_audit_trail() {
    let logs = capture_logs();
    let app = linli_tests::spawn_app_with(|s| s.bootstrap_admins = "boot-audited".to_owned()).await;
    let trail = app.state.db.console_actions().await.unwrap();
    assert_eq!(trail.len(), 1, "{trail:?}");
    let entry = &trail[0];
    assert_eq!(entry.action, "bootstrap_admin");
    assert!(entry.detail.contains("boot-audited"), "{entry:?}");
    assert!(entry.detail.contains("district_admin"), "{entry:?}");
    assert!(
        entry.detail.contains("(grant "),
        "completed after the grant: {entry:?}"
    );
    let logged = logs.text();
    let line = logged
        .lines()
        .find(|l| l.contains("console granted a role"))
        .unwrap_or_else(|| panic!("no log line: {logged}"));
    assert!(line.contains("WARN") && line.contains("boot-audited"), "{line}");
}
