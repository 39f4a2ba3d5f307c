//! The grid context's part of the demo district: a structure shaped like the one in
//! DOMAIN.md, so that a new user sees real figures at once. 16 communities in 3
//! subdistricts; 247 grids (147 residential, 42 reserved, 58 dedicated); 71 independent and
//! 23 joint Party branches covering 141 of the 147 residential grids; buildings, stairwells,
//! grid teams and the admins of each node. Planned in memory (deterministic), then written
//! through the same adapters as live data, events included.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use linli_grid::events::StructureEvent;
use linli_grid::ports::{BranchRepository, GridWithBuildings, PlaceRepository};
use linli_grid::team::team_change_events;
use linli_grid::{
    BranchKind, Building, Community, Grid, GridKind, GridTeam, Households, PartyBranch, PlaceName,
    Subdistrict,
};
use linli_kernel::ports::GrantStore;
use linli_kernel::{
    CommunityId, DomainEvent, GrantSet, GridId, PartyBranchId, PlacedGrant, Role, RoleGrant, Scope,
    ScopePath, SubdistrictId, UserId,
};

use crate::demo::{DemoPeople, DemoPerson};

/// The openid of the demo district admin: `POST /api/v1/auth/dev/login {"openid": …}`.
pub const DISTRICT_ADMIN_OPENID: &str = "demo-district-admin";

const SUBDISTRICTS: [(&str, &[&str]); 3] = [
    (
        "济阳街道",
        &[
            "澄波湖社区",
            "开元社区",
            "富民社区",
            "银河社区",
            "汇鑫社区",
            "清宁社区",
            "新元社区",
        ],
    ),
    (
        "济北街道",
        &[
            "龙海社区",
            "华阳社区",
            "永康社区",
            "鑫泰社区",
            "安澜社区",
            "兴福社区",
        ],
    ),
    ("回河街道", &["回河社区", "惠民社区", "和顺社区"]),
];

const DEDICATED: [&str; 8] = [
    "实验小学",
    "人民医院",
    "农贸市场",
    "滨河公园",
    "第二中学",
    "汽车站",
    "工业园",
    "敬老院",
];
const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
];
const GIVEN: [&str; 12] = [
    "建国", "秀英", "志强", "桂兰", "海燕", "立新", "春梅", "国庆", "玉珍", "文杰", "丽娟", "明",
];

fn chinese_number(n: usize) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let digit = |d: usize| DIGITS.get(d).copied().unwrap_or("");
    match n {
        0..=9 => digit(n).to_owned(),
        10 => "十".to_owned(),
        11..=19 => format!("十{}", digit(n % 10)),
        _ => format!(
            "{}十{}",
            digit(n / 10),
            if n.is_multiple_of(10) { "" } else { digit(n % 10) }
        ),
    }
}

fn place(raw: &str) -> anyhow::Result<PlaceName> {
    Ok(PlaceName::parse("name", raw)?)
}

/// How many grids of each kind the community at `index` gets, and how its residential grids
/// are covered: (residential, reserved, dedicated, joint branch sizes, uncovered).
fn shape(index: usize) -> (usize, usize, usize, Vec<usize>, usize) {
    let residential = if index < 3 { 10 } else { 9 };
    let reserved = if index < 10 { 3 } else { 2 };
    let dedicated = if index < 10 { 4 } else { 3 };
    // 23 joint branches: two in each of the first seven communities, one elsewhere; the very
    // first of them holds four grids, the rest three (22 × 3 + 4 = 70 grids).
    let mut joint = vec![3; if index < 7 { 2 } else { 1 }];
    if index == 0
        && let Some(first) = joint.first_mut()
    {
        *first = 4;
    }
    let uncovered = usize::from(index < 6);
    (residential, reserved, dedicated, joint, uncovered)
}

/// Someone holding a post of the structure: a role at a node.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Post {
    /// Index into [`Plan::people`].
    person: usize,
    role: Role,
    path: ScopePath,
}

/// The whole demo structure, before anything is written.
#[derive(Debug, Default)]
pub struct Plan {
    pub subdistricts: Vec<Subdistrict>,
    pub communities: Vec<Community>,
    pub grids: Vec<GridWithBuildings>,
    pub branches: Vec<PartyBranch>,
    pub people: Vec<DemoPerson>,
    posts: Vec<Post>,
}

