//! Appointments without takeovers or masking bypass: ranks (no peer names or removes a
//! peer, no one appoints themselves), invitations for people the appointer does not cover,
//! the audit trail, and answers that never tell an unknown user from one out of scope.

use linli_kernel::{Role, Scope};
use linli_tests::{Reply, TestApp, spawn_app};
use serde_json::{Value, json};
use uuid::Uuid;

async fn appoint(app: &TestApp, token: &str, user: Uuid, role: &str, scope: String) -> Reply {
    app.post(
        "/api/v1/role-grants",
        token,
        json!({ "user_id": user, "role": role, "scope": scope }),
    )
    .await
}

/// The id of `user`'s grant of `role`, as the district admin lists it.
async fn grant_of(app: &TestApp, admin: &str, user: Uuid, role: &str) -> Uuid {
    let listed = app
        .get(&format!("/api/v1/role-grants?user_id={user}"), admin)
        .await;
    listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["role"] == role)
        .and_then(|g| g["id"].as_str())
        .unwrap()
        .parse()
        .unwrap()
}

fn roles(me: &Reply) -> Vec<String> {
    me.body["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["role"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_community_admin_cannot_make_a_peer_or_remove_one_or_appoint_itself() {
    let app = spawn_app().await;
    let world = app.world().await;
    let (a, admin) = (&world.a, &world.a.admin.token);
    let community = format!("community:{}", a.id);

    let peer = appoint(
        &app,
        admin,
        a.resident.user_id,
        "community_admin",
        community.clone(),
    )
    .await;
    assert_eq!((peer.status, peer.code()), (403, "insufficient_rank"), "{peer:?}");
    let itself = appoint(
        &app,
        admin,
        a.admin.user_id,
        "grid_worker",
        format!("grid:{}", a.grids[0]),
    )
    .await;
    assert_eq!((itself.status, itself.code()), (403, "self_grant"));
    for role in ["party_member", "volunteer", "resident"] {
        let scope = if role == "party_member" {
            community.clone()
        } else {
            "district".to_owned()
        };
        let reply = appoint(&app, admin, a.resident.user_id, role, scope).await;
        assert_eq!(
            (reply.status, reply.code()),
            (422, "role_not_grantable"),
            "{role}"
        );
    }

    // A second admin of the same community (named by the console) cannot be removed by the
    // first, nor can the first remove itself; the subdistrict's admin can.
    let second = app
        .staff(Role::CommunityAdmin, Scope::Community(a.id.into()))
        .await;
    let district = &world.district_admin.token;
    let second_grant = grant_of(&app, district, second.user_id, "community_admin").await;
    let own_grant = grant_of(&app, district, a.admin.user_id, "community_admin").await;
    let takeover = app
        .delete(&format!("/api/v1/role-grants/{second_grant}"), admin)
        .await;
    assert_eq!((takeover.status, takeover.code()), (403, "insufficient_rank"));
    let back = app
        .delete(&format!("/api/v1/role-grants/{own_grant}"), &second.token)
        .await;
    assert_eq!((back.status, back.code()), (403, "insufficient_rank"));
    let resign = app
        .delete(&format!("/api/v1/role-grants/{own_grant}"), admin)
        .await;
    assert_eq!((resign.status, resign.code()), (403, "self_revoke"));
    let subdistrict = app
        .staff(
            Role::SubdistrictAdmin,
            Scope::Subdistrict(world.subdistrict.into()),
        )
        .await;
    let removed = app
        .delete(&format!("/api/v1/role-grants/{second_grant}"), &subdistrict.token)
        .await;
    assert_eq!(removed.status, 204);

    // District admins are peers too: only the console makes or removes one.
    let made = appoint(
        &app,
        district,
        a.resident.user_id,
        "district_admin",
        "district".into(),
    )
    .await;
    assert_eq!((made.status, made.code()), (403, "insufficient_rank"));
}

#[tokio::test]
async fn appointing_the_district_admin_is_an_invitation_it_accepts_and_every_step_is_audited() {
    let app = spawn_app().await;
    let world = app.world().await;
    let (a, boss) = (&world.a, &world.district_admin);
    let grid = a.grids[0];

    let invited = appoint(
        &app,
        &a.admin.token,
        boss.user_id,
        "grid_worker",
        format!("grid:{grid}"),
    )
    .await;
    assert_eq!(invited.status, 202, "{invited:?}");
    assert_eq!(invited.body["status"], "pending");
    assert_eq!(
        invited.body["person"],
        json!({ "id": boss.user_id, "nickname": null, "real_name": null, "phone": null, "masked": true })
    );
    let invitation = invited.id();
    let me = app.get("/api/v1/me", &boss.token).await;
    assert_eq!(roles(&me), vec!["district_admin"], "no role until accepted");
    assert_eq!(me.body["invitations"][0]["id"], invitation.to_string());
    assert_eq!(
        me.body["invitations"][0]["place"]["name"],
        format!("{}一网格", a.name)
    );

    // Only the invitee answers; anyone else is told there is no such invitation.
    let path = format!("/api/v1/me/invitations/{invitation}/accept");
    let by_other = app.post(&path, &a.admin.token, json!({})).await;
    assert_eq!((by_other.status, by_other.code()), (404, "invitation_not_found"));
    let accepted = app.post(&path, &boss.token, json!({})).await;
    assert_eq!(accepted.status, 201, "{accepted:?}");
    let me = app.get("/api/v1/me", &boss.token).await;
    assert!(roles(&me).contains(&"grid_worker".to_owned()));
    assert_eq!(me.body["invitations"], json!([]));
    let again = app.post(&path, &boss.token, json!({})).await;
    assert_eq!((again.status, again.code()), (409, "invitation_void"));

    let revoked = app
        .delete(&format!("/api/v1/role-grants/{}", accepted.id()), &a.admin.token)
        .await;
    assert_eq!(revoked.status, 204);
    let trail = app
        .get("/api/v1/role-grants/audit?limit=100", &a.admin.token)
        .await;
    assert_eq!(trail.status, 200);
    let about_boss: Vec<(&str, &Value)> = trail.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["user_id"] == boss.user_id.to_string())
        .map(|r| (r["action"].as_str().unwrap(), &r["actor_id"]))
        .collect();
    let admin_id = json!(a.admin.user_id);
    assert_eq!(
        about_boss,
        vec![
            ("invited", &admin_id),
            // The community admin does not cover the district admin: who acted is not named.
            ("accepted", &Value::Null),
            ("revoked", &admin_id),
        ]
    );
}

