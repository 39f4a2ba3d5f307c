//! The rules storage keeps for the three lists, on SQLite and on PostgreSQL: a need taken by
//! one project and an offer never beyond its quantity, even when proposals race; a side
//! signing once and only while planned; transitions from the state read or not at all, with
//! their effects on the need and the offers; activities counted on their project.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use linli_dual_reporting::appraisal::Period;
use linli_dual_reporting::error::WriteError;
use linli_dual_reporting::ports::{
    ListReach, NeedFilter, NeedRepository, OfferFilter, OfferRepository, ProjectFilter, ProjectRepository,
    UnitRepository,
};
use linli_dual_reporting::{
    Activity, ActivityId, Need, NeedId, NeedStatus, Party, Project, ProjectId, ProjectOffer, ProjectStatus,
    Quantity, ResourceKind, ResourceOffer, ResourceOfferId, Signature, Unit, UnitKind, Urgency, Validity,
};
use linli_grid::events::StructureEvent;
use linli_grid::ports::PlaceRepository;
use linli_grid::{Community, Grid, GridKind, Households, PlaceName, Subdistrict};
use linli_kernel::actor::Reach;
use linli_kernel::{CommunityId, GridId, PageRequest, SubdistrictId, UnitId, UserId};

use crate::db::Database;
use crate::db::testing::ScratchDatabase;

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 8, 30, 0).unwrap()
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn page() -> PageRequest {
    PageRequest::new(None, None).unwrap()
}

fn name(raw: &str) -> PlaceName {
    PlaceName::parse("name", raw).unwrap()
}

/// A subdistrict with two communities, a grid in each, and a unit paired with each grid.
async fn tree(db: &Database) -> (Community, Unit, Unit) {
    let s = Subdistrict {
        id: SubdistrictId::new(),
        name: name("济阳街道"),
        created_at: at(),
    };
    db.insert_subdistrict(&s, &StructureEvent::subdistrict_created(&s).at(at()))
        .await
        .unwrap();
    let mut units = Vec::new();
    let mut first = None;
    for (c, u) in [("幸福里社区", "供电公司"), ("和平里社区", "人民医院")] {
        let community = Community {
            id: CommunityId::new(),
            subdistrict_id: s.id,
            name: name(c),
            created_at: at(),
        };
        db.insert_community(
            &community,
            &StructureEvent::community_created(&community).at(at()),
        )
        .await
        .unwrap();
        let grid = Grid {
            id: GridId::new(),
            community_id: community.id,
            subdistrict_id: s.id,
            name: name("一网格"),
            kind: GridKind::Residential,
            households: Households::new(400).unwrap(),
            created_at: at(),
        };
        db.insert_grid(&grid, &StructureEvent::grid_created(&grid).at(at()))
            .await
            .unwrap();
        let unit = Unit {
            id: UnitId::new(),
            name: u.to_owned(),
            kind: UnitKind::StateEnterprise,
            party_organisation: format!("中共{u}委员会"),
            contact_name: "赵敏".to_owned(),
            contact_phone: "13800000001".to_owned(),
            roll_count: 50,
            grid: linli_kernel::ScopePath::grid(s.id, community.id, grid.id),
            created_at: at(),
        };
        db.insert_unit(&unit, &[]).await.unwrap();
        units.push(unit);
        first.get_or_insert(community);
    }
    let ub = units.pop().unwrap();
    let ua = units.pop().unwrap();
    (first.unwrap(), ua, ub)
}

fn offer(unit: &Unit, amount: f64, from: NaiveDate, until: NaiveDate) -> ResourceOffer {
    ResourceOffer {
        id: ResourceOfferId::new(),
        unit_id: unit.id,
        place: unit.path(),
        kind: ResourceKind::Volunteers,
        category: None,
        title: "助老志愿服务".to_owned(),
        description: String::new(),
        quantity: Quantity::new(amount, "人").unwrap(),
        committed: 0,
        valid_from: from,
        valid_until: until,
        offered_by: UserId::new(),
        created_at: at(),
    }
}

