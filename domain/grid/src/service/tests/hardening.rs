//! The rules an outside review asked for: bounded imports decided before the file is read,
//! names unique where people choose them, branches showing only the grids one covers, and
//! names without bidirectional overrides.

use std::fmt::Write as _;

use linli_kernel::{Actor, Role, Scope, UserId};

use super::{actor, district, page};
use crate::import::MAX_REPORTED_ERRORS;
use crate::ports::NameKind;
use crate::{BranchKind, GridError, GridKind};

const HEADER: &str = "community,name,kind,households,buildings\n";

#[tokio::test]
async fn a_resident_may_not_import_and_is_told_before_any_file_is_read() {
    let d = district().await;
    let resident = Actor::new(UserId::new(), None, vec![]);
    assert!(matches!(
        d.places.check_import(&resident),
        Err(GridError::Forbidden)
    ));
    assert!(matches!(
        d.places.import_grids(&resident, "not even csv").await,
        Err(GridError::Forbidden)
    ));
    let worker = actor(Role::GridWorker, Scope::Grid(linli_kernel::GridId::new()));
    assert!(matches!(
        d.places.check_import(&worker),
        Err(GridError::Forbidden)
    ));
    assert!(d.places.check_import(&d.admin).is_ok());
}

#[tokio::test]
async fn a_file_over_the_row_limit_is_refused_whole_with_the_limit() {
    let d = district().await;
    d.community("幸福里社区").await;
    let mut csv = HEADER.to_owned();
    for i in 0..4 {
        writeln!(csv, "幸福里社区,{i}网格,reserved,0,").unwrap();
    }
    let places = crate::PlaceService::new(d.structure.clone(), linli_kernel::testing::ManualClock::default())
        .with_import_max_rows(3);
    assert!(matches!(
        places.import_grids(&d.admin, &csv).await,
        Err(GridError::ImportTooLarge { max_rows: 3 })
    ));
    assert!(d.structure.grids().is_empty());
}

#[tokio::test]
async fn an_attack_file_reports_the_first_hundred_errors_and_counts_them_all() {
    let d = district().await;
    d.community("幸福里社区").await;
    // 5,000 rows, each listing 200 buildings of which only one is distinct... then two bad
    // cells each: the review's file, which answered 74 MB.
    let buildings = vec!["1号楼"; 200].join(";");
    let mut csv = HEADER.to_owned();
    for i in 0..5_000 {
        writeln!(csv, "幸福里社区,{i}网格,mixed,many,{buildings}").unwrap();
    }
    let Err(GridError::ImportRejected { errors, count }) = d.places.import_grids(&d.admin, &csv).await else {
        panic!("refused")
    };
    assert_eq!(errors.len(), MAX_REPORTED_ERRORS);
    assert_eq!(
        count,
        5_000 * 3,
        "kind, households and one repeated building per row"
    );
    let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "in line order");
    assert_eq!(
        (lines[0], lines[99]),
        (2, 35),
        "the first lines, three errors each"
    );
}

#[tokio::test]
async fn errors_found_late_still_report_the_earliest_lines() {
    let d = district().await;
    d.community("幸福里社区").await;
    let mut csv = HEADER.to_owned();
    // Line 2 names an unknown community (found by the service, after parsing); the 150
    // rows after it have bad kinds (found while parsing).
    writeln!(csv, "无名社区,一网格,reserved,0,").unwrap();
    for i in 0..150 {
        writeln!(csv, "幸福里社区,{i}网格,mixed,0,").unwrap();
    }
    let Err(GridError::ImportRejected { errors, count }) = d.places.import_grids(&d.admin, &csv).await else {
        panic!("refused")
    };
    assert_eq!(count, 151);
    assert_eq!(errors[0].line, 2);
    assert_eq!(errors[0].code, "community_unknown");
    assert_eq!(errors.last().map(|e| e.line), Some(101));
}

#[tokio::test]
async fn community_names_are_unique_in_their_subdistrict_not_the_district() {
    let d = district().await;
    let other = d
        .places
        .create_subdistrict(&d.admin, "回河街道")
        .await
        .unwrap()
        .id;
    let here = d.community("幸福里社区").await;
    let there = d.places.create_community(&d.admin, other, "幸福里社区").await;
    assert!(there.is_ok(), "the same name in another subdistrict: {there:?}");
    assert!(matches!(
        d.places
            .create_community(&d.admin, d.subdistrict, "幸福里社区")
            .await,
        Err(GridError::NameTaken {
            kind: NameKind::Community,
            ..
        })
    ));
    let beside = d.community("和平里社区").await;
    let admin = actor(Role::SubdistrictAdmin, Scope::Subdistrict(d.subdistrict));
    assert!(matches!(
        d.places.rename_community(&admin, beside, "幸福里社区").await,
        Err(GridError::NameTaken {
            kind: NameKind::Community,
            ..
        })
    ));
    let _ = here;
}

