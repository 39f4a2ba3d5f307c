use super::*;
use crate::lists::{NeedStatus, Urgency};
use crate::matching::Reason;
use crate::service::{NeedQuery, OfferQuery};
use crate::{DualReportingError, Resource};

#[tokio::test]
async fn communities_and_subdistricts_post_needs_at_their_own_node() {
    let d = district().await;
    let need = d
        .needs
        .create(&admin_of(&d.a), community_need(&d.a, "volunteers", 10.0, "人"))
        .await
        .unwrap();
    assert_eq!(need.place, d.a.path);
    assert_eq!((need.status, need.urgency), (NeedStatus::Open, Urgency::High));
    let at_subdistrict = NeedPlace::Subdistrict(subdistrict_id(&d.s));
    let need = d
        .needs
        .create(
            &subdistrict_admin(&d.s),
            new_need(at_subdistrict, "funds", 2e4, "元"),
        )
        .await
        .unwrap();
    assert_eq!(need.place, d.s.path);
    // A subdistrict's admin posts for a community in it, and the district admin anywhere.
    d.needs
        .create(&subdistrict_admin(&d.s), community_need(&d.b, "venue", 1.0, "间"))
        .await
        .unwrap();
    d.needs
        .create(&d.admin, community_need(&d.c, "venue", 1.0, "间"))
        .await
        .unwrap();
}

#[tokio::test]
async fn nobody_posts_a_need_at_a_node_they_do_not_administer() {
    let d = district().await;
    let at_a = || community_need(&d.a, "volunteers", 10.0, "人");
    for outsider in [
        admin_of(&d.b),
        subdistrict_admin(&d.s2),
        unit_admin(d.ua.id),
        resident(),
    ] {
        assert!(
            matches!(
                d.needs.create(&outsider, at_a()).await,
                Err(DualReportingError::NotFound(Resource::Community))
            ),
            "{:?}",
            outsider.grants()
        );
    }
    // Grid staff see their community's grids, not the community's own node.
    assert!(matches!(
        d.needs.create(&worker_of(&d.a1), at_a()).await,
        Err(DualReportingError::NotFound(Resource::Community))
    ));
    // A community's admin does not speak for the subdistrict above it.
    let at_s = new_need(NeedPlace::Subdistrict(subdistrict_id(&d.s)), "funds", 1.0, "元");
    assert!(matches!(
        d.needs.create(&admin_of(&d.a), at_s).await,
        Err(DualReportingError::NotFound(Resource::Subdistrict))
    ));
    let nowhere = community_need(&d.a, "volunteers", 1.0, "人");
    let nowhere = NewNeed {
        place: NeedPlace::Community(CommunityId::new()),
        ..nowhere
    };
    assert!(matches!(
        d.needs.create(&d.admin, nowhere).await,
        Err(DualReportingError::NotFound(Resource::Community))
    ));
    let bad = NewNeed {
        urgency: "asap".into(),
        ..at_a()
    };
    assert!(matches!(
        d.needs.create(&admin_of(&d.a), bad).await,
        Err(DualReportingError::Validation(e)) if e.field == "urgency"
    ));
}