fn need(community: &Community) -> Need {
    Need {
        id: NeedId::new(),
        place: linli_kernel::ScopePath::community(community.subdistrict_id, community.id),
        kind: ResourceKind::Volunteers,
        category: None,
        title: "独居老人助餐".to_owned(),
        description: String::new(),
        urgency: Urgency::Urgent,
        quantity: Quantity::new(10.0, "人").unwrap(),
        status: NeedStatus::Open,
        posted_by: UserId::new(),
        created_at: at(),
    }
}

fn project(need: &Need, shares: &[(&ResourceOffer, f64)]) -> Project {
    Project {
        id: ProjectId::new(),
        need_id: need.id,
        place: need.place,
        title: "助老共建".to_owned(),
        description: String::new(),
        status: ProjectStatus::Planned,
        offers: shares
            .iter()
            .map(|(o, amount)| ProjectOffer {
                offer_id: o.id,
                unit_id: o.unit_id,
                quantity: Quantity::new(*amount, "人").unwrap(),
            })
            .collect(),
        signatures: Vec::new(),
        activity_count: 0,
        beneficiary_count: 0,
        created_by: UserId::new(),
        created_at: at(),
        started_at: None,
        finished_at: None,
        reason: None,
    }
}

fn signature(party: Party) -> Signature {
    Signature {
        party,
        signed_by: UserId::new(),
        signed_at: at(),
    }
}

async fn committed(db: &Database, offer: &ResourceOffer) -> i64 {
    db.find_offer(offer.id).await.unwrap().unwrap().committed
}

async fn need_status(db: &Database, need: &Need) -> NeedStatus {
    db.find_need(need.id).await.unwrap().unwrap().status
}

