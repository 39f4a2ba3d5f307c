//! Dual reporting's rosters and transferred members: a unit's roster uploaded all or nothing
//! and matched to reports by phone, shown whole only to the unit and to the staff over where a
//! person reported; transferred members registered by their community, holding
//! `party_member`, never also in-service reporters; scope checks and races.

use linli_tests::world::World;
use linli_tests::{Reply, Session, TestApp, into_reply, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::dual_reporting_support::{
    appoint_unit_admin as unit_admin, assert_hides, items, party_member_scopes, register_unit as unit,
};

async fn put_csv(app: &TestApp, unit: Uuid, token: &str, csv: &str) -> Reply {
    let response = app
        .http
        .put(app.url(&format!("/api/v1/units/{unit}/roster")))
        .bearer_auth(token)
        .header("content-type", "text/csv; charset=utf-8")
        .body(csv.to_owned())
        .send()
        .await
        .expect("the server answers");
    into_reply(response).await
}

/// The file as a browser's form sends it, in the field `file`.
async fn put_form(app: &TestApp, unit: Uuid, token: &str, csv: &str) -> Reply {
    let boundary = "linli-roster-boundary-7MA4YWxkTrZu0gW";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n2024年名册\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"名册.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    let response = app
        .http
        .put(app.url(&format!("/api/v1/units/{unit}/roster")))
        .bearer_auth(token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .expect("the server answers");
    into_reply(response).await
}

async fn roster(app: &TestApp, unit: Uuid, token: &str, query: &str) -> Reply {
    app.get(&format!("/api/v1/units/{unit}/roster{query}"), token)
        .await
}

fn names(reply: &Reply) -> Vec<&str> {
    items(reply).iter().map(|e| e["name"].as_str().unwrap()).collect()
}

async fn file_report(app: &TestApp, member: &Session, unit: Uuid, community: Uuid) -> Reply {
    app.post(
        "/api/v1/member-reports",
        &member.token,
        json!({ "unit_id": unit, "community_id": community, "skills": [], "availability": "", "note": "" }),
    )
    .await
}

const ROSTER: &str = "序号,姓名,手机号,职务\n1,孙立新,13700000021,科员\n2,周红梅,137-0000-0022,科长\n3,吴国庆,+86 137 0000 0023,\n";

#[tokio::test]
async fn a_roster_with_bad_lines_names_every_one_and_stores_nothing() {
    let app = spawn_app().await;
    let world = app.world().await;
    let unit = unit(&app, &world, "市司法局", world.a.grids[0]).await;
    let admin = unit_admin(&app, &world, unit, "13600000201").await;

    let bad = "姓名,手机号\n孙立新,13700000021\n,13700000022\n吴国庆,1370000002\n郑一,1.37E+10\n王二,137 0000 0021\n";
    for reply in [
        put_csv(&app, unit, &admin.token, bad).await,
        put_form(&app, unit, &admin.token, bad).await,
    ] {
        assert_eq!(
            (reply.status, reply.code()),
            (422, "import_rejected"),
            "{reply:?}"
        );
        let found: Vec<(u64, &str, &str)> = reply.body["details"]["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["line"].as_u64().unwrap(),
                    e["field"].as_str().unwrap(),
                    e["code"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                (3, "name", "invalid_value"),
                (4, "phone", "invalid_value"),
                (5, "phone", "invalid_value"),
                (6, "phone", "duplicate_in_file"),
            ]
        );
        assert_eq!(reply.body["details"]["error_count"], 4);
    }
    let listed = roster(&app, unit, &admin.token, "").await;
    assert!(listed.body["roster"].is_null(), "{listed:?}");
    assert!(items(&listed).is_empty(), "nothing half-imported");

    // A good file, then a bad one: the good one stays whole.
    assert_eq!(put_csv(&app, unit, &admin.token, ROSTER).await.status, 200);
    let missing = put_csv(&app, unit, &admin.token, "name,部门\n孙立新,办公室\n").await;
    assert_eq!((missing.status, missing.code()), (422, "import_rejected"));
    assert_eq!(missing.body["details"]["errors"][0]["code"], "missing_columns");
    assert_eq!(
        names(&roster(&app, unit, &admin.token, "").await),
        ["孙立新", "周红梅", "吴国庆"]
    );
}

#[tokio::test]
async fn a_roster_replaces_the_last_and_the_unit_sees_by_name_who_has_not_reported() {
    let app = spawn_app().await;
    let world = app.world().await;
    let unit = unit(&app, &world, "市司法局", world.a.grids[0]).await;
    let admin = unit_admin(&app, &world, unit, "13600000202").await;

    let uploaded = put_form(&app, unit, &admin.token, "姓名,手机号\n旧名单,13700000099\n").await;
    assert_eq!(uploaded.status, 200, "{uploaded:?}");
    assert_eq!(uploaded.body["entries"], 1);
    let uploaded = put_csv(&app, unit, &admin.token, ROSTER).await;
    assert_eq!(uploaded.status, 200, "{uploaded:?}");
    assert_eq!(uploaded.body["unit_id"], unit.to_string());
    assert_eq!(uploaded.body["entries"], 3);
    assert_eq!(uploaded.body["uploaded_by"], admin.user_id.to_string());

    // 孙立新 lives in A and reports there; 周红梅 lives in B and
    // reports there, and is accepted; 吴国庆 has not reported.
    let sun = app.resident_of(world.a.building, "孙立新", "13700000021").await;
    let filed = file_report(&app, &sun, unit, world.a.id).await;
    assert_eq!(filed.status, 201, "{filed:?}");
    let zhou = app.resident_of(world.b.building, "周红梅", "13700000022").await;
    let zhou_report = file_report(&app, &zhou, unit, world.b.id).await.id();
    let accepted = app
        .post(
            &format!("/api/v1/member-reports/{zhou_report}/accept"),
            &world.b.admin.token,
            json!({ "grid_id": world.b.grids[0], "category": "legal_aid", "post": "楼道长" }),
        )
        .await;
    assert_eq!(accepted.status, 200, "{accepted:?}");

    let all = roster(&app, unit, &admin.token, "").await;
    assert_eq!(all.body["roster"]["entries"], 3);
    assert_eq!(names(&all), ["孙立新", "周红梅", "吴国庆"]);
    let entries = items(&all);
    assert_eq!(entries[0]["phone"], "13700000021");
    assert_eq!(entries[0]["line"], 2);
    assert_eq!(entries[0]["masked"], false);
    assert_eq!(entries[0]["reported"], true);
    assert_eq!(entries[0]["report"]["status"], "submitted");
    assert_eq!(entries[0]["report"]["community_id"], world.a.id.to_string());
    assert_eq!(entries[0]["report"]["community_name"], world.a.name);
    assert_eq!(entries[1]["report"]["status"], "accepted");
    assert_eq!(entries[1]["report"]["member_report_id"], zhou_report.to_string());
    assert_eq!(entries[2]["reported"], false);
    assert!(entries[2]["report"].is_null());

    let not_reported = roster(&app, unit, &admin.token, "?status=not_reported").await;
    assert_eq!(names(&not_reported), ["吴国庆"]);
    assert_eq!(items(&not_reported)[0]["phone"], "13700000023");
    let reported = roster(&app, unit, &admin.token, "?status=reported&limit=1").await;
    assert_eq!(names(&reported), ["孙立新"]);
    let cursor = reported.body["next_cursor"].as_str().unwrap();
    let rest = roster(
        &app,
        unit,
        &admin.token,
        &format!("?status=reported&limit=1&cursor={cursor}"),
    )
    .await;
    assert_eq!(names(&rest), ["周红梅"]);
    assert!(rest.body["next_cursor"].is_null());
    let wrong = roster(&app, unit, &admin.token, "?status=everyone").await;
    assert_eq!(wrong.status, 400, "{wrong:?}");

    // 孙立新 withdraws: he has not reported any more.
    let withdrawn = app
        .post(
            &format!("/api/v1/member-reports/{}/withdraw", filed.id()),
            &sun.token,
            json!({}),
        )
        .await;
    assert_eq!(withdrawn.status, 200, "{withdrawn:?}");
    assert_eq!(
        names(&roster(&app, unit, &admin.token, "?status=not_reported").await),
        ["孙立新", "吴国庆"]
    );
}

#[tokio::test]
async fn outside_the_unit_a_roster_is_masked_or_not_shown_and_only_its_admins_upload() {
    let app = spawn_app().await;
    let world = app.world().await;
    let unit = unit(&app, &world, "市司法局", world.a.grids[0]).await;
    let other_unit = unit_fn_other(&app, &world).await;
    let admin = unit_admin(&app, &world, unit, "13600000203").await;
    let other_admin = unit_admin(&app, &world, other_unit, "13600000204").await;
    assert_eq!(put_csv(&app, unit, &admin.token, ROSTER).await.status, 200);
    // 孙立新 reports to A, 周红梅 to B.
    let sun = app.resident_of(world.a.building, "孙立新", "13700000021").await;
    assert_eq!(file_report(&app, &sun, unit, world.a.id).await.status, 201);
    let zhou = app.resident_of(world.b.building, "周红梅", "13700000022").await;
    assert_eq!(file_report(&app, &zhou, unit, world.b.id).await.status, 201);

    // A's admin is over the unit's paired grid: they read the roster, whole only for who
    // reported to A.
    let seen = roster(&app, unit, &world.a.admin.token, "").await;
    let entries = items(&seen);
    assert_eq!(
        entries
            .iter()
            .map(|e| (
                e["name"].as_str().unwrap(),
                e["phone"].as_str().unwrap(),
                e["masked"].as_bool().unwrap()
            ))
            .collect::<Vec<_>>(),
        [
            ("孙立新", "13700000021", false),
            ("周**", "137****0022", true),
            ("吴**", "137****0023", true),
        ]
    );
    assert_eq!(entries[1]["report"]["community_id"], world.b.id.to_string());
    assert!(
        entries[1]["report"]["member_report_id"].is_null(),
        "not the report itself"
    );
    assert!(entries[0]["report"]["member_report_id"].is_string());
    assert_hides(
        "GET roster as A's admin",
        &seen,
        &["周红梅", "13700000022", "吴国庆", "13700000023"],
    );
    // The grid's worker likewise, and covers no reporter's community.
    let seen = roster(&app, unit, &world.a.worker.token, "").await;
    assert!(items(&seen).iter().all(|e| e["masked"] == true));
    // The district sees whoever reported anywhere whole; the unreported only masked.
    let seen = roster(&app, unit, &world.district_admin.token, "").await;
    assert_eq!(
        items(&seen)
            .iter()
            .map(|e| e["masked"].as_bool().unwrap())
            .collect::<Vec<_>>(),
        [false, false, true]
    );

    // B's admin receives 周红梅's report but is not over the unit; another unit's admin, a
    // member on the roster and a neighbour: refused, and nothing of the roster shows.
    let secrets = [
        "孙立新",
        "周红梅",
        "吴国庆",
        "13700000021",
        "13700000022",
        "13700000023",
    ];
    for (who, token) in [
        ("B's admin", &world.b.admin.token),
        ("another unit's admin", &other_admin.token),
        ("a member on the roster", &zhou.token),
        ("a resident", &world.a.resident.token),
    ] {
        let reply = roster(&app, unit, token, "").await;
        assert_eq!((reply.status, reply.code()), (403, "forbidden"), "{who}");
        assert_hides(who, &reply, &secrets);
        let reply = roster(&app, unit, token, "?status=reported").await;
        assert_eq!(reply.status, 403, "{who}");
    }
    let unknown = roster(&app, Uuid::now_v7(), &admin.token, "").await;
    assert_eq!((unknown.status, unknown.code()), (404, "unit_not_found"));

    // Only the unit's admins upload, and others are refused before the file is read: a
    // form that does not parse answers 403, not 400.
    for (who, token) in [
        ("A's admin", &world.a.admin.token),
        ("the district admin", &world.district_admin.token),
        ("another unit's admin", &other_admin.token),
        ("a resident", &world.a.resident.token),
    ] {
        let reply = put_csv(&app, unit, token, "name,phone\n冒名,13900000000\n").await;
        assert_eq!((reply.status, reply.code()), (403, "forbidden"), "{who}");
        let garbage = app
            .http
            .put(app.url(&format!("/api/v1/units/{unit}/roster")))
            .bearer_auth(token)
            .header("content-type", "multipart/form-data; boundary=x")
            .body("this is not a form")
            .send()
            .await
            .unwrap();
        let garbage = into_reply(garbage).await;
        assert_eq!((garbage.status, garbage.code()), (403, "forbidden"), "{who}");
    }
    let garbage = app
        .http
        .put(app.url(&format!("/api/v1/units/{unit}/roster")))
        .bearer_auth(&admin.token)
        .header("content-type", "multipart/form-data; boundary=x")
        .body("this is not a form")
        .send()
        .await
        .unwrap();
    assert_eq!(into_reply(garbage).await.status, 400);
    assert_eq!(
        names(&roster(&app, unit, &admin.token, "").await),
        ["孙立新", "周红梅", "吴国庆"],
        "the roster is as its admin left it"
    );
}

async fn unit_fn_other(app: &TestApp, world: &World) -> Uuid {
    unit(app, world, "市财政局", world.b.grids[0]).await
}

#[tokio::test]
async fn a_roster_over_the_row_limit_is_refused_whole_with_the_limit() {
    let app = spawn_app_with(|s| s.import_max_rows = 2).await;
    let world = app.world().await;
    let unit = unit(&app, &world, "市司法局", world.a.grids[0]).await;
    let admin = unit_admin(&app, &world, unit, "13600000205").await;
    let reply = put_csv(&app, unit, &admin.token, ROSTER).await;
    assert_eq!(
        (reply.status, reply.code()),
        (422, "roster_too_large"),
        "{reply:?}"
    );
    assert_eq!(reply.body["details"]["max_rows"], 2);
    assert!(items(&roster(&app, unit, &admin.token, "").await).is_empty());
}

fn registration(person: Uuid, community: Uuid, grid: Uuid) -> Value {
    json!({
        "user_id": person,
        "community_id": community,
        "grid_id": grid,
        "transferred_at": "2024-03-01",
        "from_organisation": "原济阳县化肥厂党委",
    })
}

#[tokio::test]
async fn a_transferred_member_is_registered_holds_party_member_and_does_not_also_report() {
    let app = spawn_app().await;
    let world = app.world().await;
    let person = &world.a.resident;
    let registered = app
        .post(
            "/api/v1/transferred-members",
            &world.a.admin.token,
            registration(person.user_id, world.a.id, world.a.grids[0]),
        )
        .await;
    assert_eq!(registered.status, 201, "{registered:?}");
    let id = registered.id();
    assert_eq!(registered.body["status"], "active");
    assert_eq!(registered.body["community_id"], world.a.id.to_string());
    assert_eq!(registered.body["grid_id"], world.a.grids[0].to_string());
    assert_eq!(registered.body["transferred_at"], "2024-03-01");
    assert_eq!(registered.body["from_organisation"], "原济阳县化肥厂党委");
    assert_eq!(registered.body["person"]["real_name"], world.a.resident_name);
    assert_eq!(registered.body["person"]["masked"], false);
    assert_eq!(
        party_member_scopes(&app, person).await,
        [format!("community:{}", world.a.id)]
    );

    // They pledge like any member of the community, with no unit.
    let year = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .format("%Y")
        .to_string()
        .parse::<i64>()
        .unwrap();
    let pledge = json!({ "title": "每月看望独居老人", "category": "elderly_disabled_help", "target": 12, "period": year });
    let pledged = app.post("/api/v1/pledges", &person.token, pledge.clone()).await;
    assert_eq!(pledged.status, 201, "{pledged:?}");
    assert!(pledged.body["unit_id"].is_null());
    assert_eq!(pledged.body["grid_id"], world.a.grids[0].to_string());

    // Not an in-service reporter as well.
    let unit = unit(&app, &world, "市司法局", world.a.grids[0]).await;
    let filed = file_report(&app, person, unit, world.a.id).await;
    assert_eq!((filed.status, filed.code()), (409, "transferred_member_exists"));
    let again = app
        .post(
            "/api/v1/transferred-members",
            &world.a.admin.token,
            registration(person.user_id, world.a.id, world.a.grids[1]),
        )
        .await;
    assert_eq!((again.status, again.code()), (409, "transferred_member_exists"));

    // Listed to the community's staff and the person; to nobody else.
    for token in [&world.a.admin.token, &world.district_admin.token, &person.token] {
        let listed = app.get("/api/v1/transferred-members", token).await;
        assert_eq!(items(&listed).len(), 1, "{listed:?}");
        assert_eq!(items(&listed)[0]["id"], id.to_string());
        assert_eq!(items(&listed)[0]["person"]["phone"], world.a.resident_phone);
    }
    let by_community = app
        .get(
            &format!(
                "/api/v1/transferred-members?community_id={}&status=active",
                world.a.id
            ),
            &world.a.admin.token,
        )
        .await;
    assert_eq!(items(&by_community).len(), 1);
    let secrets = [
        world.a.resident_name.as_str(),
        world.a.resident_phone.as_str(),
        &id.to_string(),
    ];
    for token in [
        &world.b.admin.token,
        &world.b.worker.token,
        &world.b.resident.token,
    ] {
        for query in ["", &format!("?community_id={}", world.a.id)] {
            let listed = app
                .get(&format!("/api/v1/transferred-members{query}"), token)
                .await;
            assert!(items(&listed).is_empty(), "{listed:?}");
            assert_hides("GET transferred-members", &listed, &secrets);
        }
        let withdrawn = app
            .post(
                &format!("/api/v1/transferred-members/{id}/withdraw"),
                token,
                json!({}),
            )
            .await;
        assert_eq!(
            (withdrawn.status, withdrawn.code()),
            (404, "transferred_member_not_found")
        );
        assert_hides("withdraw", &withdrawn, &secrets);
    }
    // Those who see it but do not administer the community may not withdraw it.
    for token in [&world.a.worker.token, &person.token] {
        let withdrawn = app
            .post(
                &format!("/api/v1/transferred-members/{id}/withdraw"),
                token,
                json!({}),
            )
            .await;
        assert_eq!((withdrawn.status, withdrawn.code()), (403, "forbidden"));
    }

    let withdrawn = app
        .post(
            &format!("/api/v1/transferred-members/{id}/withdraw"),
            &world.a.admin.token,
            json!({ "reason": "迁往外地" }),
        )
        .await;
    assert_eq!(withdrawn.status, 200, "{withdrawn:?}");
    assert_eq!(withdrawn.body["status"], "withdrawn");
    assert_eq!(withdrawn.body["reason"], "迁往外地");
    assert!(withdrawn.body["withdrawn_at"].is_string());
    assert!(party_member_scopes(&app, person).await.is_empty());
    let no_longer = app.post("/api/v1/pledges", &person.token, pledge).await;
    assert_eq!(
        (no_longer.status, no_longer.code()),
        (403, "not_a_reported_member")
    );
    let twice = app
        .post(
            &format!("/api/v1/transferred-members/{id}/withdraw"),
            &world.a.admin.token,
            json!({}),
        )
        .await;
    assert_eq!((twice.status, twice.code()), (409, "transferred_member_state"));
    // Now they may report as an in-service member, and then are not registered meanwhile.
    assert_eq!(file_report(&app, person, unit, world.a.id).await.status, 201);
    let while_reporting = app
        .post(
            "/api/v1/transferred-members",
            &world.a.admin.token,
            registration(person.user_id, world.a.id, world.a.grids[0]),
        )
        .await;
    assert_eq!(
        (while_reporting.status, while_reporting.code()),
        (409, "person_has_open_report")
    );
}

#[tokio::test]
async fn only_an_admin_over_the_community_registers_someone_they_cover_in_one_of_its_grids() {
    let app = spawn_app().await;
    let world = app.world().await;
    let person = world.a.resident.user_id;
    let register = |token: String, body: Value| {
        let app = &app;
        async move { app.post("/api/v1/transferred-members", &token, body).await }
    };
    let secrets = [world.a.resident_name.as_str(), world.a.resident_phone.as_str()];
    for (who, token) in [
        ("B's admin", world.b.admin.token.clone()),
        ("A's worker", world.a.worker.token.clone()),
        ("a resident", world.b.resident.token.clone()),
    ] {
        let reply = register(token, registration(person, world.a.id, world.a.grids[0])).await;
        assert_eq!(
            (reply.status, reply.code()),
            (404, "community_not_found"),
            "{who}: {reply:?}"
        );
        assert_hides(who, &reply, &secrets);
    }
    let admin = world.a.admin.token.clone();
    let cases = [
        (
            registration(world.b.resident.user_id, world.a.id, world.a.grids[0]),
            422,
            "person_not_covered",
        ),
        (
            registration(Uuid::now_v7(), world.a.id, world.a.grids[0]),
            422,
            "person_not_covered",
        ),
        (
            registration(person, world.a.id, world.b.grids[0]),
            422,
            "grid_outside_community",
        ),
        (
            registration(world.a.admin.user_id, world.a.id, world.a.grids[0]),
            403,
            "forbidden",
        ),
        (
            json!({ "user_id": person, "community_id": world.a.id, "grid_id": world.a.grids[0],
                    "transferred_at": "2999-01-01", "from_organisation": "某厂党委" }),
            400,
            "validation_failed",
        ),
        (
            json!({ "user_id": person, "community_id": world.a.id, "grid_id": world.a.grids[0],
                    "transferred_at": "2024-03-01", "from_organisation": "  " }),
            400,
            "validation_failed",
        ),
        (
            json!({ "user_id": person, "community_id": world.a.id, "grid_id": world.a.grids[0],
                    "branch_id": Uuid::now_v7(), "transferred_at": "2024-03-01", "from_organisation": "某厂党委" }),
            400,
            "malformed_request",
        ),
    ];
    for (body, status, code) in cases {
        let reply = register(admin.clone(), body.clone()).await;
        assert_eq!((reply.status, reply.code()), (status, code), "{body}: {reply:?}");
    }
    let unknown = app
        .post(
            &format!("/api/v1/transferred-members/{}/withdraw", Uuid::now_v7()),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.code()),
        (404, "transferred_member_not_found")
    );
    // Someone without a real name is refused, with what is missing.
    let nameless = app.resident().await;
    let lives_in_a = app
        .put(
            "/api/v1/me/residence",
            &nameless.token,
            json!({ "building_id": world.a.building }),
        )
        .await;
    assert_eq!(lives_in_a.status, 200);
    let reply = register(
        admin.clone(),
        registration(nameless.user_id, world.a.id, world.a.grids[0]),
    )
    .await;
    assert_eq!((reply.status, reply.code()), (422, "person_profile_incomplete"));
    assert_eq!(reply.body["details"]["missing"], json!(["real_name", "phone"]));
    assert!(party_member_scopes(&app, &world.a.resident).await.is_empty());
}

#[tokio::test]
async fn two_registrations_of_one_person_at_once_make_one_transferred_member() {
    let app = spawn_app().await;
    let world = app.world().await;
    let person = world.a.resident.user_id;
    let second_admin = app
        .staff(
            linli_kernel::Role::CommunityAdmin,
            linli_kernel::Scope::Community(world.a.id.into()),
        )
        .await;
    let attempts = [
        (world.a.admin.token.clone(), world.a.grids[0]),
        (second_admin.token.clone(), world.a.grids[1]),
    ]
    .map(|(token, grid)| {
        let body = registration(person, world.a.id, grid);
        let app = &app;
        async move { app.post("/api/v1/transferred-members", &token, body).await }
    });
    let [first, second] = attempts;
    let (first, second) = tokio::join!(first, second);
    let mut statuses = [first.status, second.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409], "{first:?} {second:?}");
    let lost = if first.status == 409 { &first } else { &second };
    assert_eq!(lost.code(), "transferred_member_exists");
    assert_eq!(
        party_member_scopes(&app, &world.a.resident).await,
        [format!("community:{}", world.a.id)]
    );
    let listed = app.get("/api/v1/transferred-members", &world.a.admin.token).await;
    assert_eq!(items(&listed).len(), 1);

    // A filing and a registration of someone else at once: one of them stands.
    let unit = unit(&app, &world, "市司法局", world.a.grids[0]).await;
    let other = app.resident_of(world.a.building, "郑志刚", "13700000031").await;
    let (filed, registered) = tokio::join!(
        file_report(&app, &other, unit, world.a.id),
        app.post(
            "/api/v1/transferred-members",
            &second_admin.token,
            registration(other.user_id, world.a.id, world.a.grids[0]),
        )
    );
    let outcome = (
        (filed.status, filed.code().to_owned()),
        (registered.status, registered.code().to_owned()),
    );
    assert!(
        matches!(
            (&outcome.0, &outcome.1),
            ((201, _), (409, c)) if c == "person_has_open_report"
        ) || matches!(
            (&outcome.0, &outcome.1),
            ((409, c), (201, _)) if c == "transferred_member_exists"
        ),
        "{outcome:?}"
    );
}
