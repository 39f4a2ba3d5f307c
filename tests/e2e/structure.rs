use linli_kernel::{Role, Scope};
use linli_tests::spawn_app;
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn the_tree_is_built_top_down_and_names_are_unique_where_they_must_be() {
    let app = spawn_app().await;
    let admin = app.district_admin().await;
    let subdistrict = app.create_subdistrict(&admin, "济北街道").await;
    let again = app
        .post(
            "/api/v1/subdistricts",
            &admin.token,
            json!({ "name": "济北街道" }),
        )
        .await;
    assert_eq!((again.status, again.code()), (409, "name_taken"));

    let community = app.create_community(&admin, subdistrict, "龙海社区").await;
    let grid = app
        .create_grid(&admin, community, "一网格", "residential", 420)
        .await;
    let same_name = app
        .post(
            "/api/v1/grids",
            &admin.token,
            json!({ "community_id": community, "name": "一网格", "kind": "reserved", "households": 0 }),
        )
        .await;
    assert_eq!((same_name.status, same_name.code()), (409, "name_taken"));
    let other_community = app.create_community(&admin, subdistrict, "华阳社区").await;
    app.create_grid(&admin, other_community, "一网格", "residential", 400)
        .await;

    let building = app
        .post(
            "/api/v1/buildings",
            &admin.token,
            json!({ "grid_id": grid, "name": "3号楼", "stairwells": ["1单元", "2单元", "3单元"] }),
        )
        .await;
    assert_eq!(building.status, 201, "{building:?}");
    assert_eq!(building.body["stairwells"].as_array().unwrap().len(), 3);
    assert_eq!(building.body["community_id"], community.to_string());
    let read = app
        .get(&format!("/api/v1/buildings/{}", building.id()), &admin.token)
        .await;
    assert_eq!(read.body["stairwells"][0]["name"], "1单元");
}

#[tokio::test]
async fn a_residential_grid_outside_300_to_500_households_is_created_with_a_warning() {
    let app = spawn_app().await;
    let admin = app.district_admin().await;
    let subdistrict = app.create_subdistrict(&admin, "街道").await;
    let community = app.create_community(&admin, subdistrict, "社区").await;
    let small = app
        .post(
            "/api/v1/grids",
            &admin.token,
            json!({ "community_id": community, "name": "小网格", "kind": "residential", "households": 120 }),
        )
        .await;
    assert_eq!(small.status, 201);
    assert_eq!(small.body["warnings"][0]["code"], "households_outside_norm");
    let normal = app
        .post("/api/v1/grids", &admin.token, json!({ "community_id": community, "name": "正常网格", "kind": "residential", "households": 350 }))
        .await;
    assert!(normal.body.get("warnings").is_none(), "{normal:?}");
    let school = app
        .post(
            "/api/v1/grids",
            &admin.token,
            json!({ "community_id": community, "name": "实验小学", "kind": "dedicated", "households": 0 }),
        )
        .await;
    assert!(school.body.get("warnings").is_none());
    let negative = app
        .post(
            "/api/v1/grids",
            &admin.token,
            json!({ "community_id": community, "name": "负", "kind": "residential", "households": -5 }),
        )
        .await;
    assert_eq!((negative.status, negative.code()), (400, "validation_failed"));
    let changed = app
        .patch(
            &format!("/api/v1/grids/{}", small.id()),
            &admin.token,
            json!({ "households": 410 }),
        )
        .await;
    assert_eq!(changed.status, 200);
    assert!(changed.body.get("warnings").is_none());
    assert_eq!(changed.body["households"], 410);
}

