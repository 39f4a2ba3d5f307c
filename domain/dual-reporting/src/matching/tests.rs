//! The ranking against a fixture whose expected order is written out by hand.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use chrono::{NaiveDate, TimeZone, Utc};
use linli_kernel::{CommunityId, GridId, ScopePath, SideKind, SubdistrictId, UnitId, UserId};
use uuid::Uuid;

use super::*;
use crate::lists::{
    Need, NeedId, NeedStatus, Quantity, ResourceKind, ResourceOffer, ResourceOfferId, Urgency,
};
use crate::models::CategoryKey;

/// 济阳街道 (`s1`) with 幸福里社区 (`a`) and 和平里社区 (`b`); 济北街道 (`s2`) with 开元社区 (`c`).
/// One unit is paired with a grid in each community.
struct Tree {
    s1: SubdistrictId,
    a: CommunityId,
    unit_a: ScopePath,
    unit_b: ScopePath,
    unit_c: ScopePath,
}

fn tree() -> Tree {
    let (s1, s2) = (SubdistrictId::new(), SubdistrictId::new());
    let (a, b, c) = (CommunityId::new(), CommunityId::new(), CommunityId::new());
    let unit = |s, c| ScopePath::grid(s, c, GridId::new()).with_side(SideKind::UNIT, Uuid::now_v7());
    Tree {
        s1,
        a,
        unit_a: unit(s1, a),
        unit_b: unit(s1, b),
        unit_c: unit(s2, c),
    }
}

fn day(month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, d).unwrap()
}

fn category(key: &str) -> Option<CategoryKey> {
    Some(CategoryKey::parse("category", key).unwrap())
}

/// Offer `n` (its id sorts by `n`), valid through 31 December unless changed.
fn offer(
    n: u128,
    place: ScopePath,
    kind: ResourceKind,
    category: Option<CategoryKey>,
    amount: f64,
    measure: &str,
) -> ResourceOffer {
    ResourceOffer {
        id: ResourceOfferId::from_uuid(Uuid::from_u128(n)),
        unit_id: UnitId::from_uuid(place.side.unwrap().1),
        place,
        kind,
        category,
        title: format!("offer {n}"),
        description: String::new(),
        quantity: Quantity::new(amount, measure).unwrap(),
        committed: 0,
        valid_from: day(11, 1),
        valid_until: day(12, 31),
        offered_by: UserId::new(),
        created_at: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
    }
}

fn need(
    place: ScopePath,
    kind: ResourceKind,
    category: Option<CategoryKey>,
    amount: f64,
    measure: &str,
) -> Need {
    Need {
        id: NeedId::new(),
        place,
        kind,
        category,
        title: "need".to_owned(),
        description: String::new(),
        urgency: Urgency::High,
        quantity: Quantity::new(amount, measure).unwrap(),
        status: NeedStatus::Open,
        posted_by: UserId::new(),
        created_at: Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap(),
    }
}

fn fixture(t: &Tree) -> Vec<ResourceOffer> {
    use ResourceKind::*;
    let elderly = || category("elderly_disabled_help");
    let mut o1 = offer(1, t.unit_c, Volunteers, elderly(), 20.0, "人");
    o1.committed = 1_000; // 10 of its 20 are taken: exactly what need 1 asks is left
    let o2 = offer(2, t.unit_a, Volunteers, None, 5.0, "人");
    let o3 = offer(3, t.unit_b, Volunteers, elderly(), 10.0, "人");
    let o4 = offer(4, t.unit_a, Funds, elderly(), 50_000.0, "元");
    let mut o5 = offer(5, t.unit_a, Volunteers, elderly(), 30.0, "人");
    o5.valid_until = day(12, 15);
    let o6 = offer(6, t.unit_a, Volunteers, elderly(), 30.0, "人");
    let o7 = offer(7, t.unit_a, Volunteers, elderly(), 30.0, "人");
    let o8 = offer(8, t.unit_b, Volunteers, category("health"), 8.0, "小时");
    let mut o9 = offer(9, t.unit_c, Expertise, None, 4.0, "次");
    o9.valid_until = day(12, 20);
    let o11 = offer(11, t.unit_c, Funds, None, 100_000.0, "元");
    let o12 = offer(12, t.unit_b, Funds, None, 5_000.0, "元");
    // Given in an order unrelated to the expected one.
    vec![o9, o12, o1, o7, o4, o2, o11, o6, o8, o3, o5]
}

fn order(matches: &[Match]) -> Vec<(u128, u32)> {
    matches
        .iter()
        .map(|m| (m.offer.id.as_uuid().as_u128(), m.score.total()))
        .collect()
}

fn reasons_of(matches: &[Match], n: u128) -> Vec<&'static str> {
    matches
        .iter()
        .find(|m| m.offer.id.as_uuid().as_u128() == n)
        .unwrap()
        .reasons
        .iter()
        .map(|r| r.as_str())
        .collect()
}

