//! Identity's rules, tested against the in-memory fakes of its ports: who may grant what
//! where, what a login, a refresh and a logout do to a session, and what a profile accepts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use chrono::Duration;
use linli_kernel::ports::{Clock, PersonDirectory, ScopeDirectory, ScopeNode};
use linli_kernel::roles::GrantShapeError;
use linli_kernel::{
    Actor, BuildingId, GridId, PageRequest, Role, RoleGrant, Scope, ScopeKind, SideKind, UserId,
};

use crate::appointments::{AuditAction, AuditEntry};
use crate::ports::{RoleGrantRepository, UserRepository, WechatFailure};
use crate::testing::{FakeDirectory, FakeTokens, FakeWechat, InMemoryIdentity, ManualClock};
use crate::{
    AuthService, AuthSettings, GrantOutcome, GrantRequest, GrantService, GrantView, IdentityError, OpenId,
    PhoneNumber, ProfileService, RealName, Residence, Resource, TokenPair, User, UserUpdate,
};

/// Ranks, self-appointment, invitations and the audit trail.
#[path = "grant_tests.rs"]
mod grant_tests;

const TTL_DAYS: i64 = 30;

/// A district with two communities side by side, each with a grid and a building, and the
/// services wired to fakes that share their rows.
struct World {
    repo: InMemoryIdentity,
    wechat: FakeWechat,
    directory: FakeDirectory,
    clock: ManualClock,
    auth: AuthService<InMemoryIdentity, FakeWechat, FakeTokens, ManualClock>,
    grants: GrantService<InMemoryIdentity, FakeDirectory, ManualClock>,
    profile: ProfileService<InMemoryIdentity, FakeWechat, FakeDirectory, ManualClock>,
    community: ScopeNode,
    grid: ScopeNode,
    building: ScopeNode,
    other_community: ScopeNode,
    other_grid: ScopeNode,
    other_building: ScopeNode,
}

fn world() -> World {
    world_with(true)
}

fn world_with(dev_login_enabled: bool) -> World {
    let repo = InMemoryIdentity::default();
    let wechat = FakeWechat::default();
    let directory = FakeDirectory::default();
    let clock = ManualClock::default();
    let subdistrict = directory.subdistrict("济阳街道");
    let community = directory.community(&subdistrict, "幸福里社区");
    let grid = directory.grid(&community, "三网格");
    let building = directory.building(&grid, "1号楼");
    let other_community = directory.community(&subdistrict, "和平里社区");
    let other_grid = directory.grid(&other_community, "一网格");
    let other_building = directory.building(&other_grid, "8号楼");
    let settings = AuthSettings {
        dev_login_enabled,
        refresh_token_ttl: Duration::days(TTL_DAYS),
        session_max_lifetime: Duration::days(90),
        // The rules of reuse without the leeway; `refresh_tests` covers the leeway.
        refresh_reuse_leeway: Duration::zero(),
    };
    World {
        auth: AuthService::new(
            repo.clone(),
            wechat.clone(),
            FakeTokens::default(),
            clock.clone(),
            settings,
        ),
        grants: GrantService::new(repo.clone(), directory.clone(), clock.clone()),
        profile: ProfileService::new(repo.clone(), wechat.clone(), directory.clone(), clock.clone()),
        repo,
        wechat,
        directory,
        clock,
        community,
        grid,
        building,
        other_community,
        other_grid,
        other_building,
    }
}

/// Someone holding one role, who need not be a stored user.
fn actor(role: Role, scope: Scope) -> Actor {
    Actor::new(UserId::new(), None, vec![(role, scope)])
}

fn district_admin() -> Actor {
    actor(Role::DistrictAdmin, Scope::District)
}

fn request(user_id: UserId, role: Role, scope: Scope) -> GrantRequest {
    GrantRequest { user_id, role, scope }
}

fn page() -> PageRequest {
    PageRequest::new(None, None).unwrap()
}

impl World {
    async fn user(&self, openid: &str) -> User {
        let openid = OpenId::parse(openid).unwrap();
        self.repo
            .upsert_by_openid(&openid, None, self.clock.now())
            .await
            .unwrap()
    }

