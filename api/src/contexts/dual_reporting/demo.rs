//! Dual reporting's part of the demo district, after the grid context's: 140 units paired
//! one-to-one with residential grids of the 16 communities, each with its admin and an
//! accepted report; 5,200 in-service Party members reported across the communities (most
//! accepted, some waiting, a few rejected) and 900 transferred members registered by their
//! communities; their pledges, some kept; resource offers of the
//! units, needs of the communities and subdistricts, and 345 projects (mostly completed or
//! active). Deterministic but for ids and `now`.
//!
//! Thousands of people and records would take minutes one at a time, so people are written
//! by identity's bulk adapter (sealed like any profile) and records by dual reporting's
//! (multi-row INSERTs in one transaction, no events: nobody is subscribed to them yet); the
//! `party_member` and `unit_admin` grants go through the kernel's `GrantStore`, one set each.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use linli_dual_reporting::appraisal::Period;
use linli_dual_reporting::models::TransferredMemberId;
use linli_dual_reporting::pledges::MemberBasis;
use linli_dual_reporting::transferred::{TransferStatus, TransferredMember};
use linli_dual_reporting::{
    Activity, ActivityId, Assignment, CategoryKey, DEFAULT_CATEGORIES, Fulfilment, FulfilmentId,
    FulfilmentStatus, MemberReport, MemberReportId, Need, NeedId, NeedStatus, Party, Pledge, PledgeId,
    Project, ProjectId, ProjectOffer, ProjectStatus, Quantity, ReportStatus, ResourceKind, ResourceOffer,
    ResourceOfferId, Signature, Unit, UnitKind, UnitReport, UnitReportId, UnitReportStatus, Urgency,
};
use linli_grid::GridKind;
use linli_grid::ports::{ListFilter, PlaceRepository};
use linli_identity::{Nickname, OpenId, PhoneNumber, RealName};
use linli_infra::db::Database;
use linli_infra::dual_reporting::DemoRecords;
use linli_infra::identity::NewPerson;
use linli_kernel::actor::Reach;
use linli_kernel::ports::GrantStore;
use linli_kernel::{
    CommunityId, GrantSet, PageRequest, PlacedGrant, Role, RoleGrant, Scope, ScopePath, SideKind,
    SubdistrictId, UnitId, UserId,
};

#[cfg(test)]
mod tests;

pub const UNITS: usize = 140;
pub const IN_SERVICE_MEMBERS: usize = 5_200;
/// Party members whose organisation relation moved to the community (from bankrupt
/// enterprises): registered by the community, no unit, counted apart.
pub const TRANSFERRED_MEMBERS: usize = 900;
pub const PROJECTS: usize = 345;
/// Needs no project has taken yet.
const OPEN_NEEDS: usize = 75;
const OFFERS_PER_UNIT: usize = 3;

/// The openid of the admin of the demo unit numbered `n` (from 1).
pub fn unit_admin_openid(n: usize) -> String {
    format!("demo-unit-{n:03}-admin")
}

/// The openid of the demo transferred member numbered `n` (from 1).
pub fn transferred_openid(n: usize) -> String {
    format!("demo-transferred-{n:03}")
}

/// The openid of the demo member numbered `n` (from 1).
pub fn member_openid(n: usize) -> String {
    format!("demo-member-{n:04}")
}

/// A community of the demo district as the plan needs it: its residential grids in a stable
/// order, its admin and its subdistrict's admin.
#[derive(Debug, Clone)]
pub struct DemoCommunity {
    pub id: CommunityId,
    pub subdistrict: SubdistrictId,
    pub grids: Vec<ScopePath>,
    pub admin: UserId,
    pub subdistrict_admin: UserId,
}

impl DemoCommunity {
    fn path(&self) -> ScopePath {
        ScopePath::community(self.subdistrict, self.id)
    }
}

const SURNAMES: [&str; 32] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何",
    "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹",
];
const GIVEN: [&str; 40] = [
    "建华", "丽华", "志刚", "秀兰", "海涛", "晓燕", "国强", "玉兰", "文斌", "春燕", "永红", "桂芳", "俊杰",
    "雪梅", "立军", "红霞", "德明", "淑珍", "振宇", "婷婷", "宏伟", "美玲", "卫东", "慧敏", "子豪", "静怡",
    "金山", "凤英", "浩然", "欣怡", "保国", "月娥", "晨光", "思雨", "明辉", "素琴", "家乐", "佳琪", "长青",
    "红梅",
];