#[test]
fn ten_volunteers_for_elderly_help_in_a_community() {
    let t = tree();
    let need = need(
        ScopePath::community(t.s1, t.a),
        ResourceKind::Volunteers,
        category("elderly_disabled_help"),
        10.0,
        "人",
    );
    let ranked = rank(&need, fixture(&t));
    assert_eq!(
        order(&ranked),
        vec![
            // same kind, category and community, enough: three alike, the first to lapse first,
            // then by id
            (5, 142),
            (6, 142),
            (7, 142),
            // same kind and category, next community in the subdistrict, exactly enough
            (3, 132),
            // same kind and category, other subdistrict; 10 of 20 left covers 10
            (1, 122),
            // same kind and community but no category, and only 5 of the 10
            (2, 121),
            // same kind, other category, same subdistrict, counted in hours
            (8, 110),
            // funds: category and community do not make up for the kind
            (4, 40),
            (12, 10),
            // nothing in common; 9 lapses before 11
            (9, 0),
            (11, 0),
        ]
    );
    assert_eq!(
        reasons_of(&ranked, 5),
        vec!["same_kind", "same_category", "same_community", "covers_quantity"]
    );
    assert_eq!(
        reasons_of(&ranked, 3),
        vec![
            "same_kind",
            "same_category",
            "same_subdistrict",
            "covers_quantity"
        ]
    );
    assert_eq!(
        reasons_of(&ranked, 1),
        vec!["same_kind", "same_category", "covers_quantity"]
    );
    assert_eq!(
        reasons_of(&ranked, 2),
        vec!["same_kind", "same_community", "partial_quantity"]
    );
    assert_eq!(
        reasons_of(&ranked, 8),
        vec!["same_kind", "same_subdistrict", "other_measure"]
    );
    assert_eq!(
        reasons_of(&ranked, 4),
        vec!["same_category", "same_community", "other_measure"]
    );
    assert_eq!(reasons_of(&ranked, 11), vec!["other_measure"]);
    let five = &ranked[0].score;
    assert_eq!(
        (five.kind, five.category, five.place, five.quantity),
        (SAME_KIND, SAME_CATEGORY, SAME_COMMUNITY, COVERS_QUANTITY)
    );
}

#[test]
fn twenty_thousand_yuan_for_a_subdistrict() {
    let t = tree();
    let need = need(
        ScopePath::subdistrict(t.s1),
        ResourceKind::Funds,
        None,
        20_000.0,
        "元",
    );
    let ranked = rank(&need, fixture(&t));
    assert_eq!(
        order(&ranked),
        vec![
            // funds from a unit in the subdistrict, enough
            (4, 112),
            // funds in the subdistrict, a quarter of it
            (12, 111),
            // funds from the other subdistrict, enough
            (11, 102),
            // other kinds in the subdistrict: 5 lapses first, then by id
            (5, 10),
            (2, 10),
            (3, 10),
            (6, 10),
            (7, 10),
            (8, 10),
            // other kinds, other subdistrict
            (9, 0),
            (1, 0),
        ]
    );
    // A need without a category never matches one by category, and a subdistrict's need is
    // never "same community".
    assert_eq!(
        reasons_of(&ranked, 4),
        vec!["same_kind", "same_subdistrict", "covers_quantity"]
    );
    assert_eq!(
        reasons_of(&ranked, 12),
        vec!["same_kind", "same_subdistrict", "partial_quantity"]
    );
}

#[test]
fn the_same_offers_in_any_order_rank_the_same() {
    let t = tree();
    let need = need(
        ScopePath::community(t.s1, t.a),
        ResourceKind::Volunteers,
        category("elderly_disabled_help"),
        10.0,
        "人",
    );
    let mut offers = fixture(&t);
    let first = order(&rank(&need, offers.clone()));
    offers.reverse();
    assert_eq!(order(&rank(&need, offers.clone())), first);
    offers.rotate_left(4);
    assert_eq!(order(&rank(&need, offers)), first);
}

#[test]
fn no_nearness_outranks_the_kind_and_no_quantity_outranks_nearness() {
    let best_without_kind = Score {
        kind: 0,
        category: SAME_CATEGORY,
        place: SAME_COMMUNITY,
        quantity: COVERS_QUANTITY,
    };
    let worst_with_kind = Score {
        kind: SAME_KIND,
        ..Score::default()
    };
    assert!(worst_with_kind.total() > best_without_kind.total());
    let nearer = Score {
        place: SAME_SUBDISTRICT,
        ..Score::default()
    };
    let fuller = Score {
        quantity: COVERS_QUANTITY,
        ..Score::default()
    };
    assert!(nearer.total() > fuller.total());
}

#[test]
fn an_offer_used_up_neither_covers_nor_partly_covers() {
    let t = tree();
    let need = need(
        ScopePath::community(t.s1, t.a),
        ResourceKind::Volunteers,
        None,
        1.0,
        "人",
    );
    let mut spent = offer(1, t.unit_a, ResourceKind::Volunteers, None, 3.0, "人");
    spent.committed = 300;
    let (score, reasons) = score(&need, &spent);
    assert_eq!(score.quantity, 0);
    assert_eq!(reasons, vec![Reason::SameKind, Reason::SameCommunity]);
}
