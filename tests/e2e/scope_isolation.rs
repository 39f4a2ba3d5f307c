//! For every endpoint of the structure and grants, a user whose scope does not cover the
//! target gets 403 or 404 and learns nothing: no other community's names, phones or counts.

use linli_kernel::{Role, Scope};
use linli_tests::world::World;
use linli_tests::{Reply, Session, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

/// What must never appear in an answer to someone outside community B.
fn assert_learns_nothing_of_b(world: &World, what: &str, reply: &Reply) {
    let text = reply.text();
    for secret in [&world.b.name, &world.b.resident_phone, &world.b.resident_name] {
        assert!(
            !text.contains(secret.as_str()),
            "{what} leaked `{secret}`: {text}"
        );
    }
    for id in [world.b.id, world.b.building, world.b.grids[0], world.b.grids[1]] {
        assert!(!text.contains(&id.to_string()), "{what} leaked id {id}: {text}");
    }
}

async fn call(app: &TestApp, who: &Session, method: &Method, path: &str, body: &Option<Value>) -> Reply {
    app.request(method.clone(), path, Some(&who.token), body.as_ref())
        .await
}

/// A Party branch and a grant in community B, to aim at.
async fn b_targets(app: &TestApp, world: &World) -> (String, String) {
    let branch = app
        .post(
            "/api/v1/party-branches",
            &world.b.admin.token,
            json!({ "name": "和平里联合支部", "kind": "joint", "grid_ids": world.b.grids }),
        )
        .await;
    assert_eq!(branch.status, 201);
    let grants = app
        .get(
            &format!("/api/v1/role-grants?user_id={}", world.b.worker.user_id),
            &world.b.admin.token,
        )
        .await;
    let grant = grants.body["items"][0]["id"].as_str().unwrap().to_owned();
    (branch.id().to_string(), grant)
}

#[tokio::test]
async fn nobody_outside_community_b_reaches_anything_of_it() {
    let app = spawn_app().await;
    let world = app.world().await;
    let (branch, grant) = b_targets(&app, &world).await;
    let (b, grid, building, sub) = (world.b.id, world.b.grids[0], world.b.building, world.subdistrict);
    let stairwell_leader = app
        .staff(Role::StairwellLeader, Scope::Building(world.a.building.into()))
        .await;
    let grid_leader = app
        .staff(Role::GridLeader, Scope::Grid(world.a.grids[0].into()))
        .await;
    let elsewhere = app.create_subdistrict(&world.district_admin, "别处街道").await;
    let other_subdistrict_admin = app
        .staff(Role::SubdistrictAdmin, Scope::Subdistrict(elsewhere.into()))
        .await;
    let b_before = snapshot_of_b(&app, &world).await;

    let targeted: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/api/v1/subdistricts/{sub}"), None),
        (
            Method::PATCH,
            format!("/api/v1/subdistricts/{sub}"),
            Some(json!({ "name": "改名" })),
        ),
        (
            Method::POST,
            "/api/v1/communities".into(),
            Some(json!({ "subdistrict_id": sub, "name": "新社区" })),
        ),
        (Method::GET, format!("/api/v1/communities/{b}"), None),
        (
            Method::PATCH,
            format!("/api/v1/communities/{b}"),
            Some(json!({ "name": "改名" })),
        ),
        (
            Method::POST,
            "/api/v1/grids".into(),
            Some(json!({ "community_id": b, "name": "新网格", "kind": "reserved", "households": 0 })),
        ),
        (Method::GET, format!("/api/v1/grids/{grid}"), None),
        (
            Method::PATCH,
            format!("/api/v1/grids/{grid}"),
            Some(json!({ "households": 1 })),
        ),
        (Method::GET, format!("/api/v1/grids/{grid}/team"), None),
        (
            Method::PUT,
            format!("/api/v1/grids/{grid}/team"),
            Some(json!({ "leader_id": world.a.worker.user_id })),
        ),
        (
            Method::POST,
            "/api/v1/buildings".into(),
            Some(json!({ "grid_id": grid, "name": "新楼" })),
        ),
        (Method::GET, format!("/api/v1/buildings/{building}"), None),
        (
            Method::PATCH,
            format!("/api/v1/buildings/{building}"),
            Some(json!({ "name": "改名" })),
        ),
        (
            Method::POST,
            "/api/v1/party-branches".into(),
            Some(json!({ "name": "支部", "kind": "joint", "grid_ids": world.b.grids })),
        ),
        (Method::GET, format!("/api/v1/party-branches/{branch}"), None),
        (Method::DELETE, format!("/api/v1/party-branches/{branch}"), None),
        (
            Method::GET,
            format!("/api/v1/stats/coverage?community_id={b}"),
            None,
        ),
        (
            Method::GET,
            format!("/api/v1/stats/coverage?subdistrict_id={sub}"),
            None,
        ),
        (
            Method::POST,
            "/api/v1/role-grants".into(),
            Some(
                json!({ "user_id": world.a.resident.user_id, "role": "community_admin", "scope": format!("community:{b}") }),
            ),
        ),
        (
            Method::POST,
            "/api/v1/role-grants".into(),
            Some(
                json!({ "user_id": world.a.resident.user_id, "role": "grid_worker", "scope": format!("grid:{grid}") }),
            ),
        ),
        (Method::DELETE, format!("/api/v1/role-grants/{grant}"), None),
    ];
    let outsiders = [
        ("community A's admin", &world.a.admin),
        ("community A's grid leader", &grid_leader),
        ("community A's grid worker", &world.a.worker),
        ("a stairwell leader in A", &stairwell_leader),
        ("a resident of A", &world.a.resident),
        ("another subdistrict's admin", &other_subdistrict_admin),
    ];
    for (who, session) in outsiders {
        for (method, path, body) in &targeted {
            let reply = call(&app, session, method, path, body).await;
            assert!(
                reply.status == 403 || reply.status == 404,
                "{who}: {method} {path} answered {} {}",
                reply.status,
                reply.text()
            );
            assert_learns_nothing_of_b(&world, &format!("{who}: {method} {path}"), &reply);
        }
        // An import naming B's community is refused exactly like one naming no community:
        // before the file is read (403) for those who manage no part of the structure, as
        // an unknown community (422) for those who do.
        let named_b = import(&app, session, &world.b.name).await;
        let named_nothing = import(&app, session, "不存在的社区").await;
        assert!(matches!(named_b.status, 403 | 422), "{who}: {named_b:?}");
        assert_eq!(named_b.status, named_nothing.status, "{who}");
        let message = |reply: &Reply, name: &str| {
            reply.body["details"]["errors"][0]["message"]
                .as_str()
                .map(|m| m.replace(name, "…"))
        };
        assert_eq!(
            message(&named_b, &world.b.name),
            message(&named_nothing, "不存在的社区"),
            "{who}"
        );
    }

    // Nothing was changed by any of it.
    assert_eq!(snapshot_of_b(&app, &world).await, b_before);
}

