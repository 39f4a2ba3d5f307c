//! The three lists (三张清单) as the rules see them: resource offers from units (资源清单),
//! needs from subdistricts and communities (需求清单), and projects that match a need with
//! offers (项目清单), with the activities held under a project. Values are checked when built.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use linli_kernel::text::checked_text;
use linli_kernel::{Rule, ScopePath, UnitId, UserId, ValidationError};
use serde::Serialize;
use uuid::Uuid;

use crate::models::{CategoryKey, record_id};

record_id!(
    /// A unit's offer of a resource.
    ResourceOfferId
);
record_id!(
    /// A need posted by a subdistrict or a community.
    NeedId
);
record_id!(
    /// A co-building project: a need matched with offers.
    ProjectId
);
record_id!(
    /// An activity held under a project.
    ActivityId
);

/// The district's calendar day at `now`. The district keeps China Standard Time (UTC+8, no
/// daylight saving), so an offer valid "until 30 November" stays open through that evening
/// in Jinan, not until 08:00 there.
pub fn district_today(now: DateTime<Utc>) -> NaiveDate {
    FixedOffset::east_opt(8 * 3600).map_or(now.date_naive(), |china| now.with_timezone(&china).date_naive())
}

fn unknown(field: &str, raw: &str) -> ValidationError {
    ValidationError::new(field, Rule::UnknownValue, format!("unknown value `{raw}`")).with("value", raw)
}

/// An enum of names, each with its stable text form.
macro_rules! named {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$(Self::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }

            pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|k| k.as_str() == raw)
                    .ok_or_else(|| unknown(field, raw))
            }
        }
    };
}

named!(
    /// What a unit offers, and what a need asks for.
    ResourceKind {
        Funds => "funds",
        Venue => "venue",
        Equipment => "equipment",
        Volunteers => "volunteers",
        Expertise => "expertise",
    }
);

named!(
    /// Where an offer's period stands on a day: `upcoming` before its first day, `current`
    /// from its first to its last day, `expired` after it.
    Validity {
        Upcoming => "upcoming",
        Current => "current",
        Expired => "expired",
    }
);

named!(
    /// How pressing a need is; ordered from the least to the most.
    Urgency {
        Low => "low",
        Normal => "normal",
        High => "high",
        Urgent => "urgent",
    }
);

named!(
    /// Where a need stands: `open` until a project takes it up (`in_project`), `met` when
    /// that project is completed; a cancelled project opens it again.
    NeedStatus {
        Open => "open",
        InProject => "in_project",
        Met => "met",
    }
);

named!(
    /// Where a project stands: `planned → active → completed`, and `planned | active →
    /// cancelled`. A planned project may be cancelled too: one that a side never signs must
    /// be closable, or its need and the offers' shares would stay taken for ever.
    ProjectStatus {
        Planned => "planned",
        Active => "active",
        Completed => "completed",
        Cancelled => "cancelled",
    }
);

impl ProjectStatus {
    /// Whether a project may move from this state to `next`.
    pub const fn may_become(self, next: ProjectStatus) -> bool {
        matches!(
            (self, next),
            (Self::Planned, Self::Active | Self::Cancelled)
                | (Self::Active, Self::Completed | Self::Cancelled)
        )
    }

    /// Whether the project still holds its need and its shares of the offers.
    pub const fn is_live(self) -> bool {
        matches!(self, Self::Planned | Self::Active)
    }
}

/// The largest amount of anything (ten billion: far beyond any unit's funds in yuan).
pub const MAX_AMOUNT: f64 = 1e10;

/// An amount with its measure: `50000 元`, `20 人`, `1 间`, `40 小时`. Amounts are kept in
/// hundredths, so that what projects take from an offer adds up exactly, in memory and in
/// SQL alike; two decimal places are enough for yuan and for hours.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Quantity {
    hundredths: i64,
    measure: String,
}

impl Quantity {
    /// `amount` of `measure`; the amount positive with at most two decimals, the measure 1
    /// to 16 characters.
    pub fn new(amount: f64, measure: &str) -> Result<Self, ValidationError> {
        let measure = checked_text("measure", measure, 1, 16)?;
        if !amount.is_finite() || amount <= 0.0 || amount > MAX_AMOUNT {
            return Err(
                ValidationError::new("amount", Rule::Range, "must be above 0 and at most 1e10")
                    .with("min", "0.01")
                    .with("max", MAX_AMOUNT),
            );
        }
        let scaled = amount * 100.0;
        let hundredths = scaled.round();
        if (scaled - hundredths).abs() > 1e-6 || hundredths < 1.0 {
            return Err(
                ValidationError::new("amount", Rule::Range, "at most two decimal places")
                    .with("min", "0.01")
                    .with("max", MAX_AMOUNT),
            );
        }
        // In range: at most 1e12, well inside i64.
        #[allow(clippy::cast_possible_truncation)]
        Ok(Self {
            hundredths: hundredths as i64,
            measure,
        })
    }

