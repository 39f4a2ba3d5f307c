//! Dual reporting (双报到): units paired with a grid report to it, in-service Party members
//! report to the community where they live, the community receives them; who sees what, and
//! the races of filing and deciding.

use futures_util::SinkExt;
use linli_kernel::{Role, Scope};
use linli_tests::world::World;
use linli_tests::{Reply, Session, TestApp, WebSocket, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

use crate::dual_reporting_support::{
    assert_hides, items, next_frame, party_member_scopes, register_unit as unit,
};

/// A resident of community B (whom community A's staff do not cover), appointed `unit_admin`
/// of `unit` through `POST /role-grants`.
async fn unit_admin(app: &TestApp, world: &World, unit: Uuid) -> Session {
    let person = app.resident_of(world.b.building, "钱主任", "13600000101").await;
    let reply = app
        .post(
            "/api/v1/role-grants",
            &world.district_admin.token,
            json!({ "user_id": person.user_id, "role": "unit_admin", "scope": format!("unit:{unit}") }),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(reply.body["role"], "unit_admin");
    assert_eq!(reply.body["scope"], format!("unit:{unit}"));
    person
}

/// A WeChat-logged-in resident of community A with real name and phone.
async fn member(app: &TestApp, world: &World, name: &str, phone: &str) -> Session {
    app.resident_of(world.a.building, name, phone).await
}

fn report_body(unit: Uuid, community: Uuid) -> Value {
    json!({
        "unit_id": unit,
        "community_id": community,
        "skills": ["法律咨询", "文艺演出"],
        "availability": "周末",
        "note": "在市司法局工作",
    })
}

async fn file(app: &TestApp, member: &Session, unit: Uuid, community: Uuid) -> Reply {
    app.post(
        "/api/v1/member-reports",
        &member.token,
        report_body(unit, community),
    )
    .await
}

fn acceptance(grid: Uuid) -> Value {
    json!({ "grid_id": grid, "category": "legal_aid", "post": "网格党员志愿者" })
}

#[tokio::test]
async fn a_member_report_is_received_and_becomes_a_party_member_their_unit_sees_whole() {
    let app = spawn_app().await;
    let world = app.world().await;
    let unit = unit(&app, &world, "市司法局", world.a.grids[1]).await;
    let unit_admin = unit_admin(&app, &world, unit).await;
    let member = member(&app, &world, "孙党员", "13700000011").await;

    let filed = file(&app, &member, unit, world.a.id).await;
    assert_eq!(filed.status, 201, "{filed:?}");
    let report = filed.id();
    assert_eq!(filed.body["status"], "submitted");
    assert_eq!(filed.body["unit_id"], unit.to_string());
    assert_eq!(filed.body["community_id"], world.a.id.to_string());
    assert_eq!(filed.body["skills"], json!(["法律咨询", "文艺演出"]));
    assert_eq!(filed.body["availability"], "周末");
    assert_eq!(filed.body["note"], "在市司法局工作");
    for null in ["grid_id", "category", "post", "reason", "decided_at"] {
        assert!(filed.body[null].is_null(), "{null}: {filed:?}");
    }
    assert_eq!(filed.body["member"]["id"], member.user_id.to_string());
    assert_eq!(filed.body["member"]["real_name"], "孙党员");
    assert_eq!(filed.body["member"]["masked"], false);
    assert!(party_member_scopes(&app, &member).await.is_empty());

    // The community sees it coming.
    let waiting = app
        .get(
            &format!(
                "/api/v1/member-reports?community_id={}&status=submitted",
                world.a.id
            ),
            &world.a.admin.token,
        )
        .await;
    assert_eq!(items(&waiting).len(), 1);
    assert_eq!(items(&waiting)[0]["id"], report.to_string());
    assert_eq!(items(&waiting)[0]["member"]["phone"], "13700000011");

    // The member may see but not decide; nor may anything outside the community's grid.
    let by_member = app
        .post(
            &format!("/api/v1/member-reports/{report}/accept"),
            &member.token,
            acceptance(world.a.grids[0]),
        )
        .await;
    assert_eq!((by_member.status, by_member.code()), (403, "forbidden"));
    let refusals = [
        (
            json!({ "grid_id": world.b.grids[0], "category": "legal_aid", "post": "志愿者" }),
            422,
            "grid_outside_community",
        ),
        (
            json!({ "grid_id": world.a.grids[0], "category": "no_such_thing", "post": "志愿者" }),
            422,
            "unknown_category",
        ),
        (
            json!({ "grid_id": world.a.grids[0], "category": "legal_aid", "post": "" }),
            400,
            "validation_failed",
        ),
    ];
    for (body, status, code) in refusals {
        let reply = app
            .post(
                &format!("/api/v1/member-reports/{report}/accept"),
                &world.a.admin.token,
                body.clone(),
            )
            .await;
        assert_eq!((reply.status, reply.code()), (status, code), "{body}");
    }

    let accepted = app
        .post(
            &format!("/api/v1/member-reports/{report}/accept"),
            &world.a.admin.token,
            acceptance(world.a.grids[0]),
        )
        .await;
    assert_eq!(accepted.status, 200, "{accepted:?}");
    assert_eq!(accepted.body["status"], "accepted");
    assert_eq!(accepted.body["grid_id"], world.a.grids[0].to_string());
    assert_eq!(accepted.body["category"], "legal_aid");
    assert_eq!(accepted.body["post"], "网格党员志愿者");
    assert!(accepted.body["decided_at"].is_string());
    assert_eq!(
        party_member_scopes(&app, &member).await,
        vec![format!("community:{}", world.a.id)]
    );

    // The unit's admin lists their members' reports, wherever they reported, and sees the
    // member whole.
    let of_unit = app
        .get(
            &format!("/api/v1/member-reports?unit_id={unit}"),
            &unit_admin.token,
        )
        .await;
    assert_eq!(items(&of_unit).len(), 1, "{of_unit:?}");
    let seen = &items(&of_unit)[0];
    assert_eq!(seen["id"], report.to_string());
    assert_eq!(seen["status"], "accepted");
    assert_eq!(seen["member"]["real_name"], "孙党员");
    assert_eq!(seen["member"]["phone"], "13700000011");
    assert_eq!(seen["member"]["masked"], false);
    let one = app
        .get(&format!("/api/v1/member-reports/{report}"), &unit_admin.token)
        .await;
    assert_eq!(one.status, 200);
    assert_eq!(one.body["member"]["masked"], false);
    // A unit admin speaks for the unit, not the community: they do not decide.
    let withdrawn_by_unit = app
        .post(
            &format!("/api/v1/member-reports/{report}/withdraw"),
            &unit_admin.token,
            json!({}),
        )
        .await;
    assert_eq!(
        (withdrawn_by_unit.status, withdrawn_by_unit.code()),
        (403, "forbidden")
    );

    // Community B's admin learns nothing of it, and decides nothing.
    let secrets = ["孙党员", "13700000011", &report.to_string()];
    let b = &world.b.admin.token;
    let got = app.get(&format!("/api/v1/member-reports/{report}"), b).await;
    assert_eq!((got.status, got.code()), (404, "member_report_not_found"));
    assert_hides("GET member-reports/{id}", &got, &secrets);
    for query in [
        "",
        "?status=accepted",
        &format!("?community_id={}", world.a.id),
        &format!("?unit_id={unit}"),
    ] {
        let listed = app.get(&format!("/api/v1/member-reports{query}"), b).await;
        assert!(items(&listed).is_empty(), "{query}: {listed:?}");
        assert_hides("GET member-reports", &listed, &secrets);
    }
    for (action, body) in [
        ("accept", acceptance(world.a.grids[0])),
        ("reject", json!({ "reason": "不符合条件" })),
        ("withdraw", json!({ "reason": "搬走了" })),
    ] {
        let reply = app
            .post(&format!("/api/v1/member-reports/{report}/{action}"), b, body)
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (404, "member_report_not_found"),
            "{action}"
        );
        assert_hides(action, &reply, &secrets);
    }
    // Another resident of A neither.
    let neighbour = &world.a.resident.token;
    let got = app
        .get(&format!("/api/v1/member-reports/{report}"), neighbour)
        .await;
    assert_eq!((got.status, got.code()), (404, "member_report_not_found"));
    let listed = app.get("/api/v1/member-reports", neighbour).await;
    assert!(items(&listed).is_empty());
    // A grid worker of the member's grid sees it (their grid covers it now) but decides nothing.
    let by_worker = app
        .post(
            &format!("/api/v1/member-reports/{report}/withdraw"),
            &world.a.worker.token,
            json!({}),
        )
        .await;
    assert_eq!((by_worker.status, by_worker.code()), (403, "forbidden"));

    // The member moves away: they withdraw, lose the role, and may report anew.
    let withdrawn = app
        .post(
            &format!("/api/v1/member-reports/{report}/withdraw"),
            &member.token,
            json!({ "reason": "搬家了" }),
        )
        .await;
    assert_eq!(withdrawn.status, 200, "{withdrawn:?}");
    assert_eq!(withdrawn.body["status"], "withdrawn");
    assert_eq!(withdrawn.body["reason"], "搬家了");
    assert!(party_member_scopes(&app, &member).await.is_empty());
    let again = app
        .post(
            &format!("/api/v1/member-reports/{report}/withdraw"),
            &member.token,
            json!({}),
        )
        .await;
    assert_eq!((again.status, again.code()), (409, "member_report_state"));
    assert_eq!(again.body["details"]["status"], "withdrawn");
    let anew = file(&app, &member, unit, world.a.id).await;
    assert_eq!(anew.status, 201, "{anew:?}");
}

#[tokio::test]
async fn a_report_needs_a_real_name_and_a_phone() {
    let app = spawn_app().await;
    let world = app.world().await;
    let unit = unit(&app, &world, "市司法局", world.a.grids[1]).await;

    let bare = app.resident().await;
    let reply = file(&app, &bare, unit, world.a.id).await;
    assert_eq!((reply.status, reply.code()), (422, "real_name_required"));
    assert_eq!(reply.body["details"]["missing"], json!(["real_name", "phone"]));

    let named = app.resident().await;
    let patched = app
        .patch("/api/v1/me", &named.token, json!({ "real_name": "周党员" }))
        .await;
    assert_eq!(patched.status, 200);
    let reply = file(&app, &named, unit, world.a.id).await;
    assert_eq!((reply.status, reply.code()), (422, "phone_required"));
    assert_eq!(reply.body["details"]["missing"], json!(["phone"]));

    let phoned = app.resident().await;
    let code = format!("phone-{}", Uuid::new_v4().simple());
    app.wechat.accept_phone(&code, "13700000021");
    let bound = app
        .post("/api/v1/me/phone", &phoned.token, json!({ "code": code }))
        .await;
    assert_eq!(bound.status, 200);
    let reply = file(&app, &phoned, unit, world.a.id).await;
    assert_eq!((reply.status, reply.code()), (422, "real_name_required"));
    assert_eq!(reply.body["details"]["missing"], json!(["real_name"]));

    // With both, what it names must exist and its text fit.
    let member = member(&app, &world, "吴党员", "13700000022").await;
    let cases = [
        (report_body(Uuid::now_v7(), world.a.id), 404, "unit_not_found"),
        (report_body(unit, Uuid::now_v7()), 404, "community_not_found"),
        (
            json!({ "unit_id": unit, "community_id": world.a.id, "skills": ["唱歌", "唱歌"] }),
            400,
            "validation_failed",
        ),
        (
            json!({ "unit_id": unit, "community_id": world.a.id, "skills": [], "surprise": 1 }),
            400,
            "malformed_request",
        ),
    ];
    for (body, status, code) in cases {
        let reply = app
            .post("/api/v1/member-reports", &member.token, body.clone())
            .await;
        assert_eq!((reply.status, reply.code()), (status, code), "{body}");
    }
    let minimal = app
        .post(
            "/api/v1/member-reports",
            &member.token,
            json!({ "unit_id": unit, "community_id": world.a.id }),
        )
        .await;
    assert_eq!(minimal.status, 201, "{minimal:?}");
    assert_eq!(minimal.body["skills"], json!([]));
    let anonymous = app
        .request(Method::GET, "/api/v1/member-reports", None, None)
        .await;
    assert_eq!(anonymous.status, 401);
}

#[tokio::test]
async fn one_open_report_per_member_and_one_unit_per_grid() {
    let app = spawn_app().await;
    let world = app.world().await;
    let unit = unit(&app, &world, "市司法局", world.a.grids[1]).await;
    let member = member(&app, &world, "郑党员", "13700000031").await;

    let first = file(&app, &member, unit, world.a.id).await;
    assert_eq!(first.status, 201);
    let second = file(&app, &member, unit, world.b.id).await;
    assert_eq!((second.status, second.code()), (409, "member_report_open"));

    // A retry of the first with the same key is answered the first answer, not a conflict.
    let send = |key: &'static str| {
        app.http
            .post(app.url("/api/v1/member-reports"))
            .bearer_auth(&member.token)
            .header("idempotency-key", key)
            .json(&report_body(unit, world.b.id))
            .send()
    };
    let rejected = app
        .post(
            &format!("/api/v1/member-reports/{}/reject", first.id()),
            &world.a.admin.token,
            json!({ "reason": "不在本社区居住" }),
        )
        .await;
    assert_eq!(rejected.status, 200, "{rejected:?}");
    assert_eq!(rejected.body["status"], "rejected");
    assert_eq!(rejected.body["reason"], "不在本社区居住");
    let twice = app
        .post(
            &format!("/api/v1/member-reports/{}/reject", first.id()),
            &world.a.admin.token,
            json!({ "reason": "再拒一次" }),
        )
        .await;
    assert_eq!((twice.status, twice.code()), (409, "member_report_state"));
    assert_eq!(twice.body["details"]["status"], "rejected");
    let late = app
        .post(
            &format!("/api/v1/member-reports/{}/accept", first.id()),
            &world.a.admin.token,
            acceptance(world.a.grids[0]),
        )
        .await;
    assert_eq!((late.status, late.code()), (409, "member_report_state"));

    // A rejected report is closed: the member reports again, to B this time.
    let to_b = linli_tests::into_reply(send("report-b").await.unwrap()).await;
    assert_eq!(to_b.status, 201, "{to_b:?}");
    let replayed = linli_tests::into_reply(send("report-b").await.unwrap()).await;
    assert_eq!(replayed.status, 201);
    assert_eq!(replayed.headers["idempotent-replayed"], "true");
    assert_eq!(replayed.body, to_b.body);
    let mine = app.get("/api/v1/member-reports", &member.token).await;
    assert_eq!(items(&mine).len(), 2, "the member sees their own");
    let open = app
        .get("/api/v1/member-reports?status=submitted", &member.token)
        .await;
    assert_eq!(items(&open).len(), 1);
    assert_eq!(items(&open)[0]["community_id"], world.b.id.to_string());

    // A grid is paired with one unit.
    let paired = app
        .post(
            "/api/v1/units",
            &world.district_admin.token,
            json!({
                "name": "市民政局",
                "kind": "municipal_organ",
                "party_organisation": "中共市民政局机关委员会",
                "contact_name": "李主任",
                "contact_phone": "13500000001",
                "roll_count": 80,
                "grid_id": world.a.grids[1],
            }),
        )
        .await;
    assert_eq!((paired.status, paired.code()), (409, "grid_already_paired"));
    assert_eq!(paired.body["details"]["grid_id"], world.a.grids[1].to_string());
}

