//! Names are unique where people choose them, each conflict says which kind of name it is,
//! and names that would display as something else are refused.

use linli_kernel::{Role, Scope};
use linli_tests::spawn_app;
use serde_json::json;

#[tokio::test]
async fn one_community_name_in_two_subdistricts_and_a_rename_colliding_in_one() {
    let app = spawn_app().await;
    let admin = app.district_admin().await;
    let (north, south) = (
        app.create_subdistrict(&admin, "济北街道").await,
        app.create_subdistrict(&admin, "回河街道").await,
    );
    let here = app.create_community(&admin, north, "龙海社区").await;
    let there = app.create_community(&admin, south, "龙海社区").await;
    assert_ne!(here, there);

    // A community admin of the south renames its community to a name used in the north:
    // nothing there is its business, and nothing there stops it.
    let beside = app.create_community(&admin, south, "华阳社区").await;
    let south_admin = app
        .staff(Role::CommunityAdmin, Scope::Community(beside.into()))
        .await;
    let renamed = app
        .patch(
            &format!("/api/v1/communities/{beside}"),
            &south_admin.token,
            json!({ "name": "济北社区" }),
        )
        .await;
    assert_eq!(renamed.status, 200, "{renamed:?}");
    app.create_community(&admin, north, "济北社区").await;

    // Inside one subdistrict the name is taken, and the answer says which kind of name.
    let colliding = app
        .patch(
            &format!("/api/v1/communities/{beside}"),
            &south_admin.token,
            json!({ "name": "龙海社区" }),
        )
        .await;
    assert_eq!(
        (colliding.status, colliding.code()),
        (409, "name_taken"),
        "{colliding:?}"
    );
    assert_eq!(colliding.body["details"]["kind"], "community");

    let grid = app.create_grid(&admin, here, "一网格", "residential", 400).await;
    let twin = app
        .post(
            "/api/v1/grids",
            &admin.token,
            json!({ "community_id": here, "name": "一网格", "kind": "reserved", "households": 0 }),
        )
        .await;
    assert_eq!((twin.status, twin.code()), (409, "name_taken"));
    assert_eq!(twin.body["details"]["kind"], "grid");
    let branch = json!({ "name": "一支部", "kind": "independent", "grid_ids": [grid] });
    assert_eq!(
        app.post("/api/v1/party-branches", &admin.token, branch.clone())
            .await
            .status,
        201
    );
    let again = app.post("/api/v1/party-branches", &admin.token, branch).await;
    assert_eq!(
        (again.status, again.code()),
        (409, "grid_already_in_branch"),
        "{again:?}"
    );
}

#[tokio::test]
async fn an_import_names_communities_by_subdistrict_when_one_name_is_in_two() {
    let app = spawn_app().await;
    let admin = app.district_admin().await;
    let north = app.create_subdistrict(&admin, "济北街道").await;
    let south = app.create_subdistrict(&admin, "回河街道").await;
    let here = app.create_community(&admin, north, "龙海社区").await;
    let there = app.create_community(&admin, south, "龙海社区").await;

    let ambiguous = app
        .import_csv(
            &admin.token,
            "community,name,kind,households,buildings\n龙海社区,一网格,reserved,0,\n",
        )
        .await;
    assert_eq!((ambiguous.status, ambiguous.code()), (422, "import_rejected"));
    assert_eq!(
        ambiguous.body["details"]["errors"][0]["code"],
        "community_ambiguous"
    );

    let by_path = app
        .import_csv(
            &admin.token,
            "街道,社区,网格,类型,户数,楼栋\n济北街道,龙海社区,一网格,reserved,0,\n回河街道,龙海社区,一网格,reserved,0,\n",
        )
        .await;
    assert_eq!(by_path.status, 201, "{by_path:?}");
    for community in [here, there] {
        let grids = app
            .get(&format!("/api/v1/grids?community_id={community}"), &admin.token)
            .await;
        assert_eq!(grids.body["items"].as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn names_with_bidirectional_overrides_are_refused() {
    let app = spawn_app().await;
    let admin = app.district_admin().await;
    let subdistrict = app.create_subdistrict(&admin, "济北街道").await;
    // Displays as "龙海社区" followed by reversed text: a name that lies about itself.
    let reply = app
        .post(
            "/api/v1/communities",
            &admin.token,
            json!({ "subdistrict_id": subdistrict, "name": "龙海\u{202E}区社" }),
        )
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (400, "validation_failed"),
        "{reply:?}"
    );
    let me = app
        .patch("/api/v1/me", &admin.token, json!({ "nickname": "小\u{2066}王" }))
        .await;
    assert_eq!((me.status, me.code()), (400, "validation_failed"), "{me:?}");
}
