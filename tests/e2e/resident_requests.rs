//! Resident requests end to end: the full journey from a phone to a rated close, scope
//! isolation, and the claim race (one winner per task, every loser a 409) on both back ends.

use futures_util::future::join_all;
use linli_tests::world::World;
use linli_tests::{Session, TestApp, spawn_app};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::dual_reporting_support::{assert_hides, items, register_unit};

/// A resident of community A made a Party member there: a real name and phone, a member report
/// to the community, accepted by its admin.
pub async fn party_member(app: &TestApp, world: &World, unit: Uuid, phone: &str) -> Session {
    let member = app.resident_of(world.a.building, "党员志愿者", phone).await;
    let filed = app
        .post(
            "/api/v1/member-reports",
            &member.token,
            json!({ "unit_id": unit, "community_id": world.a.id, "skills": [], "availability": "周末", "note": "" }),
        )
        .await;
    assert_eq!(filed.status, 201, "{filed:?}");
    let accepted = app
        .post(
            &format!("/api/v1/member-reports/{}/accept", filed.id()),
            &world.a.admin.token,
            json!({ "grid_id": world.a.grids[0], "category": "environment", "post": "网格党员志愿者" }),
        )
        .await;
    assert_eq!(accepted.status, 200, "{accepted:?}");
    member
}

/// Posts a request as `author` about their own building.
async fn post(app: &TestApp, author: &Session, body: Value) -> Value {
    let reply = app.post("/api/v1/requests", &author.token, body).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    reply.body
}

fn light() -> Value {
    json!({ "category": "general", "title": "楼道灯不亮", "description": "三单元二楼楼道灯坏了一周了" })
}

fn tasks(n: usize) -> Value {
    let list: Vec<Value> = (0..n)
        .map(|i| json!({ "title": format!("任务{i}"), "needed": 1 }))
        .collect();
    json!({ "tasks": list })
}

#[tokio::test]
async fn a_request_goes_from_a_phone_to_a_rated_close_and_the_timeline_tells_each_step() {
    let app = spawn_app().await;
    let world = app.world().await;
    let unit = register_unit(&app, &world, "济阳区税务局", world.a.grids[1]).await;
    let member = party_member(&app, &world, unit, "13900000001").await;
    let author = &world.a.resident;

    let photo = app.upload_photo(&author.token).await;
    let mut body = light();
    body["photos"] = json!([photo]);
    let posted = post(&app, author, body).await;
    let id = posted["id"].as_str().unwrap().to_owned();
    assert_eq!(posted["status"], "submitted");
    assert_eq!(posted["photos"], json!([photo]));
    assert_eq!(
        posted["grid_id"],
        json!(world.a.grids[0]),
        "routed to the grid of the author's home"
    );
    assert_eq!(posted["responsible"]["level"], "grid_worker");
    assert_eq!(posted["responsible"]["user_id"], json!(world.a.worker.user_id));

    let accepted = app
        .post(
            &format!("/api/v1/requests/{id}/accept"),
            &world.a.worker.token,
            tasks(1),
        )
        .await;
    assert_eq!(accepted.status, 200, "{accepted:?}");
    let board = app
        .get(
            &format!("/api/v1/tasks?grid_id={}&status=open", world.a.grids[0]),
            &member.token,
        )
        .await;
    let task = items(&board)[0]["id"].as_str().unwrap().to_owned();

    for (step, who) in [("claim", &member), ("start", &member)] {
        let reply = app
            .post(&format!("/api/v1/tasks/{task}/{step}"), &who.token, json!({}))
            .await;
        assert_eq!(reply.status, 200, "{step}: {reply:?}");
    }
    let done = app
        .post(
            &format!("/api/v1/tasks/{task}/complete"),
            &member.token,
            json!({ "note": "已更换灯泡", "photos": [app.upload_photo(&member.token).await] }),
        )
        .await;
    assert_eq!(done.body["status"], "done", "{done:?}");
    let verified = app
        .post(
            &format!("/api/v1/tasks/{task}/verify"),
            &world.a.admin.token,
            json!({}),
        )
        .await;
    assert_eq!(verified.body["status"], "verified", "{verified:?}");

    let resolved = app.get(&format!("/api/v1/requests/{id}"), &author.token).await;
    assert_eq!(
        resolved.body["status"], "resolved",
        "the last verification resolves it"
    );
    let closed = app
        .post(
            &format!("/api/v1/requests/{id}/confirm"),
            &author.token,
            json!({ "rating": 5, "comment": "很及时，谢谢" }),
        )
        .await;
    assert_eq!(closed.status, 200, "{closed:?}");
    assert_eq!(closed.body["status"], "closed");
    assert_eq!(closed.body["rating"]["stars"], 5);

    let detail = app.get(&format!("/api/v1/requests/{id}"), &author.token).await;
    let steps: Vec<&str> = detail.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "posted",
            "accepted",
            "task_claimed",
            "task_started",
            "task_completed",
            "task_verified",
            "resolved",
            "confirmed"
        ]
    );
    assert_eq!(detail.body["tasks"][0]["claimant"]["id"], json!(member.user_id));
    app.assert_contract_kept();
}