impl Plan {
    fn person(&mut self, openid: &str) -> usize {
        let n = self.people.len();
        let surname = SURNAMES.get(n % SURNAMES.len()).copied().unwrap_or("王");
        let given = GIVEN
            .get((n / SURNAMES.len()) % GIVEN.len())
            .copied()
            .unwrap_or("明");
        self.people.push(DemoPerson {
            openid: openid.to_owned(),
            name: format!("{surname}{given}"),
            phone: format!("138{:08}", 53_100_000 + n),
        });
        n
    }

    fn post(&mut self, person: usize, role: Role, path: ScopePath) {
        self.posts.push(Post { person, role, path });
    }

    /// The number of grants of `role` at `scope`.
    pub fn holders(&self, role: Role, scope: Scope) -> usize {
        self.posts
            .iter()
            .filter(|p| p.role == role && p.path.scope() == scope)
            .count()
    }
}

/// The whole demo structure (deterministic but for ids and `now`).
pub fn plan(now: DateTime<Utc>) -> anyhow::Result<Plan> {
    let mut plan = Plan::default();
    let admin = plan.person(DISTRICT_ADMIN_OPENID);
    plan.post(admin, Role::DistrictAdmin, ScopePath::district());

    let mut community_index = 0usize;
    for (s_index, (subdistrict_name, community_names)) in SUBDISTRICTS.iter().enumerate() {
        let subdistrict = Subdistrict {
            id: SubdistrictId::new(),
            name: place(subdistrict_name)?,
            created_at: now,
        };
        let s_admin = plan.person(&format!("demo-subdistrict-{}-admin", s_index + 1));
        plan.post(
            s_admin,
            Role::SubdistrictAdmin,
            ScopePath::subdistrict(subdistrict.id),
        );
        for community_name in community_names.iter() {
            let community = Community {
                id: CommunityId::new(),
                subdistrict_id: subdistrict.id,
                name: place(community_name)?,
                created_at: now,
            };
            plan_community(&mut plan, &community, community_index, now)?;
            plan.communities.push(community);
            community_index += 1;
        }
        plan.subdistricts.push(subdistrict);
    }
    Ok(plan)
}