#[tokio::test]
async fn an_import_matches_communities_by_subdistrict_and_refuses_an_ambiguous_name() {
    let d = district().await;
    let other = d
        .places
        .create_subdistrict(&d.admin, "回河街道")
        .await
        .unwrap()
        .id;
    let here = d.community("幸福里社区").await;
    let there = d
        .places
        .create_community(&d.admin, other, "幸福里社区")
        .await
        .unwrap()
        .id;

    let ambiguous = format!("{HEADER}幸福里社区,一网格,reserved,0,\n");
    let Err(GridError::ImportRejected { errors, .. }) = d.places.import_grids(&d.admin, &ambiguous).await
    else {
        panic!("refused")
    };
    assert_eq!(
        (errors[0].code, errors[0].field.as_deref()),
        ("community_ambiguous", Some("community"))
    );

    let by_path = "街道,社区,网格,类型,户数,楼栋\n\
                   济阳街道,幸福里社区,一网格,reserved,0,\n\
                   回河街道,幸福里社区,一网格,reserved,0,1号楼\n";
    let report = d.places.import_grids(&d.admin, by_path).await.unwrap();
    assert_eq!((report.grids, report.buildings), (2, 1));
    let mut communities: Vec<_> = d.structure.grids().iter().map(|g| g.community_id).collect();
    communities.sort();
    let mut expected = vec![here, there];
    expected.sort();
    assert_eq!(communities, expected);

    // An admin of one of them is not asked to tell them apart: it sees one community.
    let admin = actor(Role::CommunityAdmin, Scope::Community(here));
    let report = d
        .places
        .import_grids(&admin, &format!("{HEADER}幸福里社区,二网格,reserved,0,\n"))
        .await
        .unwrap();
    assert_eq!(report.grids, 1);
}

#[tokio::test]
async fn a_grid_worker_sees_only_its_grid_of_a_joint_branch_and_how_many_others() {
    let d = district().await;
    let c = d.community("幸福里社区").await;
    let (g1, g2, g3) = (
        d.grid(c, "一网格", GridKind::Residential).await,
        d.grid(c, "二网格", GridKind::Residential).await,
        d.grid(c, "三网格", GridKind::Residential).await,
    );
    let created = d
        .branches
        .create_branch(&d.admin, "联合党支部", BranchKind::Joint, &[g1, g2, g3])
        .await
        .unwrap();
    assert_eq!((created.branch.grid_ids.len(), created.other_grids), (3, 0));

    let worker = actor(Role::GridWorker, Scope::Grid(g2));
    let listed = d.branches.branches(&worker, None, None, page()).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].branch.grid_ids, vec![g2]);
    assert_eq!(listed.items[0].other_grids, 2);
    let one = d.branches.branch(&worker, created.branch.id).await.unwrap();
    assert_eq!((one.branch.grid_ids, one.other_grids), (vec![g2], 2));

    let admin = actor(Role::CommunityAdmin, Scope::Community(c));
    let whole = d.branches.branch(&admin, created.branch.id).await.unwrap();
    assert_eq!((whole.branch.grid_ids.len(), whole.other_grids), (3, 0));
}

#[tokio::test]
async fn names_with_bidirectional_overrides_are_refused() {
    let d = district().await;
    let c = d.community("幸福里社区").await;
    for name in ["幸福\u{202E}里", "\u{2066}一网格\u{2069}"] {
        assert!(matches!(
            d.places.create_community(&d.admin, d.subdistrict, name).await,
            Err(GridError::Validation(_))
        ));
        assert!(matches!(
            d.places.rename_community(&d.admin, c, name).await,
            Err(GridError::Validation(_))
        ));
    }
    let csv = format!("{HEADER}幸福里社区,一\u{202E}网格,reserved,0,\n");
    let Err(GridError::ImportRejected { errors, .. }) = d.places.import_grids(&d.admin, &csv).await else {
        panic!("refused")
    };
    assert_eq!(errors[0].field.as_deref(), Some("name"));
}
