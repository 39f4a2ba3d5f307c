use super::*;
use crate::service::OfferQuery;
use crate::{DualReportingError, Resource};

#[tokio::test]
async fn a_unit_admin_offers_for_their_unit_and_the_district_admin_for_any() {
    let d = district().await;
    let mine = d
        .offers
        .create(
            &unit_admin(d.ua.id),
            new_offer(d.ua.id, "volunteers", 20.0, "人", d.today()),
        )
        .await
        .unwrap();
    assert_eq!(mine.unit_name, "济阳区供电公司");
    assert!(mine.open);
    assert_eq!(mine.offer.place, d.ua.path(), "an offer sits at its unit's place");
    assert_eq!(mine.offer.remaining(), 2_000);
    let entered = d
        .offers
        .create(&d.admin, new_offer(d.ub.id, "funds", 50_000.0, "元", d.today()))
        .await
        .unwrap();
    assert_eq!(entered.offer.unit_id, d.ub.id);
    assert_eq!(entered.offer.offered_by, d.admin.user_id());
}

#[tokio::test]
async fn nobody_else_offers_in_a_units_name() {
    let d = district().await;
    let offer = || new_offer(d.ua.id, "volunteers", 20.0, "人", d.today());
    for stranger in [
        unit_admin(d.ub.id),
        admin_of(&d.a),
        subdistrict_admin(&d.s),
        worker_of(&d.a1),
        resident(),
    ] {
        assert!(
            matches!(
                d.offers.create(&stranger, offer()).await,
                Err(DualReportingError::Forbidden)
            ),
            "{:?}",
            stranger.grants()
        );
    }
    let unknown = new_offer(UnitId::new(), "volunteers", 1.0, "人", d.today());
    assert!(matches!(
        d.offers.create(&d.admin, unknown).await,
        Err(DualReportingError::NotFound(Resource::Unit))
    ));
}

#[tokio::test]
async fn an_offer_names_a_known_kind_and_category_a_quantity_and_a_period_not_yet_over() {
    let d = district().await;
    let me = unit_admin(d.ua.id);
    let base = || new_offer(d.ua.id, "volunteers", 20.0, "人", d.today());
    let field = |r: Result<_, DualReportingError>| match r {
        Err(DualReportingError::Validation(e)) => e.field,
        other => panic!("expected a validation error, got {other:?}"),
    };
    assert_eq!(
        field(
            d.offers
                .create(
                    &me,
                    NewOffer {
                        kind: "money".into(),
                        ..base()
                    }
                )
                .await
        ),
        "kind"
    );
    assert_eq!(
        field(
            d.offers
                .create(
                    &me,
                    NewOffer {
                        amount: 0.0,
                        ..base()
                    }
                )
                .await
        ),
        "amount"
    );
    assert_eq!(
        field(
            d.offers
                .create(
                    &me,
                    NewOffer {
                        measure: " ".into(),
                        ..base()
                    }
                )
                .await
        ),
        "measure"
    );
    assert_eq!(
        field(
            d.offers
                .create(
                    &me,
                    NewOffer {
                        title: String::new(),
                        ..base()
                    }
                )
                .await
        ),
        "title"
    );
    let backwards = NewOffer {
        valid_until: d.today() - Duration::days(1),
        valid_from: d.today(),
        ..base()
    };
    assert_eq!(field(d.offers.create(&me, backwards).await), "valid_until");
    let over = NewOffer {
        valid_from: d.today() - Duration::days(30),
        valid_until: d.today() - Duration::days(1),
        ..base()
    };
    assert_eq!(field(d.offers.create(&me, over).await), "valid_until");
    assert!(matches!(
        d.offers
            .create(&me, NewOffer { category: Some("gardening".into()), ..base() })
            .await,
        Err(DualReportingError::UnknownCategory(key)) if key == "gardening"
    ));
    let uncategorised = d
        .offers
        .create(
            &me,
            NewOffer {
                category: Some(String::new()),
                ..base()
            },
        )
        .await
        .unwrap();
    assert_eq!(uncategorised.offer.category, None);
}

#[tokio::test]
async fn an_offer_is_seen_by_its_unit_the_district_and_the_admins_over_its_grid_only() {
    let d = district().await;
    let offer = d.offer(&d.ua, "volunteers", 20.0, "人").await;
    let district_leader = actor(Role::GridLeader, Scope::District);
    for sees in [
        unit_admin(d.ua.id),
        d.admin.clone(),
        district_leader,
        admin_of(&d.a),
        subdistrict_admin(&d.s),
    ] {
        assert_eq!(d.offers.get(&sees, offer.id).await.unwrap().offer.id, offer.id);
        let listed = d.offers.list(&sees, OfferQuery::default(), page()).await.unwrap();
        assert_eq!(listed.items.len(), 1, "{:?}", sees.grants());
    }
    for blind in [
        unit_admin(d.ub.id),
        admin_of(&d.b),
        subdistrict_admin(&d.s2),
        worker_of(&d.a1),
        resident(),
    ] {
        assert!(matches!(
            d.offers.get(&blind, offer.id).await,
            Err(DualReportingError::NotFound(Resource::ResourceOffer))
        ));
        let listed = d
            .offers
            .list(&blind, OfferQuery::default(), page())
            .await
            .unwrap();
        assert!(listed.items.is_empty(), "{:?}", blind.grants());
    }
}

#[tokio::test]
async fn the_open_filter_leaves_out_offers_outside_their_period() {
    let d = district().await;
    let lasting = d.offer(&d.ua, "volunteers", 20.0, "人").await;
    let short = d
        .offers
        .create(
            &unit_admin(d.ua.id),
            NewOffer {
                valid_until: d.today() + Duration::days(2),
                ..new_offer(d.ua.id, "venue", 1.0, "间", d.today())
            },
        )
        .await
        .unwrap()
        .offer;
    let later = d
        .offers
        .create(
            &unit_admin(d.ua.id),
            new_offer(d.ua.id, "funds", 100.0, "元", d.today() + Duration::days(10)),
        )
        .await
        .unwrap();
    assert!(!later.open, "not yet valid");
    d.clock.advance(Duration::days(3));
    let open = OfferQuery {
        open: true,
        ..OfferQuery::default()
    };
    let listed = d.offers.list(&d.admin, open, page()).await.unwrap();
    assert_eq!(
        listed.items.iter().map(|v| v.offer.id).collect::<Vec<_>>(),
        vec![lasting.id]
    );
    let all = d
        .offers
        .list(&d.admin, OfferQuery::default(), page())
        .await
        .unwrap();
    assert_eq!(all.items.len(), 3);
    assert!(!all.items.iter().find(|v| v.offer.id == short.id).unwrap().open);
    let by_kind = OfferQuery {
        kind: Some(crate::lists::ResourceKind::Funds),
        ..OfferQuery::default()
    };
    assert_eq!(
        d.offers
            .list(&d.admin, by_kind, page())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    let by_unit = OfferQuery {
        unit_id: Some(d.ub.id),
        ..OfferQuery::default()
    };
    assert!(
        d.offers
            .list(&d.admin, by_unit, page())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}