#[tokio::test]
async fn lists_page_with_a_cursor_without_gaps_or_repeats() {
    let app = spawn_app().await;
    let admin = app.district_admin().await;
    let subdistrict = app.create_subdistrict(&admin, "街道").await;
    let community = app.create_community(&admin, subdistrict, "社区").await;
    let mut created = Vec::new();
    for i in 0..25 {
        created.push(
            app.create_grid(&admin, community, &format!("网格{i}"), "reserved", 0)
                .await,
        );
    }
    let first = app
        .get(&format!("/api/v1/grids?community_id={community}"), &admin.token)
        .await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 20);
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let second = app
        .get(
            &format!("/api/v1/grids?community_id={community}&cursor={cursor}"),
            &admin.token,
        )
        .await;
    assert_eq!(second.body["items"].as_array().unwrap().len(), 5);
    assert!(second.body["next_cursor"].is_null());
    let seen: Vec<Uuid> = first.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second.body["items"].as_array().unwrap())
        .map(|g| g["id"].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(seen, created, "in creation order, each once");
    let too_many = app.get("/api/v1/grids?limit=101", &admin.token).await;
    assert_eq!((too_many.status, too_many.code()), (400, "validation_failed"));
    let bad_cursor = app.get("/api/v1/grids?cursor=nonsense", &admin.token).await;
    assert_eq!((bad_cursor.status, bad_cursor.code()), (400, "validation_failed"));
    // A client that sends `cursor=` with nothing after it asks for the first page.
    let empty_cursor = app
        .get(
            &format!("/api/v1/grids?community_id={community}&cursor="),
            &admin.token,
        )
        .await;
    assert_eq!(empty_cursor.status, 200, "{}", empty_cursor.body);
    assert_eq!(empty_cursor.body["items"], first.body["items"]);
}

#[tokio::test]
async fn a_grid_worker_sees_its_grid_and_nothing_beside_it() {
    let app = spawn_app().await;
    let world = app.world().await;
    let grids = app.get("/api/v1/grids", &world.a.worker.token).await;
    let ids: Vec<&str> = grids.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![world.a.grids[0].to_string()]);
    assert_eq!(
        app.get(
            &format!("/api/v1/grids/{}", world.a.grids[1]),
            &world.a.worker.token
        )
        .await
        .status,
        404
    );
    let renamed = app
        .patch(
            &format!("/api/v1/grids/{}", world.a.grids[0]),
            &world.a.worker.token,
            json!({ "name": "新名" }),
        )
        .await;
    assert_eq!((renamed.status, renamed.code()), (403, "forbidden"));
}

#[tokio::test]
async fn setting_a_grid_team_grants_its_roles_and_replaces_the_previous_team() {
    let app = spawn_app().await;
    let world = app.world().await;
    // People the community's admin covers: its residents.
    let (leader, worker, stairwell) = (
        app.resident_of(world.a.building, "赵一", "13700000001").await,
        app.resident_of(world.a.building, "钱二", "13700000002").await,
        app.resident_of(world.a.building, "孙三", "13700000003").await,
    );
    let grid = world.a.grids[0];
    let team = app
        .put(
            &format!("/api/v1/grids/{grid}/team"),
            &world.a.admin.token,
            json!({
                "leader_id": leader.user_id,
                "worker_ids": [worker.user_id],
                "stairwell_leaders": [{ "building_id": world.a.building, "user_id": stairwell.user_id }],
            }),
        )
        .await;
    assert_eq!(team.status, 200, "{team:?}");
    assert_eq!(team.body["leader"]["id"], leader.user_id.to_string());
    assert_eq!(team.body["workers"].as_array().unwrap().len(), 1);

    // The roles work: the new worker sees the grid; the old worker (replaced) does not.
    assert_eq!(
        app.get(&format!("/api/v1/grids/{grid}"), &worker.token)
            .await
            .status,
        200
    );
    assert_eq!(
        app.get(&format!("/api/v1/grids/{grid}"), &world.a.worker.token)
            .await
            .status,
        404
    );
    let me = app.get("/api/v1/me", &stairwell.token).await;
    assert_eq!(me.body["roles"][0]["role"], "stairwell_leader");
    let read = app
        .get(&format!("/api/v1/grids/{grid}/team"), &worker.token)
        .await;
    assert_eq!(
        read.body["stairwell_leaders"][0]["person"]["id"],
        stairwell.user_id.to_string()
    );
}

