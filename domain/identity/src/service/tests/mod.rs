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
mod appointments;
mod auth;
mod grants;
mod profile;
/// The refresh leeway, the session's absolute lifetime, and the session's owner.
mod refresh;

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

/// The grant an appointment made at once; an invitation is a test failure.
fn granted_at_once(outcome: Result<GrantOutcome, IdentityError>) -> GrantView {
    match outcome {
        Ok(GrantOutcome::Granted(view)) => view,
        other => panic!("expected a grant at once, got {other:?}"),
    }
}