#[tokio::test]
async fn residents_see_their_own_and_their_grids_requests_and_never_an_anonymous_author() {
    let app = spawn_app().await;
    let world = app.world().await;
    let author = &world.a.resident;
    let neighbour = app.resident_of(world.a.building, "李四", "13900000002").await;
    let mut body = light();
    body["anonymous"] = json!(true);
    let anonymous = post(&app, author, body).await;
    let id = anonymous["id"].as_str().unwrap();

    let seen = app.get(&format!("/api/v1/requests/{id}"), &neighbour.token).await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.body["author"], Value::Null);
    assert_hides(
        "an anonymous request to a neighbour",
        &seen,
        &[
            &world.a.resident_name,
            &world.a.resident_phone,
            &author.user_id.to_string(),
        ],
    );
    let listed = app.get("/api/v1/requests", &neighbour.token).await;
    assert_eq!(items(&listed).len(), 1);
    assert_hides("the neighbour's listing", &listed, &[&author.user_id.to_string()]);

    let by_staff = app
        .get(&format!("/api/v1/requests/{id}"), &world.a.worker.token)
        .await;
    assert_eq!(
        by_staff.body["author"]["phone"],
        json!(world.a.resident_phone),
        "staff see the author whole"
    );

    // Community B sees nothing of it, nor may its staff act on it.
    for outsider in [&world.b.resident, &world.b.worker, &world.b.admin] {
        let got = app.get(&format!("/api/v1/requests/{id}"), &outsider.token).await;
        assert_eq!((got.status, got.code()), (404, "request_not_found"));
        let listed = app.get("/api/v1/requests", &outsider.token).await;
        assert!(items(&listed).is_empty());
        let acted = app
            .post(
                &format!("/api/v1/requests/{id}/accept"),
                &outsider.token,
                tasks(1),
            )
            .await;
        assert_eq!((acted.status, acted.code()), (404, "request_not_found"));
    }
    // A resident of the grid sees it but does not handle it.
    let acted = app
        .post(
            &format!("/api/v1/requests/{id}/reject"),
            &neighbour.token,
            json!({ "reason": "x" }),
        )
        .await;
    assert_eq!((acted.status, acted.code()), (403, "forbidden"));
    app.assert_contract_kept();
}

#[tokio::test]
async fn the_task_board_is_for_the_communitys_party_members_and_staff_only() {
    let app = spawn_app().await;
    let world = app.world().await;
    let unit = register_unit(&app, &world, "济阳区税务局", world.a.grids[1]).await;
    let member = party_member(&app, &world, unit, "13900000003").await;
    let request = post(&app, &world.a.resident, light()).await;
    let id = request["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/requests/{id}/accept"),
        &world.a.worker.token,
        tasks(1),
    )
    .await;
    let board = app.get("/api/v1/tasks", &member.token).await;
    let task = items(&board)[0]["id"].as_str().unwrap().to_owned();
    for outsider in [&world.b.resident, &world.b.worker, &world.a.resident] {
        let board = app.get("/api/v1/tasks", &outsider.token).await;
        assert!(items(&board).is_empty());
        let claimed = app
            .post(&format!("/api/v1/tasks/{task}/claim"), &outsider.token, json!({}))
            .await;
        assert_eq!((claimed.status, claimed.code()), (404, "task_not_found"));
    }
    let by_staff = app
        .post(
            &format!("/api/v1/tasks/{task}/claim"),
            &world.a.worker.token,
            json!({}),
        )
        .await;
    assert_eq!((by_staff.status, by_staff.code()), (403, "claim_not_allowed"));
    app.assert_contract_kept();
}

