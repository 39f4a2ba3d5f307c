//! Each uniqueness rule answers as what it means, on SQLite (which names columns) and on
//! PostgreSQL (which names constraints); the community rule's migration keeps existing rows.

use chrono::Utc;
use linli_grid::error::WriteError;
use linli_grid::events::StructureEvent;
use linli_grid::ports::{BranchRepository, NameKind, PlaceRepository};
use linli_grid::{
    BranchKind, Building, Community, Grid, GridKind, Households, PartyBranch, PlaceName, Subdistrict,
};
use linli_kernel::{CommunityId, GridId, PartyBranchId, StairwellId, SubdistrictId};
use sea_orm::ConnectionTrait;
use sea_orm_migration::MigratorTrait;

use crate::contexts::Migrator;
use crate::db::Database;
use crate::db::testing::ScratchDatabase;

fn name(raw: &str) -> PlaceName {
    PlaceName::parse("name", raw).unwrap()
}

fn subdistrict(n: &str) -> Subdistrict {
    Subdistrict {
        id: SubdistrictId::new(),
        name: name(n),
        created_at: Utc::now(),
    }
}

fn community(s: &Subdistrict, n: &str) -> Community {
    Community {
        id: CommunityId::new(),
        subdistrict_id: s.id,
        name: name(n),
        created_at: Utc::now(),
    }
}

fn grid(c: &Community, n: &str) -> Grid {
    Grid {
        id: GridId::new(),
        community_id: c.id,
        subdistrict_id: c.subdistrict_id,
        name: name(n),
        kind: GridKind::Residential,
        households: Households::new(400).unwrap(),
        created_at: Utc::now(),
    }
}

fn branch(g: &Grid, n: &str) -> PartyBranch {
    PartyBranch {
        id: PartyBranchId::new(),
        community_id: g.community_id,
        subdistrict_id: g.subdistrict_id,
        name: name(n),
        kind: BranchKind::Independent,
        grid_ids: vec![g.id],
        created_at: Utc::now(),
    }
}

fn taken(result: Result<(), WriteError>) -> NameKind {
    match result {
        Err(WriteError::NameTaken { kind, .. }) => kind,
        other => panic!("expected a name taken, got {other:?}"),
    }
}

async fn every_rule_answers_as_what_it_means(db: Database) {
    db.migrate().await.unwrap();
    let now = Utc::now();
    let (s1, s2) = (subdistrict("济阳街道"), subdistrict("回河街道"));
    db.insert_subdistrict(&s1, &StructureEvent::subdistrict_created(&s1).at(now))
        .await
        .unwrap();
    db.insert_subdistrict(&s2, &StructureEvent::subdistrict_created(&s2).at(now))
        .await
        .unwrap();
    let again = subdistrict("济阳街道");
    let e = StructureEvent::subdistrict_created(&again).at(now);
    assert_eq!(
        taken(db.insert_subdistrict(&again, &e).await),
        NameKind::Subdistrict
    );

    let (c1, c2) = (community(&s1, "幸福里社区"), community(&s2, "幸福里社区"));
    for c in [&c1, &c2] {
        let e = StructureEvent::community_created(c).at(now);
        db.insert_community(c, &e)
            .await
            .expect("one name in two subdistricts");
    }
    let twin = community(&s1, "幸福里社区");
    let e = StructureEvent::community_created(&twin).at(now);
    assert_eq!(taken(db.insert_community(&twin, &e).await), NameKind::Community);

    let g1 = grid(&c1, "一网格");
    db.insert_grid(&g1, &StructureEvent::grid_created(&g1).at(now))
        .await
        .unwrap();
    let g2 = grid(&c2, "一网格");
    db.insert_grid(&g2, &StructureEvent::grid_created(&g2).at(now))
        .await
        .unwrap();
    let twin = grid(&c1, "一网格");
    let e = StructureEvent::grid_created(&twin).at(now);
    assert_eq!(taken(db.insert_grid(&twin, &e).await), NameKind::Grid);

    let b1 = Building::new(&g1, name("1号楼"), &["1单元".to_owned()], now).unwrap();
    db.insert_building(&b1, &StructureEvent::building_created(&b1).at(now))
        .await
        .unwrap();
    let twin = Building::new(&g1, name("1号楼"), &[], now).unwrap();
    let e = StructureEvent::building_created(&twin).at(now);
    assert_eq!(taken(db.insert_building(&twin, &e).await), NameKind::Building);
    let mut stairs = Building::new(&g1, name("2号楼"), &["1单元".to_owned()], now).unwrap();
    let mut second = stairs.stairwells[0].clone();
    second.id = StairwellId::new();
    stairs.stairwells.push(second);
    let e = StructureEvent::building_created(&stairs).at(now);
    assert_eq!(taken(db.insert_building(&stairs, &e).await), NameKind::Stairwell);

    let first = branch(&g1, "一支部");
    db.insert_branch(&first, &StructureEvent::branch_created(&first).at(now))
        .await
        .unwrap();
    let g3 = grid(&c1, "三网格");
    db.insert_grid(&g3, &StructureEvent::grid_created(&g3).at(now))
        .await
        .unwrap();
    let same_name = branch(&g3, "一支部");
    let e = StructureEvent::branch_created(&same_name).at(now);
    assert_eq!(
        taken(db.insert_branch(&same_name, &e).await),
        NameKind::PartyBranch
    );
    let same_grid = branch(&g1, "二支部");
    let e = StructureEvent::branch_created(&same_grid).at(now);
    assert!(matches!(
        db.insert_branch(&same_grid, &e).await,
        Err(WriteError::GridAlreadyInBranch(g)) if g == g1.id
    ));

    // A rule the structure does not know (here a primary key) is a bug, not a name taken.
    let mut clash = subdistrict("新街道");
    clash.id = s1.id;
    let e = StructureEvent::subdistrict_created(&clash).at(now);
    assert!(matches!(
        db.insert_subdistrict(&clash, &e).await,
        Err(WriteError::Storage(_))
    ));
}

