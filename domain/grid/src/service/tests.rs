//! The structure's rules, tested against the in-memory fakes of its ports: who may do what
//! where, what each aggregate refuses, and what the changes announce.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use linli_kernel::people::PersonRecord;
use linli_kernel::testing::{InMemoryGrants, InMemoryPeople, ManualClock};
use linli_kernel::{
    Actor, BuildingId, CommunityId, GridId, PageRequest, Role, Scope, ScopePath, SubdistrictId, UserId,
};

use crate::testing::InMemoryStructure;

mod hardening;
use crate::{
    BranchKind, BranchService, CoverageService, GridError, GridKind, NewGrid, PlaceService, Resource,
    TeamService,
};

struct District {
    structure: InMemoryStructure,
    grants: InMemoryGrants,
    people: InMemoryPeople,
    places: PlaceService<InMemoryStructure, ManualClock>,
    branches: BranchService<InMemoryStructure, InMemoryStructure, ManualClock>,
    teams: TeamService<InMemoryStructure, InMemoryGrants, InMemoryPeople, ManualClock>,
    coverage: CoverageService<InMemoryStructure, InMemoryStructure>,
    admin: Actor,
    subdistrict: SubdistrictId,
}

fn actor(role: Role, scope: Scope) -> Actor {
    Actor::new(UserId::new(), None, vec![(role, scope)])
}

async fn district() -> District {
    let structure = InMemoryStructure::default();
    let grants = InMemoryGrants::default();
    let people = InMemoryPeople::with_grants(grants.clone());
    let clock = ManualClock::default();
    let places = PlaceService::new(structure.clone(), clock.clone());
    let admin = actor(Role::DistrictAdmin, Scope::District);
    let subdistrict = places.create_subdistrict(&admin, "济阳街道").await.unwrap().id;
    District {
        branches: BranchService::new(structure.clone(), structure.clone(), clock.clone()),
        teams: TeamService::new(structure.clone(), grants.clone(), people.clone(), clock.clone()),
        coverage: CoverageService::new(structure.clone(), structure.clone()),
        places,
        structure,
        grants,
        people,
        admin,
        subdistrict,
    }
}

impl District {
    async fn community(&self, name: &str) -> CommunityId {
        self.places
            .create_community(&self.admin, self.subdistrict, name)
            .await
            .unwrap()
            .id
    }

    async fn grid(&self, community: CommunityId, name: &str, kind: GridKind) -> GridId {
        let new = NewGrid {
            community_id: community,
            name: name.to_owned(),
            kind,
            households: 400,
        };
        self.places.create_grid(&self.admin, new).await.unwrap().0.id
    }

    async fn building(&self, grid: GridId, name: &str) -> BuildingId {
        self.places
            .create_building(&self.admin, grid, name, &["1单元".to_owned()])
            .await
            .unwrap()
            .id
    }

    fn person(&self, phone: &str) -> UserId {
        let id = UserId::new();
        self.people.add(PersonRecord {
            id,
            nickname: None,
            real_name: Some("王建国".to_owned()),
            phone: Some(phone.to_owned()),
            // Somewhere in the district, so the district admin covers them.
            places: vec![ScopePath::district()],
        });
        id
    }

    /// Someone living in a grid of `community`.
    fn person_in(&self, community: CommunityId) -> UserId {
        let id = UserId::new();
        self.people.add(PersonRecord {
            id,
            nickname: None,
            real_name: Some("李秀英".to_owned()),
            phone: Some("13900000009".to_owned()),
            places: vec![ScopePath::grid(self.subdistrict, community, GridId::new())],
        });
        id
    }
}

fn page() -> PageRequest {
    PageRequest::new(None, None).unwrap()
}

#[tokio::test]
async fn a_community_admin_shapes_its_own_community_and_cannot_even_see_the_one_beside_it() {
    let d = district().await;
    let (own, other) = (d.community("幸福里社区").await, d.community("和平里社区").await);
    let admin = actor(Role::CommunityAdmin, Scope::Community(own));
    let new = |community| NewGrid {
        community_id: community,
        name: "一网格".to_owned(),
        kind: GridKind::Residential,
        households: 350,
    };
    assert!(d.places.create_grid(&admin, new(own)).await.is_ok());
    assert!(matches!(
        d.places.create_grid(&admin, new(other)).await,
        Err(GridError::NotFound(Resource::Community))
    ));
    assert!(matches!(
        d.places.create_community(&admin, d.subdistrict, "新社区").await,
        Err(GridError::NotFound(Resource::Subdistrict))
    ));
    let listed = d.places.communities(&admin, None, page()).await.unwrap();
    assert_eq!(listed.items.iter().map(|c| c.id).collect::<Vec<_>>(), vec![own]);
}

