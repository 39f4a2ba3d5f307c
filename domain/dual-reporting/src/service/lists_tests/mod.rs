//! The three lists' rules, tested against the in-memory fakes: who may offer, post, propose,
//! sign and move a project, who sees what, what each refuses, what storage keeps under
//! concurrent requests and what the changes announce.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use chrono::{Duration, NaiveDate};
use linli_kernel::ports::{Clock, ScopeNode};
use linli_kernel::testing::{FakeDirectory, ManualClock};
use linli_kernel::{Actor, CommunityId, PageRequest, Role, Scope, SideKind, SubdistrictId, UnitId, UserId};

use crate::lists::{Need, ResourceOffer, district_today};
use crate::models::Unit;
use crate::service::{
    NeedPlace, NewNeed, NewOffer, NewProject, NewShare, NewUnit, OfferService, ProjectService, ProjectView,
};
use crate::testing::InMemoryDualReporting;
use crate::{NeedService, UnitService};

mod needs;
mod offers;
mod projects;

type Store = InMemoryDualReporting;

/// 济阳街道 (`s`) with 幸福里社区 (`a`, grid `a1`) and 和平里社区 (`b`, grid `b1`); 济北街道
/// (`s2`) with 开元社区 (`c`, grid `c1`). One unit is paired with each grid: `ua`, `ub`, `uc`.
struct District {
    store: Store,
    clock: ManualClock,
    offers: OfferService<Store, Store, Store, ManualClock>,
    needs: NeedService<Store, Store, Store, Store, FakeDirectory, ManualClock>,
    projects: ProjectService<Store, Store, Store, Store, ManualClock>,
    admin: Actor,
    s: ScopeNode,
    s2: ScopeNode,
    a: ScopeNode,
    a1: ScopeNode,
    b: ScopeNode,
    c: ScopeNode,
    ua: Unit,
    ub: Unit,
    uc: Unit,
}

fn actor(role: Role, scope: Scope) -> Actor {
    Actor::new(UserId::new(), None, vec![(role, scope)])
}

fn resident() -> Actor {
    Actor::new(UserId::new(), None, vec![])
}

fn community_id(node: &ScopeNode) -> CommunityId {
    node.path.community.unwrap()
}

fn subdistrict_id(node: &ScopeNode) -> SubdistrictId {
    node.path.subdistrict.unwrap()
}

fn admin_of(community: &ScopeNode) -> Actor {
    actor(Role::CommunityAdmin, Scope::Community(community_id(community)))
}

fn subdistrict_admin(subdistrict: &ScopeNode) -> Actor {
    actor(
        Role::SubdistrictAdmin,
        Scope::Subdistrict(subdistrict_id(subdistrict)),
    )
}

fn worker_of(grid: &ScopeNode) -> Actor {
    actor(Role::GridWorker, Scope::Grid(grid.path.grid.unwrap()))
}

fn unit_admin(unit: UnitId) -> Actor {
    actor(Role::UnitAdmin, Scope::Side(SideKind::UNIT, unit.as_uuid()))
}

fn page() -> PageRequest {
    PageRequest::new(None, None).unwrap()
}

fn new_unit(name: &str, grid: &ScopeNode) -> NewUnit {
    NewUnit {
        name: name.to_owned(),
        kind: "state_enterprise".to_owned(),
        party_organisation: format!("中共{name}委员会"),
        contact_name: "赵敏".to_owned(),
        contact_phone: "13800000001".to_owned(),
        roll_count: 80,
        grid_id: grid.path.grid.unwrap(),
    }
}

fn today(clock: &ManualClock) -> NaiveDate {
    district_today(clock.now())
}

fn new_offer(unit: UnitId, kind: &str, amount: f64, measure: &str, from: NaiveDate) -> NewOffer {
    NewOffer {
        unit_id: unit,
        kind: kind.to_owned(),
        category: Some("elderly_disabled_help".to_owned()),
        title: "周末助老志愿服务".to_owned(),
        description: "每周六上午".to_owned(),
        amount,
        measure: measure.to_owned(),
        valid_from: from,
        valid_until: from + Duration::days(60),
    }
}

fn new_need(place: NeedPlace, kind: &str, amount: f64, measure: &str) -> NewNeed {
    NewNeed {
        place,
        kind: kind.to_owned(),
        category: Some("elderly_disabled_help".to_owned()),
        title: "独居老人助餐".to_owned(),
        description: "12 位独居老人每日午餐配送".to_owned(),
        urgency: "high".to_owned(),
        amount,
        measure: measure.to_owned(),
    }
}

