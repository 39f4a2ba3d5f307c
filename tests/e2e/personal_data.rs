//! Personal data at rest: phone numbers and real names are nowhere in the database in clear
//! (sealed with SM4-GCM, an HMAC-SM3 index beside the phone); what an older version stored
//! in clear is sealed at start-up; production refuses to start without keys.

use linli_api::config::Environment;
use linli_infra::db::Database;
use linli_infra::identity::entity::user;
use linli_tests::{TestApp, spawn_app, spawn_app_with};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, Statement};
use serde_json::json;

const PHONE: &str = "13912345678";
const REAL_NAME: &str = "欧阳娜娜";

/// Logs a resident in and gives them a real name (PATCH /me) and a phone (WeChat's
/// getPhoneNumber through the fake).
async fn resident_with_name_and_phone(app: &TestApp) -> linli_tests::Session {
    let me = app.resident().await;
    let named = app
        .patch(
            "/api/v1/me",
            &me.token,
            json!({ "nickname": "小娜", "real_name": REAL_NAME }),
        )
        .await;
    assert_eq!(named.status, 200, "{named:?}");
    app.wechat.accept_phone("phone-code", PHONE);
    let phoned = app
        .post("/api/v1/me/phone", &me.token, json!({ "code": "phone-code" }))
        .await;
    assert_eq!(phoned.status, 200, "{phoned:?}");
    assert_eq!(
        (phoned.body["phone"].as_str(), phoned.body["real_name"].as_str()),
        (Some(PHONE), Some(REAL_NAME))
    );
    me
}

async fn strings(db: &Database, sql: String) -> Vec<String> {
    let backend = db.backend();
    db.connection()
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .iter()
        .map(|row| {
            row.try_get_by_index::<Option<String>>(0)
                .unwrap()
                .unwrap_or_default()
        })
        .collect()
}

/// Every row of every table as text: `(table, row)`.
async fn every_row(db: &Database) -> Vec<(String, String)> {
    let postgres = db.backend() == DatabaseBackend::Postgres;
    let tables = strings(
        db,
        if postgres {
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        } else {
            "SELECT name FROM sqlite_master WHERE type = 'table'"
        }
        .to_owned(),
    )
    .await;
    assert!(tables.iter().any(|t| t == "users"), "{tables:?}");
    let mut rows = Vec::new();
    for table in tables {
        let select = if postgres {
            format!("SELECT t::text FROM \"{table}\" t")
        } else {
            let columns = strings(db, format!("SELECT name FROM pragma_table_info('{table}')")).await;
            let quoted: Vec<String> = columns.iter().map(|c| format!("quote(\"{c}\")")).collect();
            format!("SELECT {} FROM \"{table}\"", quoted.join(" || '|' || "))
        };
        for row in strings(db, select).await {
            rows.push((table.clone(), row));
        }
    }
    rows
}

async fn assert_nowhere_in_clear(app: &TestApp, values: &[&str]) {
    let rows = every_row(&app.state.db).await;
    assert!(rows.iter().any(|(table, _)| table == "users"));
    for (table, row) in &rows {
        for value in values {
            assert!(!row.contains(value), "{value} in clear in {table}: {row}");
        }
    }
}

#[tokio::test]
async fn phones_and_real_names_are_in_no_table_in_clear() {
    let app = spawn_app().await;
    let me = resident_with_name_and_phone(&app).await;

    let stored = user::Entity::find_by_id(me.user_id)
        .one(app.state.db.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.clear_phone.as_deref(), stored.clear_real_name.as_deref()),
        (None, None)
    );
    assert!(stored.phone_sealed.as_deref().unwrap().starts_with("v1:e2e-1:"));
    assert!(
        stored
            .real_name_sealed
            .as_deref()
            .unwrap()
            .starts_with("v1:e2e-1:")
    );
    assert_eq!(stored.phone_index.as_deref().map(str::len), Some(64));
    assert_nowhere_in_clear(&app, &[PHONE, REAL_NAME]).await;

    // And whole again for their owner.
    let mine = app.get("/api/v1/me", &me.token).await;
    assert_eq!(
        (mine.body["phone"].as_str(), mine.body["real_name"].as_str()),
        (Some(PHONE), Some(REAL_NAME))
    );
    // The index finds them by any form of the number.
    let found = app
        .state
        .db
        .find_users_by_phone("+86 139-1234-5678")
        .await
        .unwrap();
    assert_eq!(
        found.iter().map(|u| u.id.as_uuid()).collect::<Vec<_>>(),
        [me.user_id]
    );
}

