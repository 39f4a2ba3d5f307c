//! Pledges (承诺践诺), as the rules see them: a Party member the community knows promises it
//! some service for a year ("visit the elderly of my stairwell twelve times"), records each
//! time they keep the promise, and the staff over the member's grid verify or reject each
//! record. Values are checked when built, so a model in hand is always valid.

use std::fmt;

use chrono::{DateTime, Datelike, FixedOffset, Utc};
use linli_kernel::{CommunityId, Rule, ScopePath, UnitId, UserId, ValidationError};
use serde::Serialize;
use uuid::Uuid;

use crate::appraisal::Period;
use crate::models::{
    CategoryKey, MemberReport, MemberReportId, ReportStatus, TransferredMemberId, record_id,
};
use crate::transferred::TransferredMember;

record_id!(
    /// A member's pledge.
    PledgeId
);
record_id!(
    /// One record of a pledge kept.
    FulfilmentId
);

/// On what ground the community knows a person as one of its Party members, and so lets them
/// pledge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberBasis {
    /// An in-service member whose report the community accepted.
    Report(MemberReportId),
    /// A transferred member (组织关系转入) the community registered: no unit. Storage keeps
    /// this basis in a column of its own.
    Transferred(TransferredMemberId),
}

/// A person as a member of one community: what a pledge is made on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub user_id: UserId,
    pub basis: MemberBasis,
    /// The unit employing the member; none for a transferred member.
    pub unit_id: Option<UnitId>,
    /// Where the member serves: their community and grid. The staff over it verify.
    pub place: ScopePath,
}

impl Membership {
    /// The membership an accepted report gives; a report in any other state gives none (a
    /// submitted one is not yet received, a rejected or withdrawn one no longer counts).
    pub fn of_report(report: &MemberReport) -> Option<Self> {
        (report.status == ReportStatus::Accepted).then_some(Self {
            user_id: report.user_id,
            basis: MemberBasis::Report(report.id),
            unit_id: Some(report.unit_id),
            place: report.place,
        })
    }

    /// The membership an active registration as a transferred member gives: in the grid the
    /// community assigned, with no unit. A withdrawn one gives none.
    pub fn of_transferred(member: &TransferredMember) -> Option<Self> {
        member.is_active().then_some(Self {
            user_id: member.user_id,
            basis: MemberBasis::Transferred(member.id),
            unit_id: None,
            place: member.place,
        })
    }

    pub fn community_id(&self) -> Option<CommunityId> {
        self.place.community
    }
}

/// How many times a pledge may promise: at least once, and not more than a member could
/// keep in a year with a record each time (about three a day).
pub const MAX_TARGET: i64 = 1000;

/// Checks a pledge's target count: `1..=MAX_TARGET`.
pub fn checked_target(raw: i64) -> Result<u32, ValidationError> {
    u32::try_from(raw)
        .ok()
        .filter(|n| (1..=MAX_TARGET).contains(&i64::from(*n)))
        .ok_or_else(|| {
            ValidationError::new("target", Rule::Range, "out of range")
                .with("min", 1)
                .with("max", MAX_TARGET)
        })
}

/// The year it is in the district (China's time, UTC+8, no daylight saving) at `at`: a pledge
/// for 2026 closes at midnight in the district on New Year's Eve, not eight hours later, as
/// the appraisal's [`Period::bounds`] count it.
pub fn district_year(at: DateTime<Utc>) -> i32 {
    FixedOffset::east_opt(8 * 3600).map_or(at.year(), |tz| at.with_timezone(&tz).year())
}

/// Checks a pledge's period, a calendar year: this year or the next, in the district. A
/// pledge is a promise about the future (a past year's pledge would only decorate the
/// appraisal that year's records already settle), and one may make next year's in December;
/// a later year would sit unkept for more than a year.
pub fn checked_period(raw: i64, now: DateTime<Utc>) -> Result<Period, ValidationError> {
    let this_year = district_year(now);
    let (min, max) = (i64::from(this_year), i64::from(this_year) + 1);
    if !(min..=max).contains(&raw) {
        return Err(period_range(min, max));
    }
    let year = i32::try_from(raw).map_err(|_| period_range(min, max))?;
    Period::new("period", year)
}

fn period_range(min: i64, max: i64) -> ValidationError {
    ValidationError::new("period", Rule::Range, "this year or the next")
        .with("min", min)
        .with("max", max)
}