    /// A quantity as storage keeps it; `None` when it could never have been built.
    pub fn from_hundredths(hundredths: i64, measure: &str) -> Option<Self> {
        (hundredths > 0 && !measure.trim().is_empty()).then(|| Self {
            hundredths,
            measure: measure.trim().to_owned(),
        })
    }

    pub const fn hundredths(&self) -> i64 {
        self.hundredths
    }

    #[allow(clippy::cast_precision_loss)]
    pub fn amount(&self) -> f64 {
        self.hundredths as f64 / 100.0
    }

    pub fn measure(&self) -> &str {
        &self.measure
    }

    /// Whether the two are counted in the same measure, so that their amounts compare.
    pub fn same_measure(&self, other: &Quantity) -> bool {
        self.measure == other.measure
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount(), self.measure)
    }
}

/// A unit's offer of a resource (资源清单): funds, a venue, equipment, volunteers or expertise,
/// in some quantity, for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceOffer {
    pub id: ResourceOfferId,
    pub unit_id: UnitId,
    /// The unit's place ([`crate::Unit::path`]): its paired grid, with the unit beside it. It
    /// says who sees the offer and how near it is to a need.
    pub place: ScopePath,
    pub kind: ResourceKind,
    pub category: Option<CategoryKey>,
    pub title: String,
    pub description: String,
    pub quantity: Quantity,
    /// What projects have taken of the quantity (hundredths of its measure): live projects
    /// hold their share, completed ones have used it, cancelled ones gave it back.
    pub committed: i64,
    /// The first and the last day of the offer (district days, inclusive).
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub offered_by: UserId,
    pub created_at: DateTime<Utc>,
}

impl ResourceOffer {
    /// What is left to take, in hundredths of the offer's measure.
    pub fn remaining(&self) -> i64 {
        (self.quantity.hundredths() - self.committed).max(0)
    }

    pub fn is_valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && day <= self.valid_until
    }

    pub fn validity_on(&self, day: NaiveDate) -> Validity {
        if day < self.valid_from {
            Validity::Upcoming
        } else if day > self.valid_until {
            Validity::Expired
        } else {
            Validity::Current
        }
    }

    /// Open: valid on `day` and not used up. Only open offers are matched and taken.
    pub fn is_open(&self, day: NaiveDate) -> bool {
        self.is_valid_on(day) && self.remaining() > 0
    }
}

/// A need posted by a subdistrict or a community (需求清单).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub id: NeedId,
    /// The node that posted it: a subdistrict, or a community (with its subdistrict).
    pub place: ScopePath,
    pub kind: ResourceKind,
    pub category: Option<CategoryKey>,
    pub title: String,
    pub description: String,
    pub urgency: Urgency,
    pub quantity: Quantity,
    pub status: NeedStatus,
    pub posted_by: UserId,
    pub created_at: DateTime<Utc>,
}

/// A side of a project: the need's (the subdistrict or community that posted it) or one
/// offering unit's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Party {
    Need,
    Unit(UnitId),
}

impl Party {
    /// The stored form: `need`, or `unit:<id>`.
    pub fn key(&self) -> String {
        match self {
            Self::Need => "need".to_owned(),
            Self::Unit(unit) => format!("unit:{unit}"),
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        match key.split_once(':') {
            None if key == "need" => Some(Self::Need),
            Some(("unit", id)) => Uuid::parse_str(id)
                .ok()
                .map(|id| Self::Unit(UnitId::from_uuid(id))),
            _ => None,
        }
    }
}

/// One side's signature on a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub party: Party,
    pub signed_by: UserId,
    pub signed_at: DateTime<Utc>,
}

/// What a project takes of one offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectOffer {
    pub offer_id: ResourceOfferId,
    pub unit_id: UnitId,
    /// The share taken, in the offer's measure.
    pub quantity: Quantity,
}