/// A real name for the person numbered `n`: surname and given name vary independently.
fn name_of(n: usize) -> String {
    let surname = SURNAMES.get(n % SURNAMES.len()).copied().unwrap_or("王");
    let given = GIVEN
        .get((n / SURNAMES.len() + n) % GIVEN.len())
        .copied()
        .unwrap_or("明");
    format!("{surname}{given}")
}

fn person(openid: &str, name: &str, phone: &str) -> anyhow::Result<NewPerson> {
    let surname: String = name.chars().take(1).collect();
    Ok(NewPerson {
        openid: OpenId::parse(openid)?,
        nickname: Nickname::parse(&format!("老{surname}"))?,
        real_name: RealName::parse(name)?,
        phone: PhoneNumber::parse(phone)?,
    })
}

/// The unit admins (first, in unit order) and the members, as identity stores them.
pub fn people() -> anyhow::Result<Vec<NewPerson>> {
    let mut people = Vec::with_capacity(UNITS + IN_SERVICE_MEMBERS + TRANSFERRED_MEMBERS);
    for n in 1..=UNITS {
        let name = name_of(n * 7 + 3);
        people.push(person(
            &unit_admin_openid(n),
            &name,
            &format!("139{:08}", 53_200_000 + n),
        )?);
    }
    for n in 1..=IN_SERVICE_MEMBERS {
        people.push(person(
            &member_openid(n),
            &name_of(n),
            &format!("137{:08}", 53_300_000 + n),
        )?);
    }
    for n in 1..=TRANSFERRED_MEMBERS {
        people.push(person(
            &transferred_openid(n),
            &name_of(n * 11 + 5),
            &format!("136{:08}", 53_400_000 + n),
        )?);
    }
    Ok(people)
}

/// (kind, how many, roll count base, spread): roll counts sum to 5,602.
const KINDS: [(UnitKind, usize, u32, usize); 6] = [
    (UnitKind::ProvincialOrgan, 12, 60, 21),
    (UnitKind::MunicipalOrgan, 38, 45, 21),
    (UnitKind::StateEnterprise, 30, 36, 21),
    (UnitKind::Institution, 32, 24, 11),
    (UnitKind::PrivateEnterprise, 18, 10, 11),
    (UnitKind::SocialOrganisation, 10, 5, 7),
];

const PROVINCIAL: [&str; 12] = [
    "省交通运输厅",
    "省水利厅",
    "省自然资源厅",
    "省生态环境厅",
    "省住房和城乡建设厅",
    "省农业农村厅",
    "省商务厅",
    "省文化和旅游厅",
    "省卫生健康委员会",
    "省应急管理厅",
    "省审计厅",
    "省统计局",
];
const MUNICIPAL: [&str; 19] = [
    "教育局",
    "科技局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "生态环境局",
    "住房和城乡建设局",
    "城市管理局",
    "交通运输局",
    "水务局",
    "农业农村局",
    "商务局",
    "文化和旅游局",
    "卫生健康委员会",
    "退役军人事务局",
    "应急管理局",
    "市场监督管理局",
];
const ENTERPRISES: [&str; 15] = [
    "供电公司",
    "供水集团",
    "燃气集团",
    "公交集团",
    "城投集团",
    "热力公司",
    "邮政分公司",
    "移动分公司",
    "联通分公司",
    "电信分公司",
    "工商银行支行",
    "农业银行支行",
    "建设银行支行",
    "烟草专卖局",
    "粮食储备库",
];
const INSTITUTIONS: [&str; 16] = [
    "第一中学",
    "第二中学",
    "实验小学",
    "育才小学",
    "职业中专",
    "人民医院",
    "中医医院",
    "妇幼保健院",
    "疾病预防控制中心",
    "图书馆",
    "文化馆",
    "档案馆",
    "广播电视台",
    "融媒体中心",
    "青少年活动中心",
    "科技馆",
];
const PRIVATE: [&str; 18] = [
    "鲁信", "华泰", "金诺", "恒丰", "远航", "瑞达", "中润", "宏业", "泰和", "新星", "博远", "佳和", "永盛",
    "同力", "海纳", "众成", "凯瑞", "德润",
];
const SOCIAL: [&str; 10] = [
    "区慈善总会",
    "区红十字会",
    "区老年人体育协会",
    "区志愿者协会",
    "区律师协会",
    "区个体劳动者协会",
    "区社会工作者协会",
    "区书法家协会",
    "区摄影家协会",
    "区青年企业家协会",
];

