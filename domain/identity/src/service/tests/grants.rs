//! Granting and revoking roles, listing grants, and console grants by openid.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::*;

#[tokio::test]
async fn a_community_admin_grants_grid_worker_at_a_grid_of_its_own_community() {
    let w = world();
    let admin = actor(Role::CommunityAdmin, w.community.scope);
    let worker = w.resident("o-worker", &w.building).await;

    let view = granted_at_once(
        w.grants
            .grant(&admin, request(worker.id, Role::GridWorker, w.grid.scope))
            .await,
    );

    assert_eq!(view.node.as_ref(), Some(&w.grid));
    assert_eq!(view.grant.granted_by(), Some(admin.user_id()));
    // The worker lives in the admin's community: whole to the admin.
    let person = view.person.unwrap();
    assert_eq!(person.phone.as_deref(), Some("13812345678"));
    assert!(!person.masked);
    let stored = w.repo.grants();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].grant, view.grant);
    assert_eq!(stored[0].path, w.grid.path, "kept with the path of its scope");
    let events = w.repo.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, "role_grant.created");
    assert_eq!(events[0].topic, format!("user:{}", worker.id));
    assert_eq!(w.repo.audit_actions(), vec!["granted"]);
}

#[tokio::test]
async fn a_community_admin_cannot_grant_in_another_community_and_is_told_it_does_not_exist() {
    let w = world();
    let admin = actor(Role::CommunityAdmin, w.community.scope);
    let someone = w.user("o-someone").await;

    for scope in [w.other_grid.scope, w.other_community.scope] {
        let role = if scope.kind() == ScopeKind::Grid {
            Role::GridWorker
        } else {
            Role::CommunityAdmin
        };
        assert!(matches!(
            w.grants.grant(&admin, request(someone.id, role, scope)).await,
            Err(IdentityError::NotFound(Resource::Scope))
        ));
    }
    // The district is no secret: refused as forbidden.
    assert!(matches!(
        w.grants
            .grant(&admin, request(someone.id, Role::DistrictAdmin, Scope::District))
            .await,
        Err(IdentityError::Forbidden)
    ));
    assert!(w.repo.grants().is_empty());
    assert!(w.repo.events().is_empty());
}

#[tokio::test]
async fn a_grid_worker_cannot_grant_even_in_its_own_grid() {
    let w = world();
    let worker = actor(Role::GridWorker, w.grid.scope);
    let someone = w.user("o-someone").await;

    assert!(matches!(
        w.grants
            .grant(&worker, request(someone.id, Role::GridWorker, w.grid.scope))
            .await,
        Err(IdentityError::Forbidden)
    ));
    assert!(matches!(
        w.grants
            .grant(&worker, request(someone.id, Role::GridWorker, w.other_grid.scope))
            .await,
        Err(IdentityError::NotFound(Resource::Scope))
    ));
    assert!(w.repo.grants().is_empty());
}

#[tokio::test]
async fn a_role_at_the_wrong_scope_kind_is_refused() {
    let w = world();
    let someone = w.user("o-someone").await;

    let refused = w
        .grants
        .grant(
            &district_admin(),
            request(someone.id, Role::GridWorker, w.community.scope),
        )
        .await;

    assert!(matches!(
        refused,
        Err(IdentityError::GrantShape(GrantShapeError::WrongScopeKind {
            role: Role::GridWorker,
            expected: ScopeKind::Grid,
            given: ScopeKind::Community,
        }))
    ));
    assert!(w.repo.grants().is_empty());
}

#[tokio::test]
async fn implicit_roles_are_never_granted() {
    let w = world();
    let someone = w.user("o-someone").await;

    for (role, scope) in [
        (Role::Resident, Scope::District),
        (Role::Volunteer, w.grid.scope),
        (Role::PartyMember, w.community.scope),
    ] {
        assert!(matches!(
            w.grants.grant(&district_admin(), request(someone.id, role, scope)).await,
            Err(IdentityError::RoleNotGrantable(r)) if r == role
        ));
    }
    assert!(w.repo.grants().is_empty());
}

