//! Two-way appraisal end to end: a Party member goes from WeChat login to an accepted report, a
//! verified pledge and an appraisal, and the member's unit sees all of it in its feedback; the
//! district appraises the unit beside indicators counted from the records; who sees what.

use chrono::Datelike;
use linli_tests::world::World;
use linli_tests::{Reply, Session, TestApp, spawn_app};
use serde_json::json;
use uuid::Uuid;

use crate::dual_reporting_support::appoint_unit_admin as unit_admin;

fn this_year() -> i32 {
    chrono::Utc::now().year()
}

async fn new_unit(app: &TestApp, world: &World, name: &str, grid: Uuid, roll: u32) -> Uuid {
    let reply = app
        .post(
            "/api/v1/units",
            &world.district_admin.token,
            json!({
                "name": name,
                "kind": "state_enterprise",
                "party_organisation": format!("中共{name}委员会"),
                "contact_name": "赵主任",
                "contact_phone": "0531-88880002",
                "roll_count": roll,
                "grid_id": grid,
            }),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    reply.id()
}

/// A resident of community A (logged in through WeChat, phone bound, real name given) whose
/// report of `unit` community A's admin accepted into its first grid.
async fn received(app: &TestApp, world: &World, unit: Uuid, name: &str, phone: &str) -> Session {
    let member = app.resident_of(world.a.building, name, phone).await;
    let filed = app
        .post(
            "/api/v1/member-reports",
            &member.token,
            json!({ "unit_id": unit, "community_id": world.a.id, "skills": ["助老"] }),
        )
        .await;
    assert_eq!(filed.status, 201, "{filed:?}");
    let accepted = app
        .post(
            &format!("/api/v1/member-reports/{}/accept", filed.id()),
            &world.a.admin.token,
            json!({ "grid_id": world.a.grids[0], "category": "elderly_disabled_help", "post": "楼道长" }),
        )
        .await;
    assert_eq!(accepted.status, 200, "{accepted:?}");
    member
}

async fn appraise(app: &TestApp, by: &Session, member: &Session, grade: &str) -> Reply {
    app.post(
        "/api/v1/appraisals",
        &by.token,
        json!({ "member_id": member.user_id, "period": this_year(), "grade": grade, "comment": "服务群众积极主动" }),
    )
    .await
}

async fn feedback(app: &TestApp, viewer: &Session, unit: Uuid) -> Reply {
    app.get(
        &format!("/api/v1/units/{unit}/feedback?period={}", this_year()),
        &viewer.token,
    )
    .await
}

#[tokio::test]
async fn a_member_s_report_pledge_and_appraisal_reach_their_unit_s_feedback() {
    let app = spawn_app().await;
    let world = app.world().await;
    let unit = new_unit(&app, &world, "济阳供电公司", world.a.grids[1], 40).await;
    let unit_admin = unit_admin(&app, &world, unit, "13600000201").await;
    let member = received(&app, &world, unit, "孙党员", "13700000201").await;

    let pledge = app
        .post(
            "/api/v1/pledges",
            &member.token,
            json!({ "title": "每月走访独居老人", "category": "elderly_disabled_help", "target": 1, "period": this_year() }),
        )
        .await;
    assert_eq!(pledge.status, 201, "{pledge:?}");
    let record = app
        .post(
            &format!("/api/v1/pledges/{}/fulfilments", pledge.id()),
            &member.token,
            json!({ "note": "陪张奶奶去医院复查", "photos": [] }),
        )
        .await;
    assert_eq!(record.status, 201, "{record:?}");
    let verified = app
        .post(
            &format!("/api/v1/pledge-fulfilments/{}/verify", record.id()),
            &world.a.worker.token,
            json!({}),
        )
        .await;
    assert_eq!(verified.status, 200, "{verified:?}");

    let appraisal = appraise(&app, &world.a.admin, &member, "excellent").await;
    assert_eq!(appraisal.status, 201, "{appraisal:?}");
    assert_eq!(appraisal.body["grade"], "excellent");
    // The member sees it.
    let own = app.get("/api/v1/appraisals", &member.token).await;
    assert_eq!(own.status, 200, "{own:?}");
    assert_eq!(own.body["items"][0]["id"], appraisal.body["id"]);

    let seen = feedback(&app, &unit_admin, unit).await;
    assert_eq!(seen.status, 200, "{seen:?}");
    let members = seen.body["members"].as_array().unwrap();
    assert_eq!(members.len(), 1, "{seen:?}");
    let m = &members[0];
    assert_eq!(m["member"]["real_name"], "孙党员");
    assert_eq!(m["member"]["phone"], "13700000201");
    assert_eq!(m["status"], "accepted");
    assert_eq!(m["community_id"], world.a.id.to_string());
    assert_eq!(m["community_name"], "济阳街道 / 幸福里社区");
    assert_eq!(m["grid_id"], world.a.grids[0].to_string());
    assert_eq!(
        (m["category"].as_str(), m["post"].as_str()),
        (Some("elderly_disabled_help"), Some("楼道长"))
    );
    assert_eq!(m["pledges"][0]["verified"], 1);
    assert_eq!(m["pledges"][0]["kept"], true);
    assert_eq!(m["appraisal"]["grade"], "excellent");
    // Service hours come from no context yet: zero, not absent.
    assert_eq!(
        (m["service_minutes"].as_u64(), m["tasks_done"].as_u64()),
        (Some(0), Some(0))
    );
    let indicators = &seen.body["indicators"];
    assert_eq!(indicators["roll_count"], 40);
    assert_eq!(indicators["reported_members"], 1);
    assert_eq!(indicators["report_rate_permille"], 25);
    assert_eq!(indicators["members_excellent"], 1);
    assert_eq!(indicators["pledges_fulfilled"], 1);

    // The district appraises the unit at year end, beside the same figures.
    let unit_appraisal = app
        .post(
            "/api/v1/unit-appraisals",
            &world.district_admin.token,
            json!({ "unit_id": unit, "period": this_year(), "grade": "excellent", "comment": "共建成效显著" }),
        )
        .await;
    assert_eq!(unit_appraisal.status, 201, "{unit_appraisal:?}");
    assert_eq!(unit_appraisal.body["indicators"]["pledges_fulfilled"], 1);
    let listed = app.get("/api/v1/unit-appraisals", &unit_admin.token).await;
    assert_eq!(
        listed.body["items"].as_array().map(Vec::len),
        Some(1),
        "{listed:?}"
    );
    let again = app
        .post(
            "/api/v1/unit-appraisals",
            &world.district_admin.token,
            json!({ "unit_id": unit, "period": this_year(), "grade": "competent" }),
        )
        .await;
    assert_eq!((again.status, again.code()), (409, "already_appraised"));
}

#[tokio::test]
async fn only_the_member_s_community_appraises_and_only_the_unit_and_district_read_its_feedback() {
    let app = spawn_app().await;
    let world = app.world().await;
    let unit = new_unit(&app, &world, "济阳供电公司", world.a.grids[1], 40).await;
    let other_unit = new_unit(&app, &world, "济阳水务集团", world.b.grids[1], 30).await;
    let other_admin = unit_admin(&app, &world, other_unit, "13600000202").await;
    let member = received(&app, &world, unit, "孙党员", "13700000202").await;

    // Another community's admin is not told the member exists; a grid worker may not appraise.
    let outside = appraise(&app, &world.b.admin, &member, "excellent").await;
    assert_eq!((outside.status, outside.code()), (404, "member_report_not_found"));
    let worker = appraise(&app, &world.a.worker, &member, "excellent").await;
    assert_eq!((worker.status, worker.code()), (403, "forbidden"));
    let own = appraise(&app, &member, &member, "excellent").await;
    assert_eq!(own.status, 404, "{own:?}");
    assert_eq!(
        appraise(&app, &world.a.admin, &member, "competent").await.status,
        201
    );

    for outsider in [&other_admin, &world.a.admin, &world.a.worker, &world.b.resident] {
        let reply = feedback(&app, outsider, unit).await;
        assert_eq!((reply.status, reply.code()), (403, "forbidden"));
        assert!(!reply.text().contains("孙党员"), "{reply:?}");
    }
    assert_eq!(feedback(&app, &world.district_admin, unit).await.status, 200);
    let unknown = feedback(&app, &world.district_admin, Uuid::now_v7()).await;
    assert_eq!((unknown.status, unknown.code()), (404, "unit_not_found"));

    // Listings: another unit's admin and another community see none of it.
    for outsider in [&other_admin, &world.b.admin, &world.b.resident] {
        let listed = app.get("/api/v1/appraisals", &outsider.token).await;
        assert_eq!(listed.body["items"], json!([]), "{listed:?}");
    }
    let unit_appraisal = app
        .post(
            "/api/v1/unit-appraisals",
            &world.a.admin.token,
            json!({ "unit_id": unit, "period": this_year(), "grade": "excellent" }),
        )
        .await;
    assert_eq!((unit_appraisal.status, unit_appraisal.code()), (403, "forbidden"));
    let none = app.get("/api/v1/unit-appraisals", &world.a.admin.token).await;
    assert_eq!(none.body["items"], json!([]), "{none:?}");
}

#[tokio::test]
async fn two_admins_appraising_one_member_at_once_make_one_appraisal() {
    let app = spawn_app().await;
    let world = app.world().await;
    let unit = new_unit(&app, &world, "济阳供电公司", world.a.grids[1], 40).await;
    let second_admin = app
        .staff(
            linli_kernel::Role::CommunityAdmin,
            linli_kernel::Scope::Community(world.a.id.into()),
        )
        .await;
    for round in 0..3 {
        let member = received(&app, &world, unit, "孙党员", &format!("1370000030{round}")).await;
        let (one, two) = tokio::join!(
            appraise(&app, &world.a.admin, &member, "excellent"),
            appraise(&app, &second_admin, &member, "competent"),
        );
        let mut statuses = [one.status, two.status];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409], "{one:?} {two:?}");
        let loser = if one.status == 409 { &one } else { &two };
        assert_eq!(loser.code(), "already_appraised");
        let listed = app
            .get(
                &format!("/api/v1/appraisals?member_id={}", member.user_id),
                &world.a.admin.token,
            )
            .await;
        assert_eq!(
            listed.body["items"].as_array().map(Vec::len),
            Some(1),
            "{listed:?}"
        );
    }
}

