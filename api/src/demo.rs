//! The demo district: a district shaped like the one in DOMAIN.md, so that a new user sees
//! real figures at once. 16 communities in 3 subdistricts; 247 grids (147 residential, 42
//! reserved, 58 dedicated); 71 independent and 23 joint Party branches covering 141 of the
//! 147 residential grids; buildings, stairwells and grid teams. Deterministic, and loaded
//! at most once.

use chrono::{DateTime, Utc};
use linli_grid::{
    BranchKind, Building, Community, Grid, GridKind, Households, PartyBranch, PlaceName, Subdistrict,
};
use linli_identity::{Nickname, OpenId, PhoneNumber, RealName, User};
use linli_infra::db::{Database, Seed};
use linli_kernel::{
    CommunityId, GridId, PartyBranchId, Role, RoleGrant, Scope, ScopePath, SubdistrictId, UserId,
};

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

/// What `linli demo` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOutcome {
    pub loaded: bool,
}

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

struct People<'a> {
    seed: &'a mut Seed,
    now: DateTime<Utc>,
    counter: usize,
}

impl People<'_> {
    fn person(&mut self, openid: &str) -> anyhow::Result<UserId> {
        let n = self.counter;
        self.counter += 1;
        let surname = SURNAMES.get(n % SURNAMES.len()).copied().unwrap_or("王");
        let given = GIVEN
            .get((n / SURNAMES.len()) % GIVEN.len())
            .copied()
            .unwrap_or("明");
        let user = User {
            id: UserId::new(),
            openid: OpenId::parse(openid)?,
            unionid: None,
            nickname: Some(Nickname::parse(&format!("{surname}{given}"))?),
            real_name: Some(RealName::parse(&format!("{surname}{given}"))?),
            phone: Some(PhoneNumber::parse(&format!("138{:08}", 53_100_000 + n))?),
            residence: None,
            created_at: self.now,
            updated_at: self.now,
        };
        let id = user.id;
        self.seed.users.push(user);
        Ok(id)
    }

    fn grant(&mut self, user: UserId, role: Role, scope: Scope, path: ScopePath) -> anyhow::Result<()> {
        self.seed
            .grants
            .push((RoleGrant::new(user, role, scope, None, self.now)?, path));
        Ok(())
    }
}

/// The whole demo district, built from domain values (so every rule of form holds).
pub fn demo_district(now: DateTime<Utc>) -> anyhow::Result<Seed> {
    let mut seed = Seed::default();
    let mut people = People {
        seed: &mut seed,
        now,
        counter: 0,
    };
    let admin = people.person(DISTRICT_ADMIN_OPENID)?;
    people.grant(admin, Role::DistrictAdmin, Scope::District, ScopePath::district())?;

    let mut community_index = 0usize;
    for (s_index, (subdistrict_name, community_names)) in SUBDISTRICTS.iter().enumerate() {
        let subdistrict = Subdistrict {
            id: SubdistrictId::new(),
            name: place(subdistrict_name)?,
            created_at: now,
        };
        let s_admin = people.person(&format!("demo-subdistrict-{}-admin", s_index + 1))?;
        people.grant(
            s_admin,
            Role::SubdistrictAdmin,
            Scope::Subdistrict(subdistrict.id),
            ScopePath::subdistrict(subdistrict.id),
        )?;
        for community_name in community_names.iter() {
            let community = Community {
                id: CommunityId::new(),
                subdistrict_id: subdistrict.id,
                name: place(community_name)?,
                created_at: now,
            };
            build_community(&mut people, &community, community_index)?;
            people.seed.communities.push(community);
            community_index += 1;
        }
        people.seed.subdistricts.push(subdistrict);
    }
    Ok(seed)
}