/// At most this many pledges a member makes for one year: a few promises kept beat many
/// made, and each pledge is one more line for the staff and the unit to read.
pub const MAX_PLEDGES_A_YEAR: u64 = 20;

/// At most this many photos a record (a phone's picker gives nine at a time).
pub const MAX_PHOTOS: usize = 9;
/// The longest photo URL kept: storage links and CDN addresses fit easily.
pub const MAX_PHOTO_URL: usize = 512;

/// Checks the photos of a record: at most [`MAX_PHOTOS`], none twice, each an `https://`
/// address or a `/files/` path this system serves, at most [`MAX_PHOTO_URL`] bytes, of
/// printable ASCII (a URL is percent-encoded) without quotes or angle brackets, so that no
/// `javascript:` link, plain `http` (mixed content in the mini-program) or markup can pass
/// for a photo.
pub fn checked_photos(raw: &[String]) -> Result<Vec<String>, ValidationError> {
    if raw.len() > MAX_PHOTOS {
        return Err(
            ValidationError::new("photos", Rule::TooMany, format!("at most {MAX_PHOTOS} photos"))
                .with("max", MAX_PHOTOS),
        );
    }
    let mut photos: Vec<String> = Vec::with_capacity(raw.len());
    for url in raw {
        if !is_photo_url(url) {
            return Err(ValidationError::new(
                "photos",
                Rule::UrlFormat,
                "an https:// address or a /files/ path, at most 512 characters",
            )
            .with("max", MAX_PHOTO_URL));
        }
        if photos.contains(url) {
            return Err(
                ValidationError::new("photos", Rule::Duplicate, "a photo is listed twice").with("value", url),
            );
        }
        photos.push(url.clone());
    }
    Ok(photos)
}

fn is_photo_url(url: &str) -> bool {
    let printable = url
        .bytes()
        .all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'<' | b'>' | b'\\' | b'`'));
    if !printable || url.len() > MAX_PHOTO_URL {
        return false;
    }
    if let Some(rest) = url.strip_prefix("https://") {
        // A host must follow, not another slash (`https:///x` is no address).
        return rest.starts_with(|c: char| c.is_ascii_alphanumeric());
    }
    if let Some(rest) = url.strip_prefix("/files/") {
        // A file this system serves: no way out of `/files/` (`..`), no empty name.
        return !rest.is_empty()
            && !rest
                .split('/')
                .any(|segment| segment == ".." || segment.is_empty());
    }
    false
}

/// A member's promise of service to the community for a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pledge {
    pub id: PledgeId,
    pub user_id: UserId,
    pub basis: MemberBasis,
    pub unit_id: Option<UnitId>,
    /// The member's community and grid when they pledged: the staff over it verify, and the
    /// pledge stays there if the member later moves.
    pub place: ScopePath,
    pub title: String,
    pub category: CategoryKey,
    pub target: u32,
    /// The year the pledge is for.
    pub period: Period,
    /// Records verified so far: the pledge's progress.
    pub verified: u32,
    /// Records awaiting a decision.
    pub pending: u32,
    pub created_at: DateTime<Utc>,
}

impl Pledge {
    pub fn community_id(&self) -> Option<CommunityId> {
        self.place.community
    }

    /// Whether the verified records reach the target.
    pub fn is_kept(&self) -> bool {
        self.verified >= self.target
    }

    /// Whether another record may be submitted: verified and pending ones together stay
    /// within the target, so a member cannot queue more than they promised; a rejected record
    /// frees its place.
    pub fn has_room(&self) -> bool {
        self.verified.saturating_add(self.pending) < self.target
    }
}

/// Where one record of a pledge stands: `submitted → verified | rejected`, once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FulfilmentStatus {
    Submitted,
    Verified,
    Rejected,
}

impl FulfilmentStatus {
    pub const ALL: [FulfilmentStatus; 3] = [Self::Submitted, Self::Verified, Self::Rejected];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Verified => "verified",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw).ok_or_else(|| {
            ValidationError::new(field, Rule::UnknownValue, format!("unknown value `{raw}`"))
                .with("value", raw)
        })
    }
}

/// One record of a pledge kept: what the member did, with photos, and the staff's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fulfilment {
    pub id: FulfilmentId,
    pub pledge_id: PledgeId,
    pub user_id: UserId,
    pub note: String,
    pub photos: Vec<String>,
    pub status: FulfilmentStatus,
    /// Why it was rejected.
    pub reason: Option<String>,
    pub submitted_at: DateTime<Utc>,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<DateTime<Utc>>,
}