/// A co-building project (项目清单, 共建项目): one need, one or more offers, signed by the
/// need's side and every offering unit before it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub id: ProjectId,
    pub need_id: NeedId,
    /// The need's place: the need's side runs the project.
    pub place: ScopePath,
    pub title: String,
    pub description: String,
    pub status: ProjectStatus,
    pub offers: Vec<ProjectOffer>,
    pub signatures: Vec<Signature>,
    /// How many activities were held and how many people they served, kept with the project
    /// so that lists and indicators need not count rows.
    pub activity_count: u32,
    pub beneficiary_count: u64,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    /// When it was completed or cancelled.
    pub finished_at: Option<DateTime<Utc>>,
    /// Why it was cancelled.
    pub reason: Option<String>,
}

impl Project {
    /// The offering units, each once, in order.
    pub fn unit_ids(&self) -> Vec<UnitId> {
        let mut units: Vec<UnitId> = self.offers.iter().map(|o| o.unit_id).collect();
        units.sort();
        units.dedup();
        units
    }

    /// Every side that must sign: the need's, then each offering unit.
    pub fn parties(&self) -> Vec<Party> {
        std::iter::once(Party::Need)
            .chain(self.unit_ids().into_iter().map(Party::Unit))
            .collect()
    }

    pub fn has_signed(&self, party: Party) -> bool {
        self.signatures.iter().any(|s| s.party == party)
    }

    /// The sides that have not signed yet.
    pub fn pending(&self) -> Vec<Party> {
        self.parties()
            .into_iter()
            .filter(|p| !self.has_signed(*p))
            .collect()
    }
}

/// The most activities one project records; the most people one activity counts.
pub const MAX_PEOPLE: i64 = 100_000;

/// A co-building activity (共驻共建活动) held under an active project, with whom it served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    pub id: ActivityId,
    pub project_id: ProjectId,
    pub title: String,
    pub held_on: NaiveDate,
    /// How many took part (members, volunteers, staff).
    pub participants: u32,
    /// How many residents it served.
    pub beneficiaries: u32,
    pub note: String,
    pub recorded_by: UserId,
    pub recorded_at: DateTime<Utc>,
}

/// A count of people as given by a form: 0 to [`MAX_PEOPLE`].
pub fn checked_people(field: &str, raw: i64) -> Result<u32, ValidationError> {
    if (0..=MAX_PEOPLE).contains(&raw) {
        Ok(u32::try_from(raw).unwrap_or(0))
    } else {
        Err(ValidationError::new(field, Rule::Range, "out of range")
            .with("min", 0)
            .with("max", MAX_PEOPLE))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn quantities_keep_two_decimals_exactly_and_refuse_the_rest() {
        let q = Quantity::new(50_000.5, " 元 ").unwrap();
        assert_eq!((q.hundredths(), q.measure()), (5_000_050, "元"));
        assert!((q.amount() - 50_000.5).abs() < f64::EPSILON);
        assert_eq!(Quantity::new(0.1 + 0.2, "元").unwrap().hundredths(), 30);
        for bad in [0.0, -1.0, 0.001, 1.005, f64::NAN, f64::INFINITY, 2e10] {
            assert!(Quantity::new(bad, "元").is_err(), "{bad}");
        }
        assert!(Quantity::new(1.0, " ").is_err());
        assert!(Quantity::new(1.0, &"斤".repeat(17)).is_err());
    }

    #[test]
    fn the_district_day_turns_at_midnight_in_china() {
        let late_utc = Utc.with_ymd_and_hms(2026, 11, 30, 16, 30, 0).unwrap();
        assert_eq!(
            district_today(late_utc),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
        let morning_utc = Utc.with_ymd_and_hms(2026, 11, 30, 15, 59, 0).unwrap();
        assert_eq!(
            district_today(morning_utc),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
        );
    }

    #[test]
    fn a_project_moves_only_along_its_life_cycle() {
        use ProjectStatus::*;
        let allowed = [
            (Planned, Active),
            (Planned, Cancelled),
            (Active, Completed),
            (Active, Cancelled),
        ];
        for from in ProjectStatus::ALL {
            for to in ProjectStatus::ALL {
                assert_eq!(
                    from.may_become(*to),
                    allowed.contains(&(*from, *to)),
                    "{from:?} → {to:?}"
                );
            }
        }
    }

    #[test]
    fn parties_survive_their_stored_form() {
        let unit = Party::Unit(UnitId::new());
        assert_eq!(Party::from_key(&unit.key()), Some(unit));
        assert_eq!(Party::from_key("need"), Some(Party::Need));
        assert_eq!(Party::from_key("unit:nope"), None);
        assert_eq!(Party::from_key("grid"), None);
    }
}