#[tokio::test]
async fn on_sqlite_every_unique_rule_answers_as_what_it_means() {
    let scratch = ScratchDatabase::sqlite();
    every_rule_answers_as_what_it_means(scratch.connect(4).await).await;
}

#[tokio::test]
async fn on_postgres_every_unique_rule_answers_as_what_it_means() {
    let Some(scratch) = ScratchDatabase::postgres().await else {
        eprintln!("LINLI_TEST_DATABASE_URL is not set: skipped");
        return;
    };
    every_rule_answers_as_what_it_means(scratch.connect(4).await).await;
}

/// The migration that scopes community names keeps every community and what hangs off it.
async fn the_migration_keeps_communities_and_their_grids(db: Database) {
    let before = Migrator::migrations()
        .iter()
        .filter(|m| m.name() < "m20261127_000060")
        .count();
    Migrator::up(db.connection(), Some(u32::try_from(before).unwrap()))
        .await
        .unwrap();
    let now = Utc::now();
    let s = subdistrict("济阳街道");
    db.insert_subdistrict(&s, &StructureEvent::subdistrict_created(&s).at(now))
        .await
        .unwrap();
    let c = community(&s, "幸福里社区");
    db.insert_community(&c, &StructureEvent::community_created(&c).at(now))
        .await
        .unwrap();
    let g = grid(&c, "一网格");
    db.insert_grid(&g, &StructureEvent::grid_created(&g).at(now))
        .await
        .unwrap();
    let b = branch(&g, "一支部");
    db.insert_branch(&b, &StructureEvent::branch_created(&b).at(now))
        .await
        .unwrap();

    db.migrate().await.unwrap();
    let kept = db.find_community(c.id).await.unwrap().unwrap();
    assert_eq!((kept.subdistrict_id, kept.name), (s.id, c.name.clone()));
    assert_eq!(
        db.find_grid(g.id).await.unwrap().map(|g| g.community_id),
        Some(c.id)
    );
    // Foreign keys still point at the communities.
    let orphan = grid(&community(&s, "无此社区"), "二网格");
    let e = StructureEvent::grid_created(&orphan).at(now);
    assert!(db.insert_grid(&orphan, &e).await.is_err());
    if db.backend() == sea_orm::DatabaseBackend::Sqlite {
        let problems = db
            .connection()
            .query_all_raw(sea_orm::Statement::from_string(
                db.backend(),
                "PRAGMA foreign_key_check",
            ))
            .await
            .unwrap();
        assert!(problems.is_empty());
    }
}

#[tokio::test]
async fn on_sqlite_the_community_migration_keeps_what_exists() {
    let scratch = ScratchDatabase::sqlite();
    the_migration_keeps_communities_and_their_grids(scratch.connect(4).await).await;
}

#[tokio::test]
async fn on_postgres_the_community_migration_keeps_what_exists() {
    let Some(scratch) = ScratchDatabase::postgres().await else {
        eprintln!("LINLI_TEST_DATABASE_URL is not set: skipped");
        return;
    };
    the_migration_keeps_communities_and_their_grids(scratch.connect(4).await).await;
}