/// 64 Party members claim each of 200 tasks at once: exactly one wins each, every other is told
/// `task_already_claimed`, never a 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_sixty_four_concurrent_claimants_exactly_one_wins_each_of_two_hundred_tasks() {
    let app = spawn_app().await;
    let world = app.world().await;
    let unit = register_unit(&app, &world, "济阳区税务局", world.a.grids[1]).await;
    let phones: Vec<String> = (0..64).map(|i| format!("1370000{i:04}")).collect();
    let members = join_all(phones.iter().map(|phone| party_member(&app, &world, unit, phone))).await;
    let mut task_ids = Vec::new();
    for _ in 0..10 {
        let request = post(&app, &world.a.resident, light()).await;
        let id = request["id"].as_str().unwrap();
        let accepted = app
            .post(
                &format!("/api/v1/requests/{id}/accept"),
                &world.a.worker.token,
                tasks(20),
            )
            .await;
        assert_eq!(accepted.status, 200, "{accepted:?}");
        let detail = app
            .get(&format!("/api/v1/requests/{id}"), &world.a.worker.token)
            .await;
        task_ids.extend(
            detail.body["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_str().unwrap().to_owned()),
        );
    }
    assert_eq!(task_ids.len(), 200);
    for task in &task_ids {
        let path = format!("/api/v1/tasks/{task}/claim");
        let claims = members.iter().map(|m| app.post(&path, &m.token, json!({})));
        let replies = join_all(claims).await;
        let winners: Vec<_> = replies.iter().filter(|r| r.status == 200).collect();
        assert_eq!(
            winners.len(),
            1,
            "task {task}: {:?}",
            replies.iter().map(|r| r.status).collect::<Vec<_>>()
        );
        for loser in replies.iter().filter(|r| r.status != 200) {
            assert_eq!(
                (loser.status, loser.code()),
                (409, "task_already_claimed"),
                "{loser:?}"
            );
        }
        let stored = app
            .get(&format!("/api/v1/tasks/{task}"), &world.a.worker.token)
            .await;
        assert_eq!(stored.body["claimant"]["id"], winners[0].body["claimant"]["id"]);
    }
}

/// How many requests `session` sees as theirs.
async fn own_requests(app: &TestApp, session: &Session) -> usize {
    items(&app.get("/api/v1/requests?mine=true", &session.token).await).len()
}

#[tokio::test]
async fn the_content_check_refuses_risky_text_holds_doubtful_text_and_stores_nothing_when_away() {
    let app = spawn_app().await;
    let world = app.world().await;
    let author = &world.a.resident;
    let neighbour = app.resident_of(world.a.building, "李四", "13900000004").await;
    app.wechat.flag_content("赌博", "risky");
    app.wechat.flag_content("物业不作为", "review");

    let mut risky = light();
    risky["description"] = json!("楼下有人聚众赌博");
    let refused = app.post("/api/v1/requests", &author.token, risky).await;
    assert_eq!((refused.status, refused.code()), (422, "content_rejected"));
    assert!(
        app.wechat.checked_contents().iter().any(|c| c.contains("赌博")),
        "WeChat was asked"
    );
    assert_eq!(own_requests(&app, author).await, 0, "nothing stored");

    let mut doubtful = light();
    doubtful["title"] = json!("物业不作为");
    let held = post(&app, author, doubtful).await;
    assert_eq!(held["moderation"], "pending_review");
    let id = held["id"].as_str().unwrap();
    let hidden = app.get(&format!("/api/v1/requests/{id}"), &neighbour.token).await;
    assert_eq!((hidden.status, hidden.code()), (404, "request_not_found"));
    assert!(items(&app.get("/api/v1/requests", &neighbour.token).await).is_empty());
    let approved = app
        .post(
            &format!("/api/v1/requests/{id}/approve"),
            &world.a.worker.token,
            json!({}),
        )
        .await;
    assert_eq!(approved.body["moderation"], "visible", "{approved:?}");
    assert_eq!(
        app.get(&format!("/api/v1/requests/{id}"), &neighbour.token)
            .await
            .status,
        200
    );

    app.wechat.stall(true);
    let away = app.post("/api/v1/requests", &author.token, light()).await;
    assert_eq!((away.status, away.code()), (503, "content_check_unavailable"));
    app.wechat.stall(false);
    app.wechat.fail_next_content_check(-1);
    let busy = app.post("/api/v1/requests", &author.token, light()).await;
    assert_eq!((busy.status, busy.code()), (503, "content_check_unavailable"));
    assert_eq!(
        own_requests(&app, author).await,
        1,
        "only the held one was stored"
    );
    app.assert_contract_kept();
}