/// The name of the `i`th unit of a kind (from 0), unique across the district.
fn unit_name(kind: UnitKind, i: usize) -> String {
    let pick = |list: &[&str]| list.get(i % list.len()).copied().unwrap_or("").to_owned();
    match kind {
        UnitKind::ProvincialOrgan => pick(&PROVINCIAL),
        UnitKind::MunicipalOrgan if i < MUNICIPAL.len() => format!("市{}", pick(&MUNICIPAL)),
        UnitKind::MunicipalOrgan => format!("区{}", pick(&MUNICIPAL)),
        UnitKind::StateEnterprise if i < ENTERPRISES.len() => format!("济阳{}", pick(&ENTERPRISES)),
        UnitKind::StateEnterprise => format!("济北{}", pick(&ENTERPRISES)),
        UnitKind::Institution if i < INSTITUTIONS.len() => format!("济阳区{}", pick(&INSTITUTIONS)),
        UnitKind::Institution => format!("济北{}", pick(&INSTITUTIONS)),
        UnitKind::PrivateEnterprise => format!("山东{}科技有限公司", pick(&PRIVATE)),
        UnitKind::SocialOrganisation => pick(&SOCIAL),
    }
}

const SKILLS: [&str; 12] = [
    "法律咨询",
    "医疗保健",
    "文艺演出",
    "书法绘画",
    "电脑维修",
    "心理疏导",
    "家电维修",
    "理发",
    "摄影",
    "辅导作业",
    "驾驶",
    "政策讲解",
];
const AVAILABILITY: [&str; 4] = ["周末", "工作日晚上", "节假日", "随时"];
const POSTS: [&str; 5] = [
    "楼道长",
    "网格党员志愿者",
    "政策宣传员",
    "文明劝导员",
    "平安志愿者",
];
const PLEDGES: [&str; 7] = [
    "每月入户宣传政策一次",
    "每季度参加一次环境整治",
    "结对帮扶一户独居老人",
    "为居民提供一次法律咨询",
    "每月参加一次健康义诊",
    "每周参加一次治安巡逻",
    "组织一次社区文化活动",
];

/// The day in the district (UTC+8).
fn district_day(now: DateTime<Utc>) -> NaiveDate {
    (now + Duration::hours(8)).date_naive()
}

fn categories() -> anyhow::Result<Vec<CategoryKey>> {
    DEFAULT_CATEGORIES
        .iter()
        .map(|(key, _)| Ok(CategoryKey::parse("category", key)?))
        .collect()
}

fn nth<T: Clone>(list: &[T], n: usize) -> anyhow::Result<T> {
    list.get(n % list.len().max(1))
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("an empty list"))
}

/// Every record of the plan, and the grants it gives: `unit_admin` per unit, `party_member`
/// per accepted member (in their community).
pub struct Planned {
    pub records: DemoRecords,
    pub unit_admins: Vec<PlacedGrant>,
    pub party_members: Vec<PlacedGrant>,
}

/// The plan over the communities given (in a stable order), with the people's ids in the
/// order of [`people`].
pub fn plan(
    communities: &[DemoCommunity],
    people: &[UserId],
    district_admin: UserId,
    now: DateTime<Utc>,
) -> anyhow::Result<Planned> {
    let mut planned = Planned {
        records: DemoRecords::default(),
        unit_admins: Vec::new(),
        party_members: Vec::new(),
    };
    let admins = people.get(..UNITS).unwrap_or_default();
    let members = people.get(UNITS..UNITS + IN_SERVICE_MEMBERS).unwrap_or_default();
    let transferred = people.get(UNITS + IN_SERVICE_MEMBERS..).unwrap_or_default();
    plan_units(&mut planned, communities, admins, district_admin, now)?;
    plan_members(&mut planned, communities, members, now)?;
    plan_transferred(&mut planned, communities, transferred, now)?;
    plan_lists(&mut planned, communities, admins, now)?;
    Ok(planned)
}