    /// A user with a real name and a phone number, living in `building`.
    async fn resident(&self, openid: &str, building: &ScopeNode) -> User {
        let user = self.user(openid).await;
        let Scope::Building(id) = building.scope else {
            panic!("{} is not a building", building.name)
        };
        let update = UserUpdate {
            real_name: Some(RealName::parse("王建国").unwrap()),
            phone: Some(PhoneNumber::parse("13812345678").unwrap()),
            residence: Some(Residence {
                building: id,
                path: building.path,
            }),
            ..UserUpdate::default()
        };
        self.repo
            .update_user(user.id, &update, self.clock.now(), &[])
            .await
            .unwrap();
        self.repo.find_user(user.id).await.unwrap().unwrap()
    }

    /// A grant stored as the console would make it (no ranks, no invitation).
    async fn granted(&self, user: UserId, role: Role, scope: Scope) -> RoleGrant {
        let now = self.clock.now();
        let path = self.directory.describe(scope).await.unwrap().unwrap().path;
        let grant = RoleGrant::new(user, role, scope, None, now).unwrap();
        let event = crate::events::IdentityEvent::granted(&grant).at(now);
        let audit = AuditEntry::new(None, AuditAction::Granted, (role, scope, path), user, now);
        self.repo
            .insert_grant(&grant, &path, &event, &audit)
            .await
            .unwrap();
        grant
    }

    /// The same person, as the actor holding exactly `grants`.
    fn as_holder(&self, user: &User, grants: Vec<(Role, Scope)>) -> Actor {
        Actor::new(user.id, None, grants)
    }

    async fn login(&self, openid: &str) -> TokenPair {
        self.auth.dev_login(openid, None).await.unwrap()
    }

    async fn logged_in(&self, openid: &str) -> Actor {
        let pair = self.login(openid).await;
        self.auth.authenticate(&pair.access.token).await.unwrap()
    }
}

// ---------------------------------------------------------------------------------------
// Granting and revoking roles
// ---------------------------------------------------------------------------------------

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