#[tokio::test]
async fn a_need_is_seen_by_the_district_and_the_admins_over_its_node_only() {
    let d = district().await;
    let need = d.need_of_a("volunteers", 10.0, "人").await;
    let at_s = NeedPlace::Subdistrict(subdistrict_id(&d.s));
    let subdistricts = d
        .needs
        .create(&subdistrict_admin(&d.s), new_need(at_s, "funds", 2e4, "元"))
        .await
        .unwrap();
    let leader = actor(Role::GridLeader, Scope::District);
    for (viewer, sees) in [
        (d.admin.clone(), vec![need.id, subdistricts.id]),
        (leader, vec![need.id, subdistricts.id]),
        (subdistrict_admin(&d.s), vec![need.id, subdistricts.id]),
        (admin_of(&d.a), vec![need.id]),
        (admin_of(&d.b), vec![]),
        (subdistrict_admin(&d.s2), vec![]),
        (worker_of(&d.a1), vec![]),
        (unit_admin(d.ua.id), vec![]),
        (resident(), vec![]),
    ] {
        let listed = d.needs.list(&viewer, NeedQuery::default(), page()).await.unwrap();
        let ids: Vec<_> = listed.items.iter().map(|n| n.id).collect();
        assert_eq!(ids, sees, "{:?}", viewer.grants());
        for id in [need.id, subdistricts.id] {
            let got = d.needs.get(&viewer, id).await;
            if sees.contains(&id) {
                assert!(got.is_ok());
            } else {
                assert!(matches!(got, Err(DualReportingError::NotFound(Resource::Need))));
                assert!(matches!(
                    d.needs.matches(&viewer, id, 10).await,
                    Err(DualReportingError::NotFound(Resource::Need))
                ));
            }
        }
    }
    let urgent = NeedQuery {
        urgency: Some(Urgency::Urgent),
        ..NeedQuery::default()
    };
    assert!(
        d.needs
            .list(&d.admin, urgent, page())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let funds = NeedQuery {
        kind: Some(crate::lists::ResourceKind::Funds),
        status: Some(NeedStatus::Open),
        ..NeedQuery::default()
    };
    let listed = d.needs.list(&d.admin, funds, page()).await.unwrap();
    assert_eq!(
        listed.items.iter().map(|n| n.id).collect::<Vec<_>>(),
        vec![subdistricts.id]
    );
}

#[tokio::test]
async fn matches_rank_every_open_offer_of_the_district_and_say_why() {
    let d = district().await;
    let need = d.need_of_a("volunteers", 10.0, "人").await;
    let far = d.offer(&d.uc, "volunteers", 30.0, "人").await;
    let near = d.offer(&d.ua, "volunteers", 6.0, "人").await;
    let next_door = d.offer(&d.ub, "volunteers", 12.0, "人").await;
    let funds = d.offer(&d.ua, "funds", 5000.0, "元").await;
    let lapsing = d
        .offers
        .create(
            &unit_admin(d.ub.id),
            NewOffer {
                valid_until: d.today(),
                ..new_offer(d.ub.id, "volunteers", 50.0, "人", d.today())
            },
        )
        .await
        .unwrap()
        .offer;
    let (_, ranked) = d.needs.matches(&admin_of(&d.a), need.id, 20).await.unwrap();
    let order: Vec<_> = ranked.iter().map(|m| (m.rank, m.offer.offer.id)).collect();
    // All same kind and category except the funds. The lapsing offer (same subdistrict,
    // covers) ties with the one next door and goes first, as it ends sooner.
    assert_eq!(
        order,
        vec![
            (1, near.id),
            (2, lapsing.id),
            (3, next_door.id),
            (4, far.id),
            (5, funds.id)
        ]
    );
    assert_eq!(
        ranked[0].reasons,
        vec![
            Reason::SameKind,
            Reason::SameCategory,
            Reason::SameCommunity,
            Reason::PartialQuantity
        ]
    );
    assert_eq!(ranked[0].offer.unit_name, "济阳区供电公司");
    assert_eq!(ranked[0].score.total(), 141);
    assert_eq!(
        ranked[3].reasons,
        vec![Reason::SameKind, Reason::SameCategory, Reason::CoversQuantity]
    );

    // The next day the lapsed offer is gone from the matches; a short limit keeps the best.
    d.clock.advance(Duration::days(1));
    let (_, ranked) = d.needs.matches(&admin_of(&d.a), need.id, 2).await.unwrap();
    let order: Vec<_> = ranked.iter().map(|m| m.offer.offer.id).collect();
    assert_eq!(order, vec![near.id, next_door.id]);

    // The community's admin sees offers of units paired far away through the matches, but
    // not in the offers' own list: matching draws on the whole bank.
    let own = d
        .offers
        .list(&admin_of(&d.a), OfferQuery::default(), page())
        .await
        .unwrap();
    assert!(own.items.iter().all(|v| v.offer.unit_id == d.ua.id));
}