/// The grids paired with units: every residential grid but the last of the first seven
/// communities (147 − 7 = 140 in the demo district), community by community.
fn paired_grids(communities: &[DemoCommunity]) -> Vec<(usize, ScopePath)> {
    let mut grids = Vec::new();
    for (c, community) in communities.iter().enumerate() {
        let keep = community.grids.len() - usize::from(c < 7 && community.grids.len() > 1);
        grids.extend(community.grids.iter().take(keep).map(|g| (c, *g)));
    }
    grids.truncate(UNITS);
    grids
}

fn plan_units(
    planned: &mut Planned,
    communities: &[DemoCommunity],
    admins: &[UserId],
    district_admin: UserId,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let grids = paired_grids(communities);
    anyhow::ensure!(grids.len() == UNITS, "the demo needs {UNITS} residential grids");
    // Kinds interleaved over the grids, so that every community hosts a mix.
    let mut kinds: Vec<(usize, usize, UnitKind, u32)> = Vec::new();
    for (order, (kind, count, base, spread)) in KINDS.into_iter().enumerate() {
        for i in 0..count {
            let roll = base + u32::try_from(i * 5 % spread)?;
            // Where in the district's run of units this one falls, as a share of its kind.
            kinds.push((i * 10_000 / count, order, kind, roll));
        }
    }
    kinds.sort_by_key(|(at, order, _, _)| (*at, *order));
    let mut seen: HashMap<UnitKind, usize> = HashMap::new();
    let kinds: Vec<(usize, UnitKind, u32)> = kinds
        .into_iter()
        .map(|(_, _, kind, roll)| {
            let i = seen.entry(kind).or_default();
            *i += 1;
            (*i - 1, kind, roll)
        })
        .collect();
    let created = now - Duration::days(300);
    for (n, ((c, grid), (i, kind, roll))) in grids.into_iter().zip(kinds).enumerate() {
        let community = communities
            .get(c)
            .ok_or_else(|| anyhow::anyhow!("no community {c}"))?;
        let admin = *admins
            .get(n)
            .ok_or_else(|| anyhow::anyhow!("no admin for unit {n}"))?;
        let name = unit_name(kind, i);
        let unit = Unit {
            id: UnitId::new(),
            party_organisation: format!("中共{name}委员会"),
            name,
            kind,
            contact_name: name_of(n * 7 + 3),
            contact_phone: format!("0531-8{:07}", 8_100_000 + n),
            roll_count: roll,
            grid,
            created_at: created,
        };
        planned.unit_admins.push(PlacedGrant {
            grant: RoleGrant::new(
                admin,
                Role::UnitAdmin,
                Scope::Side(SideKind::UNIT, unit.id.as_uuid()),
                Some(district_admin),
                created,
            )?,
            path: unit.path(),
        });
        planned.records.unit_reports.push(UnitReport {
            id: UnitReportId::new(),
            unit_id: unit.id,
            grid: unit.grid,
            status: UnitReportStatus::Accepted,
            filed_by: admin,
            filed_at: created + Duration::days(2),
            accepted_by: Some(community.admin),
            accepted_at: Some(created + Duration::days(3)),
        });
        planned.records.units.push(unit);
    }
    Ok(())
}

/// The status of the member numbered `k` (from 0): 52 rejected, 260 waiting, the rest
/// accepted.
fn member_status(k: usize) -> ReportStatus {
    match k % 100 {
        99 => ReportStatus::Rejected,
        94..=98 => ReportStatus::Submitted,
        _ => ReportStatus::Accepted,
    }
}

