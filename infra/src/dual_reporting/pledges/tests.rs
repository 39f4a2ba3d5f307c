//! What storage keeps of pledges on both back ends: verified and pending records never pass
//! the target however many arrive at once, a record is decided once, the counts follow the
//! decisions, and a listing lets through what its filter names and nothing else.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use chrono::{Datelike, Utc};
use linli_dual_reporting::appraisal::Period;
use linli_dual_reporting::error::WriteError;
use linli_dual_reporting::pledges::MemberBasis;
use linli_dual_reporting::ports::{MemberReportRepository, PledgeFilter, PledgeRepository, UnitRepository};
use linli_dual_reporting::{
    Assignment, CategoryKey, Fulfilment, FulfilmentId, FulfilmentStatus, MemberReport, MemberReportId,
    Pledge, PledgeId, ReportStatus, Unit, UnitKind,
};
use linli_grid::events::StructureEvent;
use linli_grid::ports::PlaceRepository;
use linli_grid::{Community, Grid, GridKind, Households, PlaceName, Subdistrict};
use linli_kernel::actor::Reach;
use linli_kernel::{CommunityId, GridId, PageRequest, ScopePath, SubdistrictId, UnitId, UserId};

use crate::db::Database;
use crate::db::testing::ScratchDatabase;

fn name(raw: &str) -> PlaceName {
    PlaceName::parse("name", raw).unwrap()
}

/// A subdistrict, a community and a grid, stored; the grid's path.
async fn grid(db: &Database) -> ScopePath {
    let now = Utc::now();
    let s = Subdistrict {
        id: SubdistrictId::new(),
        name: name(&format!("街道{}", uuid::Uuid::new_v4().simple())),
        created_at: now,
    };
    let c = Community {
        id: CommunityId::new(),
        subdistrict_id: s.id,
        name: name("幸福里社区"),
        created_at: now,
    };
    let g = Grid {
        id: GridId::new(),
        community_id: c.id,
        subdistrict_id: s.id,
        name: name("一网格"),
        kind: GridKind::Residential,
        households: Households::new(400).unwrap(),
        created_at: now,
    };
    db.insert_subdistrict(&s, &StructureEvent::subdistrict_created(&s).at(now))
        .await
        .unwrap();
    db.insert_community(&c, &StructureEvent::community_created(&c).at(now))
        .await
        .unwrap();
    db.insert_grid(&g, &StructureEvent::grid_created(&g).at(now))
        .await
        .unwrap();
    ScopePath::grid(s.id, c.id, g.id)
}

/// A unit paired with the grid at `place` and a member of it received there: the pledge.
async fn pledge(db: &Database, place: ScopePath, target: u32) -> Pledge {
    let now = Utc::now();
    let unit = Unit {
        id: UnitId::new(),
        name: "济阳区税务局".to_owned(),
        kind: UnitKind::MunicipalOrgan,
        party_organisation: "中共济阳区税务局机关委员会".to_owned(),
        contact_name: "赵敏".to_owned(),
        contact_phone: "13800000001".to_owned(),
        roll_count: 10,
        grid: place,
        created_at: now,
    };
    db.insert_unit(&unit, &[]).await.unwrap();
    let category = CategoryKey::parse("category", "health").unwrap();
    let report = MemberReport {
        id: MemberReportId::new(),
        user_id: UserId::new(),
        unit_id: unit.id,
        place,
        skills: vec![],
        availability: String::new(),
        note: String::new(),
        status: ReportStatus::Accepted,
        assignment: Some(Assignment::new(place.grid.unwrap(), category.clone(), "楼道长").unwrap()),
        reason: None,
        filed_at: now,
        decided_by: None,
        decided_at: None,
    };
    db.insert_report(&report, &[]).await.unwrap();
    assert_eq!(
        db.open_report_of(report.user_id).await.unwrap().map(|r| r.id),
        Some(report.id)
    );
    let pledge = Pledge {
        id: PledgeId::new(),
        user_id: report.user_id,
        basis: MemberBasis::Report(report.id),
        unit_id: Some(unit.id),
        place,
        title: "每月走访独居老人".to_owned(),
        category,
        target,
        period: Period::new("period", now.year()).unwrap(),
        verified: 0,
        pending: 0,
        created_at: now,
    };
    db.insert_pledge(&pledge, &[]).await.unwrap();
    pledge
}

fn record(pledge: &Pledge) -> Fulfilment {
    Fulfilment {
        id: FulfilmentId::new(),
        pledge_id: pledge.id,
        user_id: pledge.user_id,
        note: "陪张奶奶复查".to_owned(),
        photos: vec!["/files/a.jpg".to_owned()],
        status: FulfilmentStatus::Submitted,
        reason: None,
        submitted_at: Utc::now(),
        decided_by: None,
        decided_at: None,
    }
}