#[tokio::test]
async fn a_side_scope_kind_no_context_registered_is_unsupported_until_one_does() {
    let w = world();
    let unit = w.directory.side(SideKind::UNIT, &w.grid, "供电公司");
    let someone = w.resident("o-someone", &w.building).await;
    let admin = district_admin();
    let grant_unit_admin = || {
        w.grants
            .grant(&admin, request(someone.id, Role::UnitAdmin, unit.scope))
    };

    assert!(matches!(
        grant_unit_admin().await,
        Err(IdentityError::ScopeKindUnsupported(ScopeKind::Side(kind))) if kind == SideKind::UNIT
    ));
    assert!(w.repo.grants().is_empty());

    w.directory.register(SideKind::UNIT);
    let view = granted_at_once(grant_unit_admin().await);
    assert_eq!(view.node.as_ref(), Some(&unit));
    assert_eq!(w.repo.grants()[0].path, unit.path);
}

#[tokio::test]
async fn granting_at_a_node_that_does_not_exist_is_not_found() {
    let w = world();
    let someone = w.user("o-someone").await;

    assert!(matches!(
        w.grants
            .grant(
                &district_admin(),
                request(someone.id, Role::GridWorker, Scope::Grid(GridId::new()))
            )
            .await,
        Err(IdentityError::NotFound(Resource::Scope))
    ));
    assert!(w.repo.grants().is_empty());
    assert!(w.repo.events().is_empty());
}

#[tokio::test]
async fn granting_a_role_someone_already_holds_at_that_scope_is_a_duplicate() {
    let w = world();
    let admin = actor(Role::CommunityAdmin, w.community.scope);
    let worker = w.resident("o-worker", &w.building).await;
    let grant = |scope| {
        w.grants
            .grant(&admin, request(worker.id, Role::GridWorker, scope))
    };

    grant(w.grid.scope).await.unwrap();
    assert!(matches!(
        grant(w.grid.scope).await,
        Err(IdentityError::DuplicateGrant)
    ));
    assert_eq!(w.repo.grants().len(), 1);
    assert_eq!(w.repo.audit_actions(), vec!["granted"]);

    // Another role at the same grid is another grant.
    w.grants
        .grant(&admin, request(worker.id, Role::GridLeader, w.grid.scope))
        .await
        .unwrap();
    assert_eq!(w.repo.grants().len(), 2);
}

#[tokio::test]
async fn revoking_a_grant_outside_ones_scope_is_not_found_and_inside_it_without_the_right_forbidden() {
    let w = world();
    let worker = w.user("o-worker").await;
    let beside = w.granted(worker.id, Role::GridWorker, w.other_grid.scope).await;
    let own = w.granted(worker.id, Role::GridWorker, w.grid.scope).await;
    let admin = actor(Role::CommunityAdmin, w.community.scope);
    let leader = actor(Role::GridLeader, w.grid.scope);

    assert!(matches!(
        w.grants.revoke(&admin, beside.id()).await,
        Err(IdentityError::NotFound(Resource::RoleGrant))
    ));
    assert!(matches!(
        w.grants.revoke(&leader, own.id()).await,
        Err(IdentityError::Forbidden)
    ));
    assert_eq!(w.repo.grants().len(), 2, "nothing was revoked");
    assert_eq!(
        w.repo.event_kinds(),
        vec!["role_grant.created", "role_grant.created"]
    );
}

#[tokio::test]
async fn an_admin_revokes_a_grant_in_its_scope_once() {
    let w = world();
    let worker = w.user("o-worker").await;
    let grant = w.granted(worker.id, Role::GridWorker, w.grid.scope).await;
    let admin = actor(Role::CommunityAdmin, w.community.scope);

    w.grants.revoke(&admin, grant.id()).await.unwrap();

    assert!(w.repo.grants_of(worker.id).await.unwrap().is_empty());
    let events = w.repo.events();
    assert_eq!(events.last().unwrap().kind, "role_grant.revoked");
    assert_eq!(events.last().unwrap().topic, format!("user:{}", worker.id));
    assert!(matches!(
        w.grants.revoke(&admin, grant.id()).await,
        Err(IdentityError::NotFound(Resource::RoleGrant))
    ));
    assert_eq!(w.repo.events().len(), 2, "a second revoke records nothing");
}