fn plan_members(
    planned: &mut Planned,
    communities: &[DemoCommunity],
    members: &[UserId],
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    // Each unit's members, in turn, up to its roll count: the units' report rates stay
    // below one and the largest units have the most members.
    let mut slots: Vec<(u32, usize)> = planned
        .records
        .units
        .iter()
        .enumerate()
        .flat_map(|(u, unit)| (0..unit.roll_count).map(move |j| (j, u)))
        .collect();
    slots.sort_unstable();
    anyhow::ensure!(slots.len() >= IN_SERVICE_MEMBERS, "rolls too short");
    let categories = categories()?;
    let period = Period::new("period", district_day(now).format("%Y").to_string().parse()?)?;
    for (k, ((_, u), member)) in slots.into_iter().zip(members).enumerate() {
        let unit = planned
            .records
            .units
            .get(u)
            .ok_or_else(|| anyhow::anyhow!("no unit {u}"))?;
        let community = nth(communities, k)?;
        let grid = nth(&community.grids, k / communities.len())?;
        let status = member_status(k);
        let filed_at = now - Duration::days(200) + Duration::minutes(i64::try_from(k)? * 37);
        let decided = status != ReportStatus::Submitted;
        let skills = vec![nth(&SKILLS, k)?.to_owned(), nth(&SKILLS, k / 3 + 5)?.to_owned()];
        let report = MemberReport {
            id: MemberReportId::new(),
            user_id: *member,
            unit_id: unit.id,
            place: if status == ReportStatus::Accepted {
                grid
            } else {
                community.path()
            },
            skills,
            availability: nth(&AVAILABILITY, k)?.to_owned(),
            note: format!("在{}工作", unit.name),
            status,
            assignment: if status == ReportStatus::Accepted {
                let grid_id = grid
                    .grid
                    .ok_or_else(|| anyhow::anyhow!("a grid path without a grid"))?;
                Some(Assignment::new(grid_id, nth(&categories, k)?, nth(&POSTS, k)?)?)
            } else {
                None
            },
            reason: (status == ReportStatus::Rejected).then(|| "经核实不在本社区居住".to_owned()),
            filed_at,
            decided_by: decided.then_some(community.admin),
            decided_at: decided.then(|| filed_at + Duration::days(2)),
        };
        if status == ReportStatus::Accepted {
            planned.party_members.push(PlacedGrant {
                grant: RoleGrant::new(
                    *member,
                    Role::PartyMember,
                    Scope::Community(community.id),
                    Some(community.admin),
                    filed_at + Duration::days(2),
                )?,
                path: community.path(),
            });
            if k.is_multiple_of(3) {
                plan_pledge(&mut planned.records, &report, &community, k, period, &categories)?;
            }
        }
        planned.records.reports.push(report);
    }
    Ok(())
}

/// The transferred members, spread over the communities and their grids, each registered by
/// the community's admin with the `party_member` grant it gives.
fn plan_transferred(
    planned: &mut Planned,
    communities: &[DemoCommunity],
    people: &[UserId],
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    for (k, person) in people.iter().enumerate() {
        let community = nth(communities, k)?;
        let grid = nth(&community.grids, k / communities.len())?;
        let registered_at = now - Duration::days(300) + Duration::minutes(i64::try_from(k)? * 53);
        planned.records.transferred.push(TransferredMember {
            id: TransferredMemberId::new(),
            user_id: *person,
            place: grid,
            from_organisation: nth(&FORMER_ORGANISATIONS, k)?.to_owned(),
            transferred_on: (registered_at - Duration::days(30)).date_naive(),
            status: TransferStatus::Active,
            registered_by: community.admin,
            registered_at,
            withdrawn_by: None,
            withdrawn_at: None,
            reason: None,
        });
        planned.party_members.push(PlacedGrant {
            grant: RoleGrant::new(
                *person,
                Role::PartyMember,
                Scope::Community(community.id),
                Some(community.admin),
                registered_at,
            )?,
            path: community.path(),
        });
    }
    Ok(())
}

/// The enterprises whose Party members moved to where they live.
const FORMER_ORGANISATIONS: [&str; 5] = [
    "原济阳县化肥厂党委",
    "原济阳县棉纺厂党委",
    "原济阳县酿酒厂党支部",
    "原济阳县农机厂党支部",
    "原济阳县造纸厂党委",
];