fn build_community(people: &mut People<'_>, community: &Community, index: usize) -> anyhow::Result<()> {
    let now = people.now;
    let tag = format!("demo-c{:02}", index + 1);
    let path = community.path();
    // Three community staff (the first is its admin) lead the grids; full-time grid
    // workers: ten in each community of the first subdistrict, eight elsewhere.
    let staff: Vec<UserId> = (1..=3)
        .map(|k| people.person(&format!("{tag}-staff-{k}")))
        .collect::<anyhow::Result<_>>()?;
    if let Some(admin) = staff.first() {
        people.grant(*admin, Role::CommunityAdmin, Scope::Community(community.id), path)?;
    }
    let worker_count = if index < 7 { 10 } else { 8 };
    let workers: Vec<UserId> = (1..=worker_count)
        .map(|k| people.person(&format!("{tag}-worker-{k}")))
        .collect::<anyhow::Result<_>>()?;

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
        people.grant(*leader, Role::GridLeader, Scope::Grid(grid.id), grid.path())?;
        people.grant(*worker, Role::GridWorker, Scope::Grid(grid.id), grid.path())?;
        if grid.kind != GridKind::Residential {
            continue;
        }
        for b in 0..(6 + (g_index + index) % 4) {
            let stairwells: Vec<String> = (1..=(2 + (b % 3))).map(|u| format!("{u}单元")).collect();
            let building = Building::new(grid, place(&format!("{building_number}号楼"))?, &stairwells, now)?;
            building_number += 1;
            if b % 3 == 0 {
                let leader = people.person(&format!("{tag}-stairwell-{}", building_number - 1))?;
                people.grant(
                    leader,
                    Role::StairwellLeader,
                    Scope::Building(building.id),
                    building.path(),
                )?;
            }
            people.seed.buildings.push(building);
        }
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
        people.seed.branches.push(PartyBranch {
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
        people.seed.branches.push(PartyBranch {
            id: PartyBranchId::new(),
            community_id: community.id,
            subdistrict_id: community.subdistrict_id,
            name: place(&format!("{}{}党支部", community.name, grid.name))?,
            kind: BranchKind::Independent,
            grid_ids: vec![grid.id],
            created_at: now,
        });
    }
    people.seed.grids.extend(grids);
    Ok(())
}

/// Loads the demo district unless it is there already.
pub async fn load(db: &Database) -> anyhow::Result<DemoOutcome> {
    let seed = demo_district(Utc::now())?;
    let loaded = db.load_seed(&seed).await?;
    Ok(DemoOutcome { loaded })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_district_has_the_districts_figures() {
        let seed = demo_district(Utc::now()).unwrap();
        let kind = |k: GridKind| seed.grids.iter().filter(|g| g.kind == k).count();
        assert_eq!(seed.subdistricts.len(), 3);
        assert_eq!(seed.communities.len(), 16);
        assert_eq!(seed.grids.len(), 247);
        assert_eq!(kind(GridKind::Residential), 147);
        assert_eq!(kind(GridKind::Reserved), 42);
        assert_eq!(kind(GridKind::Dedicated), 58);
        let independent = seed
            .branches
            .iter()
            .filter(|b| b.kind == BranchKind::Independent)
            .count();
        let joint: Vec<&PartyBranch> = seed
            .branches
            .iter()
            .filter(|b| b.kind == BranchKind::Joint)
            .collect();
        assert_eq!(independent, 71);
        assert_eq!(joint.len(), 23);
        assert_eq!(joint.iter().map(|b| b.grid_ids.len()).sum::<usize>(), 70);
        let mut covered: Vec<GridId> = seed.branches.iter().flat_map(|b| b.grid_ids.clone()).collect();
        let before = covered.len();
        covered.sort();
        covered.dedup();
        assert_eq!(covered.len(), before, "no grid is in two branches");
        assert_eq!(covered.len(), 141);
    }

    #[test]
    fn residential_grids_hold_300_to_500_households_and_every_grid_has_a_team() {
        let seed = demo_district(Utc::now()).unwrap();
        for grid in seed.grids.iter().filter(|g| g.kind == GridKind::Residential) {
            assert!(Households::NORM.contains(&grid.households.get()), "{}", grid.name);
        }
        for grid in &seed.grids {
            let leads = seed
                .grants
                .iter()
                .filter(|(g, _)| g.role() == Role::GridLeader && g.scope() == Scope::Grid(grid.id))
                .count();
            assert_eq!(leads, 1);
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