#[tokio::test]
async fn of_two_admins_revoking_one_grant_at_once_one_revokes_and_the_other_finds_nothing() {
    let w = world();
    let worker = w.user("o-worker").await;
    let grant = w.granted(worker.id, Role::GridWorker, w.grid.scope).await;
    let (admin, other_admin) = (district_admin(), district_admin());

    // Both find the grant before either deletes it (the fake yields after each read).
    let (a, b) = tokio::join!(
        w.grants.revoke(&admin, grant.id()),
        w.grants.revoke(&other_admin, grant.id())
    );

    let outcomes = [a, b];
    assert_eq!(outcomes.iter().filter(|r| r.is_ok()).count(), 1);
    assert!(
        outcomes
            .iter()
            .any(|r| matches!(r, Err(IdentityError::NotFound(Resource::RoleGrant))))
    );
    assert_eq!(
        w.repo.event_kinds(),
        vec!["role_grant.created", "role_grant.revoked"]
    );
}

#[tokio::test]
async fn the_listing_shows_only_the_grants_inside_the_actors_reach() {
    let w = world();
    let (a, b, c, d) = (
        w.user("o-a").await,
        w.user("o-b").await,
        w.user("o-c").await,
        w.user("o-d").await,
    );
    let at_grid = w.granted(a.id, Role::GridWorker, w.grid.scope).await;
    let beside = w.granted(b.id, Role::GridWorker, w.other_grid.scope).await;
    let at_community = w.granted(c.id, Role::CommunityAdmin, w.community.scope).await;
    let at_building = w.granted(d.id, Role::StairwellLeader, w.building.scope).await;
    let listed = |actor: Actor, user: Option<UserId>| {
        let grants = &w.grants;
        async move {
            let mut ids: Vec<_> = grants
                .list(&actor, user, page())
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|v| v.grant.id())
                .collect();
            ids.sort();
            ids
        }
    };
    let sorted = |mut ids: Vec<_>| {
        ids.sort();
        ids
    };

    assert_eq!(
        listed(actor(Role::CommunityAdmin, w.community.scope), None).await,
        sorted(vec![at_grid.id(), at_community.id(), at_building.id()])
    );
    // A grid's staff see what lies under the grid, not the community above it.
    assert_eq!(
        listed(actor(Role::GridWorker, w.grid.scope), None).await,
        sorted(vec![at_grid.id(), at_building.id()])
    );
    assert_eq!(
        listed(district_admin(), None).await,
        sorted(vec![
            at_grid.id(),
            beside.id(),
            at_community.id(),
            at_building.id()
        ])
    );
    assert_eq!(listed(district_admin(), Some(b.id)).await, vec![beside.id()]);
    // A Party member sees no structure, so no grants.
    assert!(
        listed(actor(Role::PartyMember, w.community.scope), None)
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn a_stairwell_leader_sees_its_buildings_grants_with_everyone_but_itself_masked() {
    let w = world();
    let leader = w.resident("o-leader", &w.building).await;
    // The other leader lives in the other community.
    let other = w.resident("o-other", &w.other_building).await;
    w.granted(leader.id, Role::StairwellLeader, w.building.scope)
        .await;
    w.granted(other.id, Role::StairwellLeader, w.building.scope).await;
    let as_leader = w.as_holder(&leader, vec![(Role::StairwellLeader, w.building.scope)]);

    let listed = w.grants.list(&as_leader, None, page()).await.unwrap().items;

    assert_eq!(listed.len(), 2);
    let person = |id: UserId| {
        listed
            .iter()
            .find(|v| v.grant.user_id() == id)
            .and_then(|v| v.person.clone())
            .unwrap()
    };
    let masked = person(other.id);
    assert!(masked.masked);
    assert_eq!(masked.phone.as_deref(), Some("138****5678"));
    assert_eq!(masked.real_name.as_deref(), Some("王**"));
    assert_eq!(person(leader.id).phone.as_deref(), Some("13812345678"));
    assert!(listed.iter().all(|v| v.node.as_ref() == Some(&w.building)));

    // The community's admin covers the other leader through the grant at the building.
    let admin = actor(Role::CommunityAdmin, w.community.scope);
    let seen = w.grants.list(&admin, Some(other.id), page()).await.unwrap();
    let whole = seen.items[0].person.clone().unwrap();
    assert!(!whole.masked);
    assert_eq!(whole.phone.as_deref(), Some("13812345678"));
}

#[tokio::test]
async fn the_listing_pages_in_the_order_grants_were_made() {
    let w = world();
    let mut made = Vec::new();
    for openid in ["o-1", "o-2", "o-3"] {
        let user = w.user(openid).await;
        made.push(w.granted(user.id, Role::GridWorker, w.grid.scope).await.id());
    }
    let two = PageRequest::new(Some(2), None).unwrap();

    let first = w.grants.list(&district_admin(), None, two).await.unwrap();
    let ids: Vec<_> = first.items.iter().map(|v| v.grant.id()).collect();
    assert_eq!(ids, made[..2].to_vec());
    let after = first.next_after.expect("a second page");
    let rest = w
        .grants
        .list(
            &district_admin(),
            None,
            PageRequest::new(Some(2), Some(after)).unwrap(),
        )
        .await
        .unwrap();
    let ids: Vec<_> = rest.items.iter().map(|v| v.grant.id()).collect();
    assert_eq!(ids, vec![made[2]]);
    assert_eq!(rest.next_after, None);
}

#[tokio::test]
async fn ensure_by_openid_creates_the_user_once_and_the_grant_once() {
    let w = world();

    let first = w
        .grants
        .ensure_by_openid("o-admin", Role::DistrictAdmin, Scope::District)
        .await
        .unwrap();
    let again = w
        .grants
        .ensure_by_openid("o-admin", Role::DistrictAdmin, Scope::District)
        .await
        .unwrap();

    assert_eq!(again.id(), first.id());
    assert_eq!(first.granted_by(), None, "the console is nobody");
    assert_eq!(w.repo.users().len(), 1);
    assert_eq!(w.repo.grants().len(), 1);
    assert_eq!(w.repo.event_kinds(), vec!["role_grant.created"]);

    // The user made for the console is the one who later logs in with that openid.
    w.wechat.login_code("code-1", "o-admin");
    let pair = w.auth.wechat_login("code-1").await.unwrap();
    assert_eq!(pair.user.id, first.user_id());
    let actor = w.auth.authenticate(&pair.access.token).await.unwrap();
    assert_eq!(actor.grants(), &[(Role::DistrictAdmin, Scope::District)]);
}

#[tokio::test]
async fn ensure_by_openid_refuses_a_grant_that_cannot_be_made_before_creating_anyone() {
    let w = world();

    assert!(matches!(
        w.grants
            .ensure_by_openid("o-new", Role::Resident, Scope::District)
            .await,
        Err(IdentityError::RoleNotGrantable(Role::Resident))
    ));
    assert!(matches!(
        w.grants
            .ensure_by_openid("o-new", Role::GridWorker, Scope::Grid(GridId::new()))
            .await,
        Err(IdentityError::NotFound(Resource::Scope))
    ));
    assert!(matches!(
        w.grants
            .ensure_by_openid(
                "o-new",
                Role::UnitAdmin,
                Scope::Side(SideKind::UNIT, uuid::Uuid::now_v7())
            )
            .await,
        Err(IdentityError::ScopeKindUnsupported(_))
    ));
    assert!(
        w.repo.users().is_empty(),
        "a refused console grant leaves no user behind"
    );
}