#[tokio::test]
async fn a_unit_reports_to_its_grid_and_only_that_community_receives_it() {
    let app = spawn_app().await;
    let world = app.world().await;
    let unit_body = json!({
        "name": "市司法局",
        "kind": "municipal_organ",
        "party_organisation": "中共市司法局机关委员会",
        "contact_name": "赵主任",
        "contact_phone": "0531-88880001",
        "roll_count": 120,
        "grid_id": world.a.grids[1],
    });
    // Only the district keeps the units.
    let by_community = app
        .post("/api/v1/units", &world.a.admin.token, unit_body.clone())
        .await;
    assert_eq!((by_community.status, by_community.code()), (403, "forbidden"));
    let bad = [
        (json!({ "grid_id": Uuid::now_v7() }), 404, "grid_not_found"),
        (json!({ "roll_count": -1 }), 400, "validation_failed"),
        (json!({ "contact_phone": "12345" }), 400, "validation_failed"),
        (json!({ "kind": "embassy" }), 400, "malformed_request"),
    ];
    for (change, status, code) in bad {
        let mut body = unit_body.clone();
        body.as_object_mut()
            .unwrap()
            .extend(change.as_object().unwrap().clone());
        let reply = app.post("/api/v1/units", &world.district_admin.token, body).await;
        assert_eq!((reply.status, reply.code()), (status, code), "{change}");
    }
    let created = app
        .post("/api/v1/units", &world.district_admin.token, unit_body)
        .await;
    assert_eq!(created.status, 201, "{created:?}");
    let unit = created.id();
    assert_eq!(created.body["grid_id"], world.a.grids[1].to_string());
    assert_eq!(created.body["community_id"], world.a.id.to_string());
    assert_eq!(created.body["restricted"], false);
    let admin = unit_admin(&app, &world, unit).await;

    // Only the unit's admin files its report, once.
    for outsider in [&world.a.admin, &world.b.admin, &world.a.resident] {
        let reply = app
            .post(
                &format!("/api/v1/units/{unit}/report"),
                &outsider.token,
                json!({}),
            )
            .await;
        assert_eq!((reply.status, reply.code()), (403, "forbidden"));
    }
    let missing = app
        .post(
            &format!("/api/v1/units/{}/report", Uuid::now_v7()),
            &admin.token,
            json!({}),
        )
        .await;
    assert_eq!((missing.status, missing.code()), (404, "unit_not_found"));
    let filed = app
        .post(&format!("/api/v1/units/{unit}/report"), &admin.token, json!({}))
        .await;
    assert_eq!(filed.status, 201, "{filed:?}");
    assert_eq!(filed.body["status"], "submitted");
    assert_eq!(filed.body["grid_id"], world.a.grids[1].to_string());
    assert!(filed.body["accepted_at"].is_null());
    let report = filed.id();
    let twice = app
        .post(&format!("/api/v1/units/{unit}/report"), &admin.token, json!({}))
        .await;
    assert_eq!((twice.status, twice.code()), (409, "unit_already_reported"));

    // Community B's admin does not even see it; the unit's admin may not receive it.
    let path = format!("/api/v1/unit-reports/{report}/accept");
    let (app_ref, path) = (&app, &path);
    let accept = |token: &str| {
        let token = token.to_owned();
        async move { app_ref.post(path, &token, json!({})).await }
    };
    let by_b = accept(&world.b.admin.token).await;
    assert_eq!((by_b.status, by_b.code()), (404, "unit_report_not_found"));
    assert_hides(
        "unit report accept",
        &by_b,
        &["市司法局", "赵主任", "0531-88880001"],
    );
    let by_unit = accept(&admin.token).await;
    assert_eq!((by_unit.status, by_unit.code()), (404, "unit_report_not_found"));
    let accepted = accept(&world.a.admin.token).await;
    assert_eq!(accepted.status, 200, "{accepted:?}");
    assert_eq!(accepted.body["status"], "accepted");
    assert_eq!(accepted.body["accepted_by"], world.a.admin.user_id.to_string());
    let again = accept(&world.a.admin.token).await;
    assert_eq!((again.status, again.code()), (409, "unit_report_state"));
    assert_eq!(again.body["details"]["status"], "accepted");
    let nowhere = app
        .post(
            &format!("/api/v1/unit-reports/{}/accept", Uuid::now_v7()),
            &world.a.admin.token,
            json!({}),
        )
        .await;
    assert_eq!((nowhere.status, nowhere.code()), (404, "unit_report_not_found"));

    // Its admin and the staff over its grid see the unit whole, with its report.
    for (who, session) in [("unit admin", &admin), ("community A's admin", &world.a.admin)] {
        let seen = app.get(&format!("/api/v1/units/{unit}"), &session.token).await;
        assert_eq!(seen.status, 200);
        assert_eq!(seen.body["restricted"], false, "{who}");
        assert_eq!(seen.body["contact_phone"], "0531-88880001", "{who}");
        assert_eq!(seen.body["roll_count"], 120, "{who}");
        assert_eq!(seen.body["report"]["id"], report.to_string(), "{who}");
    }
    // Anyone else sees its name to pick it, and nothing more.
    for (who, session) in [
        ("community B's admin", &world.b.admin),
        ("a resident", &world.a.resident),
        ("a worker of another grid", &world.a.worker),
    ] {
        let seen = app.get(&format!("/api/v1/units/{unit}"), &session.token).await;
        assert_eq!(seen.status, 200, "{who}");
        assert_eq!(seen.body["name"], "市司法局");
        assert_eq!(seen.body["restricted"], true, "{who}");
        for hidden in ["contact_name", "contact_phone", "roll_count", "report"] {
            assert!(seen.body[hidden].is_null(), "{who} sees {hidden}: {seen:?}");
        }
        assert_hides(who, &seen, &["赵主任", "0531-88880001"]);
        let listed = app.get("/api/v1/units", &session.token).await;
        assert_eq!(items(&listed).len(), 1);
        assert_eq!(items(&listed)[0]["restricted"], true, "{who}");
        assert_hides(who, &listed, &["赵主任", "0531-88880001"]);
    }
    let nothing = app
        .get(&format!("/api/v1/units/{}", Uuid::now_v7()), &world.a.admin.token)
        .await;
    assert_eq!((nothing.status, nothing.code()), (404, "unit_not_found"));
    let paged = app.get("/api/v1/units?limit=1", &admin.token).await;
    assert_eq!(items(&paged).len(), 1);
    assert!(paged.body["next_cursor"].is_null() || paged.body["next_cursor"].is_string());
}

