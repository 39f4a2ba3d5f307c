//! Holes a review found in appointments: naming oneself in a grid team, team changes missing
//! from the audit trail, duplicate invitations under concurrency.

use linli_tests::spawn_app;
use serde_json::json;

#[tokio::test]
async fn an_admin_naming_himself_in_a_grid_team_is_refused_and_gains_nothing() {
    let app = spawn_app().await;
    let world = app.world().await;
    let a = &world.a;
    let path = format!("/api/v1/grids/{}/team", a.grids[0]);
    for body in [
        json!({ "leader_id": a.admin.user_id, "worker_ids": [] }),
        json!({ "leader_id": a.resident.user_id, "worker_ids": [a.admin.user_id] }),
    ] {
        let reply = app.put(&path, &a.admin.token, body).await;
        assert_eq!((reply.status, reply.code()), (403, "self_grant"), "{reply:?}");
    }
    let me = app.get("/api/v1/me", &a.admin.token).await;
    let roles: Vec<&str> = me.body["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, vec!["community_admin"]);
}
