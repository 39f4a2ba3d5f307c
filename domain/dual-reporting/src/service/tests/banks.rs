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
