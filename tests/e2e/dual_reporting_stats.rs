//! `GET /stats/dual-reporting`: the figures of units, members, pledges and the three lists,
//! checked against a hand-counted fixture, for each scope that may read them; and the demo
//! district's figures (DOMAIN.md) from the API.

use chrono::Datelike;
use linli_tests::world::World;
use linli_tests::{Reply, Session, TestApp, spawn_app};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::dual_reporting_support::day;

async fn created(reply: Reply) -> Uuid {
    assert_eq!(reply.status, 201, "{reply:?}");
    reply.id()
}

/// A unit paired with `grid`, and its admin (a resident of community B).
async fn unit(app: &TestApp, world: &World, name: &str, grid: Uuid, phone: &str) -> (Uuid, Session) {
    let unit = created(
        app.post(
            "/api/v1/units",
            &world.district_admin.token,
            json!({
                "name": name,
                "kind": "institution",
                "party_organisation": format!("中共{name}委员会"),
                "contact_name": "赵主任",
                "contact_phone": "0531-88880001",
                "roll_count": 60,
                "grid_id": grid,
            }),
        )
        .await,
    )
    .await;
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

/// A member living in `building` who files a report of `unit` to `community`.
async fn filed(
    app: &TestApp,
    building: Uuid,
    unit: Uuid,
    community: Uuid,
    name: &str,
    phone: &str,
) -> (Session, Uuid) {
    let member = app.resident_of(building, name, phone).await;
    let report = created(
        app.post(
            "/api/v1/member-reports",
            &member.token,
            json!({ "unit_id": unit, "community_id": community, "skills": ["助老"] }),
        )
        .await,
    )
    .await;
    (member, report)
}

async fn decide(app: &TestApp, by: &Session, report: Uuid, what: &str, body: Value) {
    let reply = app
        .post(
            &format!("/api/v1/member-reports/{report}/{what}"),
            &by.token,
            body,
        )
        .await;
    assert_eq!(reply.status, 200, "{what}: {reply:?}");
}

/// Community A: unit UA (grid a0, reported and accepted), members: accepted (two pledges,
/// one kept), pending, withdrawn; an offer of UA, a need of A, a planned project.
/// Community B: unit UB (grid b0, reported, not accepted), one rejected member, a need.
async fn fixture(app: &TestApp, world: &World) {
    let (ua, ua_admin) = unit(app, world, "市图书馆", world.a.grids[0], "13600000501").await;
    let (ub, ub_admin) = unit(app, world, "市档案馆", world.b.grids[0], "13600000502").await;
    let report = created(
        app.post(&format!("/api/v1/units/{ua}/report"), &ua_admin.token, json!({}))
            .await,
    )
    .await;
    let accepted = app
        .post(
            &format!("/api/v1/unit-reports/{report}/accept"),
            &world.a.admin.token,
            json!({}),
        )
        .await;
    assert_eq!(accepted.status, 200, "{accepted:?}");
    created(
        app.post(&format!("/api/v1/units/{ub}/report"), &ub_admin.token, json!({}))
            .await,
    )
    .await;

    let a = world.a.id;
    let acceptance =
        json!({ "grid_id": world.a.grids[0], "category": "elderly_disabled_help", "post": "楼道长" });
    let (member, report) = filed(app, world.a.building, ua, a, "孙党员", "13700000501").await;
    decide(app, &world.a.admin, report, "accept", acceptance.clone()).await;
    filed(app, world.a.building, ub, a, "周党员", "13700000502").await;
    let (_, leaving) = filed(app, world.a.building, ua, a, "吴党员", "13700000503").await;
    decide(app, &world.a.admin, leaving, "accept", acceptance).await;
    decide(
        app,
        &world.a.admin,
        leaving,
        "withdraw",
        json!({ "reason": "搬家" }),
    )
    .await;
    let (_, refused) = filed(app, world.b.building, ua, world.b.id, "郑党员", "13700000504").await;
    decide(
        app,
        &world.b.admin,
        refused,
        "reject",
        json!({ "reason": "不在本社区居住" }),
    )
    .await;

    let year = chrono::Utc::now().year();
    let kept = created(
        app.post(
            "/api/v1/pledges",
            &member.token,
            json!({ "title": "每月走访独居老人", "category": "elderly_disabled_help", "target": 1, "period": year }),
        )
        .await,
    )
    .await;
    created(
        app.post(
            "/api/v1/pledges",
            &member.token,
            json!({ "title": "义务讲解", "category": "culture", "target": 3, "period": year }),
        )
        .await,
    )
    .await;
    let record = created(
        app.post(
            &format!("/api/v1/pledges/{kept}/fulfilments"),
            &member.token,
            json!({ "note": "陪张奶奶去医院复查", "photos": [] }),
        )
        .await,
    )
    .await;
    let verified = app
        .post(
            &format!("/api/v1/pledge-fulfilments/{record}/verify"),
            &world.a.worker.token,
            json!({}),
        )
        .await;
    assert_eq!(verified.status, 200, "{verified:?}");

    let offer = created(
        app.post(
            "/api/v1/resource-offers",
            &ua_admin.token,
            json!({
                "unit_id": ua, "kind": "venue", "category": "culture", "title": "阅览室",
                "description": "周末开放", "amount": 2, "measure": "间",
                "valid_from": day(0), "valid_until": day(90),
            }),
        )
        .await,
    )
    .await;
    let need_body = |community: Uuid| {
        json!({
            "community_id": community, "kind": "venue", "category": "culture",
            "title": "四点半课堂场地", "description": "放学后托管", "urgency": "normal",
            "amount": 1, "measure": "间",
        })
    };
    let need = created(
        app.post("/api/v1/needs", &world.a.admin.token, need_body(a))
            .await,
    )
    .await;
    created(
        app.post("/api/v1/needs", &world.b.admin.token, need_body(world.b.id))
            .await,
    )
    .await;
    created(
        app.post(
            "/api/v1/projects",
            &world.a.admin.token,
            json!({ "need_id": need, "title": "四点半课堂", "description": "", "offers": [{ "offer_id": offer, "amount": 1 }] }),
        )
        .await,
    )
    .await;
}

fn figures(
    units: [u64; 3],
    members: [u64; 5],
    pledges: [u64; 2],
    offers: u64,
    needs: u64,
    planned: u64,
) -> Value {
    json!({
        "units": { "registered": units[0], "paired": units[1], "reported": units[2] },
        "in_service_members": {
            "total": members[0] + members[1] + members[2] + members[3],
            "accepted": members[0], "submitted": members[1], "rejected": members[2],
            "withdrawn": members[3], "members": members[4],
        },
        "transferred_members": 0,
        "pledges": { "made": pledges[0], "kept": pledges[1] },
        "resource_offers": offers,
        "needs": needs,
        "projects": { "total": planned, "planned": planned, "active": 0, "completed": 0, "cancelled": 0 },
    })
}

async fn stats(app: &TestApp, who: &Session, query: &str) -> Reply {
    app.get(&format!("/api/v1/stats/dual-reporting{query}"), &who.token)
        .await
}

#[tokio::test]
async fn the_figures_count_the_records_of_each_scope() {
    let app = spawn_app().await;
    let world = app.world().await;
    fixture(&app, &world).await;

    let district = stats(&app, &world.district_admin, "").await;
    assert_eq!(district.status, 200, "{district:?}");
    assert_eq!(
        district.body,
        figures([2, 2, 1], [1, 1, 1, 1, 1], [2, 1], 1, 2, 1)
    );
    let subdistrict = stats(
        &app,
        &world.district_admin,
        &format!("?subdistrict_id={}", world.subdistrict),
    )
    .await;
    assert_eq!(subdistrict.body, district.body);

    let a = figures([1, 1, 1], [1, 1, 0, 1, 1], [2, 1], 1, 1, 1);
    let by_id = stats(
        &app,
        &world.district_admin,
        &format!("?community_id={}", world.a.id),
    )
    .await;
    assert_eq!(by_id.body, a);
    let own = stats(&app, &world.a.admin, "").await;
    assert_eq!(own.body, a, "a community admin's scope is the community");
    let b = stats(&app, &world.b.admin, "").await;
    assert_eq!(b.body, figures([1, 1, 0], [0, 0, 1, 0, 0], [0, 0], 0, 1, 0));

    // A grid worker counts their grid: the unit paired with it, the member accepted into it
    // and their pledges, the unit's offer; needs and projects are the community's.
    let grid = stats(&app, &world.a.worker, "").await;
    assert_eq!(grid.status, 200, "{grid:?}");
    assert_eq!(grid.body, figures([1, 1, 1], [1, 0, 0, 1, 1], [2, 1], 1, 0, 0));
}

#[tokio::test]
async fn a_place_outside_the_scope_shows_nothing() {
    let app = spawn_app().await;
    let world = app.world().await;
    fixture(&app, &world).await;

    let other = stats(&app, &world.a.admin, &format!("?community_id={}", world.b.id)).await;
    assert_eq!((other.status, other.code()), (404, "community_not_found"));
    let above = stats(
        &app,
        &world.a.admin,
        &format!("?subdistrict_id={}", world.subdistrict),
    )
    .await;
    assert_eq!((above.status, above.code()), (404, "subdistrict_not_found"));
    let unknown = stats(
        &app,
        &world.district_admin,
        &format!("?community_id={}", Uuid::now_v7()),
    )
    .await;
    assert_eq!((unknown.status, unknown.code()), (404, "community_not_found"));
    let resident = stats(&app, &world.a.resident, "").await;
    assert_eq!((resident.status, resident.code()), (403, "forbidden"));
    let both = stats(
        &app,
        &world.district_admin,
        &format!(
            "?community_id={}&subdistrict_id={}",
            world.a.id, world.subdistrict
        ),
    )
    .await;
    assert_eq!((both.status, both.code()), (400, "validation_failed"));
    let anonymous = app
        .request(reqwest::Method::GET, "/api/v1/stats/dual-reporting", None, None)
        .await;
    assert_eq!(anonymous.status, 401);
}