/// The grant an appointment made at once; an invitation is a test failure.
fn granted_at_once(outcome: Result<GrantOutcome, IdentityError>) -> GrantView {
    match outcome {
        Ok(GrantOutcome::Granted(view)) => view,
        other => panic!("expected a grant at once, got {other:?}"),
    }
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

// ---------------------------------------------------------------------------------------
// Logging in, refreshing, logging out, authenticating
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn dev_login_answers_only_when_enabled() {
    let off = world_with(false);
    assert!(!off.auth.dev_login_enabled());
    assert!(matches!(
        off.auth.dev_login("o-dev", None).await,
        Err(IdentityError::DevLoginDisabled)
    ));
    assert!(off.repo.users().is_empty());

    let on = world();
    let pair = on.auth.dev_login("o-dev", Some("老王")).await.unwrap();
    assert_eq!(pair.user.nickname.as_ref().map(|n| n.as_str()), Some("老王"));
    let actor = on.auth.authenticate(&pair.access.token).await.unwrap();
    assert_eq!(actor.user_id(), pair.user.id);
    assert!(matches!(
        on.auth.dev_login("not an openid", None).await,
        Err(IdentityError::Validation(_))
    ));
}

#[tokio::test]
async fn a_wechat_login_creates_the_user_once_per_openid() {
    let w = world();
    w.wechat.login_code("code-1", "o-wx");
    w.wechat.login_code_with_unionid("code-2", "o-wx", Some("u-wx"));
    w.wechat.login_code("code-3", "o-other");

    let first = w.auth.wechat_login("code-1").await.unwrap();
    let second = w.auth.wechat_login("code-2").await.unwrap();
    let other = w.auth.wechat_login("code-3").await.unwrap();

    assert_eq!(first.user.id, second.user.id);
    assert_ne!(first.user.id, other.user.id);
    assert_eq!(w.repo.users().len(), 2);
    assert_eq!(
        second.user.unionid.as_ref().map(|u| u.as_str()),
        Some("u-wx"),
        "a unionid WeChat gives later is kept"
    );
    assert_ne!(first.refresh_token, second.refresh_token, "a session per login");
    // A code works once.
    assert!(matches!(
        w.auth.wechat_login("code-1").await,
        Err(IdentityError::InvalidCode)
    ));
}

#[tokio::test]
async fn wechat_refusals_are_told_apart_and_create_no_one() {
    let w = world();
    w.wechat.login_code("code-1", "o-wx");
    let cases = [
        WechatFailure::InvalidCode,
        WechatFailure::RateLimited,
        WechatFailure::RiskyUser,
        WechatFailure::Unavailable("timed out".to_owned()),
        WechatFailure::Rejected {
            errcode: 40013,
            errmsg: "invalid appid".to_owned(),
        },
    ];
    for failure in cases {
        w.wechat.fail_with(failure.clone());
        let error = w.auth.wechat_login("code-1").await.unwrap_err();
        let told = match (&failure, &error) {
            (WechatFailure::InvalidCode, IdentityError::InvalidCode)
            | (WechatFailure::RateLimited, IdentityError::WechatRateLimited)
            | (WechatFailure::RiskyUser, IdentityError::WechatUserBlocked) => true,
            (WechatFailure::Unavailable(a), IdentityError::WechatUnavailable(b)) => a == b,
            (
                WechatFailure::Rejected { errcode, .. },
                IdentityError::WechatRejected { errcode: told, .. },
            ) => errcode == told,
            _ => false,
        };
        assert!(told, "{failure:?} came back as {error:?}");
    }
    assert!(matches!(
        w.auth.wechat_login("").await,
        Err(IdentityError::Validation(_))
    ));
    assert!(w.repo.users().is_empty());
}

#[tokio::test]
async fn a_refresh_rotates_the_token_and_the_new_one_works() {
    let w = world();
    let first = w.login("o-user").await;
    let session = w
        .auth
        .authenticate(&first.access.token)
        .await
        .unwrap()
        .session_id();
    w.clock.advance(Duration::minutes(1));

    let second = w.auth.refresh(&first.refresh_token).await.unwrap();

    assert_ne!(second.refresh_token, first.refresh_token);
    assert_eq!(second.user.id, first.user.id);
    let actor = w.auth.authenticate(&second.access.token).await.unwrap();
    assert_eq!(actor.session_id(), session, "the same session goes on");
    let third = w.auth.refresh(&second.refresh_token).await.unwrap();
    assert!(w.auth.authenticate(&third.access.token).await.is_ok());
}

#[tokio::test]
async fn reusing_a_spent_refresh_token_revokes_the_session_for_everyone_holding_it() {
    let w = world();
    let stolen = w.login("o-user").await;
    let elsewhere = w.login("o-user").await;
    let rotated = w.auth.refresh(&stolen.refresh_token).await.unwrap();

    assert!(matches!(
        w.auth.refresh(&stolen.refresh_token).await,
        Err(IdentityError::RefreshTokenReused)
    ));
    assert!(matches!(
        w.auth.refresh(&rotated.refresh_token).await,
        Err(IdentityError::SessionRevoked)
    ));
    assert!(matches!(
        w.auth.authenticate(&rotated.access.token).await,
        Err(IdentityError::SessionRevoked)
    ));
    // The same user's other session is another family of tokens.
    assert!(w.auth.refresh(&elsewhere.refresh_token).await.is_ok());
}

#[tokio::test]
async fn of_two_refreshes_racing_with_one_token_exactly_one_wins_and_the_session_ends() {
    let w = world();
    let pair = w.login("o-user").await;

    // Both read the token unspent before either writes (the fake yields after each read).
    let (a, b) = tokio::join!(
        w.auth.refresh(&pair.refresh_token),
        w.auth.refresh(&pair.refresh_token)
    );

    let (won, lost) = match (a, b) {
        (Ok(won), Err(lost)) | (Err(lost), Ok(won)) => (won, lost),
        (a, b) => panic!("exactly one should win: {a:?} / {b:?}"),
    };
    assert!(matches!(lost, IdentityError::RefreshTokenReused));
    assert!(matches!(
        w.auth.refresh(&won.refresh_token).await,
        Err(IdentityError::SessionRevoked)
    ));
}

#[tokio::test]
async fn an_expired_refresh_token_is_refused() {
    let w = world();
    let kept_fresh = w.login("o-user").await;
    let left_alone = w.login("o-user").await;

    w.clock.advance(Duration::days(TTL_DAYS) - Duration::seconds(1));
    let renewed = w.auth.refresh(&kept_fresh.refresh_token).await.unwrap();
    w.clock.advance(Duration::seconds(1));

    assert!(matches!(
        w.auth.refresh(&left_alone.refresh_token).await,
        Err(IdentityError::InvalidRefreshToken)
    ));
    assert!(
        w.auth.refresh(&renewed.refresh_token).await.is_ok(),
        "a rotated token lives its own time from the rotation"
    );
}

#[tokio::test]
async fn a_spent_token_replayed_after_it_expired_still_revokes_the_session() {
    let w = world();
    let first = w.login("o-user").await;
    w.clock.advance(Duration::days(TTL_DAYS - 1));
    let rotated = w.auth.refresh(&first.refresh_token).await.unwrap();
    w.clock.advance(Duration::days(2));

    // The first token has expired, but that it was spent already says it leaked.
    assert!(matches!(
        w.auth.refresh(&first.refresh_token).await,
        Err(IdentityError::RefreshTokenReused)
    ));
    assert!(matches!(
        w.auth.refresh(&rotated.refresh_token).await,
        Err(IdentityError::SessionRevoked)
    ));
}

#[tokio::test]
async fn a_malformed_or_unknown_refresh_token_is_invalid() {
    let w = world();
    w.login("o-user").await;

    for token in ["short", &"a".repeat(43), &"!".repeat(43)] {
        assert!(
            matches!(
                w.auth.refresh(token).await,
                Err(IdentityError::InvalidRefreshToken)
            ),
            "{token}"
        );
    }
}

#[tokio::test]
async fn logout_ends_the_session_and_only_that_one() {
    let w = world();
    let here = w.login("o-user").await;
    let there = w.login("o-user").await;
    let actor = w.auth.authenticate(&here.access.token).await.unwrap();

    w.auth.logout(&actor).await.unwrap();

    assert!(matches!(
        w.auth.authenticate(&here.access.token).await,
        Err(IdentityError::SessionRevoked)
    ));
    assert!(matches!(
        w.auth.refresh(&here.refresh_token).await,
        Err(IdentityError::SessionRevoked)
    ));
    assert!(matches!(
        w.auth.refresh_actor(&actor).await,
        Err(IdentityError::SessionRevoked)
    ));
    assert!(w.auth.authenticate(&there.access.token).await.is_ok());
    assert!(w.auth.refresh(&there.refresh_token).await.is_ok());
}

#[tokio::test]
async fn authenticate_reloads_the_grants_so_a_revoked_grant_disappears_at_once() {
    let w = world();
    let pair = w.login("o-worker").await;
    let before = w.auth.authenticate(&pair.access.token).await.unwrap();
    assert!(before.grants().is_empty());
    let grant = w.granted(pair.user.id, Role::GridWorker, w.grid.scope).await;

    let granted = w.auth.authenticate(&pair.access.token).await.unwrap();
    assert_eq!(granted.grants(), &[(Role::GridWorker, w.grid.scope)]);
    assert_eq!(
        w.auth.refresh_actor(&before).await.unwrap().grants(),
        granted.grants(),
        "a long-lived connection's actor catches up too"
    );

    w.grants.revoke(&district_admin(), grant.id()).await.unwrap();
    assert!(
        w.auth
            .authenticate(&pair.access.token)
            .await
            .unwrap()
            .grants()
            .is_empty()
    );
    assert!(w.auth.refresh_actor(&granted).await.unwrap().grants().is_empty());
    // An actor without a session (the console) has nothing to refresh.
    assert!(matches!(
        w.auth.refresh_actor(&Actor::console()).await,
        Err(IdentityError::SessionRevoked)
    ));
}

#[tokio::test]
async fn an_expired_access_token_is_told_apart_from_an_invalid_one() {
    let w = world();
    let pair = w.login("o-user").await;
    assert_eq!(pair.access.expires_in_seconds, 15 * 60);

    w.clock.advance(Duration::minutes(15) - Duration::seconds(1));
    assert!(w.auth.authenticate(&pair.access.token).await.is_ok());
    w.clock.advance(Duration::seconds(1));
    assert!(matches!(
        w.auth.authenticate(&pair.access.token).await,
        Err(IdentityError::TokenExpired)
    ));
    assert!(matches!(
        w.auth.authenticate("not-a-token").await,
        Err(IdentityError::InvalidToken)
    ));
    // The refresh token still gives a fresh access token.
    let renewed = w.auth.refresh(&pair.refresh_token).await.unwrap();
    assert!(w.auth.authenticate(&renewed.access.token).await.is_ok());
}

// ---------------------------------------------------------------------------------------
// The user's own profile
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_profile_update_validates_everything_before_writing_and_writes_only_what_is_given() {
    let w = world();
    let me = w.logged_in("o-user").await;

    assert!(matches!(
        w.profile.update_profile(&me, Some(Some(" ")), None).await,
        Err(IdentityError::Validation(_))
    ));
    assert!(matches!(
        w.profile
            .update_profile(&me, Some(Some("老王")), Some(Some(&"王".repeat(33))))
            .await,
        Err(IdentityError::Validation(_))
    ));
    let untouched = w.repo.find_user(me.user_id()).await.unwrap().unwrap();
    assert_eq!(untouched.nickname, None, "a refused update writes nothing");
    assert!(w.repo.events().is_empty());

    w.profile
        .update_profile(&me, Some(Some(" 老王 ")), None)
        .await
        .unwrap();
    let view = w
        .profile
        .update_profile(&me, None, Some(Some("王建国")))
        .await
        .unwrap();

    assert_eq!(view.user.nickname.as_ref().map(|n| n.as_str()), Some("老王"));
    assert_eq!(view.user.real_name.as_ref().map(|n| n.as_str()), Some("王建国"));
    assert_eq!(
        w.repo.event_kinds(),
        vec!["user.profile_updated", "user.profile_updated"]
    );

    // `Some(None)` erases a field; the other stays.
    let view = w.profile.update_profile(&me, Some(None), None).await.unwrap();
    assert_eq!(view.user.nickname, None);
    assert_eq!(view.user.real_name.as_ref().map(|n| n.as_str()), Some("王建国"));
}

#[tokio::test]
async fn binding_a_phone_maps_wechats_invalid_code_to_invalid_phone_code() {
    let w = world();
    let me = w.logged_in("o-user").await;

    assert!(matches!(
        w.profile.bind_phone(&me, "unknown-code").await,
        Err(IdentityError::InvalidPhoneCode)
    ));
    assert!(matches!(
        w.profile.bind_phone(&me, "  ").await,
        Err(IdentityError::Validation(_))
    ));
    w.wechat.phone_code("phone-1", "13812345678");
    w.wechat.fail_with(WechatFailure::RateLimited);
    assert!(matches!(
        w.profile.bind_phone(&me, "phone-1").await,
        Err(IdentityError::WechatRateLimited)
    ));
    assert_eq!(w.repo.find_user(me.user_id()).await.unwrap().unwrap().phone, None);
    w.wechat.recover();

    let view = w.profile.bind_phone(&me, "phone-1").await.unwrap();

    assert_eq!(view.user.phone.as_ref().map(|p| p.as_str()), Some("13812345678"));
    assert_eq!(w.repo.event_kinds(), vec!["user.phone_bound"]);
}

#[tokio::test]
async fn a_residence_must_be_a_known_building_and_then_places_the_person() {
    let w = world();
    let me = w.logged_in("o-user").await;

    assert!(matches!(
        w.profile.set_residence(&me, BuildingId::new()).await,
        Err(IdentityError::NotFound(Resource::Building))
    ));
    assert!(w.repo.events().is_empty());

    let Scope::Building(building) = w.building.scope else {
        panic!("a building")
    };
    let view = w.profile.set_residence(&me, building).await.unwrap();

    assert_eq!(view.residence.as_ref(), Some(&w.building));
    assert_eq!(
        view.user.residence,
        Some(Residence {
            building,
            path: w.building.path
        })
    );
    assert_eq!(w.repo.event_kinds(), vec!["user.residence_changed"]);
    let person = w.repo.people(&[me.user_id()]).await.unwrap().remove(0);
    assert_eq!(person.places, vec![w.building.path]);
    // Which is what decides who sees them whole.
    let own_admin = actor(Role::CommunityAdmin, w.community.scope);
    let other_admin = actor(Role::CommunityAdmin, w.other_community.scope);
    assert!(!person.view_for(&own_admin).masked);
    assert!(person.view_for(&other_admin).masked);
}

#[tokio::test]
async fn me_shows_each_role_at_its_node_and_the_residence() {
    let w = world();
    let me = w.logged_in("o-user").await;
    w.granted(me.user_id(), Role::GridWorker, w.grid.scope).await;
    let Scope::Building(building) = w.other_building.scope else {
        panic!("a building")
    };
    w.profile.set_residence(&me, building).await.unwrap();

    let view = w.profile.me(&me).await.unwrap();

    assert_eq!(view.roles.len(), 1);
    assert_eq!(view.roles[0].grant.role(), Role::GridWorker);
    assert_eq!(view.roles[0].node.as_ref(), Some(&w.grid));
    assert_eq!(view.residence.as_ref(), Some(&w.other_building));
}
