//! Units, their reports to the paired grid, and the dictionary of service categories.

use linli_kernel::ports::Clock;
use linli_kernel::{GridId, Rule, UnitId};

use super::*;
use crate::models::{DEFAULT_CATEGORIES, UnitReportStatus};
use crate::{DualReportingError, Resource};

fn rule_of(result: Result<Unit, DualReportingError>) -> (String, Rule) {
    match result {
        Err(DualReportingError::Validation(e)) => (e.field, e.rule),
        other => panic!("a validation error, not {other:?}"),
    }
}

#[tokio::test]
async fn only_the_district_admin_registers_a_unit() {
    let d = district();
    for outsider in [admin_of(&d.a), worker_of(&d.a1), resident()] {
        assert!(matches!(
            d.units.create(&outsider, new_unit(grid_id(&d.a1))).await,
            Err(DualReportingError::Forbidden)
        ));
    }
    let unit = d.units.create(&d.admin, new_unit(grid_id(&d.a1))).await.unwrap();
    assert_eq!(unit.grid, d.a1.path);
    assert_eq!(unit.created_at, d.clock.now());
    assert_eq!(d.units.list(&d.admin, page()).await.unwrap().items.len(), 1);
}

#[tokio::test]
async fn a_unit_of_an_unknown_kind_with_a_bad_phone_or_a_roll_count_out_of_range_is_refused() {
    let d = district();
    let grid = grid_id(&d.a1);
    let with = |change: fn(&mut NewUnit)| {
        let mut new = new_unit(grid);
        change(&mut new);
        new
    };
    let refused = [
        (
            with(|n| n.kind = "ministry".to_owned()),
            "kind",
            Rule::UnknownValue,
        ),
        (
            with(|n| n.contact_phone = "12345".to_owned()),
            "contact_phone",
            Rule::PhoneFormat,
        ),
        (
            with(|n| n.contact_phone = "138-0000-0000".to_owned()),
            "contact_phone",
            Rule::PhoneFormat,
        ),
        (
            with(|n| n.contact_phone = "1380000000x".to_owned()),
            "contact_phone",
            Rule::PhoneFormat,
        ),
        (with(|n| n.roll_count = -1), "roll_count", Rule::Range),
        (with(|n| n.roll_count = 100_001), "roll_count", Rule::Range),
        (with(|n| n.name = "  ".to_owned()), "name", Rule::Empty),
    ];
    for (new, field, rule) in refused {
        assert_eq!(
            rule_of(d.units.create(&d.admin, new).await),
            (field.to_owned(), rule)
        );
    }
    assert!(d.units.list(&d.admin, page()).await.unwrap().items.is_empty());

    // The bounds themselves are accepted, and so is a landline.
    let none = NewUnit {
        roll_count: 0,
        contact_phone: "0531-88888888".to_owned(),
        ..new_unit(grid_id(&d.a1))
    };
    let most = NewUnit {
        roll_count: 100_000,
        ..new_unit(grid_id(&d.a2))
    };
    assert_eq!(d.units.create(&d.admin, none).await.unwrap().roll_count, 0);
    assert_eq!(d.units.create(&d.admin, most).await.unwrap().roll_count, 100_000);
}

#[tokio::test]
async fn a_unit_paired_with_an_unknown_grid_is_not_found() {
    let d = district();
    assert!(matches!(
        d.units.create(&d.admin, new_unit(GridId::new())).await,
        Err(DualReportingError::NotFound(Resource::Grid))
    ));
}

#[tokio::test]
async fn a_grid_is_paired_with_one_unit_only() {
    let d = district();
    d.unit(&d.a1).await;
    let grid = grid_id(&d.a1);
    assert!(matches!(
        d.units.create(&d.admin, new_unit(grid)).await,
        Err(DualReportingError::GridAlreadyPaired(g)) if g == grid
    ));
    d.unit(&d.a2).await;
}

#[tokio::test]
async fn a_unit_is_shown_whole_to_its_admins_and_the_staff_over_its_grid_and_restricted_to_others() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let other = d.unit(&d.b1).await;
    d.units.file_report(&unit_admin(unit.id), unit.id).await.unwrap();

    for insider in [
        unit_admin(unit.id),
        worker_of(&d.a1),
        admin_of(&d.a),
        d.admin.clone(),
    ] {
        let view = d.units.get(&insider, unit.id).await.unwrap();
        assert!(!view.restricted, "{insider:?}");
        assert_eq!(view.report.map(|r| r.unit_id), Some(unit.id));
    }
    for outsider in [resident(), unit_admin(other.id), worker_of(&d.a2), admin_of(&d.b)] {
        let view = d.units.get(&outsider, unit.id).await.unwrap();
        assert!(view.restricted, "{outsider:?}");
        assert_eq!(view.report, None);
        assert_eq!(view.unit.name, unit.name, "a unit's name is no secret");
    }
    let listed = d.units.list(&resident(), page()).await.unwrap();
    assert_eq!(listed.items.len(), 2);
    assert!(listed.items.iter().all(|v| v.restricted && v.report.is_none()));
    assert!(matches!(
        d.units.get(&d.admin, UnitId::new()).await,
        Err(DualReportingError::NotFound(Resource::Unit))
    ));
}

