//! The member bank: the listing's page, each report with the names of its unit, community,
//! grid and category.

use super::*;
use crate::service::{MemberBankEntry, ReportQuery};

fn names(entry: &MemberBankEntry) -> [Option<&str>; 4] {
    [
        entry.unit.as_deref(),
        entry.community.as_deref(),
        entry.grid.as_deref(),
        entry.category.as_deref(),
    ]
}

#[tokio::test]
async fn the_member_bank_names_each_reports_unit_community_grid_and_category() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let (x, y) = (d.member(), d.member());
    let x_a = d.accepted(&x, unit.id).await;
    let y_b = d.filed(&y, unit.id, &d.b).await;

    let bank = d
        .reports
        .bank(&d.admin, ReportQuery::default(), page())
        .await
        .unwrap();
    assert_eq!(bank.next_after, None);
    let ids: Vec<_> = bank.items.iter().map(|e| e.view.report.id).collect();
    assert_eq!(ids, [x_a, y_b]);
    assert_eq!(
        names(&bank.items[0]),
        [
            Some("济阳区税务局"),
            Some("幸福里社区"),
            Some("一网格"),
            Some("法律援助")
        ]
    );
    assert_eq!(
        names(&bank.items[1]),
        [Some("济阳区税务局"), Some("和平里社区"), None, None],
        "no grid nor category before acceptance"
    );
    // The bank is the listing: the same reports and the same view of their members.
    let listed = d
        .reports
        .list(&d.admin, ReportQuery::default(), page())
        .await
        .unwrap();
    let views: Vec<_> = bank.items.into_iter().map(|e| e.view).collect();
    assert_eq!(views, listed.items);
}

#[tokio::test]
async fn the_member_bank_pages_as_the_listing_and_shows_nothing_outside_the_scope() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let mut filed = Vec::new();
    for _ in 0..3 {
        filed.push(d.filed(&d.member(), unit.id, &d.a).await);
    }
    let two = PageRequest::new(Some(2), None).unwrap();
    let first = d
        .reports
        .bank(&admin_of(&d.a), ReportQuery::default(), two)
        .await
        .unwrap();
    assert_eq!(first.items.len(), 2);
    let after = PageRequest::new(Some(2), first.next_after).unwrap();
    let second = d
        .reports
        .bank(&admin_of(&d.a), ReportQuery::default(), after)
        .await
        .unwrap();
    assert_eq!(second.next_after, None);
    let ids: Vec<_> = first
        .items
        .iter()
        .chain(&second.items)
        .map(|e| e.view.report.id)
        .collect();
    assert_eq!(ids, filed);
    assert!(
        second
            .items
            .iter()
            .all(|e| e.community.as_deref() == Some("幸福里社区"))
    );

    for stranger in [admin_of(&d.b), worker_of(&d.a1), resident()] {
        let bank = d
            .reports
            .bank(&stranger, ReportQuery::default(), page())
            .await
            .unwrap();
        assert!(bank.items.is_empty() && bank.next_after.is_none(), "{stranger:?}");
    }
}

type Store = InMemoryDualReporting;
type Bank = crate::service::ResourceBank<Store, Store, Store, FakeDirectory, ManualClock>;
type Offers = crate::service::OfferService<Store, Store, Store, ManualClock>;

/// The resource bank over the district's store and tree, and the offers' own service.
fn resource_bank(d: &District) -> (Bank, Offers) {
    (
        crate::service::ResourceBank::new(
            d.store.clone(),
            d.store.clone(),
            d.store.clone(),
            d.directory.clone(),
            d.clock.clone(),
        ),
        crate::service::OfferService::new(d.store.clone(), d.store.clone(), d.store.clone(), d.clock.clone()),
    )
}

fn offer_of(
    unit: UnitId,
    kind: &str,
    category: Option<&str>,
    from: chrono::NaiveDate,
    days: i64,
) -> crate::service::NewOffer {
    crate::service::NewOffer {
        unit_id: unit,
        kind: kind.to_owned(),
        category: category.map(str::to_owned),
        title: format!("{kind} 资源"),
        description: String::new(),
        amount: 10.0,
        measure: "人".to_owned(),
        valid_from: from,
        valid_until: from + chrono::Duration::days(days),
    }
}

#[tokio::test]
async fn the_resource_bank_names_each_offers_place_and_category_and_filters_by_validity() {
    use crate::Validity;
    use crate::lists::district_today;
    use crate::service::OfferQuery;
    use linli_kernel::ports::Clock;

    let d = district();
    let (bank, offers) = resource_bank(&d);
    let unit = d.unit(&d.a1).await;
    let start = district_today(d.clock.now());
    let create = |new| {
        let offers = &offers;
        let admin = d.admin.clone();
        async move { offers.create(&admin, new).await.unwrap().offer.id }
    };
    let lasting = create(offer_of(unit.id, "volunteers", Some("legal_aid"), start, 60)).await;
    let later = create(offer_of(
        unit.id,
        "funds",
        None,
        start + chrono::Duration::days(10),
        10,
    ))
    .await;
    let short = create(offer_of(unit.id, "venue", None, start, 2)).await;
    d.clock.advance(chrono::Duration::days(5));

    let ids = |query: OfferQuery, viewer: Actor| {
        let bank = &bank;
        async move {
            let page = bank.page(&viewer, query, page()).await.unwrap();
            page.items.iter().map(|e| e.view.offer.id).collect::<Vec<_>>()
        }
    };
    let everything = bank.page(&d.admin, OfferQuery::default(), page()).await.unwrap();
    let named: Vec<_> = everything
        .items
        .iter()
        .map(|e| {
            (
                e.view.offer.id,
                e.view.unit_name.as_str(),
                e.community.as_deref(),
                e.grid.as_deref(),
                e.category.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        named,
        [
            (
                lasting,
                "济阳区税务局",
                Some("幸福里社区"),
                Some("一网格"),
                Some("法律援助")
            ),
            (later, "济阳区税务局", Some("幸福里社区"), Some("一网格"), None),
            (short, "济阳区税务局", Some("幸福里社区"), Some("一网格"), None),
        ]
    );
    let by = |validity: Option<Validity>, valid_on: Option<chrono::NaiveDate>| OfferQuery {
        validity,
        valid_on,
        ..OfferQuery::default()
    };
    let admin = || d.admin.clone();
    assert_eq!(ids(by(Some(Validity::Current), None), admin()).await, [lasting]);
    assert_eq!(ids(by(Some(Validity::Upcoming), None), admin()).await, [later]);
    assert_eq!(ids(by(Some(Validity::Expired), None), admin()).await, [short]);
    let day_twelve = Some(start + chrono::Duration::days(12));
    assert_eq!(ids(by(None, day_twelve), admin()).await, [lasting, later]);
    assert_eq!(
        ids(by(Some(Validity::Current), day_twelve), admin()).await,
        [lasting],
        "both hold"
    );
    assert_eq!(ids(by(None, Some(start)), admin()).await, [lasting, short]);

    // The community's staff see the offers of the unit paired in it; others nothing.
    assert_eq!(ids(OfferQuery::default(), admin_of(&d.a)).await.len(), 3);
    for stranger in [admin_of(&d.b), resident()] {
        assert!(ids(OfferQuery::default(), stranger).await.is_empty());
    }
}
