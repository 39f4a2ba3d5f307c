//! Pledges (承诺践诺): a resident whose member report the community accepted pledges, records
//! what they did, the grid worker verifies, and the pledge's progress counts it; who sees and
//! decides what, on every endpoint; two decisions on one record at once.

use chrono::Datelike;
use futures_util::SinkExt;
use linli_kernel::{Role, Scope};
use linli_tests::world::World;
use linli_tests::{Reply, Session, TestApp, WebSocket, spawn_app};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

use crate::dual_reporting_support::{
    appoint_unit_admin as unit_admin, assert_hides, items, next_frame as next, register_unit as new_unit,
};

/// The year it is in the district (UTC+8), as the server counts pledges' years.
fn this_year() -> i32 {
    let district = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    chrono::Utc::now().with_timezone(&district).year()
}

/// `member`'s report of `unit` to community A, filed; its id.
async fn file(app: &TestApp, world: &World, member: &Session, unit: Uuid) -> Uuid {
    let reply = app
        .post(
            "/api/v1/member-reports",
            &member.token,
            json!({ "unit_id": unit, "community_id": world.a.id, "skills": ["助老"], "availability": "周末" }),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    reply.id()
}

/// A resident of community A whose report of `unit` community A's admin accepted into its
/// first grid.
async fn received(app: &TestApp, world: &World, unit: Uuid, name: &str, phone: &str) -> Session {
    let member = app.resident_of(world.a.building, name, phone).await;
    let report = file(app, world, &member, unit).await;
    accept(app, world, report).await;
    member
}

async fn accept(app: &TestApp, world: &World, report: Uuid) {
    let reply = app
        .post(
            &format!("/api/v1/member-reports/{report}/accept"),
            &world.a.admin.token,
            json!({ "grid_id": world.a.grids[0], "category": "elderly_disabled_help", "post": "网格党员志愿者" }),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
}

fn pledge_body(target: u32) -> Value {
    json!({
        "title": "每月走访独居老人",
        "category": "elderly_disabled_help",
        "target": target,
        "period": this_year(),
    })
}

async fn make_pledge(app: &TestApp, member: &Session, target: u32) -> Uuid {
    let reply = app
        .post("/api/v1/pledges", &member.token, pledge_body(target))
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    reply.id()
}

fn record_body(note: &str) -> Value {
    json!({
        "note": note,
        "photos": ["https://img.example.cn/visit/1.jpg", "/files/2026/11/visit-2.jpg"],
    })
}

async fn record(app: &TestApp, member: &Session, pledge: Uuid, note: &str) -> Reply {
    app.post(
        &format!("/api/v1/pledges/{pledge}/fulfilments"),
        &member.token,
        record_body(note),
    )
    .await
}

async fn recorded(app: &TestApp, member: &Session, pledge: Uuid) -> Uuid {
    let reply = record(app, member, pledge, "陪张奶奶去医院复查").await;
    assert_eq!(reply.status, 201, "{reply:?}");
    reply.id()
}

fn ids(reply: &Reply) -> Vec<String> {
    items(reply)
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn subscribe(app: &TestApp, token: &str, topic: &str) -> WebSocket {
    let mut socket = app.websocket(token).await;
    socket
        .send(Message::Text(
            json!({ "type": "subscribe", "topic": topic }).to_string().into(),
        ))
        .await
        .unwrap();
    let answer = next(&mut socket).await;
    assert_eq!(answer["type"], "subscribed", "{answer}");
    socket
}

/// The next event of `kind`, skipping others (earlier changes still on their way through the
/// relay).
async fn event_of(socket: &mut WebSocket, kind: &str) -> Value {
    for _ in 0..10 {
        let frame = next(socket).await;
        if frame["type"] == "event" && frame["kind"] == kind {
            return frame;
        }
    }
    panic!("no `{kind}` event among the next ten frames");
}

#[tokio::test]
async fn a_received_member_pledges_records_and_the_grid_worker_verifies_it_into_progress() {
    let app = spawn_app().await;
    let world = app.world().await;
    let unit = new_unit(&app, &world, "市民政局", world.a.grids[1]).await;
    let unit_admin = unit_admin(&app, &world, unit, "13600000201").await;
    let member = app.resident_of(world.a.building, "周党员", "13700000201").await;

    // Not yet a member the community knows: neither before reporting nor while it waits.
    let early = app.post("/api/v1/pledges", &member.token, pledge_body(3)).await;
    assert_eq!((early.status, early.code()), (403, "not_a_reported_member"));
    let report = file(&app, &world, &member, unit).await;
    let waiting = app.post("/api/v1/pledges", &member.token, pledge_body(3)).await;
    assert_eq!((waiting.status, waiting.code()), (403, "not_a_reported_member"));
    accept(&app, &world, report).await;

    let made = app.post("/api/v1/pledges", &member.token, pledge_body(3)).await;
    assert_eq!(made.status, 201, "{made:?}");
    let pledge = made.id();
    assert_eq!(made.body["title"], "每月走访独居老人");
    assert_eq!(made.body["category"], "elderly_disabled_help");
    assert_eq!(made.body["period"], this_year());
    assert_eq!(
        made.body["progress"],
        json!({ "verified": 0, "pending": 0, "target": 3, "kept": false })
    );
    assert_eq!(made.body["community_id"], world.a.id.to_string());
    assert_eq!(made.body["grid_id"], world.a.grids[0].to_string());
    assert_eq!(made.body["unit_id"], unit.to_string());
    assert_eq!(made.body["member"]["id"], member.user_id.to_string());
    assert_eq!(made.body["member"]["real_name"], "周党员");

    let mut member_socket = subscribe(&app, &member.token, "user:me").await;
    let reports = format!("community:{}:reports", world.a.id);
    let mut staff_socket = subscribe(&app, &world.a.admin.token, &reports).await;

    let first = record(&app, &member, pledge, "陪张奶奶去医院复查").await;
    assert_eq!(first.status, 201, "{first:?}");
    let fulfilment = first.id();
    assert_eq!(first.body["status"], "submitted");
    assert_eq!(first.body["pledge_id"], pledge.to_string());
    assert_eq!(first.body["note"], "陪张奶奶去医院复查");
    assert_eq!(
        first.body["photos"],
        json!(["https://img.example.cn/visit/1.jpg", "/files/2026/11/visit-2.jpg"])
    );
    assert!(first.body["decided_at"].is_null());
    let submitted = event_of(&mut staff_socket, "pledge.fulfilment_submitted").await;
    assert_eq!(submitted["data"]["fulfilment_id"], fulfilment.to_string());

    // The grid worker of the member's grid verifies.
    let verified = app
        .post(
            &format!("/api/v1/pledge-fulfilments/{fulfilment}/verify"),
            &world.a.worker.token,
            json!({}),
        )
        .await;
    assert_eq!(verified.status, 200, "{verified:?}");
    assert_eq!(verified.body["status"], "verified");
    assert_eq!(verified.body["decided_by"], world.a.worker.user_id.to_string());
    assert!(verified.body["decided_at"].is_string());

    let told = event_of(&mut member_socket, "pledge.fulfilment_verified").await;
    assert_eq!(told["topic"], "user:me");
    assert_eq!(told["data"]["pledge_id"], pledge.to_string());
    assert_eq!(told["data"]["fulfilment_id"], fulfilment.to_string());
    assert_eq!(told["data"]["status"], "verified");
    assert_eq!(told["data"]["title"], "每月走访独居老人");
    let staff_told = event_of(&mut staff_socket, "pledge.fulfilment_verified").await;
    assert_eq!(staff_told["topic"], reports);

    // Progress: one verified of three.
    let shown = app.get(&format!("/api/v1/pledges/{pledge}"), &member.token).await;
    assert_eq!(shown.status, 200, "{shown:?}");
    assert_eq!(
        shown.body["progress"],
        json!({ "verified": 1, "pending": 0, "target": 3, "kept": false })
    );
    let records = shown.body["fulfilments"].as_array().unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["id"], fulfilment.to_string());
    assert_eq!(records[0]["status"], "verified");

    // Everyone entitled lists it: the member, the community's staff, the unit's admin, who
    // sees the member whole (the feedback promised to the unit).
    let pledge_id = pledge.to_string();
    for (who, token, query) in [
        ("member", &member.token, "?mine=true".to_owned()),
        (
            "community admin",
            &world.a.admin.token,
            format!("?community_id={}", world.a.id),
        ),
        ("grid worker", &world.a.worker.token, String::new()),
        (
            "unit admin",
            &unit_admin.token,
            format!("?unit_id={unit}&period={}", this_year()),
        ),
    ] {
        let listed = app.get(&format!("/api/v1/pledges{query}"), token).await;
        assert_eq!(ids(&listed), vec![pledge_id.clone()], "{who}");
        assert_eq!(items(&listed)[0]["progress"]["verified"], 1, "{who}");
        assert_eq!(items(&listed)[0]["member"]["phone"], "13700000201", "{who}");
        assert_eq!(items(&listed)[0]["member"]["masked"], false, "{who}");
    }
    let next_year = app
        .get(
            &format!("/api/v1/pledges?period={}", this_year() + 1),
            &world.a.admin.token,
        )
        .await;
    assert!(items(&next_year).is_empty());

    // Two more verified records keep the pledge.
    for _ in 0..2 {
        let more = recorded(&app, &member, pledge).await;
        let reply = app
            .post(
                &format!("/api/v1/pledge-fulfilments/{more}/verify"),
                &world.a.admin.token,
                json!({}),
            )
            .await;
        assert_eq!(reply.status, 200, "{reply:?}");
    }
    let kept = app
        .get(&format!("/api/v1/pledges/{pledge}"), &unit_admin.token)
        .await;
    assert_eq!(
        kept.body["progress"],
        json!({ "verified": 3, "pending": 0, "target": 3, "kept": true })
    );
    let beyond = record(&app, &member, pledge, "第四次").await;
    assert_eq!((beyond.status, beyond.code()), (409, "pledge_target_reached"));
    app.assert_contract_kept();
}

#[tokio::test]
async fn what_a_pledge_and_a_record_must_hold_and_when_records_are_refused() {
    let app = spawn_app().await;
    let world = app.world().await;
    let unit = new_unit(&app, &world, "市民政局", world.a.grids[1]).await;
    let member = received(&app, &world, unit, "吴党员", "13700000211").await;

    let refusals = [
        (
            json!({ "title": "巡逻", "category": "gardening", "target": 3, "period": this_year() }),
            422,
            "unknown_category",
            "",
        ),
        (
            json!({ "title": "巡逻", "category": "safety_patrol", "target": 0, "period": this_year() }),
            400,
            "validation_failed",
            "target",
        ),
        (
            json!({ "title": "巡逻", "category": "safety_patrol", "target": 1001, "period": this_year() }),
            400,
            "validation_failed",
            "target",
        ),
        (
            json!({ "title": "巡逻", "category": "safety_patrol", "target": 3, "period": this_year() - 1 }),
            400,
            "validation_failed",
            "period",
        ),
        (
            json!({ "title": "巡逻", "category": "safety_patrol", "target": 3, "period": this_year() + 2 }),
            400,
            "validation_failed",
            "period",
        ),
        (
            json!({ "title": " ", "category": "safety_patrol", "target": 3, "period": this_year() }),
            400,
            "validation_failed",
            "title",
        ),
    ];
    for (body, status, code, field) in refusals {
        let reply = app.post("/api/v1/pledges", &member.token, body.clone()).await;
        assert_eq!((reply.status, reply.code()), (status, code), "{body}");
        if !field.is_empty() {
            assert_eq!(reply.body["details"]["field"], field, "{body}");
        }
    }
    let unknown = app
        .post(
            "/api/v1/pledges",
            &member.token,
            json!({ "title": "巡逻", "category": "gardening", "target": 3, "period": this_year() }),
        )
        .await;
    assert_eq!(unknown.body["details"]["key"], "gardening");

    let pledge = make_pledge(&app, &member, 1).await;
    let path = format!("/api/v1/pledges/{pledge}/fulfilments");
    for (body, field, rule) in [
        (json!({ "note": "", "photos": [] }), "note", "empty"),
        (
            json!({ "note": "打扫楼道", "photos": ["http://img.example.cn/a.jpg"] }),
            "photos",
            "url_format",
        ),
        (
            json!({ "note": "打扫楼道", "photos": ["javascript:alert(1)"] }),
            "photos",
            "url_format",
        ),
        (
            json!({ "note": "打扫楼道", "photos": ["/files/../etc/passwd"] }),
            "photos",
            "url_format",
        ),
        (
            json!({ "note": "打扫楼道", "photos": (0..10).map(|i| format!("/files/{i}.jpg")).collect::<Vec<_>>() }),
            "photos",
            "too_many",
        ),
    ] {
        let reply = app.post(&path, &member.token, body.clone()).await;
        assert_eq!((reply.status, reply.code()), (400, "validation_failed"), "{body}");
        assert_eq!(reply.body["details"]["field"], field, "{body}");
        assert_eq!(reply.body["details"]["rule"], rule, "{body}");
    }

    // One place: a record takes it, a second waits for a decision; a rejection frees it.
    let first = recorded(&app, &member, pledge).await;
    let full = record(&app, &member, pledge, "再记一次").await;
    assert_eq!((full.status, full.code()), (409, "pledge_target_reached"));
    let reject = format!("/api/v1/pledge-fulfilments/{first}/reject");
    let no_reason = app
        .post(&reject, &world.a.worker.token, json!({ "reason": "" }))
        .await;
    assert_eq!((no_reason.status, no_reason.code()), (400, "validation_failed"));
    let rejected = app
        .post(
            &reject,
            &world.a.worker.token,
            json!({ "reason": "照片与内容不符" }),
        )
        .await;
    assert_eq!(rejected.status, 200, "{rejected:?}");
    assert_eq!(rejected.body["status"], "rejected");
    assert_eq!(rejected.body["reason"], "照片与内容不符");
    let again = app
        .post(
            &format!("/api/v1/pledge-fulfilments/{first}/verify"),
            &world.a.admin.token,
            json!({}),
        )
        .await;
    assert_eq!((again.status, again.code()), (409, "fulfilment_state"));
    assert_eq!(again.body["details"]["status"], "rejected");
    recorded(&app, &member, pledge).await;

    // Next year's pledge takes records when next year comes.
    let later = app
        .post(
            "/api/v1/pledges",
            &member.token,
            json!({ "title": "明年的承诺", "category": "culture", "target": 5, "period": this_year() + 1 }),
        )
        .await;
    assert_eq!(later.status, 201, "{later:?}");
    let early = record(&app, &member, later.id(), "提前").await;
    assert_eq!((early.status, early.code()), (409, "pledge_period_closed"));
    assert_eq!(early.body["details"]["period"], this_year() + 1);

    // Twenty pledges a year at most (one made above for this year; next year's counts apart).
    for n in 1..20 {
        let reply = app
            .post(
                "/api/v1/pledges",
                &member.token,
                json!({ "title": format!("承诺{n}"), "category": "culture", "target": 1, "period": this_year() }),
            )
            .await;
        assert_eq!(reply.status, 201, "{n}: {reply:?}");
    }
    let too_many = app.post("/api/v1/pledges", &member.token, pledge_body(1)).await;
    assert_eq!((too_many.status, too_many.code()), (409, "pledge_limit"));
    assert_eq!(too_many.body["details"]["max"], 20);

    // A staff member who is a received member too does not judge their own record.
    let worker = received(&app, &world, unit, "郑网格员", "13700000212").await;
    let grant = app
        .post(
            "/api/v1/role-grants",
            &world.a.admin.token,
            json!({ "user_id": worker.user_id, "role": "grid_worker", "scope": format!("grid:{}", world.a.grids[0]) }),
        )
        .await;
    assert_eq!(grant.status, 201, "{grant:?}");
    let own_pledge = make_pledge(&app, &worker, 3).await;
    let own = recorded(&app, &worker, own_pledge).await;
    let judged = app
        .post(
            &format!("/api/v1/pledge-fulfilments/{own}/verify"),
            &worker.token,
            json!({}),
        )
        .await;
    assert_eq!((judged.status, judged.code()), (403, "own_fulfilment"));

    // Withdrawn after moving away, the member records no more; the pledge is still theirs.
    let report = app.get("/api/v1/member-reports", &member.token).await;
    let report = items(&report)[0]["id"].as_str().unwrap().to_owned();
    let withdrawn = app
        .post(
            &format!("/api/v1/member-reports/{report}/withdraw"),
            &member.token,
            json!({ "reason": "搬家" }),
        )
        .await;
    assert_eq!(withdrawn.status, 200, "{withdrawn:?}");
    let after = record(&app, &member, later.id(), "搬走后").await;
    assert_eq!((after.status, after.code()), (403, "not_a_reported_member"));
    let still = app.get(&format!("/api/v1/pledges/{pledge}"), &member.token).await;
    assert_eq!(still.status, 200);
    app.assert_contract_kept();
}

#[tokio::test]
async fn nobody_outside_a_pledges_ground_sees_records_or_decides_anything() {
    let app = spawn_app().await;
    let world = app.world().await;
    let unit = new_unit(&app, &world, "市民政局", world.a.grids[1]).await;
    let other_unit = new_unit(&app, &world, "市卫健委", world.b.grids[0]).await;
    let unit_admin = unit_admin(&app, &world, unit, "13600000221").await;
    let other_unit_admin = unit_admin_of(&app, &world, other_unit).await;
    let member = received(&app, &world, unit, "冯党员", "13700000221").await;
    let pledge = make_pledge(&app, &member, 3).await;
    let fulfilment = recorded(&app, &member, pledge).await;
    let next_grid_worker = app
        .staff(Role::GridWorker, Scope::Grid(world.a.grids[1].into()))
        .await;
    let neighbour_member = received(&app, &world, unit, "褚党员", "13700000222").await;

    // Outsiders: community B's staff, the worker of the next grid, a neighbour, another
    // member of the same unit and community, another unit's admin.
    let outsiders = [
        ("community B admin", &world.b.admin.token),
        ("community B worker", &world.b.worker.token),
        ("next grid's worker", &next_grid_worker.token),
        ("neighbour", &world.a.resident.token),
        ("another member", &neighbour_member.token),
        ("another unit's admin", &other_unit_admin.token),
    ];
    let secrets = [
        "冯党员",
        "13700000221",
        &pledge.to_string(),
        &fulfilment.to_string(),
    ];
    for (who, token) in outsiders {
        for query in [
            String::new(),
            format!("?community_id={}", world.a.id),
            format!("?unit_id={unit}"),
            format!("?period={}", this_year()),
        ] {
            let listed = app.get(&format!("/api/v1/pledges{query}"), token).await;
            assert!(
                !ids(&listed).contains(&pledge.to_string()),
                "{who} {query}: {listed:?}"
            );
            assert_hides(who, &listed, &secrets);
        }
        let got = app.get(&format!("/api/v1/pledges/{pledge}"), token).await;
        assert_eq!((got.status, got.code()), (404, "pledge_not_found"), "{who}");
        assert_hides(who, &got, &secrets);
        let recorded = app
            .post(
                &format!("/api/v1/pledges/{pledge}/fulfilments"),
                token,
                record_body("代为记录"),
            )
            .await;
        assert_eq!(
            (recorded.status, recorded.code()),
            (404, "pledge_not_found"),
            "{who}"
        );
        for (action, body) in [("verify", json!({})), ("reject", json!({ "reason": "不属实" }))] {
            let reply = app
                .post(
                    &format!("/api/v1/pledge-fulfilments/{fulfilment}/{action}"),
                    token,
                    body,
                )
                .await;
            assert_eq!(
                (reply.status, reply.code()),
                (404, "fulfilment_not_found"),
                "{who} {action}"
            );
            assert_hides(who, &reply, &secrets);
        }
    }

    // Those who see it but may not act: the grid's staff and the unit's admin record nothing
    // for the member; the member and the unit's admin decide nothing.
    for (who, token) in [
        ("grid worker", &world.a.worker.token),
        ("community admin", &world.a.admin.token),
        ("unit admin", &unit_admin.token),
    ] {
        let reply = app
            .post(
                &format!("/api/v1/pledges/{pledge}/fulfilments"),
                token,
                record_body("代为记录"),
            )
            .await;
        assert_eq!((reply.status, reply.code()), (403, "forbidden"), "{who}");
    }
    for (who, token) in [("member", &member.token), ("unit admin", &unit_admin.token)] {
        for (action, body) in [("verify", json!({})), ("reject", json!({ "reason": "不属实" }))] {
            let reply = app
                .post(
                    &format!("/api/v1/pledge-fulfilments/{fulfilment}/{action}"),
                    token,
                    body,
                )
                .await;
            assert_eq!((reply.status, reply.code()), (403, "forbidden"), "{who} {action}");
        }
    }
    // Nobody the community received may pledge: staff and residents alike.
    for token in [
        &world.a.admin.token,
        &world.a.worker.token,
        &world.b.resident.token,
    ] {
        let reply = app.post("/api/v1/pledges", token, pledge_body(3)).await;
        assert_eq!((reply.status, reply.code()), (403, "not_a_reported_member"));
    }
    // Still submitted: nobody's refusal touched it.
    let shown = app.get(&format!("/api/v1/pledges/{pledge}"), &member.token).await;
    assert_eq!(shown.body["fulfilments"][0]["status"], "submitted");
    assert_eq!(shown.body["progress"]["pending"], 1);
    app.assert_contract_kept();
}

async fn unit_admin_of(app: &TestApp, world: &World, unit: Uuid) -> Session {
    let person = app.resident_of(world.a.building, "孙主任", "13600000222").await;
    let reply = app
        .post(
            "/api/v1/role-grants",
            &world.district_admin.token,
            json!({ "user_id": person.user_id, "role": "unit_admin", "scope": format!("unit:{unit}") }),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    person
}

#[tokio::test]
async fn two_staff_deciding_one_record_at_once_make_one_decision() {
    let app = spawn_app().await;
    let world = app.world().await;
    let unit = new_unit(&app, &world, "市民政局", world.a.grids[1]).await;
    let member = received(&app, &world, unit, "蒋党员", "13700000231").await;
    let pledge = make_pledge(&app, &member, 5).await;

    for round in 0..3 {
        let fulfilment = recorded(&app, &member, pledge).await;
        let verify = format!("/api/v1/pledge-fulfilments/{fulfilment}/verify");
        let reject = format!("/api/v1/pledge-fulfilments/{fulfilment}/reject");
        let (one, two) = tokio::join!(
            app.post(&verify, &world.a.worker.token, json!({})),
            app.post(&reject, &world.a.admin.token, json!({ "reason": "未见服务记录" })),
        );
        let mut outcomes = [
            (one.status, one.code().to_owned()),
            (two.status, two.code().to_owned()),
        ];
        outcomes.sort();
        assert_eq!(
            outcomes,
            [(200, String::new()), (409, "fulfilment_state".to_owned())],
            "round {round}: {one:?} {two:?}"
        );
        let (winner, loser) = if one.status == 200 {
            (&one, &two)
        } else {
            (&two, &one)
        };
        assert_eq!(loser.body["details"]["status"], winner.body["status"]);
        let shown = app.get(&format!("/api/v1/pledges/{pledge}"), &member.token).await;
        let record = shown.body["fulfilments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == fulfilment.to_string())
            .unwrap()
            .clone();
        assert_eq!(record["status"], winner.body["status"]);
        assert_eq!(shown.body["progress"]["pending"], 0);
    }
    // The counts are those of the decisions that won, whichever they were.
    let shown = app.get(&format!("/api/v1/pledges/{pledge}"), &member.token).await;
    let verified = shown.body["fulfilments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "verified")
        .count();
    assert_eq!(shown.body["progress"]["verified"], verified);

    // Two records for the last place at once: one gets in.
    let last = make_pledge(&app, &member, 1).await;
    let (one, two) = tokio::join!(
        record(&app, &member, last, "第一条"),
        record(&app, &member, last, "第二条"),
    );
    let mut outcomes = [
        (one.status, one.code().to_owned()),
        (two.status, two.code().to_owned()),
    ];
    outcomes.sort();
    assert_eq!(
        outcomes,
        [(201, String::new()), (409, "pledge_target_reached".to_owned())],
        "{one:?} {two:?}"
    );
}
