//! Rosters and transferred members in storage, on SQLite and PostgreSQL: entries sealed and
//! met with their users on the blind index alone; a registration and a filing of one person at
//! once, and two registrations at once, leave exactly one standing; two roster replacements
//! at once leave one whole; an index-key rotation re-indexes entries so they still match.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use linli_dual_reporting::error::WriteError;
use linli_dual_reporting::ports::{
    MemberReportRepository, RosterRepository, TransferredMemberRepository, UnitRepository,
};
use linli_dual_reporting::roster::{Roster, RosterEntry, RosterStatus};
use linli_dual_reporting::transferred::{TransferStatus, TransferredMember};
use linli_dual_reporting::{
    MemberReport, MemberReportId, ReportStatus, RosterEntryId, TransferredMemberId, Unit, UnitKind,
};
use linli_grid::events::StructureEvent;
use linli_grid::ports::PlaceRepository;
use linli_grid::{Community, Grid, GridKind, Households, PlaceName, Subdistrict};
use linli_identity::ports::UserRepository;
use linli_identity::{OpenId, PhoneNumber, RealName, UserUpdate};
use linli_kernel::{CommunityId, GridId, PageRequest, ScopePath, SubdistrictId, UnitId, UserId};
use sea_orm::EntityTrait;
use tokio::sync::Barrier;

use super::entity::unit_roster_entry;
use crate::crypto::PersonalDataKeys;
use crate::db::Database;
use crate::db::testing::ScratchDatabase;
use crate::identity::entity::user;

struct Place {
    grid: ScopePath,
    unit: UnitId,
}

fn name(raw: &str) -> PlaceName {
    PlaceName::parse("name", raw).unwrap()
}

/// A subdistrict, a community, a grid and a unit paired with it.
async fn place(db: &Database) -> Place {
    let now = Utc::now();
    let s = Subdistrict {
        id: SubdistrictId::new(),
        name: name("济阳街道"),
        created_at: now,
    };
    db.insert_subdistrict(&s, &StructureEvent::subdistrict_created(&s).at(now))
        .await
        .unwrap();
    let c = Community {
        id: CommunityId::new(),
        subdistrict_id: s.id,
        name: name("幸福里社区"),
        created_at: now,
    };
    db.insert_community(&c, &StructureEvent::community_created(&c).at(now))
        .await
        .unwrap();
    let g = Grid {
        id: GridId::new(),
        community_id: c.id,
        subdistrict_id: s.id,
        name: name("一网格"),
        kind: GridKind::Residential,
        households: Households::new(400).unwrap(),
        created_at: now,
    };
    db.insert_grid(&g, &StructureEvent::grid_created(&g).at(now))
        .await
        .unwrap();
    let grid = ScopePath::grid(s.id, c.id, g.id);
    let unit = Unit {
        id: UnitId::new(),
        name: "济阳区税务局".to_owned(),
        kind: UnitKind::MunicipalOrgan,
        party_organisation: "中共济阳区税务局机关委员会".to_owned(),
        contact_name: "赵敏".to_owned(),
        contact_phone: "13800000001".to_owned(),
        roll_count: 120,
        grid,
        created_at: now,
    };
    db.insert_unit(&unit, &[]).await.unwrap();
    Place { grid, unit: unit.id }
}

async fn user_with_phone(db: &Database, openid: &str, phone: &str) -> UserId {
    let now = Utc::now();
    let user = db
        .upsert_by_openid(&OpenId::parse(openid).unwrap(), None, now)
        .await
        .unwrap();
    let update = UserUpdate {
        real_name: Some(RealName::parse("王建国").unwrap()),
        phone: Some(PhoneNumber::parse(phone).unwrap()),
        ..UserUpdate::default()
    };
    db.update_user(user.id, &update, now, &[]).await.unwrap();
    user.id
}

fn report(p: &Place, user: UserId) -> MemberReport {
    MemberReport {
        id: MemberReportId::new(),
        user_id: user,
        unit_id: p.unit,
        place: ScopePath::community(p.grid.subdistrict.unwrap(), p.grid.community.unwrap()),
        skills: vec![],
        availability: String::new(),
        note: String::new(),
        status: ReportStatus::Submitted,
        assignment: None,
        reason: None,
        filed_at: Utc::now(),
        decided_by: None,
        decided_at: None,
    }
}

fn transferred(p: &Place, user: UserId) -> TransferredMember {
    TransferredMember {
        id: TransferredMemberId::new(),
        user_id: user,
        place: p.grid,
        from_organisation: "原济阳县化肥厂党委".to_owned(),
        transferred_on: NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
        status: TransferStatus::Active,
        registered_by: UserId::new(),
        registered_at: Utc::now(),
        withdrawn_by: None,
        withdrawn_at: None,
        reason: None,
    }
}