#[tokio::test]
async fn grid_names_repeat_across_communities_but_never_inside_one() {
    let d = district().await;
    let (a, b) = (d.community("幸福里社区").await, d.community("和平里社区").await);
    d.grid(a, "一网格", GridKind::Residential).await;
    d.grid(b, "一网格", GridKind::Residential).await;
    let again = NewGrid {
        community_id: a,
        name: " 一网格 ".to_owned(),
        kind: GridKind::Reserved,
        households: 0,
    };
    assert!(matches!(
        d.places.create_grid(&d.admin, again).await,
        Err(GridError::NameTaken { .. })
    ));
}

#[tokio::test]
async fn a_residential_grid_outside_the_norm_is_created_with_a_warning() {
    let d = district().await;
    let c = d.community("幸福里社区").await;
    let small = NewGrid {
        community_id: c,
        name: "小网格".to_owned(),
        kind: GridKind::Residential,
        households: 120,
    };
    let (_, warnings) = d.places.create_grid(&d.admin, small).await.unwrap();
    assert_eq!(warnings.first().map(|w| w.code), Some("households_outside_norm"));
}

#[tokio::test]
async fn branches_are_independent_over_one_grid_or_joint_over_several_of_one_community() {
    let d = district().await;
    let (a, b) = (d.community("幸福里社区").await, d.community("和平里社区").await);
    let (a1, a2, a3) = (
        d.grid(a, "一网格", GridKind::Residential).await,
        d.grid(a, "二网格", GridKind::Residential).await,
        d.grid(a, "三网格", GridKind::Residential).await,
    );
    let b1 = d.grid(b, "一网格", GridKind::Residential).await;
    let admin = &d.admin;
    assert!(matches!(
        d.branches
            .create_branch(admin, "支部", BranchKind::Independent, &[a1, a2])
            .await,
        Err(GridError::BranchGridCount)
    ));
    assert!(matches!(
        d.branches
            .create_branch(admin, "支部", BranchKind::Joint, &[a1])
            .await,
        Err(GridError::BranchGridCount)
    ));
    assert!(matches!(
        d.branches
            .create_branch(admin, "支部", BranchKind::Joint, &[a1, b1])
            .await,
        Err(GridError::BranchSpansCommunities)
    ));
    assert!(matches!(
        d.branches
            .create_branch(admin, "支部", BranchKind::Joint, &[a1, a1])
            .await,
        Err(GridError::Validation(_))
    ));
    d.branches
        .create_branch(admin, "联合党支部", BranchKind::Joint, &[a1, a2])
        .await
        .unwrap();
    assert!(matches!(
        d.branches.create_branch(admin, "三网格党支部", BranchKind::Independent, &[a2]).await,
        Err(GridError::GridAlreadyInBranch(grid)) if grid == a2
    ));
    d.branches
        .create_branch(admin, "三网格党支部", BranchKind::Independent, &[a3])
        .await
        .unwrap();
    assert_eq!(d.structure.branches().len(), 2);
}

#[tokio::test]
async fn a_branch_over_a_grid_the_admin_cannot_see_is_not_found() {
    let d = district().await;
    let (a, b) = (d.community("幸福里社区").await, d.community("和平里社区").await);
    let b1 = d.grid(b, "一网格", GridKind::Residential).await;
    let admin_a = actor(Role::CommunityAdmin, Scope::Community(a));
    assert!(matches!(
        d.branches
            .create_branch(&admin_a, "支部", BranchKind::Independent, &[b1])
            .await,
        Err(GridError::NotFound(Resource::Grid))
    ));
}