async fn the_lists_keep_their_rules(db: Database) {
    db.migrate().await.unwrap();
    let (a, ua, ub) = tree(&db).await;

    // Offers round-trip, and "open" is the period and what is left.
    let oa = offer(&ua, 20.0, day(1), day(30));
    let ob = offer(&ub, 20.0, day(1), day(30));
    let lapsed = offer(&ua, 5.0, day(1), day(25));
    for o in [&oa, &ob, &lapsed] {
        db.insert_offer(o, &[]).await.unwrap();
    }
    assert_eq!(db.find_offer(oa.id).await.unwrap().as_ref(), Some(&oa));
    let open: Vec<_> = db
        .open_offers(day(26))
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.id)
        .collect();
    assert!(open.contains(&oa.id) && open.contains(&ob.id) && !open.contains(&lapsed.id));
    let of_a = OfferFilter {
        visible: ListReach {
            reach: Reach {
                communities: vec![a.id],
                ..Reach::default()
            },
            units: vec![],
        },
        ..OfferFilter::default()
    };
    let listed = db.list_offers(&of_a, page()).await.unwrap();
    assert_eq!(
        listed.items.len(),
        2,
        "a's community sees the offers of the unit paired in it"
    );
    let of_b = OfferFilter {
        visible: ListReach {
            reach: Reach::default(),
            units: vec![ub.id],
        },
        open_on: Some(day(26)),
        ..OfferFilter::default()
    };
    let listed = db.list_offers(&of_b, page()).await.unwrap();
    assert_eq!(listed.items.iter().map(|o| o.id).collect::<Vec<_>>(), vec![ob.id]);
    // The resource bank's validity: where each offer's period stands on a day.
    for (validity, expected) in [
        (vec![(Validity::Current, day(26))], vec![oa.id]),
        (vec![(Validity::Expired, day(26))], vec![lapsed.id]),
        (vec![(Validity::Upcoming, day(26))], vec![]),
        (vec![(Validity::Current, day(1))], vec![oa.id, lapsed.id]),
        (
            vec![(Validity::Current, day(20)), (Validity::Expired, day(26))],
            vec![lapsed.id],
        ),
    ] {
        let filter = OfferFilter {
            validity: validity.clone(),
            ..of_a.clone()
        };
        let listed = db.list_offers(&filter, page()).await.unwrap();
        assert_eq!(
            listed.items.iter().map(|o| o.id).collect::<Vec<_>>(),
            expected,
            "{validity:?}"
        );
    }
    assert!(
        db.list_offers(&OfferFilter::default(), page())
            .await
            .unwrap()
            .items
            .is_empty()
    );

    let n = need(&a);
    db.insert_need(&n, &[]).await.unwrap();
    assert_eq!(db.find_need(n.id).await.unwrap().as_ref(), Some(&n));
    let in_a = NeedFilter {
        reach: Reach {
            communities: vec![a.id],
            ..Reach::default()
        },
        urgency: Some(Urgency::Urgent),
        ..NeedFilter::default()
    };
    assert_eq!(db.list_needs(&in_a, page()).await.unwrap().items.len(), 1);

    // Two proposals for one need at once: one takes it.
    let (p1, p2) = (project(&n, &[(&oa, 10.0)]), project(&n, &[(&ob, 10.0)]));
    let (r1, r2) = tokio::join!(db.insert_project(&p1, &[]), db.insert_project(&p2, &[]));
    let (won, lost) = match (r1, r2) {
        (Ok(()), Err(e)) => (p1, e),
        (Err(e), Ok(())) => (p2, e),
        other => panic!("expected exactly one proposal to win, got {other:?}"),
    };
    assert!(matches!(lost, WriteError::NeedTaken), "{lost:?}");
    assert_eq!(need_status(&db, &n).await, NeedStatus::InProject);
    let taken_from = if won.offers[0].offer_id == oa.id { &oa } else { &ob };
    let untouched = if won.offers[0].offer_id == oa.id { &ob } else { &oa };
    assert_eq!(committed(&db, taken_from).await, 1_000);
    assert_eq!(
        committed(&db, untouched).await,
        0,
        "the losing proposal took nothing"
    );
    assert_eq!(db.find_project(won.id).await.unwrap().as_ref(), Some(&won));

    // Two proposals for 15 of what is left of one offer at once: one gets it.
    let (n1, n2) = (need(&a), need(&a));
    db.insert_need(&n1, &[]).await.unwrap();
    db.insert_need(&n2, &[]).await.unwrap();
    let (q1, q2) = (
        project(&n1, &[(untouched, 15.0)]),
        project(&n2, &[(untouched, 15.0)]),
    );
    let (r1, r2) = tokio::join!(db.insert_project(&q1, &[]), db.insert_project(&q2, &[]));
    let (short, loser) = match (r1, r2) {
        (Ok(()), Err(e)) => (e, &n2),
        (Err(e), Ok(())) => (e, &n1),
        other => panic!("expected exactly one proposal to get the offer, got {other:?}"),
    };
    assert!(
        matches!(short, WriteError::OfferShort(id) if id == untouched.id),
        "{short:?}"
    );
    assert_eq!(committed(&db, untouched).await, 1_500);
    assert_eq!(
        need_status(&db, loser).await,
        NeedStatus::Open,
        "the losing proposal left its need open"
    );

    // Signatures: once per side, and only while planned.
    let unit = Party::Unit(won.offers[0].unit_id);
    assert!(
        db.add_signatures(won.id, &[signature(Party::Need)], &[])
            .await
            .unwrap()
    );
    assert!(matches!(
        db.add_signatures(won.id, &[signature(unit), signature(Party::Need)], &[])
            .await,
        Err(WriteError::AlreadySigned)
    ));
    assert_eq!(
        db.find_project(won.id).await.unwrap().unwrap().signatures.len(),
        1,
        "all or nothing"
    );
    assert!(db.add_signatures(won.id, &[signature(unit)], &[]).await.unwrap());
    let signed = db.find_project(won.id).await.unwrap().unwrap();
    assert!(signed.pending().is_empty());

    let active = Project {
        status: ProjectStatus::Active,
        started_at: Some(at()),
        ..signed
    };
    assert!(db.transition(&active, ProjectStatus::Planned, &[]).await.unwrap());
    assert!(!db.transition(&active, ProjectStatus::Planned, &[]).await.unwrap());
    assert!(
        !db.add_signatures(won.id, &[signature(Party::Need)], &[])
            .await
            .unwrap()
    );

    let activity = Activity {
        id: ActivityId::new(),
        project_id: won.id,
        title: "重阳节助老餐".to_owned(),
        held_on: day(26),
        participants: 12,
        beneficiaries: 30,
        note: String::new(),
        recorded_by: UserId::new(),
        recorded_at: at(),
    };
    assert!(db.insert_activity(&activity, &[]).await.unwrap());
    let listed = db.list_activities(won.id, page()).await.unwrap();
    assert_eq!(listed.items, vec![activity]);

    // Completing and cancelling at once: one of them.
    let completed = Project {
        status: ProjectStatus::Completed,
        finished_at: Some(at()),
        ..active.clone()
    };
    let cancelled = Project {
        status: ProjectStatus::Cancelled,
        finished_at: Some(at()),
        reason: Some("场地改作他用".to_owned()),
        ..active.clone()
    };
    let (c1, c2) = tokio::join!(
        db.transition(&completed, ProjectStatus::Active, &[]),
        db.transition(&cancelled, ProjectStatus::Active, &[])
    );
    assert!(c1.unwrap() ^ c2.unwrap(), "exactly one transition wins");
    let stored = db.find_project(won.id).await.unwrap().unwrap();
    assert_eq!((stored.activity_count, stored.beneficiary_count), (1, 30));
    match stored.status {
        ProjectStatus::Completed => {
            assert_eq!(need_status(&db, &n).await, NeedStatus::Met);
            assert_eq!(
                committed(&db, taken_from).await,
                1_000,
                "a completed project used its share"
            );
        }
        ProjectStatus::Cancelled => {
            assert_eq!(need_status(&db, &n).await, NeedStatus::Open);
            assert_eq!(
                committed(&db, taken_from).await,
                0,
                "a cancelled project gave its share back"
            );
            assert_eq!(stored.reason.as_deref(), Some("场地改作他用"));
        }
        other => panic!("the project is {other:?}"),
    }
    assert!(
        !db.insert_activity(
            &Activity {
                id: ActivityId::new(),
                ..activity_of(&won)
            },
            &[]
        )
        .await
        .unwrap()
    );

    // Projects are listed by the need's place, or by an offering unit.
    let by_unit = ProjectFilter {
        visible: ListReach {
            reach: Reach::default(),
            units: vec![untouched.unit_id],
        },
        ..ProjectFilter::default()
    };
    let listed = db.list_projects(&by_unit, page()).await.unwrap();
    assert_eq!(listed.items.len(), 1, "the unit whose offer the second race took");
    let everything = ProjectFilter {
        visible: ListReach {
            reach: Reach {
                whole_district: true,
                ..Reach::default()
            },
            units: vec![],
        },
        unit_id: Some(taken_from.unit_id),
        ..ProjectFilter::default()
    };
    let listed = db.list_projects(&everything, page()).await.unwrap();
    assert_eq!(
        listed.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![won.id]
    );
    assert!(
        db.list_projects(&ProjectFilter::default(), page())
            .await
            .unwrap()
            .items
            .is_empty()
    );

    // The year's records of each unit, for its appraisal: the project completed (or not)
    // and its one activity count for the unit whose offer it took, nothing for the other.
    let year = Period::new("period", 2026).unwrap();
    let records = db.unit_project_records(taken_from.unit_id, year).await.unwrap();
    let completed = u32::from(stored.status == ProjectStatus::Completed);
    assert_eq!(
        (records.projects_completed, records.activities_held),
        (completed, 1)
    );
    let other = db.unit_project_records(untouched.unit_id, year).await.unwrap();
    assert_eq!((other.projects_completed, other.activities_held), (0, 0));
    let next_year = Period::new("period", 2027).unwrap();
    let later = db
        .unit_project_records(taken_from.unit_id, next_year)
        .await
        .unwrap();
    assert_eq!((later.projects_completed, later.activities_held), (0, 0));
}

fn activity_of(project: &Project) -> Activity {
    Activity {
        id: ActivityId::new(),
        project_id: project.id,
        title: "再来一次".to_owned(),
        held_on: day(26),
        participants: 1,
        beneficiaries: 1,
        note: String::new(),
        recorded_by: UserId::new(),
        recorded_at: at(),
    }
}

#[tokio::test]
async fn on_sqlite_the_lists_keep_their_rules() {
    let scratch = ScratchDatabase::sqlite();
    the_lists_keep_their_rules(scratch.connect(4).await).await;
}

#[tokio::test]
async fn on_postgres_the_lists_keep_their_rules() {
    let Some(scratch) = ScratchDatabase::postgres().await else {
        eprintln!("LINLI_TEST_DATABASE_URL is not set: skipped");
        return;
    };
    the_lists_keep_their_rules(scratch.connect(4).await).await;
}