/// One pledge of the accepted member numbered `k`: a third of them pledge; a third of the
/// pledges are kept (every record verified), the others are under way, some with a record
/// waiting for the grid staff.
fn plan_pledge(
    records: &mut DemoRecords,
    report: &MemberReport,
    community: &DemoCommunity,
    k: usize,
    period: Period,
    categories: &[CategoryKey],
) -> anyhow::Result<()> {
    let target = u32::try_from(1 + k % 4)?;
    let verified = if k.is_multiple_of(9) { target } else { target / 2 };
    let pending = u32::from(verified < target && k.is_multiple_of(5));
    let created_at = report.decided_at.unwrap_or(report.filed_at) + Duration::days(5);
    let pledge = Pledge {
        id: PledgeId::new(),
        user_id: report.user_id,
        basis: MemberBasis::Report(report.id),
        unit_id: Some(report.unit_id),
        place: report.place,
        title: nth(&PLEDGES, k / 3)?.to_owned(),
        category: nth(categories, k / 3)?,
        target,
        period,
        verified,
        pending,
        created_at,
    };
    for r in 0..(verified + pending) {
        let submitted_at = created_at + Duration::days(i64::from(r + 1) * 20);
        let done = r < verified;
        records.fulfilments.push(Fulfilment {
            id: FulfilmentId::new(),
            pledge_id: pledge.id,
            user_id: pledge.user_id,
            note: format!("{}（第{}次）", pledge.title, r + 1),
            photos: Vec::new(),
            status: if done {
                FulfilmentStatus::Verified
            } else {
                FulfilmentStatus::Submitted
            },
            reason: None,
            submitted_at,
            decided_by: done.then_some(community.admin),
            decided_at: done.then(|| submitted_at + Duration::days(1)),
        });
    }
    records.pledges.push(pledge);
    Ok(())
}

/// What an offer of each kind holds, and what a project takes of it.
fn offer_terms(kind: ResourceKind, k: usize) -> anyhow::Result<(Quantity, Quantity, &'static str)> {
    let n = u32::try_from(k % 5)?;
    let (amount, take, measure, title) = match kind {
        ResourceKind::Funds => (f64::from(10_000 + n * 5_000), 5_000.0, "元", "共建资金"),
        ResourceKind::Venue => (f64::from(2 + n), 1.0, "处", "活动场地"),
        ResourceKind::Equipment => (f64::from(10 + n * 2), 5.0, "台", "设备借用"),
        ResourceKind::Volunteers => (f64::from(20 + n * 5), 10.0, "人", "志愿服务队"),
        ResourceKind::Expertise => (f64::from(6 + n * 2), 4.0, "次", "专业服务"),
    };
    Ok((
        Quantity::new(amount, measure)?,
        Quantity::new(take, measure)?,
        title,
    ))
}

/// The status of project `j` (from 0): of every 23, 15 completed, 6 active, 1 planned, 1
/// cancelled (345 = 15 × 23: 225, 90, 15, 15).
fn project_status(j: usize) -> ProjectStatus {
    match j % 23 {
        0..=14 => ProjectStatus::Completed,
        15..=20 => ProjectStatus::Active,
        21 => ProjectStatus::Planned,
        _ => ProjectStatus::Cancelled,
    }
}