fn plan_community(
    plan: &mut Plan,
    community: &Community,
    index: usize,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let tag = format!("demo-c{:02}", index + 1);
    // Three community staff (the first is its admin) lead the grids; full-time grid
    // workers: ten in each community of the first subdistrict, eight elsewhere.
    let staff: Vec<usize> = (1..=3)
        .map(|k| plan.person(&format!("{tag}-staff-{k}")))
        .collect();
    if let Some(admin) = staff.first() {
        plan.post(*admin, Role::CommunityAdmin, community.path());
    }
    let worker_count = if index < 7 { 10 } else { 8 };
    let workers: Vec<usize> = (1..=worker_count)
        .map(|k| plan.person(&format!("{tag}-worker-{k}")))
        .collect();

    let (residential, reserved, dedicated, joint, uncovered) = shape(index);
    let mut grids: Vec<Grid> = Vec::new();
    let mut add_grid = |name: String, kind: GridKind, households: i64| -> anyhow::Result<()> {
        grids.push(Grid {
            id: GridId::new(),
            community_id: community.id,
            subdistrict_id: community.subdistrict_id,
            name: place(&name)?,
            kind,
            households: Households::new(households)?,
            created_at: now,
        });
        Ok(())
    };
    for g in 0..residential {
        let households = 300 + ((index * 7 + g * 37) % 201) as i64;
        add_grid(
            format!("{}网格", chinese_number(g + 1)),
            GridKind::Residential,
            households,
        )?;
    }
    for g in 0..reserved {
        add_grid(
            format!("预留{}网格", chinese_number(g + 1)),
            GridKind::Reserved,
            ((g * 41) % 150) as i64,
        )?;
    }
    for g in 0..dedicated {
        let name = DEDICATED
            .get((index + g) % DEDICATED.len())
            .copied()
            .unwrap_or("专属");
        add_grid(format!("{name}网格"), GridKind::Dedicated, 0)?;
    }

    let mut building_number = 1usize;
    // The staff lead the grids in turn, and the workers serve them in turn.
    let teams = staff.iter().cycle().zip(workers.iter().cycle());
    for (g_index, (grid, (leader, worker))) in grids.iter().zip(teams).enumerate() {
        plan.post(*leader, Role::GridLeader, grid.path());
        plan.post(*worker, Role::GridWorker, grid.path());
        let mut buildings = Vec::new();
        if grid.kind == GridKind::Residential {
            for b in 0..(6 + (g_index + index) % 4) {
                let stairwells: Vec<String> = (1..=(2 + (b % 3))).map(|u| format!("{u}单元")).collect();
                let building =
                    Building::new(grid, place(&format!("{building_number}号楼"))?, &stairwells, now)?;
                if b % 3 == 0 {
                    let leader = plan.person(&format!("{tag}-stairwell-{building_number}"));
                    plan.post(leader, Role::StairwellLeader, building.path());
                }
                building_number += 1;
                buildings.push(building);
            }
        }
        plan.grids.push(GridWithBuildings {
            grid: grid.clone(),
            buildings,
        });
    }

    let residential_grids: Vec<&Grid> = grids.iter().filter(|g| g.kind == GridKind::Residential).collect();
    let mut next = 0usize;
    for (j, size) in joint.iter().enumerate() {
        let members: Vec<GridId> = residential_grids
            .iter()
            .skip(next)
            .take(*size)
            .map(|g| g.id)
            .collect();
        next += size;
        plan.branches.push(PartyBranch {
            id: PartyBranchId::new(),
            community_id: community.id,
            subdistrict_id: community.subdistrict_id,
            name: place(&format!("{}联合党支部{}", community.name, chinese_number(j + 1)))?,
            kind: BranchKind::Joint,
            grid_ids: members,
            created_at: now,
        });
    }
    let independent_end = residential_grids.len() - uncovered;
    for grid in residential_grids.iter().take(independent_end).skip(next) {
        plan.branches.push(PartyBranch {
            id: PartyBranchId::new(),
            community_id: community.id,
            subdistrict_id: community.subdistrict_id,
            name: place(&format!("{}{}党支部", community.name, grid.name))?,
            kind: BranchKind::Independent,
            grid_ids: vec![grid.id],
            created_at: now,
        });
    }
    Ok(())
}

/// Writes the plan through the structure's and identity's adapters, unless its first
/// subdistrict exists already (then it was loaded before): returns whether it loaded.
/// Not one transaction: an interrupted load is finished by loading into a fresh database.
pub async fn load<S, G>(
    store: &S,
    grants: &G,
    people: &mut dyn DemoPeople,
    now: DateTime<Utc>,
) -> anyhow::Result<bool>
where
    S: PlaceRepository + BranchRepository,
    G: GrantStore,
{
    let plan = plan(now)?;
    let marker: Vec<String> = plan
        .subdistricts
        .first()
        .map(|s| s.name.as_str().to_owned())
        .into_iter()
        .collect();
    if !store.subdistricts_named(&marker).await?.is_empty() {
        return Ok(false);
    }
    let mut ids = Vec::with_capacity(plan.people.len());
    for person in &plan.people {
        ids.push(people.person(person).await?);
    }
    for s in &plan.subdistricts {
        store
            .insert_subdistrict(s, &StructureEvent::subdistrict_created(s).at(now))
            .await?;
    }
    for c in &plan.communities {
        store
            .insert_community(c, &StructureEvent::community_created(c).at(now))
            .await?;
        let grids: Vec<GridWithBuildings> = plan
            .grids
            .iter()
            .filter(|g| g.grid.community_id == c.id)
            .cloned()
            .collect();
        let events: Vec<DomainEvent> = grids
            .iter()
            .map(|g| StructureEvent::grid_created(&g.grid).at(now))
            .collect();
        store.insert_grids(&grids, &events).await?;
    }
    for b in &plan.branches {
        store
            .insert_branch(b, &StructureEvent::branch_created(b).at(now))
            .await?;
    }
    write_posts(&plan, &ids, grants, now).await?;
    Ok(true)
}