#[tokio::test]
async fn what_an_older_version_stored_in_clear_is_sealed_at_start() {
    let mut app = spawn_app().await;
    let me = app.resident().await;
    // The row as the version before sealing wrote it.
    user::Entity::update_many()
        .col_expr(user::Column::ClearPhone, Expr::value(PHONE))
        .col_expr(user::Column::ClearRealName, Expr::value(REAL_NAME))
        .filter(user::Column::Id.eq(me.user_id))
        .exec(app.state.db.connection())
        .await
        .unwrap();
    app.restart().await;

    assert_nowhere_in_clear(&app, &[PHONE, REAL_NAME]).await;
    let mine = app.get("/api/v1/me", &me.token).await;
    assert_eq!(
        (mine.body["phone"].as_str(), mine.body["real_name"].as_str()),
        (Some(PHONE), Some(REAL_NAME))
    );
    assert_eq!(app.state.db.find_users_by_phone(PHONE).await.unwrap().len(), 1);
}

#[tokio::test]
async fn in_development_generated_keys_are_kept_and_open_after_a_restart() {
    let mut app = spawn_app_with(|s| {
        s.data_keys = None;
        s.data_index_key = None;
    })
    .await;
    let me = resident_with_name_and_phone(&app).await;
    assert!(app.settings.data_dir.join("personal_data_keys").exists());
    app.restart().await;
    let mine = app.get("/api/v1/me", &me.token).await;
    assert_eq!(
        (mine.body["phone"].as_str(), mine.body["real_name"].as_str()),
        (Some(PHONE), Some(REAL_NAME))
    );
    assert_nowhere_in_clear(&app, &[PHONE, REAL_NAME]).await;
}

#[tokio::test]
async fn production_refuses_to_start_without_personal_data_keys() {
    for keyless in [
        |s: &mut linli_api::Settings| s.data_keys = None,
        |s: &mut linli_api::Settings| s.data_index_key = None,
    ] {
        let database = linli_tests::database::TestDatabase::create().await;
        let wechat = linli_tests::fake_wechat::FakeWechat::start().await;
        let mut settings = linli_tests::test_settings(&database, &wechat);
        settings.env = Environment::Production;
        keyless(&mut settings);
        let Err(why) = linli_api::Application::build(settings).await else {
            panic!("production started without personal data keys");
        };
        assert!(format!("{why:#}").contains("LINLI_DATA_"), "{why:#}");
    }
}

#[tokio::test]
async fn answers_kept_for_idempotent_replays_hold_no_phone_in_clear() {
    let app = spawn_app().await;
    let me = app.resident().await;
    app.wechat.accept_phone("phone-code", PHONE);
    let bind = || async {
        app.http
            .post(app.url("/api/v1/me/phone"))
            .bearer_auth(&me.token)
            .header("idempotency-key", "bind-phone-1")
            .json(&json!({ "code": "phone-code" }))
            .send()
            .await
            .unwrap()
    };
    let first = bind().await;
    assert_eq!(first.status(), 200);
    let first: serde_json::Value = first.json().await.unwrap();
    assert_eq!(first["phone"], PHONE);
    assert_nowhere_in_clear(&app, &[PHONE]).await;
    // The replay still answers what the first call answered.
    let replay = bind().await;
    assert_eq!(replay.status(), 200);
    assert_eq!(replay.json::<serde_json::Value>().await.unwrap(), first);
}