fn entries(unit: UnitId, people: &[(&str, &str)]) -> (Roster, Vec<RosterEntry>) {
    let entries: Vec<RosterEntry> = people
        .iter()
        .enumerate()
        .map(|(i, (name, phone))| RosterEntry {
            id: RosterEntryId::new(),
            unit_id: unit,
            line: u32::try_from(i + 2).unwrap(),
            name: (*name).to_owned(),
            phone: (*phone).to_owned(),
        })
        .collect();
    let roster = Roster {
        unit_id: unit,
        entries: u32::try_from(entries.len()).unwrap(),
        uploaded_by: UserId::new(),
        uploaded_at: Utc::now(),
    };
    (roster, entries)
}

fn page() -> PageRequest {
    PageRequest::new(None, None).unwrap()
}

async fn names(db: &Database, unit: UnitId, status: Option<RosterStatus>) -> Vec<String> {
    db.list_roster(unit, status, page())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|l| l.entry.name)
        .collect()
}

async fn rosters_are_sealed_and_met_with_their_users_on_the_index(db: Database) {
    db.migrate().await.unwrap();
    let p = place(&db).await;
    let (roster, people) = entries(
        p.unit,
        &[
            ("王建国", "13900000001"),
            ("李红", "13900000002"),
            ("张伟", "13900000003"),
        ],
    );
    db.replace_roster(&roster, &people, &[]).await.unwrap();

    let rows = unit_roster_entry::Entity::find()
        .all(db.connection())
        .await
        .unwrap();
    assert_eq!(rows.len(), 3);
    for row in &rows {
        assert!(row.name_sealed.starts_with("v1:t1:") && row.phone_sealed.starts_with("v1:t1:"));
        assert!(!row.phone_sealed.contains("139") && !row.name_sealed.contains("王"));
    }
    // 王建国 bound his phone written another way, and reported; 李红 has an account but
    // no report; nobody bound 张伟's phone.
    let wang = user_with_phone(&db, "wang", "+8613900000001").await;
    user_with_phone(&db, "li", "13900000002").await;
    let wang_user = user::Entity::find_by_id(wang.as_uuid())
        .one(db.connection())
        .await
        .unwrap()
        .unwrap();
    let wang_row = rows.iter().find(|r| r.line == 2).unwrap();
    assert_eq!(
        wang_user.phone_index.as_deref(),
        Some(wang_row.phone_index.as_str())
    );
    let filed = report(&p, wang);
    db.insert_report(&filed, &[]).await.unwrap();

    let lines = db.list_roster(p.unit, None, page()).await.unwrap().items;
    assert_eq!(lines[0].entry.name, "王建国");
    assert_eq!(lines[0].entry.phone, "13900000001");
    assert_eq!(lines[0].report.as_ref().map(|r| r.id), Some(filed.id));
    assert!(lines[1].report.is_none() && lines[2].report.is_none());
    assert_eq!(names(&db, p.unit, Some(RosterStatus::Reported)).await, ["王建国"]);
    assert_eq!(
        names(&db, p.unit, Some(RosterStatus::NotReported)).await,
        ["李红", "张伟"]
    );

    // A new file replaces the roster whole.
    let (roster, people) = entries(p.unit, &[("张伟", "13900000003")]);
    db.replace_roster(&roster, &people, &[]).await.unwrap();
    assert_eq!(names(&db, p.unit, None).await, ["张伟"]);
    assert_eq!(db.roster_of(p.unit).await.unwrap().unwrap().entries, 1);

    // After the index key changes and the pass re-indexes users and entries, they still meet.
    let (roster, people) = entries(p.unit, &[("王建国", "13900000001")]);
    db.replace_roster(&roster, &people, &[]).await.unwrap();
    let rotated = db.clone().with_personal_data_keys(Arc::new(
        PersonalDataKeys::parse(
            &format!("t2:{},t1:{}", "33".repeat(16), "11".repeat(16)),
            &"44".repeat(32),
        )
        .unwrap(),
    ));
    rotated.reseal_personal_data().await.unwrap();
    let report = rotated.reseal_roster_entries().await.unwrap();
    assert_eq!(
        (report.rows, report.sealed, report.reindexed, report.unreadable),
        (1, 2, 1, 0)
    );
    assert_eq!(
        names(&rotated, p.unit, Some(RosterStatus::Reported)).await,
        ["王建国"]
    );
    let again = rotated.reseal_roster_entries().await.unwrap();
    assert_eq!((again.sealed, again.reindexed), (0, 0), "the pass is idempotent");
}