async fn import(app: &TestApp, who: &Session, community: &str) -> Reply {
    let csv = format!("community,name,kind,households,buildings\n{community},新网格,reserved,0,\n");
    app.import_csv(&who.token, csv).await
}

/// Everything community B's admin can see of B, to compare before and after.
async fn snapshot_of_b(app: &TestApp, world: &World) -> Vec<Value> {
    let mut seen = Vec::new();
    for path in [
        format!("/api/v1/communities/{}", world.b.id),
        format!("/api/v1/grids?community_id={}&limit=100", world.b.id),
        format!("/api/v1/buildings?community_id={}&limit=100", world.b.id),
        format!("/api/v1/party-branches?community_id={}", world.b.id),
        format!("/api/v1/grids/{}/team", world.b.grids[0]),
        "/api/v1/role-grants?limit=100".to_owned(),
        "/api/v1/stats/coverage".to_owned(),
    ] {
        seen.push(app.get(&path, &world.b.admin.token).await.body);
    }
    seen
}

#[tokio::test]
async fn listings_outside_community_b_show_none_of_it() {
    let app = spawn_app().await;
    let world = app.world().await;
    b_targets(&app, &world).await;
    let (b, grid) = (world.b.id, world.b.grids[0]);
    let listings = [
        "/api/v1/subdistricts".to_owned(),
        "/api/v1/communities".to_owned(),
        format!("/api/v1/communities?subdistrict_id={}", world.subdistrict),
        "/api/v1/grids?limit=100".to_owned(),
        format!("/api/v1/grids?community_id={b}"),
        "/api/v1/buildings?limit=100".to_owned(),
        format!("/api/v1/buildings?grid_id={grid}"),
        "/api/v1/party-branches".to_owned(),
        format!("/api/v1/party-branches?community_id={b}"),
        "/api/v1/role-grants?limit=100".to_owned(),
        format!("/api/v1/role-grants?user_id={}", world.b.worker.user_id),
        "/api/v1/stats/coverage".to_owned(),
        "/api/v1/me".to_owned(),
    ];
    for who in [&world.a.admin, &world.a.worker, &world.a.resident] {
        for path in &listings {
            let reply = app.get(path, &who.token).await;
            assert!(reply.status == 200 || reply.status == 403, "{path}: {reply:?}");
            assert_learns_nothing_of_b(&world, path, &reply);
        }
    }
    // The stats of A's admin count A alone.
    let stats = app.get("/api/v1/stats/coverage", &world.a.admin.token).await;
    assert_eq!(stats.body["grids"]["total"], 2);
}

#[tokio::test]
async fn personal_data_is_masked_for_those_whose_scope_does_not_cover_the_person() {
    let app = spawn_app().await;
    let world = app.world().await;
    // Two stairwell leaders of one building: they see each other's grant, not each
    // other's phone; the community admin sees both whole.
    let first = app.resident_of(world.a.building, "赵一", "13700000011").await;
    let second = app.resident_of(world.a.building, "钱二", "13700000022").await;
    for person in [&first, &second] {
        let grant = app
            .post(
                "/api/v1/role-grants",
                &world.a.admin.token,
                json!({ "user_id": person.user_id, "role": "stairwell_leader", "scope": format!("building:{}", world.a.building) }),
            )
            .await;
        assert_eq!(grant.status, 201);
    }
    let seen_by_first = app.get("/api/v1/role-grants", &first.token).await;
    let items = seen_by_first.body["items"].as_array().unwrap();
    let person =
        |id: uuid::Uuid| items.iter().find(|g| g["user_id"] == id.to_string()).unwrap()["person"].clone();
    assert_eq!(person(second.user_id)["phone"], "137****0022");
    assert_eq!(person(second.user_id)["real_name"], "钱*");
    assert_eq!(person(second.user_id)["masked"], true);
    assert_eq!(
        person(first.user_id)["phone"],
        "13700000011",
        "one sees oneself whole"
    );

    let seen_by_admin = app
        .get("/api/v1/role-grants?limit=100", &world.a.admin.token)
        .await;
    let second_for_admin = seen_by_admin.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["user_id"] == second.user_id.to_string())
        .unwrap()["person"]
        .clone();
    assert_eq!(second_for_admin["phone"], "13700000022");
    assert_eq!(second_for_admin["masked"], false);
}