#[tokio::test]
async fn the_district_keeps_the_service_categories_everyone_reads() {
    let app = spawn_app().await;
    let world = app.world().await;
    let listed = app
        .get("/api/v1/service-categories", &world.a.resident.token)
        .await;
    let keys: Vec<&str> = items(&listed)
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys.len(), 7, "{keys:?}");
    assert!(keys.contains(&"legal_aid"));
    let anonymous = app
        .request(Method::GET, "/api/v1/service-categories", None, None)
        .await;
    assert_eq!(anonymous.status, 401);

    let new = json!({ "key": "tutoring", "name": "课业辅导" });
    for outsider in [&world.a.admin, &world.a.resident] {
        let reply = app
            .post("/api/v1/service-categories", &outsider.token, new.clone())
            .await;
        assert_eq!((reply.status, reply.code()), (403, "forbidden"));
    }
    let district = &world.district_admin.token;
    let bad = app
        .post(
            "/api/v1/service-categories",
            district,
            json!({ "key": "Tutoring!", "name": "课业辅导" }),
        )
        .await;
    assert_eq!((bad.status, bad.code()), (400, "validation_failed"));
    let created = app
        .post("/api/v1/service-categories", district, new.clone())
        .await;
    assert_eq!(created.status, 201, "{created:?}");
    assert_eq!(created.body["key"], "tutoring");
    let taken = app.post("/api/v1/service-categories", district, new).await;
    assert_eq!((taken.status, taken.code()), (409, "category_taken"));
    assert_eq!(taken.body["details"]["key"], "tutoring");
    let listed = app
        .get("/api/v1/service-categories", &world.b.resident.token)
        .await;
    assert_eq!(items(&listed).len(), 8);
}