#[tokio::test]
async fn a_team_breaking_a_rule_is_refused_whole() {
    let app = spawn_app().await;
    let world = app.world().await;
    let leader = &world.a.resident;
    let grid = world.a.grids[1];
    let path = format!("/api/v1/grids/{grid}/team");
    let cases = [
        (
            json!({ "leader_id": leader.user_id, "worker_ids": [leader.user_id] }),
            400,
            "validation_failed",
        ),
        (json!({ "leader_id": Uuid::now_v7() }), 422, "invitation_required"),
        (
            json!({ "leader_id": leader.user_id, "stairwell_leaders": [{ "building_id": world.a.building, "user_id": leader.user_id }] }),
            422,
            "building_outside_grid",
        ),
    ];
    for (body, status, code) in cases {
        let reply = app.put(&path, &world.a.admin.token, body.clone()).await;
        assert_eq!((reply.status, reply.code()), (status, code), "{body}");
    }
    let team = app.get(&path, &world.a.admin.token).await;
    assert!(team.body["leader"].is_null(), "nothing was written: {team:?}");
    let by_worker = app
        .put(
            &path,
            &world.a.worker.token,
            json!({ "leader_id": leader.user_id }),
        )
        .await;
    assert_eq!(
        by_worker.status, 404,
        "the worker of another grid cannot see this one"
    );
}

#[tokio::test]
async fn a_subdistrict_admin_shapes_its_own_subdistrict() {
    let app = spawn_app().await;
    let admin = app.district_admin().await;
    let mine = app.create_subdistrict(&admin, "济阳街道").await;
    let other = app.create_subdistrict(&admin, "济北街道").await;
    let sub_admin = app
        .staff(Role::SubdistrictAdmin, Scope::Subdistrict(mine.into()))
        .await;
    let created = app
        .post(
            "/api/v1/communities",
            &sub_admin.token,
            json!({ "subdistrict_id": mine, "name": "新社区" }),
        )
        .await;
    assert_eq!(created.status, 201);
    let elsewhere = app
        .post(
            "/api/v1/communities",
            &sub_admin.token,
            json!({ "subdistrict_id": other, "name": "别处社区" }),
        )
        .await;
    assert_eq!(
        (elsewhere.status, elsewhere.code()),
        (404, "subdistrict_not_found")
    );
    let new_subdistrict = app
        .post(
            "/api/v1/subdistricts",
            &sub_admin.token,
            json!({ "name": "第三街道" }),
        )
        .await;
    assert_eq!(
        (new_subdistrict.status, new_subdistrict.code()),
        (403, "forbidden")
    );
}

#[tokio::test]
async fn of_concurrent_team_changes_one_team_wins_whole() {
    let app = spawn_app().await;
    let world = app.world().await;
    let grid = world.a.grids[1];
    let mut teams = Vec::new();
    for i in 0..6 {
        let leader = app
            .resident_of(world.a.building, "赵一", &format!("1370000001{i}"))
            .await;
        let worker = app
            .resident_of(world.a.building, "钱二", &format!("1370000002{i}"))
            .await;
        teams.push((leader.user_id, worker.user_id));
    }
    let path = format!("/api/v1/grids/{grid}/team");
    let puts = teams.iter().map(|(leader, worker)| {
        app.put(
            &path,
            &world.a.admin.token,
            json!({ "leader_id": leader, "worker_ids": [worker] }),
        )
    });
    let replies = futures_util::future::join_all(puts).await;
    assert!(replies.iter().all(|r| r.status == 200), "{replies:?}");
    let team = app
        .get(&format!("/api/v1/grids/{grid}/team"), &world.a.admin.token)
        .await;
    let leader: Uuid = team.body["leader"]["id"].as_str().unwrap().parse().unwrap();
    let workers = team.body["workers"].as_array().unwrap();
    assert_eq!(workers.len(), 1, "teams never merge: {team:?}");
    let worker: Uuid = workers[0]["id"].as_str().unwrap().parse().unwrap();
    assert!(
        teams.contains(&(leader, worker)),
        "the survivor is one of the teams sent, whole"
    );
    let grants = app
        .get("/api/v1/role-grants?limit=100", &world.a.admin.token)
        .await;
    let leaders = grants.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["role"] == "grid_leader" && g["scope"] == format!("grid:{grid}"))
        .count();
    assert_eq!(leaders, 1);
}
