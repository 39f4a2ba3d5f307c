use linli_api::contexts;
use linli_tests::spawn_app;
use serde_json::json;

#[tokio::test]
async fn the_demo_district_answers_the_districts_figures() {
    let app = spawn_app().await;
    let started = std::time::Instant::now();
    assert!(contexts::load_demo(&app.state.db).await.unwrap());
    eprintln!("the demo district loaded in {:?}", started.elapsed());
    assert!(
        !contexts::load_demo(&app.state.db).await.unwrap(),
        "loading twice changes nothing"
    );
    let admin = app.login(contexts::grid::demo::DISTRICT_ADMIN_OPENID).await;
    let coverage = app.get("/api/v1/stats/coverage", &admin.token).await;
    assert_eq!(coverage.status, 200, "{coverage:?}");
    assert_eq!(
        coverage.body,
        json!({
            "subdistricts": 3,
            "communities": 16,
            "grids": { "total": 247, "residential": 147, "reserved": 42, "dedicated": 58 },
            "covered_residential_grids": 141,
            "uncovered_residential_grids": 6,
            "branches": { "independent": 71, "joint": 23, "residential_grids_in_joint": 70 },
        })
    );
    // DOMAIN.md: 140 units paired one-to-one with grids, 5,200 in-service members reported,
    // 900 transferred members (counted apart), 345 projects.
    let dual = app.get("/api/v1/stats/dual-reporting", &admin.token).await;
    assert_eq!(dual.status, 200, "{dual:?}");
    assert_eq!(
        dual.body,
        json!({
            "units": { "registered": 140, "paired": 140, "reported": 140 },
            "in_service_members": {
                "total": 5200, "accepted": 4888, "submitted": 260, "rejected": 52,
                "withdrawn": 0, "members": 4888,
            },
            "transferred_members": 900,
            "pledges": { "made": 1630, "kept": 542 },
            "resource_offers": 420,
            "needs": 420,
            "projects": { "total": 345, "planned": 15, "active": 90, "completed": 225, "cancelled": 15 },
        })
    );
    // A unit admin of the demo logs in and sees their unit's members.
    let unit_admin = app
        .login(&contexts::dual_reporting::demo::unit_admin_openid(1))
        .await;
    let me = app.get("/api/v1/me", &unit_admin.token).await;
    assert_eq!(me.body["roles"][0]["role"], "unit_admin", "{me:?}");
    let scope = me.body["roles"][0]["scope"].as_str().unwrap().to_owned();
    let unit = scope.trim_start_matches("unit:");
    let reports = app
        .get(
            &format!("/api/v1/member-reports?unit_id={unit}"),
            &unit_admin.token,
        )
        .await;
    assert_eq!(reports.status, 200, "{reports:?}");
    let items = reports.body["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert_eq!(items[0]["member"]["masked"], false, "{:?}", items[0]);
    assert!(
        items[0]["member"]["real_name"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    );
    // A member logs in with their profile whole (sealed in bulk, opened as any).
    let member = app.login(&contexts::dual_reporting::demo::member_openid(1)).await;
    let me = app.get("/api/v1/me", &member.token).await;
    assert_eq!(me.body["phone"], "13753300001", "{me:?}");
    assert!(me.body["real_name"].as_str().is_some());
}

#[tokio::test]
async fn coverage_counts_one_community_or_the_callers_scope() {
    let app = spawn_app().await;
    let world = app.world().await;
    app.create_grid(&world.district_admin, world.a.id, "实验小学", "dedicated", 0)
        .await;
    let joint = app
        .post(
            "/api/v1/party-branches",
            &world.a.admin.token,
            json!({ "name": "联合支部", "kind": "joint", "grid_ids": world.a.grids }),
        )
        .await;
    assert_eq!(joint.status, 201);
    let independent = app
        .post(
            "/api/v1/party-branches",
            &world.b.admin.token,
            json!({ "name": "一网格支部", "kind": "independent", "grid_ids": [world.b.grids[0]] }),
        )
        .await;
    assert_eq!(independent.status, 201);

    let a = app
        .get(
            &format!("/api/v1/stats/coverage?community_id={}", world.a.id),
            &world.a.admin.token,
        )
        .await;
    assert_eq!(
        a.body["grids"],
        json!({ "total": 3, "residential": 2, "reserved": 0, "dedicated": 1 })
    );
    assert_eq!(a.body["covered_residential_grids"], 2);
    assert_eq!(
        a.body["branches"],
        json!({ "independent": 0, "joint": 1, "residential_grids_in_joint": 2 })
    );

    let own_scope = app.get("/api/v1/stats/coverage", &world.b.admin.token).await;
    assert_eq!(own_scope.body["communities"], 1);
    assert_eq!(own_scope.body["grids"]["total"], 2);
    assert_eq!(own_scope.body["covered_residential_grids"], 1);
    assert_eq!(own_scope.body["uncovered_residential_grids"], 1);

    let subdistrict = app
        .get(
            &format!("/api/v1/stats/coverage?subdistrict_id={}", world.subdistrict),
            &world.district_admin.token,
        )
        .await;
    assert_eq!(subdistrict.body["grids"]["total"], 5);
    assert_eq!(subdistrict.body["branches"]["independent"], 1);
    assert_eq!(subdistrict.body["branches"]["joint"], 1);

    let worker = app.get("/api/v1/stats/coverage", &world.a.worker.token).await;
    assert_eq!(
        worker.body["grids"]["total"], 1,
        "a grid worker's scope is its grid"
    );
    let resident = app.get("/api/v1/stats/coverage", &world.a.resident.token).await;
    assert_eq!((resident.status, resident.code()), (403, "forbidden"));
    let both = app
        .get(
            &format!(
                "/api/v1/stats/coverage?community_id={}&subdistrict_id={}",
                world.a.id, world.subdistrict
            ),
            &world.district_admin.token,
        )
        .await;
    assert_eq!(both.status, 400);
}

#[tokio::test]
async fn the_demo_loads_beside_a_bootstrap_admin_holding_its_grant_already() {
    let app = linli_tests::spawn_app_with(|s| {
        s.bootstrap_admins = contexts::grid::demo::DISTRICT_ADMIN_OPENID.to_owned()
    })
    .await;
    assert!(contexts::load_demo(&app.state.db).await.unwrap());
    let admin = app.login(contexts::grid::demo::DISTRICT_ADMIN_OPENID).await;
    let me = app.get("/api/v1/me", &admin.token).await;
    assert_eq!(
        me.body["roles"].as_array().unwrap().len(),
        1,
        "one district admin grant, not two"
    );
    let coverage = app.get("/api/v1/stats/coverage", &admin.token).await;
    assert_eq!(coverage.body["grids"]["total"], 247);
}