#[tokio::test]
async fn a_declined_invitation_is_void_and_the_audit_stays_in_its_scope() {
    let app = spawn_app().await;
    let world = app.world().await;
    let (a, b) = (&world.a, &world.b);

    let invited = appoint(
        &app,
        &a.admin.token,
        b.resident.user_id,
        "stairwell_leader",
        format!("building:{}", a.building),
    )
    .await;
    assert_eq!(invited.status, 202);
    let id = invited.id();
    let declined = app
        .post(
            &format!("/api/v1/me/invitations/{id}/decline"),
            &b.resident.token,
            json!({}),
        )
        .await;
    assert_eq!(declined.status, 204);
    let late = app
        .post(
            &format!("/api/v1/me/invitations/{id}/accept"),
            &b.resident.token,
            json!({}),
        )
        .await;
    assert_eq!((late.status, late.code()), (409, "invitation_void"));
    let me = app.get("/api/v1/me", &b.resident.token).await;
    assert_eq!(me.body["invitations"], json!([]));
    assert_eq!(roles(&me), Vec::<String>::new());

    let actions_for = |token: String| {
        let app = &app;
        async move {
            let reply = app.get("/api/v1/role-grants/audit?limit=100", &token).await;
            assert_eq!(reply.status, 200);
            reply.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["invitation_id"] == id.to_string())
                .map(|r| r["action"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        actions_for(a.admin.token.clone()).await,
        vec!["invited", "declined"]
    );
    assert_eq!(actions_for(world.district_admin.token.clone()).await.len(), 2);
    // Another community's admin and the invitee see none of it.
    assert!(actions_for(b.admin.token.clone()).await.is_empty());
    let all_b = app
        .get("/api/v1/role-grants/audit?limit=100", &b.admin.token)
        .await;
    assert!(
        all_b.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| !r["scope"].as_str().unwrap().contains(&a.building.to_string()))
    );
    assert!(actions_for(b.resident.token.clone()).await.is_empty());
}

#[tokio::test]
async fn an_unknown_user_and_one_outside_the_scope_get_the_same_answer() {
    let app = spawn_app().await;
    let world = app.world().await;
    let (a, outsider, nobody) = (&world.a, world.b.resident.user_id, Uuid::now_v7());
    let grid = format!("grid:{}", a.grids[1]);

    let to_outsider = appoint(&app, &a.admin.token, outsider, "grid_worker", grid.clone()).await;
    let to_nobody = appoint(&app, &a.admin.token, nobody, "grid_worker", grid).await;
    let shape = |r: &Reply, id: Uuid| {
        let mut body = r.body.clone();
        assert_eq!(body["person"]["id"], id.to_string());
        for field in ["id", "created_at", "expires_at"] {
            body[field] = Value::Null;
        }
        body["person"]["id"] = Value::Null;
        (r.status, body)
    };
    assert_eq!(shape(&to_outsider, outsider), shape(&to_nobody, nobody));
    assert_eq!(to_outsider.status, 202);

    // Naming them in a grid team: the same refusal, word for word.
    let path = format!("/api/v1/grids/{}/team", a.grids[1]);
    let team = |leader: Uuid| {
        app.put(
            &path,
            &a.admin.token,
            json!({ "leader_id": leader, "worker_ids": [], "stairwell_leaders": [] }),
        )
    };
    let (t_outsider, t_nobody) = (team(outsider).await, team(nobody).await);
    assert_eq!(
        (t_outsider.status, t_outsider.code()),
        (422, "invitation_required"),
        "{t_outsider:?}"
    );
    assert_eq!(
        (t_outsider.status, t_outsider.code(), &t_outsider.body["message"]),
        (t_nobody.status, t_nobody.code(), &t_nobody.body["message"])
    );
    // Asking for their grants: an empty list either way.
    for id in [outsider, nobody] {
        let listed = app
            .get(&format!("/api/v1/role-grants?user_id={id}"), &a.admin.token)
            .await;
        assert_eq!((listed.status, &listed.body["items"]), (200, &json!([])));
    }
}
