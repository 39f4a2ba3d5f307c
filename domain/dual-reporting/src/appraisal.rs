//! Two-way appraisal (双向考核): the community appraises each member it received, per year, and
//! the unit is told (its feedback); at year end the district appraises each unit, beside
//! indicators computed from the records.

use std::fmt;

use chrono::{DateTime, TimeZone, Utc};
use linli_kernel::people::PersonView;
use linli_kernel::ports::ServiceTotals;
use linli_kernel::{CommunityId, GridId, Rule, ScopePath, UnitId, UserId, ValidationError};
use serde::Serialize;
use uuid::Uuid;

use crate::models::{CategoryKey, MemberReportId, ReportStatus};

/// An appraisal's id (UUID v7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct AppraisalId(pub Uuid);

impl AppraisalId {
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }
}

impl fmt::Display for AppraisalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The four grades of the district's appraisal (优秀, 称职, 基本称职, 不称职).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    Excellent,
    Competent,
    BasicallyCompetent,
    Incompetent,
}

impl Grade {
    pub const ALL: [Grade; 4] = [
        Self::Excellent,
        Self::Competent,
        Self::BasicallyCompetent,
        Self::Incompetent,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Excellent => "excellent",
            Self::Competent => "competent",
            Self::BasicallyCompetent => "basically_competent",
            Self::Incompetent => "incompetent",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        Self::ALL.into_iter().find(|g| g.as_str() == raw).ok_or_else(|| {
            ValidationError::new(field, Rule::UnknownValue, format!("unknown value `{raw}`"))
                .with("value", raw)
        })
    }
}

/// The year an appraisal covers. Appraisals are of the district's own era: 2000 to 2100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Period(i32);

impl Period {
    pub fn new(field: &str, year: i32) -> Result<Self, ValidationError> {
        if (2000..=2100).contains(&year) {
            Ok(Self(year))
        } else {
            Err(
                ValidationError::new(field, Rule::Range, "a year from 2000 to 2100")
                    .with("min", 2000)
                    .with("max", 2100),
            )
        }
    }

    pub const fn year(self) -> i32 {
        self.0
    }

    /// The year's bounds in China's time (UTC+8, no daylight saving): what "2026" means to
    /// the district.
    pub fn bounds(self) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = |year: i32| {
            chrono::FixedOffset::east_opt(8 * 3600)
                .and_then(|tz| tz.with_ymd_and_hms(year, 1, 1, 0, 0, 0).single())
                .map_or(DateTime::<Utc>::MIN_UTC, |t| t.with_timezone(&Utc))
        };
        (start(self.0), start(self.0 + 1))
    }
}

/// A member's appraisal by the community that received them, for one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appraisal {
    pub id: AppraisalId,
    pub user_id: UserId,
    /// What the community knows the member by: an accepted report, or a registration as a
    /// transferred member.
    pub basis: crate::pledges::MemberBasis,
    /// The unit employing the member; none for a transferred member.
    pub unit_id: Option<UnitId>,
    pub place: ScopePath,
    pub period: Period,
    pub grade: Grade,
    pub comment: String,
    pub appraised_by: UserId,
    pub appraised_at: DateTime<Utc>,
}

/// What the records say of a unit over a year, beside which the district appraises it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct UnitIndicators {
    /// Party members on the unit's rolls.
    pub roll_count: u32,
    /// Members whose report was accepted (and not withdrawn).
    pub reported_members: u32,
    /// `reported_members / roll_count` in thousandths (per mille), `None` with no roll.
    pub report_rate_permille: Option<u32>,
    /// Members the communities appraised excellent for the year.
    pub members_excellent: u32,
    /// Pledges of the unit's members fulfilled (verified fulfilments reaching the target).
    pub pledges_fulfilled: u32,
    /// Co-building projects with the unit's offers completed in the year.
    pub projects_completed: u32,
    /// Activities held in the unit's projects in the year.
    pub activities_held: u32,
}

impl UnitIndicators {
    /// The report rate of `reported` against `roll`, in thousandths, rounded down.
    pub fn rate(reported: u32, roll: u32) -> Option<u32> {
        (roll > 0).then(|| u32::try_from(u64::from(reported) * 1000 / u64::from(roll)).unwrap_or(u32::MAX))
    }
}

/// The district's year-end appraisal of a unit, with the indicators as they stood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitAppraisal {
    pub id: AppraisalId,
    pub unit_id: UnitId,
    pub period: Period,
    pub grade: Grade,
    pub comment: String,
    pub indicators: UnitIndicators,
    pub appraised_by: UserId,
    pub appraised_at: DateTime<Utc>,
}

/// What a unit is told of one of its members for a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberFeedback {
    pub member: PersonView,
    pub report_id: MemberReportId,
    pub status: ReportStatus,
    pub community_id: Option<CommunityId>,
    pub community_name: Option<String>,
    pub grid_id: Option<GridId>,
    pub category: Option<CategoryKey>,
    pub post: Option<String>,
    pub service: ServiceTotals,
    /// The member's pledges for the year and their progress.
    pub pledges: Vec<crate::pledges::Pledge>,
    pub appraisal: Option<Appraisal>,
}

/// The feedback the district promises each unit: every member's report, service and
/// appraisal for the year, and who on the roll has not reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitFeedback {
    pub unit_id: UnitId,
    pub period: Period,
    pub indicators: UnitIndicators,
    pub members: Vec<MemberFeedback>,
}