#[tokio::test]
async fn two_admins_accepting_at_once_make_one_party_member() {
    let app = spawn_app().await;
    let world = app.world().await;
    let unit = unit(&app, &world, "市司法局", world.a.grids[1]).await;
    let member = member(&app, &world, "冯党员", "13700000041").await;
    let other_admin = app
        .staff(Role::CommunityAdmin, Scope::Community(world.a.id.into()))
        .await;
    let filed = file(&app, &member, unit, world.a.id).await;
    assert_eq!(filed.status, 201);
    let path = format!("/api/v1/member-reports/{}/accept", filed.id());

    let (one, two) = tokio::join!(
        app.post(&path, &world.a.admin.token, acceptance(world.a.grids[0])),
        app.post(&path, &other_admin.token, acceptance(world.a.grids[1])),
    );
    let mut outcomes = [
        (one.status, one.code().to_owned()),
        (two.status, two.code().to_owned()),
    ];
    outcomes.sort();
    assert_eq!(
        outcomes,
        [(200, String::new()), (409, "member_report_state".to_owned())],
        "{one:?} {two:?}"
    );
    let loser = if one.status == 409 { &one } else { &two };
    assert_eq!(loser.body["details"]["status"], "accepted");

    assert_eq!(party_member_scopes(&app, &member).await.len(), 1);
    let grants = app
        .get(
            &format!("/api/v1/role-grants?user_id={}", member.user_id),
            &world.a.admin.token,
        )
        .await;
    let party_member = items(&grants)
        .iter()
        .filter(|g| g["role"] == "party_member")
        .count();
    assert_eq!(party_member, 1, "{grants:?}");
    let report = app
        .get(&format!("/api/v1/member-reports/{}", filed.id()), &member.token)
        .await;
    assert_eq!(report.body["status"], "accepted");
}