#[tokio::test]
async fn setting_a_team_grants_its_roles_and_a_new_team_revokes_the_old_ones() {
    let d = district().await;
    let c = d.community("幸福里社区").await;
    let grid = d.grid(c, "一网格", GridKind::Residential).await;
    let building = d.building(grid, "1号楼").await;
    let (leader, worker, stairwell, newcomer) = (
        d.person("13800000001"),
        d.person("13800000002"),
        d.person("13800000003"),
        d.person("13800000004"),
    );
    d.teams
        .set_team(&d.admin, grid, leader, vec![worker], vec![(building, stairwell)])
        .await
        .unwrap();
    let roles = |user| {
        d.grants
            .held_by(user)
            .iter()
            .map(|g| g.role())
            .collect::<Vec<_>>()
    };
    assert_eq!(roles(leader), vec![Role::GridLeader]);
    assert_eq!(roles(worker), vec![Role::GridWorker]);
    assert_eq!(roles(stairwell), vec![Role::StairwellLeader]);
    let leader_grant = d.grants.held_by(leader)[0].id();

    d.teams
        .set_team(&d.admin, grid, leader, vec![newcomer], vec![])
        .await
        .unwrap();
    assert_eq!(
        d.grants.held_by(leader)[0].id(),
        leader_grant,
        "an unchanged grant keeps its id"
    );
    assert!(roles(worker).is_empty());
    assert!(roles(stairwell).is_empty());
    assert_eq!(roles(newcomer), vec![Role::GridWorker]);
    let told: Vec<String> = d
        .grants
        .recorded()
        .iter()
        .filter(|e| e.kind == "grid_team.membership_changed")
        .map(|e| e.topic.clone())
        .collect();
    assert_eq!(
        told.len(),
        3 + 3,
        "three joined, then two left and one joined: {told:?}"
    );
}

#[tokio::test]
async fn a_team_naming_unknown_people_or_buildings_of_another_grid_is_refused_whole() {
    let d = district().await;
    let c = d.community("幸福里社区").await;
    let (grid, other) = (
        d.grid(c, "一网格", GridKind::Residential).await,
        d.grid(c, "二网格", GridKind::Residential).await,
    );
    let elsewhere = d.building(other, "9号楼").await;
    let leader = d.person("13800000001");
    let stranger = UserId::new();
    assert!(matches!(
        d.teams.set_team(&d.admin, grid, leader, vec![stranger], vec![]).await,
        Err(GridError::InvitationRequired(users)) if users == vec![stranger]
    ));
    assert!(matches!(
        d.teams.set_team(&d.admin, grid, leader, vec![], vec![(elsewhere, leader)]).await,
        Err(GridError::BuildingOutsideGrid(b)) if b == elsewhere
    ));
    assert!(d.grants.held_by(leader).is_empty());
}

#[tokio::test]
async fn a_team_may_name_only_people_the_admin_covers_and_unknown_ones_answer_alike() {
    let d = district().await;
    let (a, b) = (d.community("幸福里社区").await, d.community("和平里社区").await);
    let grid = d.grid(a, "一网格", GridKind::Residential).await;
    let admin = actor(Role::CommunityAdmin, Scope::Community(a));
    let (own, outsider, nobody) = (d.person_in(a), d.person_in(b), UserId::new());

    for named in [outsider, nobody] {
        assert!(matches!(
            d.teams.set_team(&admin, grid, own, vec![named], vec![]).await,
            Err(GridError::InvitationRequired(users)) if users == vec![named]
        ));
    }
    assert!(d.grants.held_by(own).is_empty());
    d.teams.set_team(&admin, grid, own, vec![], vec![]).await.unwrap();
    assert_eq!(d.grants.held_by(own).len(), 1);
}

#[tokio::test]
async fn grid_workers_see_their_team_whole_but_cannot_set_it_and_others_see_nothing() {
    let d = district().await;
    let (a, b) = (d.community("幸福里社区").await, d.community("和平里社区").await);
    let grid = d.grid(a, "一网格", GridKind::Residential).await;
    let leader = d.person("13812345678");
    d.teams
        .set_team(&d.admin, grid, leader, vec![], vec![])
        .await
        .unwrap();
    let worker = actor(Role::GridWorker, Scope::Grid(grid));
    assert!(matches!(
        d.teams.set_team(&worker, grid, leader, vec![], vec![]).await,
        Err(GridError::Forbidden)
    ));
    // Holding a role at the grid places the leader there, so the grid's staff cover them.
    let seen = d.teams.team(&worker, grid).await.unwrap().leader.unwrap();
    assert_eq!(seen.phone.as_deref(), Some("13812345678"));
    assert!(!seen.masked);
    let beside = actor(Role::CommunityAdmin, Scope::Community(b));
    assert!(matches!(
        d.teams.team(&beside, grid).await,
        Err(GridError::NotFound(Resource::Grid))
    ));
}