fn plan_lists(
    planned: &mut Planned,
    communities: &[DemoCommunity],
    admins: &[UserId],
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let today = district_day(now);
    let categories = categories()?;
    let community_of: HashMap<CommunityId, &DemoCommunity> = communities.iter().map(|c| (c.id, c)).collect();
    let records = &mut planned.records;
    let created = now - Duration::days(240);
    // Offers: three of each unit, kinds in turn. Offer `k` is taken by project `k`.
    for (u, unit) in records.units.iter().enumerate() {
        let admin = *admins
            .get(u)
            .ok_or_else(|| anyhow::anyhow!("no admin for unit {u}"))?;
        for o in 0..OFFERS_PER_UNIT {
            let k = u * OFFERS_PER_UNIT + o;
            let kind = nth(ResourceKind::ALL, k)?;
            let (quantity, _, title) = offer_terms(kind, k)?;
            records.offers.push(ResourceOffer {
                id: ResourceOfferId::new(),
                unit_id: unit.id,
                place: unit.path(),
                kind,
                category: Some(nth(&categories, k)?),
                title: format!("{}{title}", unit.name),
                description: format!("{}面向社区提供", unit.name),
                quantity,
                committed: 0,
                valid_from: today - Duration::days(240),
                valid_until: today + Duration::days(125),
                offered_by: admin,
                created_at: created + Duration::hours(i64::try_from(k)?),
            });
        }
    }
    anyhow::ensure!(records.offers.len() >= PROJECTS, "too few offers");
    let units: HashMap<UnitId, UserId> = records
        .units
        .iter()
        .zip(admins)
        .map(|(unit, admin)| (unit.id, *admin))
        .collect();
    // Needs: one for each project, where its offer's unit is (one in eight posted by the
    // subdistrict), then open ones across the communities.
    for j in 0..(PROJECTS + OPEN_NEEDS) {
        let (place, kind) = match records.offers.get(j).filter(|_| j < PROJECTS) {
            Some(offer) => (offer.place, offer.kind),
            None => (nth(communities, j)?.path(), nth(ResourceKind::ALL, j)?),
        };
        let community = place
            .community
            .and_then(|c| community_of.get(&c))
            .ok_or_else(|| anyhow::anyhow!("a need outside the demo communities"))?;
        let by_subdistrict = j % 8 == 7;
        let (_, take, _) = offer_terms(kind, j)?;
        records.needs.push(Need {
            id: NeedId::new(),
            place: if by_subdistrict {
                ScopePath::subdistrict(community.subdistrict)
            } else {
                community.path()
            },
            kind,
            category: Some(nth(&categories, j)?),
            title: format!("{}需求", nth(&PLEDGES, j)?),
            description: "居民反映强烈，需要共建单位支持".to_owned(),
            urgency: nth(Urgency::ALL, j)?,
            quantity: take,
            status: match (j < PROJECTS).then(|| project_status(j)) {
                Some(ProjectStatus::Completed) => NeedStatus::Met,
                Some(ProjectStatus::Active | ProjectStatus::Planned) => NeedStatus::InProject,
                _ => NeedStatus::Open,
            },
            posted_by: if by_subdistrict {
                community.subdistrict_admin
            } else {
                community.admin
            },
            created_at: created + Duration::days(10) + Duration::hours(i64::try_from(j)?),
        });
    }
    for j in 0..PROJECTS {
        let (Some(offer), Some(need)) = (records.offers.get_mut(j), records.needs.get(j)) else {
            anyhow::bail!("no offer or need for project {j}");
        };
        let status = project_status(j);
        let (_, take, _) = offer_terms(offer.kind, j)?;
        if status != ProjectStatus::Cancelled {
            offer.committed += take.hundredths();
        }
        let unit_admin = *units
            .get(&offer.unit_id)
            .ok_or_else(|| anyhow::anyhow!("an offer of no unit"))?;
        let created_at = need.created_at + Duration::days(7);
        let started = matches!(status, ProjectStatus::Active | ProjectStatus::Completed);
        let signatures = if status == ProjectStatus::Planned {
            vec![Signature {
                party: Party::Need,
                signed_by: need.posted_by,
                signed_at: created_at,
            }]
        } else {
            vec![
                Signature {
                    party: Party::Need,
                    signed_by: need.posted_by,
                    signed_at: created_at,
                },
                Signature {
                    party: Party::Unit(offer.unit_id),
                    signed_by: unit_admin,
                    signed_at: created_at + Duration::days(1),
                },
            ]
        };
        let project = Project {
            id: ProjectId::new(),
            need_id: need.id,
            place: need.place,
            title: format!("{}共建项目", offer.title),
            description: need.title.clone(),
            status,
            offers: vec![ProjectOffer {
                offer_id: offer.id,
                unit_id: offer.unit_id,
                quantity: take,
            }],
            signatures,
            activity_count: 0,
            beneficiary_count: 0,
            created_by: need.posted_by,
            created_at,
            started_at: started.then(|| created_at + Duration::days(2)),
            finished_at: match status {
                ProjectStatus::Completed => Some(created_at + Duration::days(60)),
                ProjectStatus::Cancelled => Some(created_at + Duration::days(5)),
                _ => None,
            },
            reason: (status == ProjectStatus::Cancelled).then(|| "场地调整，双方协商取消".to_owned()),
        };
        let held = match status {
            ProjectStatus::Completed => 2 + j % 3,
            ProjectStatus::Active => 1,
            _ => 0,
        };
        let mut project = project;
        for a in 0..held {
            let beneficiaries = u32::try_from(20 + (j * 7 + a * 11) % 60)?;
            let held_on = today - Duration::days(i64::try_from(200 - (j % 150) - a * 10)?);
            records.activities.push(Activity {
                id: ActivityId::new(),
                project_id: project.id,
                title: format!("{}第{}次活动", need.title, a + 1),
                held_on,
                participants: u32::try_from(8 + (j + a) % 12)?,
                beneficiaries,
                note: String::new(),
                recorded_by: need.posted_by,
                recorded_at: created_at + Duration::days(i64::try_from(10 + a * 10)?),
            });
            project.activity_count += 1;
            project.beneficiary_count += u64::from(beneficiaries);
        }
        records.projects.push(project);
    }
    Ok(())
}

