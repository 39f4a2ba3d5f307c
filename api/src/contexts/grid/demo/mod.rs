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

mod write;

pub use write::load;

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

#[cfg(test)]
mod tests;
