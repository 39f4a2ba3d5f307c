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

#[tokio::test]
async fn team_changes_leave_a_grant_and_a_revocation_in_the_audit_trail() {
    let app = spawn_app().await;
    let world = app.world().await;
    let a = &world.a;
    let path = format!("/api/v1/grids/{}/team", a.grids[0]);
    let leader = a.resident.user_id;
    let named = app
        .put(
            &path,
            &a.admin.token,
            json!({ "leader_id": leader, "worker_ids": [a.worker.user_id] }),
        )
        .await;
    assert_eq!(named.status, 200, "{named:?}");
    let other = app
        .put(&path, &a.admin.token, json!({ "leader_id": a.worker.user_id }))
        .await;
    assert_eq!(other.status, 200, "{other:?}");
    let trail = app
        .get("/api/v1/role-grants/audit?limit=100", &a.admin.token)
        .await;
    assert_eq!(trail.status, 200);
    let about_leader: Vec<(&str, &str, &serde_json::Value)> = trail.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["user_id"] == leader.to_string())
        .map(|r| {
            (
                r["action"].as_str().unwrap(),
                r["role"].as_str().unwrap(),
                &r["actor_id"],
            )
        })
        .collect();
    let admin_id = json!(a.admin.user_id);
    assert_eq!(
        about_leader,
        vec![
            ("granted", "grid_leader", &admin_id),
            ("revoked", "grid_leader", &admin_id)
        ]
    );
}

#[tokio::test]
async fn ten_concurrent_identical_appointments_make_one_invitation() {
    let app = spawn_app().await;
    let world = app.world().await;
    let (a, boss) = (&world.a, &world.district_admin);
    let body =
        json!({ "user_id": boss.user_id, "role": "grid_worker", "scope": format!("grid:{}", a.grids[0]) });
    let replies = futures_util::future::join_all(
        (0..10).map(|_| app.post("/api/v1/role-grants", &a.admin.token, body.clone())),
    )
    .await;
    let ids: Vec<String> = replies
        .iter()
        .map(|r| {
            assert_eq!(r.status, 202, "{r:?}");
            r.body["id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    let me = app.get("/api/v1/me", &boss.token).await;
    assert_eq!(me.body["invitations"].as_array().unwrap().len(), 1, "{me:?}");
    let trail = app
        .get("/api/v1/role-grants/audit?limit=100", &a.admin.token)
        .await;
    let invited = trail.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "invited")
        .count();
    assert_eq!(invited, 1);
}