/// The demo communities with their residential grids (sorted by name), admins and their
/// subdistricts' admins, from what the grid context stored.
async fn communities(db: &Database) -> anyhow::Result<Vec<DemoCommunity>> {
    let mut grids = Vec::new();
    let mut after = None;
    loop {
        let page = db
            .list_grids(
                &ListFilter {
                    reach: Reach {
                        whole_district: true,
                        ..Reach::default()
                    },
                    kind: Some(GridKind::Residential),
                    ..ListFilter::default()
                },
                PageRequest::new(Some(100), after)?,
            )
            .await?;
        grids.extend(page.items);
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    grids.sort_by(|a, b| {
        (a.community_id, a.name.as_str().chars().count(), a.name.as_str()).cmp(&(
            b.community_id,
            b.name.as_str().chars().count(),
            b.name.as_str(),
        ))
    });
    let mut by_community: Vec<DemoCommunity> = Vec::new();
    for grid in grids {
        let path = grid.path();
        match by_community.iter_mut().find(|c| c.id == grid.community_id) {
            Some(c) => c.grids.push(path),
            None => by_community.push(DemoCommunity {
                id: grid.community_id,
                subdistrict: grid.subdistrict_id,
                grids: vec![path],
                admin: holder(db, Scope::Community(grid.community_id), Role::CommunityAdmin).await?,
                subdistrict_admin: holder(
                    db,
                    Scope::Subdistrict(grid.subdistrict_id),
                    Role::SubdistrictAdmin,
                )
                .await?,
            }),
        }
    }
    Ok(by_community)
}

/// Someone holding `role` at `scope`.
async fn holder(db: &Database, scope: Scope, role: Role) -> anyhow::Result<UserId> {
    db.grants_in(&GrantSet {
        under: scope,
        roles: vec![role],
        holder: None,
    })
    .await?
    .into_iter()
    .find(|g| g.scope() == scope)
    .map(|g| g.user_id())
    .ok_or_else(|| anyhow::anyhow!("nobody holds {} at {scope}", role.as_str()))
}

/// Loads dual reporting's part unless a unit is registered already (the demo was loaded, or
/// the district is real): returns whether it loaded.
pub async fn load(db: &Database, now: DateTime<Utc>) -> anyhow::Result<bool> {
    use linli_dual_reporting::ports::UnitRepository;
    if !db
        .list_units(PageRequest::new(Some(1), None)?)
        .await?
        .items
        .is_empty()
    {
        return Ok(false);
    }
    let communities = communities(db).await?;
    let district_admin = holder(db, Scope::District, Role::DistrictAdmin).await?;
    let people = db.insert_people(&people()?, now).await?;
    let planned = plan(&communities, &people, district_admin, now)?;
    db.insert_demo_records(&planned.records).await?;
    // No unit existed, so nobody administers one yet: the set is the new admins.
    add_grants(db, Scope::District, Role::UnitAdmin, None, planned.unit_admins).await?;
    for community in &communities {
        let grants: Vec<PlacedGrant> = planned
            .party_members
            .iter()
            .filter(|g| g.grant.scope() == Scope::Community(community.id))
            .cloned()
            .collect();
        let at = Some(community.path());
        add_grants(db, Scope::Community(community.id), Role::PartyMember, at, grants).await?;
    }
    Ok(true)
}

/// Adds `grants` of `role` under `under`, keeping whoever holds the role there already
/// (all at the node `at`; with no `at`, nobody may hold it yet).
async fn add_grants(
    db: &Database,
    under: Scope,
    role: Role,
    at: Option<ScopePath>,
    grants: Vec<PlacedGrant>,
) -> anyhow::Result<()> {
    let set = GrantSet {
        under,
        roles: vec![role],
        holder: None,
    };
    let mut replacement = Vec::new();
    for grant in db.grants_in(&set).await? {
        match at {
            Some(path) if grant.scope() == path.scope() => replacement.push(PlacedGrant { grant, path }),
            _ => anyhow::bail!("{} is held at {} already", role.as_str(), grant.scope()),
        }
    }
    replacement.extend(grants);
    db.replace_grants(None, &set, replacement, |_, _| Vec::new())
        .await
}
