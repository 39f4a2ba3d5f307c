//! Pledges' rules, tested against the in-memory fakes: who may pledge (only a member the
//! community received), what a pledge and a record must hold, who records, who decides, what
//! progress counts, who sees which pledges, and what each change announces.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use chrono::{Datelike, Duration};
use linli_kernel::people::PersonRecord;
use linli_kernel::ports::{Clock, ScopeNode};
use linli_kernel::testing::{FakeDirectory, InMemoryGrants, InMemoryPeople, ManualClock};
use linli_kernel::{
    Actor, CommunityId, DomainEvent, GridId, PageRequest, Role, Rule, Scope, SideKind, UnitId, UserId,
};

use crate::models::{MemberReportId, ReportStatus};
use crate::pledges::{FulfilmentStatus, MemberBasis, checked_photos, district_year};
use crate::ports::PledgeRepository;
use crate::service::PledgeQuery;
use crate::testing::InMemoryDualReporting;
use crate::{
    DualReportingError, Fulfilment, MemberReportService, NewFulfilment, NewMemberReport, NewPledge, NewUnit,
    PledgeId, PledgeService, Resource, UnitService,
};

type Reports = MemberReportService<
    InMemoryDualReporting,
    InMemoryDualReporting,
    InMemoryDualReporting,
    FakeDirectory,
    InMemoryPeople,
    InMemoryGrants,
    ManualClock,
>;
type Pledges = PledgeService<
    InMemoryDualReporting,
    InMemoryDualReporting,
    InMemoryDualReporting,
    InMemoryPeople,
    ManualClock,
>;

/// One subdistrict, two communities: 幸福里 (`a`) with grids `a1`, `a2`; 和平里 (`b`) with `b1`.
/// Unit `u` is paired with `a1`, unit `v` with `b1`.
struct World {
    store: InMemoryDualReporting,
    people: InMemoryPeople,
    clock: ManualClock,
    reports: Reports,
    pledges: Pledges,
    a: ScopeNode,
    a1: ScopeNode,
    a2: ScopeNode,
    b: ScopeNode,
    b1: ScopeNode,
    u: UnitId,
    v: UnitId,
}