#[tokio::test]
async fn one_member_filing_twice_at_once_files_one_report() {
    let app = spawn_app().await;
    let world = app.world().await;
    let unit = unit(&app, &world, "市司法局", world.a.grids[1]).await;
    let member = member(&app, &world, "陈党员", "13700000051").await;

    let (one, two) = tokio::join!(
        file(&app, &member, unit, world.a.id),
        file(&app, &member, unit, world.b.id),
    );
    let mut outcomes = [
        (one.status, one.code().to_owned()),
        (two.status, two.code().to_owned()),
    ];
    outcomes.sort();
    assert_eq!(
        outcomes,
        [(201, String::new()), (409, "member_report_open".to_owned())],
        "{one:?} {two:?}"
    );
    let mine = app.get("/api/v1/member-reports", &member.token).await;
    assert_eq!(items(&mine).len(), 1);
}

async fn subscribe(socket: &mut WebSocket, topic: &str) -> Value {
    let frame = json!({ "type": "subscribe", "topic": topic }).to_string();
    socket.send(Message::Text(frame.into())).await.unwrap();
    next_frame(socket).await
}

/// The next event of `kind`, skipping the few earlier ones still on their way (the unit's
/// creation, the member's own profile changes).
async fn next_event(socket: &mut WebSocket, kind: &str) -> Value {
    for _ in 0..6 {
        let frame = next_frame(socket).await;
        assert_eq!(frame["type"], "event", "{frame}");
        if frame["kind"] == kind {
            return frame;
        }
    }
    panic!("no `{kind}` event");
}

