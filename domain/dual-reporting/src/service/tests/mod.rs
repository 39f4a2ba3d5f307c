//! Dual reporting's rules, tested against the in-memory fakes of its ports and the kernel's:
//! who may do what, what each aggregate refuses, which grants a decision leaves behind and
//! what the changes announce.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use linli_kernel::people::PersonRecord;
use linli_kernel::ports::ScopeNode;
use linli_kernel::testing::{FakeDirectory, InMemoryGrants, InMemoryPeople, ManualClock};
use linli_kernel::{
    Actor, CommunityId, DomainEvent, GridId, PageRequest, Role, RoleGrant, Scope, SideKind, UnitId, UserId,
};

use crate::models::{MemberReportId, Unit};
use crate::testing::InMemoryDualReporting;
use crate::{CategoryService, MemberReportService, NewMemberReport, NewUnit, UnitService};

mod appraisals;
mod banks;
mod member_reports;
mod rosters;
mod transferred_members;
mod units;

type Reports<G> = MemberReportService<
    InMemoryDualReporting,
    InMemoryDualReporting,
    InMemoryDualReporting,
    FakeDirectory,
    InMemoryPeople,
    G,
    ManualClock,
>;

/// A district with one subdistrict and two communities: 幸福里社区 (`a`) with its grids
/// 一网格 (`a1`) and 二网格 (`a2`), and 和平里社区 (`b`) with its 一网格 (`b1`).
struct District {
    store: InMemoryDualReporting,
    directory: FakeDirectory,
    grants: InMemoryGrants,
    people: InMemoryPeople,
    clock: ManualClock,
    units: UnitService<InMemoryDualReporting, FakeDirectory, ManualClock>,
    categories: CategoryService<InMemoryDualReporting, ManualClock>,
    reports: Reports<InMemoryGrants>,
    admin: Actor,
    subdistrict: ScopeNode,
    a: ScopeNode,
    a1: ScopeNode,
    a2: ScopeNode,
    b: ScopeNode,
    b1: ScopeNode,
}

fn actor(role: Role, scope: Scope) -> Actor {
    Actor::new(UserId::new(), None, vec![(role, scope)])
}

/// A logged-in user holding no role.
fn resident() -> Actor {
    Actor::new(UserId::new(), None, vec![])
}

fn community_id(node: &ScopeNode) -> CommunityId {
    node.path.community.unwrap()
}

fn grid_id(node: &ScopeNode) -> GridId {
    node.path.grid.unwrap()
}

fn admin_of(community: &ScopeNode) -> Actor {
    actor(Role::CommunityAdmin, Scope::Community(community_id(community)))
}

fn worker_of(grid: &ScopeNode) -> Actor {
    actor(Role::GridWorker, Scope::Grid(grid_id(grid)))
}

fn unit_admin(unit: UnitId) -> Actor {
    actor(Role::UnitAdmin, Scope::Side(SideKind::UNIT, unit.as_uuid()))
}

fn page() -> PageRequest {
    PageRequest::new(None, None).unwrap()
}

fn new_unit(grid: GridId) -> NewUnit {
    NewUnit {
        name: "济阳区税务局".to_owned(),
        kind: "municipal_organ".to_owned(),
        party_organisation: "中共济阳区税务局机关委员会".to_owned(),
        contact_name: "赵敏".to_owned(),
        contact_phone: "13800000001".to_owned(),
        roll_count: 120,
        grid_id: grid,
    }
}

fn new_report(unit: UnitId, community: &ScopeNode) -> NewMemberReport {
    NewMemberReport {
        unit_id: unit,
        community_id: community_id(community),
        skills: vec!["法律咨询".to_owned()],
        availability: "周末".to_owned(),
        note: String::new(),
    }
}

/// The topics events of `kind` went to, in order.
fn topics_of(events: &[DomainEvent], kind: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.topic.clone())
        .collect()
}

fn reports_topic(community: &ScopeNode) -> String {
    format!("community:{}:reports", community_id(community))
}

fn district() -> District {
    let store = InMemoryDualReporting::default();
    let directory = FakeDirectory::default();
    let grants = InMemoryGrants::default();
    let people = InMemoryPeople::with_grants(grants.clone());
    let clock = ManualClock::default();
    let subdistrict = directory.subdistrict("济阳街道");
    let a = directory.community(&subdistrict, "幸福里社区");
    let a1 = directory.grid(&a, "一网格");
    let a2 = directory.grid(&a, "二网格");
    let b = directory.community(&subdistrict, "和平里社区");
    let b1 = directory.grid(&b, "一网格");
    District {
        units: UnitService::new(store.clone(), directory.clone(), clock.clone()),
        categories: CategoryService::new(store.clone(), clock.clone()),
        reports: MemberReportService::new(
            store.clone(),
            store.clone(),
            store.clone(),
            directory.clone(),
            people.clone(),
            grants.clone(),
            clock.clone(),
        ),
        admin: actor(Role::DistrictAdmin, Scope::District),
        store,
        directory,
        grants,
        people,
        clock,
        subdistrict,
        a,
        a1,
        a2,
        b,
        b1,
    }
}

impl District {
    /// The member-report use cases over another grant store (one that fails, say), sharing
    /// everything else.
    fn reports_over<G: linli_kernel::ports::GrantStore>(&self, grants: G) -> Reports<G> {
        MemberReportService::new(
            self.store.clone(),
            self.store.clone(),
            self.store.clone(),
            self.directory.clone(),
            self.people.clone(),
            grants,
            self.clock.clone(),
        )
    }

    /// A unit paired with `grid`, registered by the district admin.
    async fn unit(&self, grid: &ScopeNode) -> Unit {
        self.units
            .create(&self.admin, new_unit(grid_id(grid)))
            .await
            .unwrap()
    }

    /// Someone with the profile given: their real name and bound phone, each maybe missing.
    fn person(&self, real_name: Option<&str>, phone: Option<&str>) -> Actor {
        let member = resident();
        self.people.add(PersonRecord {
            id: member.user_id(),
            nickname: Some("老党员".to_owned()),
            real_name: real_name.map(str::to_owned),
            phone: phone.map(str::to_owned),
            places: vec![],
        });
        member
    }

    /// A member with a complete profile.
    fn member(&self) -> Actor {
        self.person(Some("王建国"), Some("13912345678"))
    }

    /// `member`'s report of `unit` to `community`, filed.
    async fn filed(&self, member: &Actor, unit: UnitId, community: &ScopeNode) -> MemberReportId {
        self.reports
            .file(member, new_report(unit, community))
            .await
            .unwrap()
            .report
            .id
    }

    /// `member`'s report, filed to `a` and accepted into `a1` by a's admin.
    async fn accepted(&self, member: &Actor, unit: UnitId) -> MemberReportId {
        let id = self.filed(member, unit, &self.a).await;
        self.reports
            .accept(
                &admin_of(&self.a),
                id,
                grid_id(&self.a1),
                "legal_aid",
                "网格党员志愿者",
            )
            .await
            .unwrap();
        id
    }

    /// The `party_member` grants someone holds.
    fn party_member_grants(&self, user: UserId) -> Vec<RoleGrant> {
        self.grants
            .held_by(user)
            .into_iter()
            .filter(|g| g.role() == Role::PartyMember)
            .collect()
    }
}