fn actor(role: Role, scope: Scope) -> Actor {
    Actor::new(UserId::new(), None, vec![(role, scope)])
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

fn leader_of(grid: &ScopeNode) -> Actor {
    actor(Role::GridLeader, Scope::Grid(grid_id(grid)))
}

fn unit_admin(unit: UnitId) -> Actor {
    actor(Role::UnitAdmin, Scope::Side(SideKind::UNIT, unit.as_uuid()))
}

fn page() -> PageRequest {
    PageRequest::new(None, None).unwrap()
}

/// The year the fakes' clock starts in, in the district.
fn this_year() -> i64 {
    i64::from(district_year(ManualClock::default().now()))
}

fn new_pledge(title: &str) -> NewPledge {
    NewPledge {
        title: title.to_owned(),
        category: "elderly_disabled_help".to_owned(),
        target: 3,
        period: this_year(),
    }
}

fn note(text: &str) -> NewFulfilment {
    NewFulfilment {
        note: text.to_owned(),
        photos: vec![
            "https://img.example.cn/a.jpg".to_owned(),
            "/files/2026/11/b.jpg".to_owned(),
        ],
    }
}

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

fn validation_rule(result: Result<impl std::fmt::Debug, DualReportingError>) -> (String, Rule) {
    match result {
        Err(DualReportingError::Validation(e)) => (e.field.clone(), e.rule),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

async fn world() -> World {
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
    let units = UnitService::new(store.clone(), directory.clone(), clock.clone());
    let district = actor(Role::DistrictAdmin, Scope::District);
    let mut ids = Vec::new();
    for (name, grid) in [("济阳区税务局", &a1), ("济阳区人民医院", &b1)] {
        let unit = units
            .create(
                &district,
                NewUnit {
                    name: name.to_owned(),
                    kind: "municipal_organ".to_owned(),
                    party_organisation: format!("中共{name}委员会"),
                    contact_name: "赵敏".to_owned(),
                    contact_phone: "13800000001".to_owned(),
                    roll_count: 100,
                    grid_id: grid_id(grid),
                },
            )
            .await
            .unwrap();
        ids.push(unit.id);
    }
    World {
        reports: MemberReportService::new(
            store.clone(),
            store.clone(),
            store.clone(),
            directory.clone(),
            people.clone(),
            grants,
            clock.clone(),
        ),
        pledges: PledgeService::new(
            store.clone(),
            store.clone(),
            store.clone(),
            people.clone(),
            clock.clone(),
        ),
        store,
        people,
        clock,
        a,
        a1,
        a2,
        b,
        b1,
        u: ids[0],
        v: ids[1],
    }
}

impl World {
    /// Someone with a real name and a bound phone, holding `grants`.
    fn person(&self, grants: Vec<(Role, Scope)>) -> Actor {
        let me = Actor::new(UserId::new(), None, grants);
        self.people.add(PersonRecord {
            id: me.user_id(),
            nickname: Some("老党员".to_owned()),
            real_name: Some("王建国".to_owned()),
            phone: Some("13912345678".to_owned()),
            places: vec![],
        });
        me
    }

    /// `member`'s report of `unit` to the community of `grid`, filed.
    async fn filed(&self, member: &Actor, unit: UnitId, community: &ScopeNode) -> MemberReportId {
        self.reports
            .file(
                member,
                NewMemberReport {
                    unit_id: unit,
                    community_id: community_id(community),
                    skills: vec![],
                    availability: String::new(),
                    note: String::new(),
                },
            )
            .await
            .unwrap()
            .report
            .id
    }

    /// `member`'s report accepted into `grid` (of `community`) by its community admin.
    async fn accepted(
        &self,
        member: &Actor,
        unit: UnitId,
        community: &ScopeNode,
        grid: &ScopeNode,
    ) -> MemberReportId {
        let id = self.filed(member, unit, community).await;
        self.reports
            .accept(
                &admin_of(community),
                id,
                grid_id(grid),
                "health",
                "网格党员志愿者",
            )
            .await
            .unwrap();
        id
    }

    /// A member of unit `u` received into grid `a1`.
    async fn member_a1(&self) -> Actor {
        let member = self.person(vec![]);
        self.accepted(&member, self.u, &self.a, &self.a1).await;
        member
    }

    async fn pledged(&self, member: &Actor) -> PledgeId {
        self.pledges
            .pledge(member, new_pledge("每月走访独居老人"))
            .await
            .unwrap()
            .pledge
            .id
    }

    async fn recorded(&self, member: &Actor, pledge: PledgeId) -> Fulfilment {
        self.pledges
            .record(member, pledge, note("陪张奶奶去医院复查"))
            .await
            .unwrap()
    }

    async fn listed(&self, viewer: &Actor, query: PledgeQuery) -> Vec<PledgeId> {
        self.pledges
            .list(viewer, query, page())
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|v| v.pledge.id)
            .collect()
    }
}

// --- who may pledge ---

#[tokio::test]
async fn a_received_member_pledges_in_the_community_and_grid_that_received_them() {
    let w = world().await;
    let member = w.person(vec![]);
    let report = w.accepted(&member, w.u, &w.a, &w.a1).await;
    let view = w
        .pledges
        .pledge(&member, new_pledge("每月走访独居老人"))
        .await
        .unwrap();
    let pledge = &view.pledge;
    assert_eq!(pledge.user_id, member.user_id());
    assert_eq!(pledge.basis, MemberBasis::Report(report));
    assert_eq!(pledge.unit_id, Some(w.u));
    assert_eq!(pledge.place, w.a1.path);
    assert_eq!((pledge.verified, pledge.pending, pledge.target), (0, 0, 3));
    assert_eq!(pledge.title, "每月走访独居老人");
    assert_eq!(view.member.real_name.as_deref(), Some("王建国"));
    assert!(!view.member.masked);
    assert!(w.store.pledge(pledge.id).is_some());
}

#[tokio::test]
async fn only_a_member_whose_report_was_accepted_may_pledge() {
    let w = world().await;
    // Nobody the community knows: a resident, and staff without a report of their own.
    for outsider in [
        w.person(vec![]),
        admin_of(&w.a),
        worker_of(&w.a1),
        unit_admin(w.u),
    ] {
        assert!(matches!(
            w.pledges.pledge(&outsider, new_pledge("巡逻")).await,
            Err(DualReportingError::NotAReportedMember)
        ));
    }
    // A report filed but not yet received.
    let pending = w.person(vec![]);
    w.filed(&pending, w.u, &w.a).await;
    assert!(matches!(
        w.pledges.pledge(&pending, new_pledge("巡逻")).await,
        Err(DualReportingError::NotAReportedMember)
    ));
    // A rejected report.
    let rejected = w.person(vec![]);
    let id = w.filed(&rejected, w.u, &w.a).await;
    w.reports
        .reject(&admin_of(&w.a), id, "不在本社区居住")
        .await
        .unwrap();
    assert!(matches!(
        w.pledges.pledge(&rejected, new_pledge("巡逻")).await,
        Err(DualReportingError::NotAReportedMember)
    ));
    // A member withdrawn after moving away.
    let moved = w.person(vec![]);
    let id = w.accepted(&moved, w.u, &w.a, &w.a1).await;
    w.reports.withdraw(&moved, id, "搬家").await.unwrap();
    assert!(matches!(
        w.pledges.pledge(&moved, new_pledge("巡逻")).await,
        Err(DualReportingError::NotAReportedMember)
    ));
    assert!(w.store.0.lock().unwrap().pledges.is_empty());
}

#[tokio::test]
async fn a_pledge_names_a_category_of_the_dictionary_a_target_and_this_year_or_the_next() {
    let w = world().await;
    let member = w.member_a1().await;
    let with = |f: &dyn Fn(&mut NewPledge)| {
        let mut new = new_pledge("每月走访独居老人");
        f(&mut new);
        new
    };
    assert!(matches!(
        w.pledges.pledge(&member, with(&|p| p.category = "gardening".to_owned())).await,
        Err(DualReportingError::UnknownCategory(key)) if key == "gardening"
    ));
    assert_eq!(
        validation_rule(
            w.pledges
                .pledge(&member, with(&|p| p.category = "Elderly!".to_owned()))
                .await
        ),
        ("category".to_owned(), Rule::TokenFormat)
    );
    for target in [0, -1, 1001] {
        assert_eq!(
            validation_rule(w.pledges.pledge(&member, with(&|p| p.target = target)).await),
            ("target".to_owned(), Rule::Range)
        );
    }
    for period in [this_year() - 1, this_year() + 2, 0, 26] {
        assert_eq!(
            validation_rule(w.pledges.pledge(&member, with(&|p| p.period = period)).await),
            ("period".to_owned(), Rule::Range)
        );
    }
    assert_eq!(
        validation_rule(
            w.pledges
                .pledge(&member, with(&|p| p.title = "  ".to_owned()))
                .await
        ),
        ("title".to_owned(), Rule::Empty)
    );
    assert_eq!(
        validation_rule(
            w.pledges
                .pledge(&member, with(&|p| p.title = "长".repeat(51)))
                .await
        ),
        ("title".to_owned(), Rule::TextLength)
    );
    assert_eq!(
        validation_rule(
            w.pledges
                .pledge(&member, with(&|p| p.title = "a\u{7}b".to_owned()))
                .await
        ),
        ("title".to_owned(), Rule::ControlCharacters)
    );
    // The bounds themselves are fine: a thousand times, next year.
    let pledge = w
        .pledges
        .pledge(
            &member,
            with(&|p| {
                p.target = 1000;
                p.period = this_year() + 1;
            }),
        )
        .await
        .unwrap()
        .pledge;
    assert_eq!(
        (pledge.target, i64::from(pledge.period.year())),
        (1000, this_year() + 1)
    );
}

#[tokio::test]
async fn a_member_makes_at_most_twenty_pledges_a_year() {
    let w = world().await;
    let member = w.member_a1().await;
    for _ in 0..crate::pledges::MAX_PLEDGES_A_YEAR {
        w.pledged(&member).await;
    }
    assert!(matches!(
        w.pledges.pledge(&member, new_pledge("再多一条")).await,
        Err(DualReportingError::PledgeLimit { max: 20 })
    ));
    // Next year's count starts afresh.
    let next_year = NewPledge {
        period: this_year() + 1,
        ..new_pledge("明年")
    };
    assert!(w.pledges.pledge(&member, next_year).await.is_ok());
}

#[test]
fn photos_are_https_addresses_or_files_this_system_serves() {
    let ok = |urls: &[&str]| checked_photos(&urls.iter().map(|u| (*u).to_owned()).collect::<Vec<_>>());
    assert_eq!(
        ok(&["https://img.example.cn/a.jpg?x=1", "/files/2026/11/26/b.jpg"])
            .unwrap()
            .len(),
        2
    );
    assert!(ok(&[]).unwrap().is_empty());
    let long = format!("https://img.example.cn/{}", "a".repeat(500));
    for bad in [
        "http://img.example.cn/a.jpg",
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "//img.example.cn/a.jpg",
        "https:///a.jpg",
        "https://img.example.cn/a b.jpg",
        "https://img.example.cn/\"onerror=\"x",
        "https://img.example.cn/<script>",
        "https://例子.cn/a.jpg",
        "/files/",
        "/files/../secrets",
        "/files/a//b.jpg",
        "/api/me",
        long.as_str(),
    ] {
        let e = ok(&[bad]).unwrap_err();
        assert_eq!((e.field.as_str(), e.rule), ("photos", Rule::UrlFormat), "{bad}");
    }
    let ten: Vec<String> = (0..10).map(|i| format!("/files/{i}.jpg")).collect();
    assert_eq!(checked_photos(&ten).unwrap_err().rule, Rule::TooMany);
    assert!(checked_photos(&ten[..9]).is_ok());
    assert_eq!(
        ok(&["/files/a.jpg", "/files/a.jpg"]).unwrap_err().rule,
        Rule::Duplicate
    );
}

// --- records ---

#[tokio::test]
async fn the_member_records_a_fulfilment_with_a_note_and_photos_and_staff_are_told() {
    let w = world().await;
    let member = w.member_a1().await;
    let pledge = w.pledged(&member).await;
    let record = w.recorded(&member, pledge).await;
    assert_eq!(record.status, FulfilmentStatus::Submitted);
    assert_eq!(record.note, "陪张奶奶去医院复查");
    assert_eq!(record.photos.len(), 2);
    assert_eq!(record.user_id, member.user_id());
    let stored = w.store.pledge(pledge).unwrap();
    assert_eq!((stored.verified, stored.pending), (0, 1));
    // The community's staff learn of work to verify; the member needs no word of their own act.
    assert_eq!(
        topics_of(&w.store.events(), "pledge.fulfilment_submitted"),
        vec![reports_topic(&w.a)]
    );
    let detail = w.pledges.get(&member, pledge).await.unwrap();
    assert_eq!(detail.fulfilments, vec![record]);
}

#[tokio::test]
async fn only_the_pledges_member_records_and_others_are_refused_as_their_scope_says() {
    let w = world().await;
    let member = w.member_a1().await;
    let pledge = w.pledged(&member).await;
    // Those who see the pledge but are not its member.
    for viewer in [worker_of(&w.a1), admin_of(&w.a), unit_admin(w.u)] {
        assert!(matches!(
            w.pledges.record(&viewer, pledge, note("代为记录")).await,
            Err(DualReportingError::Forbidden)
        ));
    }
    // Those who may not know of it: another member, staff elsewhere, another unit's admin.
    let other = w.member_a1().await;
    for stranger in [
        other,
        worker_of(&w.a2),
        admin_of(&w.b),
        unit_admin(w.v),
        w.person(vec![]),
    ] {
        assert!(matches!(
            w.pledges.record(&stranger, pledge, note("代为记录")).await,
            Err(DualReportingError::NotFound(Resource::Pledge))
        ));
    }
    assert!(matches!(
        w.pledges.record(&member, PledgeId::new(), note("x")).await,
        Err(DualReportingError::NotFound(Resource::Pledge))
    ));
    assert_eq!(w.store.pledge(pledge).unwrap().pending, 0);
}

#[tokio::test]
async fn a_record_needs_a_note_and_at_most_nine_good_photos() {
    let w = world().await;
    let member = w.member_a1().await;
    let pledge = w.pledged(&member).await;
    assert_eq!(
        validation_rule(w.pledges.record(&member, pledge, NewFulfilment::default()).await),
        ("note".to_owned(), Rule::Empty)
    );
    assert_eq!(
        validation_rule(
            w.pledges
                .record(
                    &member,
                    pledge,
                    NewFulfilment {
                        note: "长".repeat(501),
                        photos: vec![]
                    }
                )
                .await
        ),
        ("note".to_owned(), Rule::TextLength)
    );
    let photos = |urls: Vec<String>| NewFulfilment {
        note: "打扫楼道".to_owned(),
        photos: urls,
    };
    assert_eq!(
        validation_rule(
            w.pledges
                .record(&member, pledge, photos(vec!["http://x.cn/a.jpg".to_owned()]))
                .await
        ),
        ("photos".to_owned(), Rule::UrlFormat)
    );
    assert_eq!(
        validation_rule(
            w.pledges
                .record(
                    &member,
                    pledge,
                    photos((0..10).map(|i| format!("/files/{i}.jpg")).collect())
                )
                .await
        ),
        ("photos".to_owned(), Rule::TooMany)
    );
    // Photos are optional: some service leaves nothing to photograph.
    assert!(w.pledges.record(&member, pledge, photos(vec![])).await.is_ok());
}

#[tokio::test]
async fn records_stop_at_the_target_and_a_rejection_frees_a_place() {
    let w = world().await;
    let member = w.member_a1().await;
    let pledge = w.pledged(&member).await; // target 3
    let first = w.recorded(&member, pledge).await;
    w.recorded(&member, pledge).await;
    w.recorded(&member, pledge).await;
    assert!(matches!(
        w.pledges.record(&member, pledge, note("第四次")).await,
        Err(DualReportingError::PledgeTargetReached)
    ));
    w.pledges
        .reject(&worker_of(&w.a1), first.id, "照片与内容不符")
        .await
        .unwrap();
    let stored = w.store.pledge(pledge).unwrap();
    assert_eq!((stored.verified, stored.pending), (0, 2));
    w.recorded(&member, pledge).await;
    assert!(matches!(
        w.pledges.record(&member, pledge, note("第五次")).await,
        Err(DualReportingError::PledgeTargetReached)
    ));
}

#[tokio::test]
async fn storage_keeps_the_target_even_when_the_pledge_read_was_stale() {
    let w = world().await;
    let member = w.member_a1().await;
    let pledge = w.pledged(&member).await;
    let mut record = w.recorded(&member, pledge).await;
    w.recorded(&member, pledge).await;
    w.recorded(&member, pledge).await;
    // A record that passed the service's check before the others were stored.
    record.id = crate::FulfilmentId::new();
    assert!(matches!(
        w.store.insert_fulfilment(&record, &[]).await,
        Err(crate::error::WriteError::PledgeTargetReached)
    ));
}

#[tokio::test]
async fn records_are_kept_during_the_pledges_year() {
    let w = world().await;
    let member = w.member_a1().await;
    let next_year = w
        .pledges
        .pledge(
            &member,
            NewPledge {
                period: this_year() + 1,
                ..new_pledge("明年的承诺")
            },
        )
        .await
        .unwrap()
        .pledge
        .id;
    assert!(matches!(
        w.pledges.record(&member, next_year, note("提前完成")).await,
        Err(DualReportingError::PledgePeriod(year)) if i64::from(year.year()) == this_year() + 1
    ));
    let this = w.pledged(&member).await;
    w.clock.advance(Duration::days(366));
    assert!(matches!(
        w.pledges.record(&member, this, note("补记")).await,
        Err(DualReportingError::PledgePeriod(year)) if i64::from(year.year()) == this_year()
    ));
    // Next year has come: its pledge takes records.
    assert!(
        w.pledges
            .record(&member, next_year, note("按时完成"))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn the_year_turns_at_midnight_in_the_district_not_in_greenwich() {
    let w = world().await;
    let member = w.member_a1().await;
    let this = w.pledged(&member).await;
    let next = w
        .pledges
        .pledge(
            &member,
            NewPledge {
                period: this_year() + 1,
                ..new_pledge("明年的承诺")
            },
        )
        .await
        .unwrap()
        .pledge
        .id;
    // 2026-12-31 17:00 UTC is already 2027-01-01 01:00 in the district.
    let start = w.clock.now();
    let new_year_utc = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 12, 31, 17, 0, 0).unwrap();
    w.clock.advance(new_year_utc - start);
    assert_eq!(w.clock.now().year(), 2026);
    assert!(matches!(
        w.pledges.record(&member, this, note("跨年补记")).await,
        Err(DualReportingError::PledgePeriod(_))
    ));
    assert!(w.pledges.record(&member, next, note("新年第一次")).await.is_ok());
    // Pledging now is for 2027 or 2028.
    assert_eq!(
        validation_rule(
            w.pledges
                .pledge(
                    &member,
                    NewPledge {
                        period: 2026,
                        ..new_pledge("去年的")
                    }
                )
                .await
        ),
        ("period".to_owned(), Rule::Range)
    );
    let later = NewPledge {
        period: 2028,
        ..new_pledge("后年的")
    };
    assert!(w.pledges.pledge(&member, later).await.is_ok());
}

#[tokio::test]
async fn a_member_withdrawn_from_the_community_records_no_more_but_the_pledge_stays() {
    let w = world().await;
    let member = w.person(vec![]);
    let report = w.accepted(&member, w.u, &w.a, &w.a1).await;
    let pledge = w.pledged(&member).await;
    let record = w.recorded(&member, pledge).await;
    w.reports.withdraw(&member, report, "搬家").await.unwrap();
    assert!(matches!(
        w.pledges.record(&member, pledge, note("搬走后")).await,
        Err(DualReportingError::NotAReportedMember)
    ));
    // Received by another community, they still do not record for the old one's pledge.
    w.accepted(&member, w.u, &w.b, &w.b1).await;
    assert!(matches!(
        w.pledges.record(&member, pledge, note("搬走后")).await,
        Err(DualReportingError::NotAReportedMember)
    ));
    // What they did while there is still judged there, and the pledge is still theirs to see.
    w.pledges.verify(&worker_of(&w.a1), record.id).await.unwrap();
    assert_eq!(
        w.pledges.get(&member, pledge).await.unwrap().view.pledge.verified,
        1
    );
}

// --- decisions ---

#[tokio::test]
async fn the_grid_staff_or_the_community_admin_verify_and_progress_counts_verified_records() {
    let w = world().await;
    let member = w.member_a1().await;
    let pledge = w.pledged(&member).await;
    let deciders = [worker_of(&w.a1), leader_of(&w.a1), admin_of(&w.a)];
    for decider in &deciders {
        let record = w.recorded(&member, pledge).await;
        let verified = w.pledges.verify(decider, record.id).await.unwrap();
        assert_eq!(verified.status, FulfilmentStatus::Verified);
        assert_eq!(verified.decided_by, Some(decider.user_id()));
        assert!(verified.decided_at.is_some());
    }
    let detail = w.pledges.get(&member, pledge).await.unwrap();
    let stored = detail.view.pledge;
    assert_eq!((stored.verified, stored.pending, stored.target), (3, 0, 3));
    assert!(stored.is_kept());
    assert!(
        detail
            .fulfilments
            .iter()
            .all(|f| f.status == FulfilmentStatus::Verified)
    );
}

#[tokio::test]
async fn a_decision_is_announced_to_the_member_and_the_communitys_staff() {
    let w = world().await;
    let member = w.member_a1().await;
    let pledge = w.pledged(&member).await;
    let first = w.recorded(&member, pledge).await;
    let second = w.recorded(&member, pledge).await;
    w.pledges.verify(&worker_of(&w.a1), first.id).await.unwrap();
    w.pledges
        .reject(&admin_of(&w.a), second.id, "未见服务记录")
        .await
        .unwrap();
    let events = w.store.events();
    let both = vec![format!("user:{}", member.user_id()), reports_topic(&w.a)];
    assert_eq!(topics_of(&events, "pledge.fulfilment_verified"), both);
    assert_eq!(topics_of(&events, "pledge.fulfilment_rejected"), both);
    let rejected = events
        .iter()
        .find(|e| e.kind == "pledge.fulfilment_rejected")
        .unwrap();
    assert_eq!(rejected.data["reason"], "未见服务记录");
    assert_eq!(rejected.data["pledge_id"], pledge.to_string());
    assert_eq!(rejected.data["fulfilment_id"], second.id.to_string());
    assert_eq!(rejected.data["status"], "rejected");
}

#[tokio::test]
async fn those_who_see_a_record_but_do_not_judge_it_are_forbidden_and_others_find_nothing() {
    let w = world().await;
    let member = w.member_a1().await;
    let pledge = w.pledged(&member).await;
    let record = w.recorded(&member, pledge).await;
    for viewer in [member.clone(), unit_admin(w.u)] {
        assert!(matches!(
            w.pledges.verify(&viewer, record.id).await,
            Err(DualReportingError::Forbidden)
        ));
        assert!(matches!(
            w.pledges.reject(&viewer, record.id, "x").await,
            Err(DualReportingError::Forbidden)
        ));
    }
    // A worker of the next grid did not see the work done; nor did another community.
    for stranger in [
        worker_of(&w.a2),
        admin_of(&w.b),
        unit_admin(w.v),
        w.person(vec![]),
    ] {
        assert!(matches!(
            w.pledges.verify(&stranger, record.id).await,
            Err(DualReportingError::NotFound(Resource::Fulfilment))
        ));
        assert!(matches!(
            w.pledges.reject(&stranger, record.id, "x").await,
            Err(DualReportingError::NotFound(Resource::Fulfilment))
        ));
    }
    assert!(matches!(
        w.pledges
            .verify(&admin_of(&w.a), crate::FulfilmentId::new())
            .await,
        Err(DualReportingError::NotFound(Resource::Fulfilment))
    ));
    let stored = w.store.pledge(pledge).unwrap();
    assert_eq!((stored.verified, stored.pending), (0, 1));
}

#[tokio::test]
async fn staff_who_are_members_too_do_not_judge_their_own_records() {
    let w = world().await;
    // A grid worker of a1 who lives there and reported as an in-service member.
    let worker = w.person(vec![(Role::GridWorker, Scope::Grid(grid_id(&w.a1)))]);
    w.accepted(&worker, w.u, &w.a, &w.a1).await;
    let pledge = w.pledged(&worker).await;
    let record = w.recorded(&worker, pledge).await;
    assert!(matches!(
        w.pledges.verify(&worker, record.id).await,
        Err(DualReportingError::OwnFulfilment)
    ));
    assert!(matches!(
        w.pledges.reject(&worker, record.id, "自己").await,
        Err(DualReportingError::OwnFulfilment)
    ));
    // A colleague does.
    w.pledges.verify(&leader_of(&w.a1), record.id).await.unwrap();
}

#[tokio::test]
async fn a_record_is_decided_once_and_a_rejection_needs_a_reason() {
    let w = world().await;
    let member = w.member_a1().await;
    let pledge = w.pledged(&member).await;
    let worker = worker_of(&w.a1);
    let record = w.recorded(&member, pledge).await;
    assert_eq!(
        validation_rule(w.pledges.reject(&worker, record.id, " ").await),
        ("reason".to_owned(), Rule::Empty)
    );
    assert_eq!(
        validation_rule(w.pledges.reject(&worker, record.id, &"长".repeat(201)).await),
        ("reason".to_owned(), Rule::TextLength)
    );
    let rejected = w.pledges.reject(&worker, record.id, "照片模糊").await.unwrap();
    assert_eq!(rejected.status, FulfilmentStatus::Rejected);
    assert_eq!(rejected.reason.as_deref(), Some("照片模糊"));
    assert!(matches!(
        w.pledges.verify(&worker, record.id).await,
        Err(DualReportingError::FulfilmentState(FulfilmentStatus::Rejected))
    ));
    let record = w.recorded(&member, pledge).await;
    w.pledges.verify(&worker, record.id).await.unwrap();
    for again in [
        w.pledges.verify(&admin_of(&w.a), record.id).await,
        w.pledges.reject(&admin_of(&w.a), record.id, "重复").await,
    ] {
        assert!(matches!(
            again,
            Err(DualReportingError::FulfilmentState(FulfilmentStatus::Verified))
        ));
    }
    let stored = w.store.pledge(pledge).unwrap();
    assert_eq!((stored.verified, stored.pending), (1, 0));
}

#[tokio::test]
async fn of_two_decisions_that_both_read_a_submitted_record_storage_takes_one() {
    let w = world().await;
    let member = w.member_a1().await;
    let pledge = w.pledged(&member).await;
    let record = w.recorded(&member, pledge).await;
    let verified = Fulfilment {
        status: FulfilmentStatus::Verified,
        ..record.clone()
    };
    let rejected = Fulfilment {
        status: FulfilmentStatus::Rejected,
        reason: Some("x".to_owned()),
        ..record
    };
    assert!(w.store.decide_fulfilment(&verified, &[]).await.unwrap());
    assert!(!w.store.decide_fulfilment(&rejected, &[]).await.unwrap());
    assert!(!w.store.decide_fulfilment(&verified, &[]).await.unwrap());
    let stored = w.store.pledge(pledge).unwrap();
    assert_eq!((stored.verified, stored.pending), (1, 0));
}

// --- seeing pledges ---

#[tokio::test]
async fn each_viewer_lists_the_pledges_of_their_own_ground_and_nothing_else() {
    let w = world().await;
    // Unit u: one member in a1, one in a2; unit v: one member in b1.
    let in_a1 = w.member_a1().await;
    let in_a2 = w.person(vec![]);
    w.accepted(&in_a2, w.u, &w.a, &w.a2).await;
    let in_b1 = w.person(vec![]);
    w.accepted(&in_b1, w.v, &w.b, &w.b1).await;
    let p_a1 = w.pledged(&in_a1).await;
    let p_a2 = w.pledged(&in_a2).await;
    let p_b1 = w.pledged(&in_b1).await;
    let all = PledgeQuery::default();

    assert_eq!(w.listed(&in_a1, all).await, vec![p_a1]);
    assert_eq!(w.listed(&worker_of(&w.a1), all).await, vec![p_a1]);
    assert_eq!(w.listed(&admin_of(&w.a), all).await, vec![p_a1, p_a2]);
    assert_eq!(w.listed(&admin_of(&w.b), all).await, vec![p_b1]);
    assert_eq!(w.listed(&unit_admin(w.u), all).await, vec![p_a1, p_a2]);
    assert_eq!(w.listed(&unit_admin(w.v), all).await, vec![p_b1]);
    assert!(w.listed(&w.person(vec![]), all).await.is_empty());
    let district = actor(Role::DistrictAdmin, Scope::District);
    assert_eq!(w.listed(&district, all).await, vec![p_a1, p_a2, p_b1]);

    // Filters narrow what one sees, never widen it.
    let in_b = PledgeQuery {
        community_id: Some(community_id(&w.b)),
        ..all
    };
    assert_eq!(w.listed(&district, in_b).await, vec![p_b1]);
    assert!(w.listed(&admin_of(&w.a), in_b).await.is_empty());
    let of_u = PledgeQuery {
        unit_id: Some(w.u),
        ..all
    };
    assert_eq!(w.listed(&district, of_u).await, vec![p_a1, p_a2]);
    assert!(w.listed(&unit_admin(w.v), of_u).await.is_empty());
    let next_year = PledgeQuery {
        period: Some(i32::try_from(this_year() + 1).unwrap()),
        ..all
    };
    assert!(w.listed(&district, next_year).await.is_empty());
    let this = PledgeQuery {
        period: Some(i32::try_from(this_year()).unwrap()),
        ..all
    };
    assert_eq!(w.listed(&district, this).await.len(), 3);

    // A member who is staff too asks for their own only.
    let staff_member = w.person(vec![(Role::CommunityAdmin, Scope::Community(community_id(&w.b)))]);
    w.accepted(&staff_member, w.v, &w.b, &w.b1).await;
    let own = w.pledged(&staff_member).await;
    assert_eq!(w.listed(&staff_member, all).await, vec![p_b1, own]);
    let mine = PledgeQuery { mine: true, ..all };
    assert_eq!(w.listed(&staff_member, mine).await, vec![own]);
}

#[tokio::test]
async fn a_pledge_is_shown_with_its_records_to_those_who_may_see_it_and_to_no_one_else() {
    let w = world().await;
    let member = w.member_a1().await;
    let pledge = w.pledged(&member).await;
    let record = w.recorded(&member, pledge).await;
    for viewer in [member.clone(), worker_of(&w.a1), admin_of(&w.a), unit_admin(w.u)] {
        let detail = w.pledges.get(&viewer, pledge).await.unwrap();
        assert_eq!(detail.fulfilments, vec![record.clone()]);
        assert_eq!(detail.view.member.phone.as_deref(), Some("13912345678"));
    }
    for stranger in [
        worker_of(&w.a2),
        admin_of(&w.b),
        unit_admin(w.v),
        w.person(vec![]),
    ] {
        assert!(matches!(
            w.pledges.get(&stranger, pledge).await,
            Err(DualReportingError::NotFound(Resource::Pledge))
        ));
    }
}

#[tokio::test]
async fn membership_comes_from_the_accepted_report_only() {
    let w = world().await;
    let member = w.person(vec![]);
    assert_eq!(w.pledges.membership(member.user_id()).await.unwrap(), None);
    let report = w.filed(&member, w.u, &w.a).await;
    assert_eq!(w.pledges.membership(member.user_id()).await.unwrap(), None);
    w.reports
        .accept(&admin_of(&w.a), report, grid_id(&w.a2), "health", "楼道长")
        .await
        .unwrap();
    let membership = w.pledges.membership(member.user_id()).await.unwrap().unwrap();
    assert_eq!(membership.basis, MemberBasis::Report(report));
    assert_eq!(membership.place, w.a2.path);
    assert_eq!(membership.unit_id, Some(w.u));
    assert_eq!(
        w.store.report(report).map(|r| r.status),
        Some(ReportStatus::Accepted)
    );
}