#[tokio::test]
async fn only_the_unit_s_own_admin_files_its_report_and_only_once() {
    let d = district();
    let (unit, other) = (d.unit(&d.a1).await, d.unit(&d.b1).await);
    for outsider in [unit_admin(other.id), admin_of(&d.a), d.admin.clone(), resident()] {
        assert!(matches!(
            d.units.file_report(&outsider, unit.id).await,
            Err(DualReportingError::Forbidden)
        ));
    }
    let admin = unit_admin(unit.id);
    let report = d.units.file_report(&admin, unit.id).await.unwrap();
    assert_eq!(report.status, UnitReportStatus::Submitted);
    assert_eq!((report.filed_by, report.grid), (admin.user_id(), d.a1.path));
    assert!(matches!(
        d.units.file_report(&admin, unit.id).await,
        Err(DualReportingError::UnitAlreadyReported)
    ));
    assert!(matches!(
        d.units.file_report(&admin, UnitId::new()).await,
        Err(DualReportingError::NotFound(Resource::Unit))
    ));
}

#[tokio::test]
async fn a_unit_report_is_accepted_only_by_an_admin_over_the_grid_s_community_and_once() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let report = d.units.file_report(&unit_admin(unit.id), unit.id).await.unwrap();
    for hidden in [admin_of(&d.b), unit_admin(unit.id), resident()] {
        assert!(matches!(
            d.units.accept_report(&hidden, report.id).await,
            Err(DualReportingError::NotFound(Resource::UnitReport))
        ));
    }
    assert!(matches!(
        d.units.accept_report(&worker_of(&d.a1), report.id).await,
        Err(DualReportingError::Forbidden)
    ));
    let admin = admin_of(&d.a);
    let accepted = d.units.accept_report(&admin, report.id).await.unwrap();
    assert_eq!(accepted.status, UnitReportStatus::Accepted);
    assert_eq!(accepted.accepted_by, Some(admin.user_id()));
    let shown = d.units.get(&admin, unit.id).await.unwrap().report.unwrap();
    assert_eq!(shown.status, UnitReportStatus::Accepted);
    let above = actor(
        Role::SubdistrictAdmin,
        Scope::Subdistrict(d.subdistrict.path.subdistrict.unwrap()),
    );
    for late in [admin, above] {
        assert!(matches!(
            d.units.accept_report(&late, report.id).await,
            Err(DualReportingError::UnitReportState(UnitReportStatus::Accepted))
        ));
    }
}

#[tokio::test]
async fn a_unit_s_registration_report_and_acceptance_are_told_to_the_community_s_staff() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let report = d.units.file_report(&unit_admin(unit.id), unit.id).await.unwrap();
    d.units.accept_report(&admin_of(&d.a), report.id).await.unwrap();
    let events = d.store.events();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["unit.created", "unit_report.filed", "unit_report.accepted"]
    );
    assert!(
        events.iter().all(|e| e.topic == reports_topic(&d.a)),
        "{events:?}"
    );
}

#[tokio::test]
async fn the_default_categories_are_listed_by_key() {
    let d = district();
    let keys: Vec<String> = d
        .categories
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.key.to_string())
        .collect();
    let mut defaults: Vec<String> = DEFAULT_CATEGORIES.iter().map(|(k, _)| (*k).to_owned()).collect();
    defaults.sort();
    assert_eq!(keys, defaults);
}

#[tokio::test]
async fn only_the_district_admin_adds_a_category_under_a_new_well_formed_key() {
    let d = district();
    for outsider in [admin_of(&d.a), worker_of(&d.a1), resident()] {
        assert!(matches!(
            d.categories.create(&outsider, "sports", "体育健身").await,
            Err(DualReportingError::Forbidden)
        ));
    }
    let added = d
        .categories
        .create(&d.admin, "sports", " 体育健身 ")
        .await
        .unwrap();
    assert_eq!((added.key.as_str(), added.name.as_str()), ("sports", "体育健身"));
    let listed = d.categories.list().await.unwrap();
    assert_eq!(listed.len(), DEFAULT_CATEGORIES.len() + 1);
    for taken in ["sports", "legal_aid"] {
        assert!(matches!(
            d.categories.create(&d.admin, taken, "又一个").await,
            Err(DualReportingError::CategoryTaken(key)) if key == taken
        ));
    }
    let too_long = "a".repeat(33);
    for bad in [
        "",
        "Sports",
        "1st_aid",
        "_aid",
        "first aid",
        "急救",
        too_long.as_str(),
    ] {
        assert!(
            matches!(
                d.categories.create(&d.admin, bad, "急救").await,
                Err(DualReportingError::Validation(e)) if e.field == "key" && e.rule == Rule::TokenFormat
            ),
            "{bad:?}"
        );
    }
    assert_eq!(
        d.categories.list().await.unwrap().len(),
        DEFAULT_CATEGORIES.len() + 1
    );
}
