//! Matching (供需对接): which open offers suit a need, best first, and why.
//!
//! A pure function of the need and the offers (each offer carries its unit's place, the
//! paired grid), so that the ranking can be checked by hand against a written-out fixture.
//! The order the district asks for is lexicographic: an offer of the need's kind comes
//! before any other; among those alike in kind, the nearer in purpose and place (same
//! category, same community or at least the same subdistrict) comes first; then the one
//! whose quantity fits better. Each step is one component of a [`Score`], and the score's
//! [`Score::total`] is built so that comparing totals compares the components in that order
//! (each lower component stays below the step of the one above it). Offers that score alike
//! go by the earlier `valid_until` (use what lapses first), then by id: the same input always
//! gives the same order.

use serde::Serialize;

use crate::lists::{Need, ResourceOffer};

/// Why an offer ranks where it does; stable codes the front end words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The offer is of the kind the need asks for.
    SameKind,
    /// Both name the same service category.
    SameCategory,
    /// The offering unit is paired with a grid in the need's community.
    SameCommunity,
    /// The offering unit's grid is in the need's subdistrict (but not in its community).
    SameSubdistrict,
    /// What is left of the offer covers the need's quantity (same measure).
    CoversQuantity,
    /// What is left of the offer covers part of the need's quantity (same measure).
    PartialQuantity,
    /// The two are counted in different measures, so their amounts were not compared.
    OtherMeasure,
}

impl Reason {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SameKind => "same_kind",
            Self::SameCategory => "same_category",
            Self::SameCommunity => "same_community",
            Self::SameSubdistrict => "same_subdistrict",
            Self::CoversQuantity => "covers_quantity",
            Self::PartialQuantity => "partial_quantity",
            Self::OtherMeasure => "other_measure",
        }
    }
}

/// Points for each reason. Category and place add up to at most 4 and quantity to at most
/// 2, below the steps of 10 and 100 that [`Score::total`] gives them: no amount of nearness
/// outranks a matching kind, no quantity outranks nearness.
pub const SAME_KIND: u8 = 1;
pub const SAME_CATEGORY: u8 = 2;
pub const SAME_COMMUNITY: u8 = 2;
pub const SAME_SUBDISTRICT: u8 = 1;
pub const COVERS_QUANTITY: u8 = 2;
pub const PARTIAL_QUANTITY: u8 = 1;

/// An offer's score for a need, component by component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Score {
    /// [`SAME_KIND`] or 0.
    pub kind: u8,
    /// [`SAME_CATEGORY`] or 0.
    pub category: u8,
    /// [`SAME_COMMUNITY`], [`SAME_SUBDISTRICT`] or 0: distance in the tree.
    pub place: u8,
    /// [`COVERS_QUANTITY`], [`PARTIAL_QUANTITY`] or 0.
    pub quantity: u8,
}

impl Score {
    /// `kind·100 + (category + place)·10 + quantity`: ordering by it orders by kind, then
    /// nearness, then quantity fit.
    pub fn total(&self) -> u32 {
        u32::from(self.kind) * 100
            + (u32::from(self.category) + u32::from(self.place)) * 10
            + u32::from(self.quantity)
    }
}

/// One offer as ranked for a need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub offer: ResourceOffer,
    pub score: Score,
    /// The reasons behind the score, in the order of its components.
    pub reasons: Vec<Reason>,
}

/// Scores one offer for a need.
pub fn score(need: &Need, offer: &ResourceOffer) -> (Score, Vec<Reason>) {
    let mut score = Score::default();
    let mut reasons = Vec::new();
    if offer.kind == need.kind {
        score.kind = SAME_KIND;
        reasons.push(Reason::SameKind);
    }
    if need.category.is_some() && offer.category == need.category {
        score.category = SAME_CATEGORY;
        reasons.push(Reason::SameCategory);
    }
    if need.place.community.is_some() && offer.place.community == need.place.community {
        score.place = SAME_COMMUNITY;
        reasons.push(Reason::SameCommunity);
    } else if need.place.subdistrict.is_some() && offer.place.subdistrict == need.place.subdistrict {
        score.place = SAME_SUBDISTRICT;
        reasons.push(Reason::SameSubdistrict);
    }
    if !offer.quantity.same_measure(&need.quantity) {
        reasons.push(Reason::OtherMeasure);
    } else if offer.remaining() >= need.quantity.hundredths() {
        score.quantity = COVERS_QUANTITY;
        reasons.push(Reason::CoversQuantity);
    } else if offer.remaining() > 0 {
        score.quantity = PARTIAL_QUANTITY;
        reasons.push(Reason::PartialQuantity);
    }
    (score, reasons)
}

/// The offers ranked for the need, best first (see the module's documentation). The caller
/// passes the offers it considers (the open ones); all of them come back, ranked.
pub fn rank(need: &Need, offers: Vec<ResourceOffer>) -> Vec<Match> {
    let mut matches: Vec<Match> = offers
        .into_iter()
        .map(|offer| {
            let (score, reasons) = score(need, &offer);
            Match {
                offer,
                score,
                reasons,
            }
        })
        .collect();
    matches.sort_by(|a, b| {
        b.score
            .total()
            .cmp(&a.score.total())
            .then_with(|| a.offer.valid_until.cmp(&b.offer.valid_until))
            .then_with(|| a.offer.id.cmp(&b.offer.id))
    });
    matches
}

#[cfg(test)]
mod tests;
