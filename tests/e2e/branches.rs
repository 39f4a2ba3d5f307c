use linli_tests::spawn_app;
use serde_json::json;

#[tokio::test]
async fn independent_branches_cover_one_grid_and_joint_ones_several_of_one_community() {
    let app = spawn_app().await;
    let world = app.world().await;
    let admin = &world.a.admin.token;
    let [one, two] = [world.a.grids[0], world.a.grids[1]];

    let shapes = [
        (
            json!({ "name": "支部", "kind": "independent", "grid_ids": [one, two] }),
            422,
            "branch_grid_count",
        ),
        (
            json!({ "name": "支部", "kind": "joint", "grid_ids": [one] }),
            422,
            "branch_grid_count",
        ),
        (
            json!({ "name": "支部", "kind": "joint", "grid_ids": [one, one] }),
            400,
            "validation_failed",
        ),
        (
            json!({ "name": "支部", "kind": "joint", "grid_ids": [one, world.b.grids[0]] }),
            404,
            "grid_not_found",
        ),
    ];
    for (body, status, code) in shapes {
        let reply = app.post("/api/v1/party-branches", admin, body.clone()).await;
        assert_eq!((reply.status, reply.code()), (status, code), "{body}");
    }
    let spanning = app
        .post(
            "/api/v1/party-branches",
            &world.district_admin.token,
            json!({ "name": "跨社区支部", "kind": "joint", "grid_ids": [one, world.b.grids[0]] }),
        )
        .await;
    assert_eq!(
        (spanning.status, spanning.code()),
        (422, "branch_spans_communities")
    );

    let joint = app
        .post(
            "/api/v1/party-branches",
            admin,
            json!({ "name": "联合党支部", "kind": "joint", "grid_ids": [one, two] }),
        )
        .await;
    assert_eq!(joint.status, 201, "{joint:?}");
    assert_eq!(joint.body["community_id"], world.a.id.to_string());
}

#[tokio::test]
async fn a_grid_belongs_to_at_most_one_branch() {
    let app = spawn_app().await;
    let world = app.world().await;
    let admin = &world.a.admin.token;
    let grid = world.a.grids[0];
    let first = app
        .post(
            "/api/v1/party-branches",
            admin,
            json!({ "name": "一支部", "kind": "independent", "grid_ids": [grid] }),
        )
        .await;
    assert_eq!(first.status, 201);
    let second = app
        .post(
            "/api/v1/party-branches",
            admin,
            json!({ "name": "联合支部", "kind": "joint", "grid_ids": [world.a.grids[1], grid] }),
        )
        .await;
    assert_eq!((second.status, second.code()), (409, "grid_already_in_branch"));
    assert_eq!(second.body["details"]["grid_id"], grid.to_string());

    let dissolved = app
        .delete(&format!("/api/v1/party-branches/{}", first.id()), admin)
        .await;
    assert_eq!(dissolved.status, 204);
    let after = app
        .post(
            "/api/v1/party-branches",
            admin,
            json!({ "name": "联合支部", "kind": "joint", "grid_ids": [world.a.grids[1], grid] }),
        )
        .await;
    assert_eq!(after.status, 201, "the grid was freed: {after:?}");
}

#[tokio::test]
async fn of_concurrent_branches_claiming_one_grid_exactly_one_is_formed() {
    let app = spawn_app().await;
    let world = app.world().await;
    let grid = world.a.grids[0];
    let attempts = (0..10).map(|i| {
        app.post(
            "/api/v1/party-branches",
            &world.a.admin.token,
            json!({ "name": format!("支部{i}"), "kind": "independent", "grid_ids": [grid] }),
        )
    });
    let replies = futures_util::future::join_all(attempts).await;
    let formed = replies.iter().filter(|r| r.status == 201).count();
    assert_eq!(formed, 1, "{replies:?}");
    assert!(
        replies
            .iter()
            .filter(|r| r.status != 201)
            .all(|r| r.status == 409 && r.code() == "grid_already_in_branch"),
        "{replies:?}"
    );
    let listed = app
        .get(
            &format!("/api/v1/party-branches?community_id={}", world.a.id),
            &world.a.admin.token,
        )
        .await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn grid_staff_see_the_branch_covering_their_grid() {
    let app = spawn_app().await;
    let world = app.world().await;
    let branch = app
        .post(
            "/api/v1/party-branches",
            &world.a.admin.token,
            json!({ "name": "一网格党支部", "kind": "independent", "grid_ids": [world.a.grids[0]] }),
        )
        .await;
    let listed = app.get("/api/v1/party-branches", &world.a.worker.token).await;
    let ids: Vec<&str> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![branch.id().to_string()]);
    let from_b = app.get("/api/v1/party-branches", &world.b.worker.token).await;
    assert_eq!(from_b.body["items"].as_array().unwrap().len(), 0);
    let path = format!("/api/v1/party-branches/{}", branch.id());
    assert_eq!(
        app.get(&path, &world.a.worker.token).await.status,
        200,
        "listed, so readable"
    );
    assert_eq!(app.get(&path, &world.b.worker.token).await.status, 404);
    let by_worker = app.delete(&path, &world.a.worker.token).await;
    assert_eq!((by_worker.status, by_worker.code()), (403, "forbidden"));
}

#[tokio::test]
async fn a_grid_worker_sees_only_its_grid_of_a_joint_branch_and_a_count_of_the_others() {
    let app = spawn_app().await;
    let world = app.world().await;
    let [own, other] = [world.a.grids[0], world.a.grids[1]];
    let joint = app
        .post(
            "/api/v1/party-branches",
            &world.a.admin.token,
            json!({ "name": "联合党支部", "kind": "joint", "grid_ids": [own, other] }),
        )
        .await;
    assert_eq!(joint.status, 201, "{joint:?}");
    assert_eq!(joint.body["other_grids"], 0, "its admin covers both");

    let worker = &world.a.worker.token;
    let listed = app.get("/api/v1/party-branches", worker).await;
    let items = listed.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{listed:?}");
    let one = app
        .get(&format!("/api/v1/party-branches/{}", joint.id()), worker)
        .await;
    for seen in [&items[0], &one.body] {
        assert_eq!(seen["grid_ids"], json!([own]), "{seen}");
        assert_eq!(seen["other_grids"], 1);
    }
    // Never an id the worker is refused: every grid shown can be read.
    for grid in items[0]["grid_ids"].as_array().unwrap() {
        let read = app
            .get(&format!("/api/v1/grids/{}", grid.as_str().unwrap()), worker)
            .await;
        assert_eq!(read.status, 200);
    }
    assert_eq!(
        app.get(&format!("/api/v1/grids/{other}"), worker).await.status,
        404
    );
}