#[tokio::test]
async fn a_transferred_member_is_appraised_like_the_others() {
    let app = spawn_app().await;
    let world = app.world().await;
    let person = app.resident_of(world.a.building, "刘德胜", "13700000401").await;
    let registered = app
        .post(
            "/api/v1/transferred-members",
            &world.a.admin.token,
            json!({
                "user_id": person.user_id,
                "community_id": world.a.id,
                "grid_id": world.a.grids[0],
                "transferred_at": "2024-03-01",
                "from_organisation": "原济阳县化肥厂党委",
            }),
        )
        .await;
    assert_eq!(registered.status, 201, "{registered:?}");
    let outside = appraise(&app, &world.b.admin, &person, "excellent").await;
    assert_eq!((outside.status, outside.code()), (404, "member_report_not_found"));
    let appraisal = appraise(&app, &world.a.admin, &person, "excellent").await;
    assert_eq!(appraisal.status, 201, "{appraisal:?}");
    assert_eq!(appraisal.body["transferred_member_id"], registered.body["id"]);
    assert!(appraisal.body["member_report_id"].is_null() && appraisal.body["unit_id"].is_null());
    let own = app.get("/api/v1/appraisals", &person.token).await;
    assert_eq!(own.body["items"][0]["id"], appraisal.body["id"], "{own:?}");
}