#[tokio::test]
async fn coverage_counts_grids_by_kind_and_those_a_branch_covers() {
    let d = district().await;
    let c = d.community("幸福里社区").await;
    let g1 = d.grid(c, "一网格", GridKind::Residential).await;
    let g2 = d.grid(c, "二网格", GridKind::Residential).await;
    let g3 = d.grid(c, "三网格", GridKind::Residential).await;
    d.grid(c, "预留网格", GridKind::Reserved).await;
    d.grid(c, "小学网格", GridKind::Dedicated).await;
    d.branches
        .create_branch(&d.admin, "联合", BranchKind::Joint, &[g1, g2])
        .await
        .unwrap();
    let stats = d.coverage.coverage(&d.admin, Some(c), None).await.unwrap();
    assert_eq!((stats.grids, stats.residential_grids), (5, 3));
    assert_eq!((stats.reserved_grids, stats.dedicated_grids), (1, 1));
    assert_eq!(stats.covered_residential_grids, 2);
    assert_eq!((stats.joint_branches, stats.independent_branches), (1, 0));
    assert_eq!(stats.residential_grids_in_joint_branches, 2);
    let _ = g3;
    let resident = Actor::new(UserId::new(), None, vec![]);
    assert!(matches!(
        d.coverage.coverage(&resident, None, None).await,
        Err(GridError::Forbidden)
    ));
}

#[tokio::test]
async fn an_import_with_any_bad_line_imports_nothing_and_names_every_bad_line() {
    let d = district().await;
    let (own, other) = (d.community("幸福里社区").await, d.community("和平里社区").await);
    d.grid(own, "一网格", GridKind::Residential).await;
    let admin = actor(Role::CommunityAdmin, Scope::Community(own));
    let _ = other;
    let csv = "community,name,kind,households,buildings\n\
               幸福里社区,二网格,residential,400,1号楼;2号楼\n\
               幸福里社区,一网格,residential,400,\n\
               和平里社区,一网格,residential,400,\n\
               幸福里社区,三网格,mixed,400,\n";
    let Err(GridError::ImportRejected { errors, count }) = d.places.import_grids(&admin, csv).await else {
        panic!("the import is refused")
    };
    let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![3, 4, 5]);
    assert_eq!(count, 3);
    assert_eq!(d.structure.grids().len(), 1, "nothing was imported");

    let good = "社区,网格,类型,户数,楼栋\n幸福里社区,二网格,居民网格,400,1号楼;2号楼\n";
    let report = d.places.import_grids(&admin, good).await.unwrap();
    assert_eq!((report.grids, report.buildings), (1, 2));
    assert_eq!(d.structure.buildings().len(), 2);
}

#[tokio::test]
async fn an_admin_cannot_name_himself_in_a_team() {
    let d = district().await;
    let c = d.community("幸福里社区").await;
    let grid = d.grid(c, "一网格", GridKind::Residential).await;
    let admin = actor(Role::CommunityAdmin, Scope::Community(c));
    // The admin lives in the community, so his own record is covered (and never masked to him).
    d.people.add(PersonRecord {
        id: admin.user_id(),
        nickname: None,
        real_name: Some("张伟".to_owned()),
        phone: Some("13800000099".to_owned()),
        places: vec![ScopePath::grid(d.subdistrict, c, grid)],
    });
    let worker = d.person_in(c);
    assert!(matches!(
        d.teams
            .set_team(&admin, grid, admin.user_id(), vec![worker], vec![])
            .await,
        Err(GridError::SelfGrant)
    ));
    assert!(matches!(
        d.teams
            .set_team(&admin, grid, worker, vec![admin.user_id()], vec![])
            .await,
        Err(GridError::SelfGrant)
    ));
    assert!(d.grants.held_by(admin.user_id()).is_empty());
    assert!(d.grants.held_by(worker).is_empty());
}

#[tokio::test]
async fn every_grant_a_team_change_adds_or_revokes_is_audited_with_its_actor() {
    let d = district().await;
    let c = d.community("幸福里社区").await;
    let grid = d.grid(c, "一网格", GridKind::Residential).await;
    let (leader, worker, newcomer) = (
        d.person("13800000001"),
        d.person("13800000002"),
        d.person("13800000003"),
    );
    d.teams
        .set_team(&d.admin, grid, leader, vec![worker], vec![])
        .await
        .unwrap();
    d.teams
        .set_team(&d.admin, grid, leader, vec![newcomer], vec![])
        .await
        .unwrap();
    let trail: Vec<(Option<UserId>, bool, UserId, Role)> = d
        .grants
        .audited()
        .into_iter()
        .map(|c| (c.actor, c.granted, c.grant.user_id(), c.grant.role()))
        .collect();
    let by = Some(d.admin.user_id());
    assert_eq!(
        trail,
        vec![
            (by, true, leader, Role::GridLeader),
            (by, true, worker, Role::GridWorker),
            (by, false, worker, Role::GridWorker),
            (by, true, newcomer, Role::GridWorker),
        ]
    );
}