#[tokio::test]
async fn the_community_and_the_member_hear_of_a_report_live_and_nobody_else() {
    let app = spawn_app().await;
    let world = app.world().await;
    let unit = unit(&app, &world, "市司法局", world.a.grids[1]).await;
    let member = member(&app, &world, "褚党员", "13700000061").await;
    let topic = format!("community:{}:reports", world.a.id);

    let mut staff = app.websocket(&world.a.admin.token).await;
    assert_eq!(
        subscribe(&mut staff, &topic).await,
        json!({ "type": "subscribed", "topic": topic })
    );
    let mut own = app.websocket(&member.token).await;
    assert_eq!(subscribe(&mut own, "user:me").await["type"], "subscribed");
    // Staff of another community, a grid worker (who sees one grid, not the community) and
    // the member themselves may not read the community's reports; nor a community that is
    // not there.
    for (who, session) in [
        ("community B's admin", &world.b.admin),
        ("a grid worker of A", &world.a.worker),
        ("the member", &member),
    ] {
        let mut socket = app.websocket(&session.token).await;
        let refused = subscribe(&mut socket, &topic).await;
        assert_eq!(refused["code"], "forbidden_topic", "{who}: {refused}");
    }
    let mut socket = app.websocket(&world.a.admin.token).await;
    let nowhere = subscribe(&mut socket, &format!("community:{}:reports", Uuid::now_v7())).await;
    assert_eq!(nowhere["code"], "forbidden_topic");

    let filed = file(&app, &member, unit, world.a.id).await;
    assert_eq!(filed.status, 201);
    let heard = next_event(&mut staff, "member_report.submitted").await;
    assert_eq!(heard["topic"], topic);
    assert_eq!(heard["data"]["member_report_id"], filed.id().to_string());
    assert_eq!(heard["data"]["status"], "submitted");
    let told = next_event(&mut own, "member_report.submitted").await;
    assert_eq!(told["data"]["member_report_id"], filed.id().to_string());

    let accepted = app
        .post(
            &format!("/api/v1/member-reports/{}/accept", filed.id()),
            &world.a.admin.token,
            acceptance(world.a.grids[0]),
        )
        .await;
    assert_eq!(accepted.status, 200);
    let heard = next_event(&mut staff, "member_report.accepted").await;
    assert_eq!(heard["data"]["grid_id"], world.a.grids[0].to_string());
    assert_eq!(heard["data"]["category"], "legal_aid");
    next_event(&mut own, "member_report.accepted").await;
}

