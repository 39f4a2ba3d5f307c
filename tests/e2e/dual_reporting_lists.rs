//! The three lists (三张清单): units offer resources, communities post needs, the matches are
//! ranked with their reasons, a project matches a need with offers and runs its life cycle;
//! who sees what at every endpoint, and the races of proposing and moving a project.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use linli_kernel::{Role, Scope};
use linli_tests::world::World;
use linli_tests::{Reply, Session, TestApp, spawn_app};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

/// The district's day (China Standard Time), as the server counts validity.
fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

fn day(offset: i64) -> String {
    (today() + chrono::Duration::days(offset)).to_string()
}

fn items(reply: &Reply) -> &Vec<Value> {
    reply.body["items"].as_array().expect("a list")
}

/// A unit paired with `grid`, registered by the district admin, and its admin (a resident of
/// community B, whom community A's staff do not cover) appointed through `POST /role-grants`.
async fn unit(app: &TestApp, world: &World, name: &str, grid: Uuid, phone: &str) -> (Uuid, Session) {
    let reply = app
        .post(
            "/api/v1/units",
            &world.district_admin.token,
            json!({
                "name": name,
                "kind": "state_enterprise",
                "party_organisation": format!("中共{name}委员会"),
                "contact_name": "赵主任",
                "contact_phone": "0531-88880001",
                "roll_count": 80,
                "grid_id": grid,
            }),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    let unit = reply.id();
    let admin = app.resident_of(world.b.building, "钱主任", phone).await;
    let granted = app
        .post(
            "/api/v1/role-grants",
            &world.district_admin.token,
            json!({ "user_id": admin.user_id, "role": "unit_admin", "scope": format!("unit:{unit}") }),
        )
        .await;
    assert_eq!(granted.status, 201, "{granted:?}");
    (unit, admin)
}

fn offer_body(unit: Uuid, kind: &str, amount: f64, measure: &str) -> Value {
    json!({
        "unit_id": unit,
        "kind": kind,
        "category": "elderly_disabled_help",
        "title": "周末助老志愿服务",
        "description": "每周六上午",
        "amount": amount,
        "measure": measure,
        "valid_from": day(0),
        "valid_until": day(60),
    })
}

async fn offer(app: &TestApp, admin: &Session, body: Value) -> Uuid {
    let reply = app.post("/api/v1/resource-offers", &admin.token, body).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    reply.id()
}

fn need_body(community: Uuid, amount: f64) -> Value {
    json!({
        "community_id": community,
        "kind": "volunteers",
        "category": "elderly_disabled_help",
        "title": "独居老人助餐",
        "description": "12 位独居老人每日午餐配送",
        "urgency": "urgent",
        "amount": amount,
        "measure": "人",
    })
}

async fn need(app: &TestApp, admin: &Session, community: Uuid, amount: f64) -> Uuid {
    let reply = app
        .post("/api/v1/needs", &admin.token, need_body(community, amount))
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    reply.id()
}

fn project_body(need: Uuid, offers: &[(Uuid, Option<f64>)]) -> Value {
    let offers: Vec<Value> = offers
        .iter()
        .map(|(id, amount)| match amount {
            Some(amount) => json!({ "offer_id": id, "amount": amount }),
            None => json!({ "offer_id": id }),
        })
        .collect();
    json!({ "need_id": need, "title": "幸福里助老共建项目", "description": "", "offers": offers })
}

fn activity_body(beneficiaries: i64) -> Value {
    json!({
        "title": "重阳节助老餐",
        "held_on": day(0),
        "participants": 12,
        "beneficiaries": beneficiaries,
        "note": "",
    })
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn next_frame(socket: &mut Socket) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a frame within five seconds")
            .expect("the socket stays open")
            .unwrap();
        if let Message::Text(text) = frame {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

/// The next `project.status_changed` on the socket, skipping the topic's other events.
async fn next_project_change(socket: &mut Socket) -> Value {
    for _ in 0..20 {
        let frame = next_frame(socket).await;
        if frame["type"] == "event" && frame["kind"] == "project.status_changed" {
            return frame;
        }
    }
    panic!("no project.status_changed among twenty frames");
}

/// A district with units paired in communities A (`ua`) and B (`ub`), their offers, and a
/// need of A's.
struct Lists {
    app: TestApp,
    world: World,
    ua: Uuid,
    ua_admin: Session,
    ub: Uuid,
    ub_admin: Session,
    /// 20 volunteers from ua, 8 from ub, 50000 yuan from ub.
    oa: Uuid,
    ob: Uuid,
    funds: Uuid,
    /// 10 volunteers for A's elderly.
    need: Uuid,
}

async fn lists() -> Lists {
    let app = spawn_app().await;
    let world = app.world().await;
    let (ua, ua_admin) = unit(&app, &world, "济阳供电公司", world.a.grids[0], "13600000201").await;
    let (ub, ub_admin) = unit(&app, &world, "济阳人民医院", world.b.grids[0], "13600000202").await;
    let oa = offer(&app, &ua_admin, offer_body(ua, "volunteers", 20.0, "人")).await;
    let ob = offer(&app, &ub_admin, offer_body(ub, "volunteers", 8.0, "人")).await;
    let funds = offer(&app, &ub_admin, offer_body(ub, "funds", 50_000.0, "元")).await;
    let need = need(&app, &world.a.admin, world.a.id, 10.0).await;
    Lists {
        app,
        world,
        ua,
        ua_admin,
        ub,
        ub_admin,
        oa,
        ob,
        funds,
        need,
    }
}

#[tokio::test]
async fn a_need_is_matched_signed_by_both_sides_run_and_completed() {
    let l = lists().await;
    let (app, world) = (&l.app, &l.world);
    let a_admin = &world.a.admin;
    let mut socket = app.websocket(&a_admin.token).await;
    let topic = format!("community:{}:reports", world.a.id);
    socket
        .send(Message::Text(
            json!({ "type": "subscribe", "topic": topic }).to_string().into(),
        ))
        .await
        .unwrap();
    assert_eq!(
        next_frame(&mut socket).await,
        json!({ "type": "subscribed", "topic": topic })
    );

    // The matches: ua's volunteers in A first (everything in common), ub's next door second
    // (same subdistrict, 8 of the 10), the funds last (another kind).
    let matches = app
        .get(&format!("/api/v1/needs/{}/matches", l.need), &a_admin.token)
        .await;
    assert_eq!(matches.status, 200, "{matches:?}");
    assert_eq!(matches.body["need"]["id"], l.need.to_string());
    let ranked: Vec<(u64, String)> = items(&matches)
        .iter()
        .map(|m| {
            (
                m["rank"].as_u64().unwrap(),
                m["offer"]["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        ranked,
        vec![
            (1, l.oa.to_string()),
            (2, l.ob.to_string()),
            (3, l.funds.to_string())
        ]
    );
    let first = &items(&matches)[0];
    assert_eq!(
        first["reasons"],
        json!(["same_kind", "same_category", "same_community", "covers_quantity"])
    );
    assert_eq!(
        first["score"],
        json!({ "kind": 1, "category": 2, "place": 2, "quantity": 2, "total": 142 })
    );
    assert_eq!(first["offer"]["unit_name"], "济阳供电公司");
    assert_eq!(
        items(&matches)[1]["reasons"],
        json!([
            "same_kind",
            "same_category",
            "same_subdistrict",
            "partial_quantity"
        ])
    );
    assert_eq!(
        items(&matches)[2]["reasons"],
        json!(["same_category", "same_subdistrict", "other_measure"])
    );

    // A's admin proposes: 10 of ua's 20, all 8 of ub's.
    let created = app
        .post(
            "/api/v1/projects",
            &a_admin.token,
            project_body(l.need, &[(l.oa, Some(10.0)), (l.ob, None)]),
        )
        .await;
    assert_eq!(created.status, 201, "{created:?}");
    let project = created.id();
    assert_eq!(created.body["status"], "planned");
    assert_eq!(created.body["need"]["status"], "in_project");
    assert_eq!(
        created.body["to_sign"],
        json!([{ "side": "need", "unit_id": null }])
    );
    assert_eq!(created.body["pending"].as_array().unwrap().len(), 3);
    let shares: Vec<&Value> = created.body["offers"].as_array().unwrap().iter().collect();
    assert_eq!(shares.len(), 2);
    let event = next_project_change(&mut socket).await;
    assert_eq!(event["data"]["status"], "planned");
    assert_eq!(event["data"]["from"], Value::Null);
    assert_eq!(event["data"]["project_id"], project.to_string());

    let offer_a = app
        .get(&format!("/api/v1/resource-offers/{}", l.oa), &l.ua_admin.token)
        .await;
    assert_eq!(offer_a.body["remaining"], 10.0);
    assert_eq!(offer_a.body["open"], true);
    let offer_b = app
        .get(&format!("/api/v1/resource-offers/{}", l.ob), &l.ub_admin.token)
        .await;
    assert_eq!(
        (offer_b.body["remaining"].as_f64(), offer_b.body["open"].as_bool()),
        (Some(0.0), Some(false))
    );

    // An offering unit reads the project, not the need's entry, and signs for itself.
    let path = format!("/api/v1/projects/{project}");
    let as_unit = app.get(&path, &l.ua_admin.token).await;
    assert_eq!(as_unit.status, 200);
    assert_eq!(as_unit.body["need"], Value::Null);
    assert_eq!(
        as_unit.body["to_sign"],
        json!([{ "side": "unit", "unit_id": l.ua }])
    );

    let early = app
        .post(&format!("{path}/start"), &a_admin.token, json!({}))
        .await;
    assert_eq!(
        (early.status, early.code()),
        (409, "project_unsigned"),
        "{early:?}"
    );
    assert_eq!(early.body["details"]["pending"].as_array().unwrap().len(), 3);
    for signer in [a_admin, &l.ua_admin] {
        let signed = app.post(&format!("{path}/sign"), &signer.token, json!({})).await;
        assert_eq!(signed.status, 200, "{signed:?}");
    }
    let again = app
        .post(&format!("{path}/sign"), &l.ua_admin.token, json!({}))
        .await;
    assert_eq!((again.status, again.code()), (409, "project_already_signed"));
    let early = app
        .post(&format!("{path}/start"), &a_admin.token, json!({}))
        .await;
    assert_eq!(
        early.body["details"]["pending"],
        json!([{ "side": "unit", "unit_id": l.ub }])
    );
    let signed = app
        .post(&format!("{path}/sign"), &l.ub_admin.token, json!({}))
        .await;
    assert_eq!(signed.body["pending"], json!([]));
    assert_eq!(signed.body["signatures"].as_array().unwrap().len(), 3);

    // A unit signs, but the need's side starts and completes.
    let refused = app
        .post(&format!("{path}/start"), &l.ua_admin.token, json!({}))
        .await;
    assert_eq!((refused.status, refused.code()), (403, "forbidden"));
    let started = app
        .post(&format!("{path}/start"), &a_admin.token, json!({}))
        .await;
    assert_eq!(started.status, 200, "{started:?}");
    assert_eq!(started.body["status"], "active");
    let event = next_project_change(&mut socket).await;
    assert_eq!(
        (&event["data"]["status"], &event["data"]["from"]),
        (&json!("active"), &json!("planned"))
    );

    let held = app
        .post(
            &format!("{path}/activities"),
            &l.ub_admin.token,
            activity_body(12),
        )
        .await;
    assert_eq!(held.status, 201, "{held:?}");
    let held = app
        .post(&format!("{path}/activities"), &a_admin.token, activity_body(8))
        .await;
    assert_eq!(held.status, 201, "{held:?}");
    let listed = app.get(&format!("{path}/activities"), &l.ua_admin.token).await;
    assert_eq!(items(&listed).len(), 2);
    let future = json!({ "title": "提前登记", "held_on": day(1), "participants": 1, "beneficiaries": 1 });
    let refused = app
        .post(&format!("{path}/activities"), &a_admin.token, future)
        .await;
    assert_eq!((refused.status, refused.code()), (400, "validation_failed"));

    let done = app
        .post(&format!("{path}/complete"), &a_admin.token, json!({}))
        .await;
    assert_eq!(done.status, 200, "{done:?}");
    assert_eq!(done.body["status"], "completed");
    assert_eq!(
        (
            done.body["activity_count"].as_u64(),
            done.body["beneficiary_count"].as_u64()
        ),
        (Some(2), Some(20))
    );
    assert_eq!(done.body["need"]["status"], "met");
    let event = next_project_change(&mut socket).await;
    assert_eq!(event["data"]["status"], "completed");
    let late = app
        .post(
            &format!("{path}/cancel"),
            &a_admin.token,
            json!({ "reason": "来不及了" }),
        )
        .await;
    assert_eq!((late.status, late.code()), (409, "project_state"));
    assert_eq!(late.body["details"]["status"], "completed");

    // Both sides list it; the need is met, and ua's remaining 10 are still on offer.
    for viewer in [a_admin, &l.ua_admin, &l.ub_admin, &world.district_admin] {
        let listed = app.get("/api/v1/projects?status=completed", &viewer.token).await;
        assert_eq!(items(&listed).len(), 1, "{listed:?}");
    }
    let open = app
        .get("/api/v1/resource-offers?open=true", &l.ua_admin.token)
        .await;
    assert_eq!(items(&open).len(), 1);
    assert_eq!(items(&open)[0]["remaining"], 10.0);
    let met = app.get("/api/v1/needs?status=met", &a_admin.token).await;
    assert_eq!(items(&met).len(), 1);
    app.assert_contract_kept();
}

#[tokio::test]
async fn nobody_outside_a_side_sees_or_touches_the_lists() {
    let l = lists().await;
    let (app, world) = (&l.app, &l.world);
    let created = app
        .post(
            "/api/v1/projects",
            &world.a.admin.token,
            project_body(l.need, &[(l.oa, None)]),
        )
        .await;
    assert_eq!(created.status, 201, "{created:?}");
    let project = created.id();
    // ub's admin: a unit outside this project. B's admin: another community. A's grid
    // worker: staff, not an administrator. A resident.
    let outsiders = [
        ("ub's admin", &l.ub_admin),
        ("B's admin", &world.b.admin),
        ("A's grid worker", &world.a.worker),
        ("A resident", &world.a.resident),
    ];
    for (who, outsider) in outsiders {
        let token = &outsider.token;
        let offer = app.get(&format!("/api/v1/resource-offers/{}", l.oa), token).await;
        assert_eq!(
            (offer.status, offer.code()),
            (404, "resource_offer_not_found"),
            "{who}"
        );
        let listed = app
            .get(&format!("/api/v1/resource-offers?unit_id={}", l.ua), token)
            .await;
        assert!(items(&listed).is_empty(), "{who}: {listed:?}");
        let made = app
            .post(
                "/api/v1/resource-offers",
                token,
                offer_body(l.ua, "venue", 1.0, "间"),
            )
            .await;
        assert_eq!((made.status, made.code()), (403, "forbidden"), "{who}");

        let need = app.get(&format!("/api/v1/needs/{}", l.need), token).await;
        assert_eq!((need.status, need.code()), (404, "need_not_found"), "{who}");
        let matches = app.get(&format!("/api/v1/needs/{}/matches", l.need), token).await;
        assert_eq!((matches.status, matches.code()), (404, "need_not_found"), "{who}");
        assert!(items(&app.get("/api/v1/needs", token).await).is_empty(), "{who}");
        let posted = app.post("/api/v1/needs", token, need_body(world.a.id, 1.0)).await;
        assert_eq!(
            (posted.status, posted.code()),
            (404, "community_not_found"),
            "{who}"
        );

        let proposed = app
            .post("/api/v1/projects", token, project_body(l.need, &[(l.ob, None)]))
            .await;
        assert_eq!(
            (proposed.status, proposed.code()),
            (404, "need_not_found"),
            "{who}"
        );
        let path = format!("/api/v1/projects/{project}");
        let got = app.get(&path, token).await;
        assert_eq!((got.status, got.code()), (404, "project_not_found"), "{who}");
        assert!(
            items(&app.get("/api/v1/projects", token).await).is_empty(),
            "{who}"
        );
        for action in ["sign", "start", "complete"] {
            let moved = app.post(&format!("{path}/{action}"), token, json!({})).await;
            assert_eq!(
                (moved.status, moved.code()),
                (404, "project_not_found"),
                "{who} {action}"
            );
        }
        let cancelled = app
            .post(&format!("{path}/cancel"), token, json!({ "reason": "无" }))
            .await;
        assert_eq!(
            (cancelled.status, cancelled.code()),
            (404, "project_not_found"),
            "{who}"
        );
        let recorded = app
            .post(&format!("{path}/activities"), token, activity_body(1))
            .await;
        assert_eq!(
            (recorded.status, recorded.code()),
            (404, "project_not_found"),
            "{who}"
        );
        let activities = app.get(&format!("{path}/activities"), token).await;
        assert_eq!(
            (activities.status, activities.code()),
            (404, "project_not_found"),
            "{who}"
        );
    }

    // The unit's admin sees its offer and the project, but not the need nor B's offers.
    let token = &l.ua_admin.token;
    assert_eq!(
        app.get(&format!("/api/v1/resource-offers/{}", l.oa), token)
            .await
            .status,
        200
    );
    let listed = app.get("/api/v1/resource-offers", token).await;
    assert_eq!(items(&listed).len(), 1);
    assert_eq!(
        app.get(&format!("/api/v1/projects/{project}"), token)
            .await
            .status,
        200
    );
    assert_eq!(
        app.get(&format!("/api/v1/needs/{}", l.need), token).await.status,
        404
    );
    // A's admin sees the offers of the unit paired in A, not B's (the matches show those).
    let listed = app.get("/api/v1/resource-offers", &world.a.admin.token).await;
    let units: Vec<&Value> = items(&listed).iter().map(|o| &o["unit_id"]).collect();
    assert_eq!(units, vec![&json!(l.ua)]);
    // The district admin oversees every list.
    let district = &world.district_admin.token;
    assert_eq!(items(&app.get("/api/v1/needs", district).await).len(), 1);
    assert_eq!(
        items(&app.get("/api/v1/resource-offers", district).await).len(),
        3
    );
    assert_eq!(items(&app.get("/api/v1/projects", district).await).len(), 1);
    // The subdistrict's admin sees A's need and posts at the subdistrict; A's admin does not.
    let sub_admin = app
        .staff(
            Role::SubdistrictAdmin,
            Scope::Subdistrict(world.subdistrict.into()),
        )
        .await;
    assert_eq!(
        app.get(&format!("/api/v1/needs/{}", l.need), &sub_admin.token)
            .await
            .status,
        200
    );
    let at_subdistrict = json!({
        "subdistrict_id": world.subdistrict, "kind": "funds", "title": "街道敬老活动经费",
        "urgency": "normal", "amount": 20000, "measure": "元",
    });
    let posted = app
        .post("/api/v1/needs", &sub_admin.token, at_subdistrict.clone())
        .await;
    assert_eq!(posted.status, 201, "{posted:?}");
    assert_eq!(posted.body["community_id"], Value::Null);
    let refused = app
        .post("/api/v1/needs", &world.a.admin.token, at_subdistrict)
        .await;
    assert_eq!((refused.status, refused.code()), (404, "subdistrict_not_found"));
    let both = json!({
        "subdistrict_id": world.subdistrict, "community_id": world.a.id, "kind": "funds",
        "title": "经费", "urgency": "low", "amount": 1, "measure": "元",
    });
    let refused = app.post("/api/v1/needs", &sub_admin.token, both).await;
    assert_eq!((refused.status, refused.code()), (400, "validation_failed"));
    assert_eq!(
        items(&app.get("/api/v1/needs", &world.a.admin.token).await).len(),
        1
    );
    app.assert_contract_kept();
}

#[tokio::test]
async fn proposals_take_only_open_needs_and_what_is_left_of_offers() {
    let l = lists().await;
    let (app, world) = (&l.app, &l.world);
    let a_admin = &world.a.admin.token;
    let greedy = app
        .post(
            "/api/v1/projects",
            a_admin,
            project_body(l.need, &[(l.ob, Some(9.0))]),
        )
        .await;
    assert_eq!((greedy.status, greedy.code()), (409, "resource_offer_short"));
    assert_eq!(greedy.body["details"]["offer_id"], l.ob.to_string());
    let unknown = app
        .post(
            "/api/v1/projects",
            a_admin,
            project_body(l.need, &[(Uuid::now_v7(), None)]),
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.code()),
        (404, "resource_offer_not_found")
    );
    let later = offer(
        app,
        &l.ua_admin,
        json!({
            "unit_id": l.ua, "kind": "venue", "title": "党群活动室", "amount": 1, "measure": "间",
            "valid_from": day(5), "valid_until": day(30),
        }),
    )
    .await;
    let closed = app
        .post(
            "/api/v1/projects",
            a_admin,
            project_body(l.need, &[(later, None)]),
        )
        .await;
    assert_eq!((closed.status, closed.code()), (409, "resource_offer_not_open"));
    let past = app
        .post(
            "/api/v1/resource-offers",
            &l.ua_admin.token,
            json!({
                "unit_id": l.ua, "kind": "venue", "title": "党群活动室", "amount": 1, "measure": "间",
                "valid_from": day(-10), "valid_until": day(-1),
            }),
        )
        .await;
    assert_eq!((past.status, past.code()), (400, "validation_failed"));

    // Two proposals for one need at once: one takes it.
    let (one, two) = tokio::join!(
        app.post(
            "/api/v1/projects",
            a_admin,
            project_body(l.need, &[(l.oa, Some(5.0))])
        ),
        app.post(
            "/api/v1/projects",
            a_admin,
            project_body(l.need, &[(l.ob, Some(5.0))])
        ),
    );
    let mut outcomes = [
        (one.status, one.code().to_owned()),
        (two.status, two.code().to_owned()),
    ];
    outcomes.sort();
    assert_eq!(
        outcomes,
        [(201, String::new()), (409, "need_state".to_owned())],
        "{one:?} {two:?}"
    );
    // The losing proposal took nothing of its offer.
    let mut remaining = 0.0;
    for id in [l.oa, l.ob] {
        let reply = app
            .get(
                &format!("/api/v1/resource-offers/{id}"),
                &world.district_admin.token,
            )
            .await;
        remaining += reply.body["remaining"].as_f64().unwrap();
    }
    assert!((remaining - (20.0 + 8.0 - 5.0)).abs() < 1e-9, "{remaining}");

    // Two needs drawing 6 of a fresh offer of 10 at once: one gets them.
    let fresh = offer(app, &l.ua_admin, offer_body(l.ua, "volunteers", 10.0, "人")).await;
    let n1 = need(app, &world.a.admin, world.a.id, 6.0).await;
    let n2 = need(app, &world.a.admin, world.a.id, 6.0).await;
    let (one, two) = tokio::join!(
        app.post(
            "/api/v1/projects",
            a_admin,
            project_body(n1, &[(fresh, Some(6.0))])
        ),
        app.post(
            "/api/v1/projects",
            a_admin,
            project_body(n2, &[(fresh, Some(6.0))])
        ),
    );
    let mut outcomes = [
        (one.status, one.code().to_owned()),
        (two.status, two.code().to_owned()),
    ];
    outcomes.sort();
    assert_eq!(
        outcomes,
        [(201, String::new()), (409, "resource_offer_short".to_owned())],
        "{one:?} {two:?}"
    );
    let left = app
        .get(&format!("/api/v1/resource-offers/{fresh}"), &l.ua_admin.token)
        .await;
    assert_eq!(left.body["remaining"], 4.0);
    let open_again = app.get("/api/v1/needs?status=open", a_admin).await;
    assert_eq!(
        items(&open_again).len(),
        1,
        "the losing proposal's need is still open"
    );
    app.assert_contract_kept();
}

#[tokio::test]
async fn completing_and_cancelling_at_once_leave_one_outcome() {
    let l = lists().await;
    let (app, world) = (&l.app, &l.world);
    let created = app
        .post(
            "/api/v1/projects",
            &world.a.admin.token,
            project_body(l.need, &[(l.oa, None)]),
        )
        .await;
    let path = format!("/api/v1/projects/{}", created.id());
    // Both sides sign at once: both signatures stand.
    let sign = format!("{path}/sign");
    let (one, two) = tokio::join!(
        app.post(&sign, &world.a.admin.token, json!({})),
        app.post(&sign, &l.ua_admin.token, json!({})),
    );
    assert_eq!((one.status, two.status), (200, 200), "{one:?} {two:?}");
    let started = app
        .post(&format!("{path}/start"), &world.a.admin.token, json!({}))
        .await;
    assert_eq!(started.status, 200, "{started:?}");

    let (complete, cancel) = (format!("{path}/complete"), format!("{path}/cancel"));
    let (done, cancelled) = tokio::join!(
        app.post(&complete, &world.a.admin.token, json!({})),
        app.post(&cancel, &l.ua_admin.token, json!({ "reason": "设备故障" })),
    );
    let statuses = [done.status, cancelled.status];
    assert!(
        statuses == [200, 409] || statuses == [409, 200],
        "{done:?} {cancelled:?}"
    );
    let loser = if done.status == 409 { &done } else { &cancelled };
    assert_eq!(loser.code(), "project_state");
    let winner = if done.status == 200 {
        "completed"
    } else {
        "cancelled"
    };
    assert_eq!(loser.body["details"]["status"], winner);
    let project = app.get(&path, &world.a.admin.token).await;
    assert_eq!(project.body["status"], winner);
    let offer = app
        .get(&format!("/api/v1/resource-offers/{}", l.oa), &l.ua_admin.token)
        .await;
    let need = app
        .get(&format!("/api/v1/needs/{}", l.need), &world.a.admin.token)
        .await;
    if winner == "completed" {
        assert_eq!(
            (offer.body["remaining"].as_f64(), &need.body["status"]),
            (Some(0.0), &json!("met"))
        );
    } else {
        assert_eq!(
            (offer.body["remaining"].as_f64(), &need.body["status"]),
            (Some(20.0), &json!("open"))
        );
    }
    app.assert_contract_kept();
}