/// 10 rounds: a filing and a registration of one person at once, then two registrations of
/// another at once. Each time exactly one stands.
async fn a_person_is_an_in_service_or_a_transferred_member_whatever_the_concurrency(db: Database) {
    db.migrate().await.unwrap();
    let p = Arc::new(place(&db).await);
    for round in 0..10 {
        let person = user_with_phone(&db, &format!("racer{round}"), "13900000009").await;
        let start = Arc::new(Barrier::new(2));
        let filing = {
            let (db, p, start) = (db.clone(), p.clone(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                db.insert_report(&report(&p, person), &[]).await
            })
        };
        let registration = {
            let (db, p, start) = (db.clone(), p.clone(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                db.insert_transferred(&transferred(&p, person), &[]).await
            })
        };
        let (filed, registered) = (filing.await.unwrap(), registration.await.unwrap());
        match (&filed, &registered) {
            (Ok(()), Err(WriteError::OpenReportExists))
            | (Err(WriteError::TransferredMemberExists), Ok(())) => {}
            other => panic!("round {round}: {other:?}"),
        }

        let twice = user_with_phone(&db, &format!("twice{round}"), "13900000008").await;
        let start = Arc::new(Barrier::new(2));
        let attempts: Vec<_> = (0..2)
            .map(|_| {
                let (db, p, start) = (db.clone(), p.clone(), start.clone());
                tokio::spawn(async move {
                    start.wait().await;
                    db.insert_transferred(&transferred(&p, twice), &[]).await
                })
            })
            .collect();
        let mut outcomes = Vec::new();
        for attempt in attempts {
            outcomes.push(attempt.await.unwrap());
        }
        assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1, "{outcomes:?}");
        assert!(
            outcomes
                .iter()
                .any(|o| matches!(o, Err(WriteError::TransferredMemberExists)))
        );
    }
}

/// Two replacements of one roster at once: one of the two files stands whole.
async fn two_replacements_at_once_leave_one_roster_whole(db: Database) {
    db.migrate().await.unwrap();
    let p = Arc::new(place(&db).await);
    for _ in 0..5 {
        let first: Vec<(String, String)> = (0..30)
            .map(|i| (format!("甲{i}"), format!("1390000{i:04}")))
            .collect();
        let second: Vec<(String, String)> = (0..20)
            .map(|i| (format!("乙{i}"), format!("1380000{i:04}")))
            .collect();
        let start = Arc::new(Barrier::new(2));
        let uploads: Vec<_> = [first, second]
            .into_iter()
            .map(|file| {
                let (db, p, start) = (db.clone(), p.clone(), start.clone());
                tokio::spawn(async move {
                    let people: Vec<(&str, &str)> =
                        file.iter().map(|(n, ph)| (n.as_str(), ph.as_str())).collect();
                    let (roster, entries) = entries(p.unit, &people);
                    start.wait().await;
                    db.replace_roster(&roster, &entries, &[]).await
                })
            })
            .collect();
        for upload in uploads {
            upload.await.unwrap().unwrap();
        }
        let stored = unit_roster_entry::Entity::find()
            .all(db.connection())
            .await
            .unwrap();
        let head = db.roster_of(p.unit).await.unwrap().unwrap();
        assert!(
            stored.len() == 30 || stored.len() == 20,
            "the two files were merged: {} entries",
            stored.len()
        );
        assert_eq!(head.entries as usize, stored.len());
    }
}

#[tokio::test]
async fn on_sqlite_rosters_are_sealed_and_met_with_their_users_on_the_index() {
    let scratch = ScratchDatabase::sqlite();
    rosters_are_sealed_and_met_with_their_users_on_the_index(scratch.connect(4).await).await;
}

#[tokio::test]
async fn on_postgres_rosters_are_sealed_and_met_with_their_users_on_the_index() {
    let Some(scratch) = ScratchDatabase::postgres().await else {
        eprintln!("LINLI_TEST_DATABASE_URL is not set: skipped");
        return;
    };
    rosters_are_sealed_and_met_with_their_users_on_the_index(scratch.connect(4).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_sqlite_a_person_is_one_kind_of_member_whatever_the_concurrency() {
    let scratch = ScratchDatabase::sqlite();
    a_person_is_an_in_service_or_a_transferred_member_whatever_the_concurrency(scratch.connect(8).await)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_postgres_a_person_is_one_kind_of_member_whatever_the_concurrency() {
    let Some(scratch) = ScratchDatabase::postgres().await else {
        eprintln!("LINLI_TEST_DATABASE_URL is not set: skipped");
        return;
    };
    a_person_is_an_in_service_or_a_transferred_member_whatever_the_concurrency(scratch.connect(8).await)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_sqlite_two_replacements_at_once_leave_one_roster_whole() {
    let scratch = ScratchDatabase::sqlite();
    two_replacements_at_once_leave_one_roster_whole(scratch.connect(8).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_postgres_two_replacements_at_once_leave_one_roster_whole() {
    let Some(scratch) = ScratchDatabase::postgres().await else {
        eprintln!("LINLI_TEST_DATABASE_URL is not set: skipped");
        return;
    };
    two_replacements_at_once_leave_one_roster_whole(scratch.connect(8).await).await;
}