/// Gives `session`'s user a real name and a bound phone.
async fn complete_profile(app: &TestApp, session: &Session, name: &str, phone: &str) {
    let code = format!("phone-{}", Uuid::new_v4().simple());
    app.wechat.accept_phone(&code, phone);
    let bound = app
        .post("/api/v1/me/phone", &session.token, json!({ "code": code }))
        .await;
    assert_eq!(bound.status, 200, "{bound:?}");
    let named = app
        .patch("/api/v1/me", &session.token, json!({ "real_name": name }))
        .await;
    assert_eq!(named.status, 200, "{named:?}");
}

#[tokio::test]
async fn a_withdrawal_racing_an_acceptance_leaves_the_role_only_with_an_accepted_report() {
    let app = spawn_app().await;
    let world = app.world().await;
    let unit = unit(&app, &world, "市司法局", world.a.grids[1]).await;
    for round in 0..3 {
        let member = member(&app, &world, "蒋党员", &format!("1370000007{round}")).await;
        let filed = file(&app, &member, unit, world.a.id).await;
        assert_eq!(filed.status, 201);
        let report = filed.id();
        let accept = format!("/api/v1/member-reports/{report}/accept");
        let withdraw = format!("/api/v1/member-reports/{report}/withdraw");
        let (accepted, withdrawn) = tokio::join!(
            app.post(&accept, &world.a.admin.token, acceptance(world.a.grids[0])),
            app.post(&withdraw, &member.token, json!({ "reason": "改主意了" }),),
        );
        for reply in [&accepted, &withdrawn] {
            assert!(
                reply.status == 200 || (reply.status, reply.code()) == (409, "member_report_state"),
                "{reply:?}"
            );
        }
        let now = app
            .get(&format!("/api/v1/member-reports/{report}"), &member.token)
            .await;
        let held = party_member_scopes(&app, &member).await;
        match now.body["status"].as_str() {
            Some("accepted") => assert_eq!(held.len(), 1, "round {round}"),
            Some("withdrawn") => assert!(held.is_empty(), "round {round}: {held:?}"),
            other => panic!("round {round}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_admin_does_not_decide_their_own_report() {
    let app = spawn_app().await;
    let world = app.world().await;
    let unit = unit(&app, &world, "市司法局", world.a.grids[1]).await;
    let admin = &world.a.admin;
    complete_profile(&app, admin, "韩主任", "13700000081").await;
    let filed = file(&app, admin, unit, world.a.id).await;
    assert_eq!(filed.status, 201, "{filed:?}");
    let own = app
        .post(
            &format!("/api/v1/member-reports/{}/accept", filed.id()),
            &admin.token,
            acceptance(world.a.grids[0]),
        )
        .await;
    assert_eq!((own.status, own.code()), (403, "forbidden"));
    assert!(party_member_scopes(&app, admin).await.is_empty());
    let other_admin = app
        .staff(Role::CommunityAdmin, Scope::Community(world.a.id.into()))
        .await;
    let by_other = app
        .post(
            &format!("/api/v1/member-reports/{}/accept", filed.id()),
            &other_admin.token,
            acceptance(world.a.grids[0]),
        )
        .await;
    assert_eq!(by_other.status, 200, "{by_other:?}");
    assert_eq!(party_member_scopes(&app, admin).await.len(), 1);
}
