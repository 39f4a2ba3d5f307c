use linli_tests::spawn_app;
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn a_community_admin_names_grid_workers_in_its_own_community_only() {
    let app = spawn_app().await;
    let world = app.world().await;
    // Someone the community's admin covers: a resident of it.
    let person = app.resident_of(world.a.building, "张三", "13600000001").await;
    let own = app
        .post(
            "/api/v1/role-grants",
            &world.a.admin.token,
            json!({ "user_id": person.user_id, "role": "grid_worker", "scope": format!("grid:{}", world.a.grids[1]) }),
        )
        .await;
    assert_eq!(own.status, 201, "{own:?}");
    assert_eq!(own.body["role"], "grid_worker");

    let other = app
        .post(
            "/api/v1/role-grants",
            &world.a.admin.token,
            json!({ "user_id": person.user_id, "role": "grid_worker", "scope": format!("grid:{}", world.b.grids[0]) }),
        )
        .await;
    assert_eq!((other.status, other.code()), (404, "scope_not_found"));
    assert!(!other.text().contains(&world.b.name));
}

#[tokio::test]
async fn a_granted_role_works_at_once_and_a_revoked_one_stops_at_once() {
    let app = spawn_app().await;
    let world = app.world().await;
    // Someone the community's admin covers: a resident of it.
    let person = app.resident_of(world.a.building, "张三", "13600000001").await;
    let grid = world.a.grids[1];
    assert_eq!(
        app.get(&format!("/api/v1/grids/{grid}"), &person.token)
            .await
            .status,
        404
    );
    let grant = app
        .post(
            "/api/v1/role-grants",
            &world.a.admin.token,
            json!({ "user_id": person.user_id, "role": "grid_worker", "scope": format!("grid:{grid}") }),
        )
        .await;
    assert_eq!(grant.status, 201);
    assert_eq!(
        app.get(&format!("/api/v1/grids/{grid}"), &person.token)
            .await
            .status,
        200
    );
    let revoked = app
        .delete(
            &format!("/api/v1/role-grants/{}", grant.id()),
            &world.a.admin.token,
        )
        .await;
    assert_eq!(revoked.status, 204);
    assert_eq!(
        app.get(&format!("/api/v1/grids/{grid}"), &person.token)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn grid_workers_cannot_grant_and_roles_must_fit_their_scope() {
    let app = spawn_app().await;
    let world = app.world().await;
    // Someone the community's admin covers: a resident of it.
    let person = app.resident_of(world.a.building, "张三", "13600000001").await;
    let grid = format!("grid:{}", world.a.grids[0]);
    let by_worker = app
        .post(
            "/api/v1/role-grants",
            &world.a.worker.token,
            json!({ "user_id": person.user_id, "role": "grid_worker", "scope": grid }),
        )
        .await;
    assert_eq!((by_worker.status, by_worker.code()), (403, "forbidden"));

    let admin = &world.a.admin.token;
    let cases = [
        (
            json!({ "user_id": person.user_id, "role": "grid_worker", "scope": format!("community:{}", world.a.id) }),
            422,
            "role_scope_mismatch",
        ),
        (
            json!({ "user_id": person.user_id, "role": "resident", "scope": "district" }),
            422,
            "role_not_grantable",
        ),
        (
            json!({ "user_id": person.user_id, "role": "unit_admin", "scope": format!("unit:{}", Uuid::now_v7()) }),
            404,
            "scope_not_found",
        ),
        // No context serves volunteer teams yet.
        (
            json!({ "user_id": person.user_id, "role": "team_leader", "scope": format!("volunteer_team:{}", Uuid::now_v7()) }),
            422,
            "scope_kind_unsupported",
        ),
        (
            json!({ "user_id": person.user_id, "role": "grid_worker", "scope": "grid:not-a-uuid" }),
            400,
            "validation_failed",
        ),
        // An unknown id is invited like anyone the admin does not cover (see appointments.rs).
        (
            json!({ "user_id": Uuid::now_v7(), "role": "grid_worker", "scope": grid }),
            202,
            "",
        ),
        (
            json!({ "user_id": person.user_id, "role": "district_admin", "scope": "district" }),
            403,
            "forbidden",
        ),
    ];
    for (body, status, code) in cases {
        let reply = app.post("/api/v1/role-grants", admin, body.clone()).await;
        assert_eq!((reply.status, reply.code()), (status, code), "{body}");
    }
    let first = app
        .post(
            "/api/v1/role-grants",
            admin,
            json!({ "user_id": person.user_id, "role": "grid_worker", "scope": grid }),
        )
        .await;
    assert_eq!(first.status, 201);
    let twice = app
        .post(
            "/api/v1/role-grants",
            admin,
            json!({ "user_id": person.user_id, "role": "grid_worker", "scope": grid }),
        )
        .await;
    assert_eq!((twice.status, twice.code()), (409, "role_already_granted"));
}

#[tokio::test]
async fn the_grant_list_shows_only_grants_inside_the_scope_with_their_people_whole() {
    let app = spawn_app().await;
    let world = app.world().await;
    let listed = app
        .get("/api/v1/role-grants?limit=100", &world.a.admin.token)
        .await;
    assert_eq!(listed.status, 200);
    let items = listed.body["items"].as_array().unwrap();
    let holders: Vec<&str> = items.iter().map(|g| g["user_id"].as_str().unwrap()).collect();
    assert!(holders.contains(&world.a.worker.user_id.to_string().as_str()));
    assert!(!holders.contains(&world.b.worker.user_id.to_string().as_str()));
    assert!(!holders.contains(&world.b.admin.user_id.to_string().as_str()));
    // The community's own staff are covered by its admin: seen whole.
    let worker = items
        .iter()
        .find(|g| g["user_id"] == world.a.worker.user_id.to_string())
        .unwrap();
    assert_eq!(worker["person"]["masked"], false);
    assert_eq!(worker["place"]["name"], format!("{}一网格", world.a.name));

    let residents = app.get("/api/v1/role-grants", &world.a.resident.token).await;
    assert_eq!(residents.status, 200);
    assert_eq!(residents.body["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn revoking_outside_the_scope_is_not_found() {
    let app = spawn_app().await;
    let world = app.world().await;
    let b_grants = app
        .get(
            &format!("/api/v1/role-grants?user_id={}", world.b.worker.user_id),
            &world.district_admin.token,
        )
        .await;
    let grant_id = b_grants.body["items"][0]["id"].as_str().unwrap().to_owned();
    let reply = app
        .delete(&format!("/api/v1/role-grants/{grant_id}"), &world.a.admin.token)
        .await;
    assert_eq!((reply.status, reply.code()), (404, "role_grant_not_found"));
    let still = app
        .get(
            &format!("/api/v1/grids/{}", world.b.grids[0]),
            &world.b.worker.token,
        )
        .await;
    assert_eq!(still.status, 200, "the grant survived");
}