fn community_need(community: &ScopeNode, kind: &str, amount: f64, measure: &str) -> NewNeed {
    new_need(
        NeedPlace::Community(community_id(community)),
        kind,
        amount,
        measure,
    )
}

fn project_of(need: &Need, offers: &[&ResourceOffer]) -> NewProject {
    NewProject {
        need_id: need.id,
        title: "幸福里助老共建项目".to_owned(),
        description: String::new(),
        offers: offers
            .iter()
            .map(|o| NewShare {
                offer_id: o.id,
                amount: None,
            })
            .collect(),
    }
}

fn reports_topic(community: &ScopeNode) -> String {
    format!("community:{}:reports", community_id(community))
}

async fn district() -> District {
    let store = Store::default();
    let directory = FakeDirectory::default();
    let clock = ManualClock::default();
    let s = directory.subdistrict("济阳街道");
    let a = directory.community(&s, "幸福里社区");
    let a1 = directory.grid(&a, "一网格");
    let b = directory.community(&s, "和平里社区");
    let b1 = directory.grid(&b, "一网格");
    let s2 = directory.subdistrict("济北街道");
    let c = directory.community(&s2, "开元社区");
    let c1 = directory.grid(&c, "一网格");
    let admin = actor(Role::DistrictAdmin, Scope::District);
    let units = UnitService::new(store.clone(), directory.clone(), clock.clone());
    let ua = units
        .create(&admin, new_unit("济阳区供电公司", &a1))
        .await
        .unwrap();
    let ub = units
        .create(&admin, new_unit("济阳区人民医院", &b1))
        .await
        .unwrap();
    let uc = units.create(&admin, new_unit("济北税务所", &c1)).await.unwrap();
    District {
        offers: OfferService::new(store.clone(), store.clone(), store.clone(), clock.clone()),
        needs: NeedService::new(
            store.clone(),
            store.clone(),
            store.clone(),
            store.clone(),
            directory.clone(),
            clock.clone(),
        ),
        projects: ProjectService::new(
            store.clone(),
            store.clone(),
            store.clone(),
            store.clone(),
            clock.clone(),
        ),
        store,
        clock,
        admin,
        s,
        s2,
        a,
        a1,
        b,
        c,
        ua,
        ub,
        uc,
    }
}

impl District {
    fn today(&self) -> NaiveDate {
        today(&self.clock)
    }

    /// An offer of `unit`'s, made by its admin, valid from today for 60 days.
    async fn offer(&self, unit: &Unit, kind: &str, amount: f64, measure: &str) -> ResourceOffer {
        self.offers
            .create(
                &unit_admin(unit.id),
                new_offer(unit.id, kind, amount, measure, self.today()),
            )
            .await
            .unwrap()
            .offer
    }

    /// A need of community `a`'s, posted by its admin.
    async fn need_of_a(&self, kind: &str, amount: f64, measure: &str) -> Need {
        self.needs
            .create(&admin_of(&self.a), community_need(&self.a, kind, amount, measure))
            .await
            .unwrap()
    }

    /// A planned project for a need of `a` (10 volunteers) with an offer of `ua` (20) and one
    /// of `ub` (5), proposed by a's admin.
    async fn planned(&self) -> (ProjectView, Need, ResourceOffer, ResourceOffer) {
        let need = self.need_of_a("volunteers", 10.0, "人").await;
        let oa = self.offer(&self.ua, "volunteers", 20.0, "人").await;
        let ob = self.offer(&self.ub, "volunteers", 5.0, "人").await;
        let view = self
            .projects
            .create(&admin_of(&self.a), project_of(&need, &[&oa, &ob]))
            .await
            .unwrap();
        (view, need, oa, ob)
    }

    /// The planned project of [`District::planned`], signed by every side and started.
    async fn active(&self) -> (ProjectView, Need, ResourceOffer, ResourceOffer) {
        let (view, need, oa, ob) = self.planned().await;
        let id = view.project.id;
        for side in [admin_of(&self.a), unit_admin(self.ua.id), unit_admin(self.ub.id)] {
            self.projects.sign(&side, id).await.unwrap();
        }
        let view = self.projects.start(&admin_of(&self.a), id).await.unwrap();
        (view, need, oa, ob)
    }
}