async fn storage_keeps_the_target_and_one_decision(db: Database) {
    db.migrate().await.unwrap();
    let place = grid(&db).await;
    let pledge = pledge(&db, place, 3).await;
    // PostgreSQL keeps microseconds: the rest reads back as written.
    let read = db.find_pledge(pledge.id).await.unwrap().unwrap();
    assert_eq!(
        Pledge {
            created_at: pledge.created_at,
            ..read
        },
        pledge
    );

    // Eight records for three places, at once: three get in.
    let attempts: Vec<_> = (0..8)
        .map(|_| {
            let (db, f) = (db.clone(), record(&pledge));
            tokio::spawn(async move { db.insert_fulfilment(&f, &[]).await })
        })
        .collect();
    let mut stored = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            Ok(()) => stored += 1,
            Err(WriteError::PledgeTargetReached) => {}
            Err(e) => panic!("unexpected: {e}"),
        }
    }
    assert_eq!(stored, 3);
    let records = db.fulfilments_of(pledge.id).await.unwrap();
    assert_eq!(records.len(), 3);
    assert!(records.windows(2).all(|w| w[0].id < w[1].id), "oldest first");
    let counts = db.find_pledge(pledge.id).await.unwrap().unwrap();
    assert_eq!((counts.verified, counts.pending), (0, 3));

    // Two decisions on one record at once: one writes.
    let first = records[0].clone();
    let verify = Fulfilment {
        status: FulfilmentStatus::Verified,
        decided_by: Some(UserId::new()),
        decided_at: Some(Utc::now()),
        ..first.clone()
    };
    let reject = Fulfilment {
        status: FulfilmentStatus::Rejected,
        reason: Some("照片模糊".to_owned()),
        ..verify.clone()
    };
    let (a, b) = tokio::join!(
        {
            let db = db.clone();
            async move { db.decide_fulfilment(&verify, &[]).await.unwrap() }
        },
        {
            let db = db.clone();
            async move { db.decide_fulfilment(&reject, &[]).await.unwrap() }
        }
    );
    assert!(a ^ b, "exactly one decision writes: {a} {b}");
    let decided = db.find_fulfilment(first.id).await.unwrap().unwrap();
    let counts = db.find_pledge(pledge.id).await.unwrap().unwrap();
    if a {
        assert_eq!(decided.status, FulfilmentStatus::Verified);
        assert_eq!((counts.verified, counts.pending), (1, 2));
    } else {
        assert_eq!(decided.status, FulfilmentStatus::Rejected);
        assert_eq!(decided.reason.as_deref(), Some("照片模糊"));
        assert_eq!((counts.verified, counts.pending), (0, 2));
        // The rejection freed a place.
        db.insert_fulfilment(&record(&pledge), &[]).await.unwrap();
    }
    assert!(matches!(
        db.insert_fulfilment(&record(&pledge), &[]).await,
        Err(WriteError::PledgeTargetReached)
    ));

    // A row that breaks the counts' CHECK is refused, whatever the code above does.
    let broken = Pledge {
        id: PledgeId::new(),
        verified: 4,
        ..pledge.clone()
    };
    assert!(matches!(
        db.insert_pledge(&broken, &[]).await,
        Err(WriteError::Storage(_))
    ));

    assert_eq!(db.count_pledges(pledge.user_id, pledge.period).await.unwrap(), 1);
    let next_year = Period::new("period", pledge.period.year() + 1).unwrap();
    assert_eq!(db.count_pledges(pledge.user_id, next_year).await.unwrap(), 0);

    // Listings: each ground lets its pledges through, the filters narrow.
    let other = pledge_elsewhere(&db).await;
    let page = PageRequest::new(None, None).unwrap();
    let ids = |filter: PledgeFilter| {
        let db = db.clone();
        async move {
            db.list_pledges(&filter, page)
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|p| p.id)
                .collect::<Vec<_>>()
        }
    };
    assert!(ids(PledgeFilter::default()).await.is_empty());
    assert_eq!(
        ids(PledgeFilter {
            own: Some(pledge.user_id),
            ..PledgeFilter::default()
        })
        .await,
        vec![pledge.id]
    );
    assert_eq!(
        ids(PledgeFilter {
            units: vec![other.unit_id.unwrap()],
            ..PledgeFilter::default()
        })
        .await,
        vec![other.id]
    );
    let grid_reach = Reach {
        grids: vec![place.grid.unwrap()],
        ..Reach::default()
    };
    assert_eq!(
        ids(PledgeFilter {
            reach: grid_reach.clone(),
            ..PledgeFilter::default()
        })
        .await,
        vec![pledge.id]
    );
    let everything = Reach {
        whole_district: true,
        ..Reach::default()
    };
    assert_eq!(
        ids(PledgeFilter {
            reach: everything.clone(),
            ..PledgeFilter::default()
        })
        .await,
        vec![pledge.id, other.id]
    );
    assert_eq!(
        ids(PledgeFilter {
            reach: everything.clone(),
            community_id: other.community_id(),
            ..PledgeFilter::default()
        })
        .await,
        vec![other.id]
    );
    assert_eq!(
        ids(PledgeFilter {
            reach: everything.clone(),
            unit_id: pledge.unit_id,
            ..PledgeFilter::default()
        })
        .await,
        vec![pledge.id]
    );
    assert!(
        ids(PledgeFilter {
            reach: everything,
            period: Some(next_year),
            ..PledgeFilter::default()
        })
        .await
        .is_empty()
    );
}

async fn pledge_elsewhere(db: &Database) -> Pledge {
    let place = grid(db).await;
    pledge(db, place, 5).await
}

#[tokio::test]
async fn on_sqlite_storage_keeps_the_target_and_one_decision() {
    let scratch = ScratchDatabase::sqlite();
    storage_keeps_the_target_and_one_decision(scratch.connect(4).await).await;
}

#[tokio::test]
async fn on_postgres_storage_keeps_the_target_and_one_decision() {
    let Some(scratch) = ScratchDatabase::postgres().await else {
        eprintln!("LINLI_TEST_DATABASE_URL is not set: skipped");
        return;
    };
    storage_keeps_the_target_and_one_decision(scratch.connect(4).await).await;
}