/// The admins of each node are added beside whoever holds the role there already (a
/// bootstrap admin, say); each grid's team is set whole.
async fn write_posts<G: GrantStore>(
    plan: &Plan,
    ids: &[UserId],
    grants: &G,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let user = |post: &Post| {
        ids.get(post.person)
            .copied()
            .ok_or_else(|| anyhow::anyhow!("a post names no one"))
    };
    let mut teams: HashMap<GridId, GridTeam> = HashMap::new();
    for post in &plan.posts {
        let holder = user(post)?;
        match post.role {
            Role::GridLeader | Role::GridWorker | Role::StairwellLeader => {
                let Some(grid) = post.path.grid else { continue };
                let team = teams.entry(grid).or_default();
                match (post.role, post.path.building) {
                    (Role::GridLeader, _) => team.leader = Some(holder),
                    (Role::GridWorker, _) => team.workers.push(holder),
                    (_, Some(building)) => team.stairwell_leaders.push((building, holder)),
                    _ => {}
                }
            }
            role => add_at(grants, post.path, role, holder, now).await?,
        }
    }
    for planned in &plan.grids {
        let grid = &planned.grid;
        let Some(team) = teams.remove(&grid.id) else {
            continue;
        };
        let replacement = team.to_grants(grid, None, now)?;
        let announced = grid.clone();
        grants
            .replace_grants(
                None,
                &GridTeam::grant_set(grid),
                replacement,
                move |before, after| {
                    team_change_events(
                        &announced,
                        &GridTeam::from_grants(before),
                        &GridTeam::from_grants(after),
                        now,
                    )
                },
            )
            .await?;
    }
    Ok(())
}

/// Gives `user` the role at the node `path` names, keeping its other holders.
async fn add_at<G: GrantStore>(
    grants: &G,
    path: ScopePath,
    role: Role,
    user: UserId,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let node = path.scope();
    let set = GrantSet {
        under: node,
        roles: vec![role],
    };
    let mut replacement: Vec<PlacedGrant> = grants
        .grants_in(&set)
        .await?
        .into_iter()
        .filter(|g| g.scope() == node)
        .map(|grant| PlacedGrant { grant, path })
        .collect();
    replacement.push(PlacedGrant {
        grant: RoleGrant::new(user, role, node, None, now)?,
        path,
    });
    grants
        .replace_grants(None, &set, replacement, |_, _| Vec::new())
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_district_has_the_districts_figures() {
        let plan = plan(Utc::now()).unwrap();
        let kind = |k: GridKind| plan.grids.iter().filter(|g| g.grid.kind == k).count();
        assert_eq!(plan.subdistricts.len(), 3);
        assert_eq!(plan.communities.len(), 16);
        assert_eq!(plan.grids.len(), 247);
        assert_eq!(kind(GridKind::Residential), 147);
        assert_eq!(kind(GridKind::Reserved), 42);
        assert_eq!(kind(GridKind::Dedicated), 58);
        let independent = plan
            .branches
            .iter()
            .filter(|b| b.kind == BranchKind::Independent)
            .count();
        let joint: Vec<&PartyBranch> = plan
            .branches
            .iter()
            .filter(|b| b.kind == BranchKind::Joint)
            .collect();
        assert_eq!(independent, 71);
        assert_eq!(joint.len(), 23);
        assert_eq!(joint.iter().map(|b| b.grid_ids.len()).sum::<usize>(), 70);
        let mut covered: Vec<GridId> = plan.branches.iter().flat_map(|b| b.grid_ids.clone()).collect();
        let before = covered.len();
        covered.sort();
        covered.dedup();
        assert_eq!(covered.len(), before, "no grid is in two branches");
        assert_eq!(covered.len(), 141);
    }

    #[test]
    fn residential_grids_hold_300_to_500_households_and_every_grid_has_a_team() {
        let plan = plan(Utc::now()).unwrap();
        for planned in plan.grids.iter().filter(|g| g.grid.kind == GridKind::Residential) {
            assert!(
                Households::NORM.contains(&planned.grid.households.get()),
                "{}",
                planned.grid.name
            );
        }
        for planned in &plan.grids {
            assert_eq!(plan.holders(Role::GridLeader, Scope::Grid(planned.grid.id)), 1);
        }
    }

    #[test]
    fn chinese_numbers_read_as_they_should() {
        assert_eq!(chinese_number(1), "一");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(14), "十四");
        assert_eq!(chinese_number(20), "二十");
    }
}
