//! Resident requests' rules, tested against the in-memory fakes: routing and deadlines, the
//! content check, who sees what, staff's handling, the work on tasks (claims decided once
//! under concurrency), and the author's close.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::sync::Arc;

use linli_kernel::people::PersonRecord;
use linli_kernel::ports::{Clock, ScopeNode};
use linli_kernel::testing::lock;
use linli_kernel::{
    Actor, GridId, PageRequest, PlacedGrant, RequestId, Role, RoleGrant, Scope, TaskId, UserId,
};

use crate::service::{NewRequest, RequestView};
use crate::task::NewTask;
use crate::testing::FakePorts;
use crate::{Requests, ResidentRequest};

mod closing;
mod handling;
mod posting;
mod reading;
mod tasks;

/// A district with two communities: 幸福里社区 (`a`) with grids 一网格 (`a1`, two workers, a
/// leader, buildings `a1_b1`, `a1_b2`) and 二网格 (`a2`, no team), and 和平里社区 (`b`) with
/// 一网格 (`b1`, one worker). Each community has an admin; `member` is a Party member of `a`.
struct Town {
    ports: FakePorts,
    service: Arc<Requests<FakePorts>>,
    a: ScopeNode,
    a1: ScopeNode,
    a1_b1: ScopeNode,
    a1_b2: ScopeNode,
    a2: ScopeNode,
    b: ScopeNode,
    b1: ScopeNode,
    a1_workers: Vec<Actor>,
    a1_leader: Actor,
    a_admin: Actor,
    b1_worker: Actor,
    member: Actor,
}

impl Town {
    fn new() -> Self {
        let ports = FakePorts::new();
        let dir = &ports.directory;
        let sub = dir.subdistrict("济阳街道");
        let a = dir.community(&sub, "幸福里社区");
        let a1 = dir.grid(&a, "一网格");
        let a1_b1 = dir.building(&a1, "1号楼");
        let a1_b2 = dir.building(&a1, "2号楼");
        let a2 = dir.grid(&a, "二网格");
        let b = dir.community(&sub, "和平里社区");
        let b1 = dir.grid(&b, "一网格");
        let mut town = Self {
            service: Arc::new(Requests::new(ports.clone())),
            a1_workers: Vec::new(),
            a1_leader: Actor::new(UserId::new(), None, vec![]),
            a_admin: Actor::new(UserId::new(), None, vec![]),
            b1_worker: Actor::new(UserId::new(), None, vec![]),
            member: Actor::new(UserId::new(), None, vec![]),
            ports,
            a: a.clone(),
            a1: a1.clone(),
            a1_b1,
            a1_b2,
            a2,
            b,
            b1: b1.clone(),
        };
        let mut workers: Vec<Actor> = (0..2).map(|_| town.staff(Role::GridWorker, &a1)).collect();
        workers.sort_by_key(Actor::user_id);
        town.a1_workers = workers;
        town.a1_leader = town.staff(Role::GridLeader, &a1);
        town.a_admin = town.staff(Role::CommunityAdmin, &a);
        town.b1_worker = town.staff(Role::GridWorker, &b1);
        town.member = town.staff(Role::PartyMember, &a);
        town
    }

    /// A person holding `role` at `node`, known to the grant store and the directory of people.
    fn staff(&self, role: Role, node: &ScopeNode) -> Actor {
        let user = UserId::new();
        let grant = RoleGrant::new(user, role, node.scope, None, self.ports.clock.now()).unwrap();
        lock(&self.ports.grants.grants).push(PlacedGrant {
            grant,
            path: node.path,
        });
        self.ports.people.add(person(user, "员工"));
        Actor::new(user, None, vec![(role, node.scope)])
    }

    /// A resident living in `building` (or nowhere), with a nickname and real name.
    fn resident(&self, building: Option<&ScopeNode>) -> Actor {
        let user = UserId::new();
        let mut record = person(user, "居民");
        if let Some(b) = building {
            record.places.push(b.path);
            self.ports.homes.set(user, b.path);
        }
        self.ports.people.add(record);
        Actor::new(user, None, vec![])
    }

    fn worker(&self) -> &Actor {
        &self.a1_workers[0]
    }

    async fn post(&self, author: &Actor, new: NewRequest) -> RequestView {
        self.service.post(author, new).await.unwrap()
    }

    /// A request posted by a resident of `a1_b1` about their building.
    async fn posted(&self) -> (Actor, ResidentRequest) {
        let author = self.resident(Some(&self.a1_b1));
        let view = self.post(&author, new_request("general")).await;
        (author, view.request)
    }

    /// A request accepted by an `a1` worker with `n` tasks: (author, request, tasks).
    async fn accepted(&self, n: usize) -> (Actor, RequestId, Vec<TaskId>) {
        let (author, request) = self.posted().await;
        let tasks = (0..n).map(|i| task(&format!("任务{i}"))).collect();
        self.service
            .accept(self.worker(), request.id, tasks)
            .await
            .unwrap();
        let detail = self.service.get(self.worker(), request.id).await.unwrap();
        (
            author,
            request.id,
            detail.tasks.iter().map(|t| t.task.id).collect(),
        )
    }

    fn request(&self, id: RequestId) -> ResidentRequest {
        self.ports.store.request(id).unwrap()
    }
}

fn person(id: UserId, nickname: &str) -> PersonRecord {
    PersonRecord {
        id,
        nickname: Some(nickname.to_owned()),
        real_name: Some("王小明".to_owned()),
        phone: Some("13812345678".to_owned()),
        places: Vec::new(),
    }
}

fn new_request(category: &str) -> NewRequest {
    NewRequest {
        category: category.to_owned(),
        title: "楼道灯不亮".to_owned(),
        description: "三单元二楼楼道灯坏了一周了".to_owned(),
        ..NewRequest::default()
    }
}

fn task(title: &str) -> NewTask {
    NewTask {
        title: title.to_owned(),
        needed: 1,
        due_at: None,
    }
}

fn page() -> PageRequest {
    PageRequest::new(None, None).unwrap()
}

fn grid_of(node: &ScopeNode) -> GridId {
    node.path.grid.unwrap()
}
