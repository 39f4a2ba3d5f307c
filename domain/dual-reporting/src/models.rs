//! Units, their reports, the service categories and the member reports, as the rules see
//! them. Values are checked when built, so a model in hand is always valid.

use std::fmt;

use chrono::{DateTime, Utc};
use linli_kernel::text::checked_text;
use linli_kernel::{CommunityId, GridId, Rule, ScopePath, SideKind, UnitId, UserId, ValidationError};
use serde::Serialize;
use uuid::Uuid;

/// An id of this context's records: UUID v7, so that ids sort by creation (stable cursors).
macro_rules! record_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            #[allow(clippy::new_without_default)]
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}
pub(crate) use record_id;

record_id!(
    /// A unit's report to its paired grid.
    UnitReportId
);
record_id!(
    /// An in-service Party member's report to the community where they live.
    MemberReportId
);
record_id!(
    /// One person on a unit's roster.
    RosterEntryId
);
record_id!(
    /// A Party member whose organisation relation moved to the community where they live.
    TransferredMemberId
);

/// What kind of body a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    ProvincialOrgan,
    MunicipalOrgan,
    StateEnterprise,
    Institution,
    PrivateEnterprise,
    SocialOrganisation,
}

impl UnitKind {
    pub const ALL: [UnitKind; 6] = [
        Self::ProvincialOrgan,
        Self::MunicipalOrgan,
        Self::StateEnterprise,
        Self::Institution,
        Self::PrivateEnterprise,
        Self::SocialOrganisation,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ProvincialOrgan => "provincial_organ",
            Self::MunicipalOrgan => "municipal_organ",
            Self::StateEnterprise => "state_enterprise",
            Self::Institution => "institution",
            Self::PrivateEnterprise => "private_enterprise",
            Self::SocialOrganisation => "social_organisation",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw)
            .ok_or_else(|| unknown(field, raw))
    }
}

fn unknown(field: &str, raw: &str) -> ValidationError {
    ValidationError::new(field, Rule::UnknownValue, format!("unknown value `{raw}`")).with("value", raw)
}

/// A unit stationed in the district, paired with one community grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub id: UnitId,
    pub name: String,
    pub kind: UnitKind,
    /// The name of the unit's Party organisation, e.g. `中共某某局机关委员会`.
    pub party_organisation: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// How many Party members the unit has on its rolls: the base of its report rate.
    pub roll_count: u32,
    /// The paired grid's place in the tree.
    pub grid: ScopePath,
    pub created_at: DateTime<Utc>,
}

impl Unit {
    pub fn grid_id(&self) -> Option<GridId> {
        self.grid.grid
    }

    /// The unit's own node: beside the tree, placed at its paired grid, so that a unit admin
    /// (`unit:<id>`) and the staff over the grid both cover it.
    pub fn path(&self) -> ScopePath {
        self.grid.with_side(SideKind::UNIT, self.id.as_uuid())
    }
}

/// Where a unit's report to its grid stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitReportStatus {
    Submitted,
    Accepted,
}

impl UnitReportStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Accepted => "accepted",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Submitted, Self::Accepted]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// A unit's report (报到) to its paired grid; the community admin of that grid accepts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitReport {
    pub id: UnitReportId,
    pub unit_id: UnitId,
    /// The paired grid's place: whoever receives reports there accepts this one.
    pub grid: ScopePath,
    pub status: UnitReportStatus,
    pub filed_by: UserId,
    pub filed_at: DateTime<Utc>,
    pub accepted_by: Option<UserId>,
    pub accepted_at: Option<DateTime<Utc>>,
}

/// The key of a service category: lowercase letters, digits and `_`, e.g. `elderly_help`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct CategoryKey(String);

impl CategoryKey {
    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        let ok = (1..=32).contains(&raw.len())
            && raw.starts_with(|c: char| c.is_ascii_lowercase())
            && raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValidationError::new(
                field,
                Rule::TokenFormat,
                "a key is 1 to 32 lowercase letters, digits or `_`, starting with a letter",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CategoryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A category of service (classified management, 分类管理): what members are assigned to and
/// what volunteer teams specialise in. The district admin keeps the dictionary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceCategory {
    pub key: CategoryKey,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// The categories every district starts with (`GET /service-categories` before any edit).
pub const DEFAULT_CATEGORIES: [(&str, &str); 7] = [
    ("policy_outreach", "政策宣传"),
    ("environment", "环境整治"),
    ("elderly_disabled_help", "助老助残"),
    ("legal_aid", "法律援助"),
    ("health", "医疗健康"),
    ("safety_patrol", "治安巡逻"),
    ("culture", "文化服务"),
];

/// Where a member report stands: `submitted → accepted | rejected`, `accepted → withdrawn`
/// (the member moved or left; they may report anew). A submitted report may be withdrawn by
/// its member too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Submitted,
    Accepted,
    Rejected,
    Withdrawn,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 4] = [Self::Submitted, Self::Accepted, Self::Rejected, Self::Withdrawn];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| unknown(field, raw))
    }

    /// Whether a report in this state keeps its member from filing another.
    pub const fn is_open(self) -> bool {
        matches!(self, Self::Submitted | Self::Accepted)
    }
}

/// What accepting a report assigns: the grid whose "N" the member joins, the category of
/// service and the post (e.g. 楼道长, 网格党员志愿者).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub grid_id: GridId,
    pub category: CategoryKey,
    pub post: String,
}

impl Assignment {
    pub fn new(grid_id: GridId, category: CategoryKey, post: &str) -> Result<Self, ValidationError> {
        Ok(Self {
            grid_id,
            category,
            post: checked_text("post", post, 1, 32)?,
        })
    }
}

/// An in-service Party member's report to the community where they live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberReport {
    pub id: MemberReportId,
    pub user_id: UserId,
    pub unit_id: UnitId,
    /// The community's place (with the grid once accepted).
    pub place: ScopePath,
    pub skills: Vec<String>,
    pub availability: String,
    pub note: String,
    pub status: ReportStatus,
    pub assignment: Option<Assignment>,
    /// Why it was rejected or withdrawn.
    pub reason: Option<String>,
    pub filed_at: DateTime<Utc>,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl MemberReport {
    pub fn community_id(&self) -> Option<CommunityId> {
        self.place.community
    }
}

/// At most this many skills, each at most [`MAX_SKILL_CHARS`] characters.
pub const MAX_SKILLS: usize = 10;
pub const MAX_SKILL_CHARS: usize = 16;

/// Checks a member's skills: trimmed, none blank, no duplicates, bounded.
pub fn checked_skills(raw: &[String]) -> Result<Vec<String>, ValidationError> {
    if raw.len() > MAX_SKILLS {
        return Err(
            ValidationError::new("skills", Rule::TooMany, format!("at most {MAX_SKILLS} skills"))
                .with("max", MAX_SKILLS),
        );
    }
    let mut skills: Vec<String> = Vec::with_capacity(raw.len());
    for skill in raw {
        let skill = checked_text("skills", skill, 1, MAX_SKILL_CHARS)?;
        if skills.contains(&skill) {
            return Err(ValidationError::new(
                "skills",
                Rule::Duplicate,
                format!("`{skill}` is listed twice"),
            )
            .with("value", &skill));
        }
        skills.push(skill);
    }
    Ok(skills)
}

/// What a community may be asked about a person before they report: both must be known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingProfile {
    RealName,
    Phone,
}
