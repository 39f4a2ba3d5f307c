//! Transferred members (组织关系转入): Party members whose organisation relation moved to the
//! community where they live (from a bankrupt enterprise, say). The community registers them
//! as its own Party members: not in service, no unit, assigned to a grid (and so to the grid's
//! branch), holding `party_member` in the community like an accepted reporter.

use chrono::{DateTime, NaiveDate, Utc};
use linli_kernel::{CommunityId, GridId, ScopePath, UserId, ValidationError};
use serde::Serialize;

use crate::models::TransferredMemberId;

/// Where a registration stands: `active → withdrawn` (the person moved away, or was entered
/// by mistake). A withdrawn person may be registered again, or report as an in-service member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferStatus {
    Active,
    Withdrawn,
}

impl TransferStatus {
    pub const ALL: [TransferStatus; 2] = [Self::Active, Self::Withdrawn];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw).ok_or_else(|| {
            ValidationError::new(
                field,
                linli_kernel::Rule::UnknownValue,
                format!("unknown value `{raw}`"),
            )
            .with("value", raw)
        })
    }
}

/// A Party member registered by their community after their organisation relation moved
/// there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferredMember {
    pub id: TransferredMemberId,
    pub user_id: UserId,
    /// The grid they are assigned to, in the community. The grid's Party branch is the grid
    /// context's to know (a grid belongs to one branch at most), so it is not stored here.
    pub place: ScopePath,
    /// The organisation the relation came from, e.g. `原济阳县化肥厂党委`.
    pub from_organisation: String,
    /// The day the relation moved.
    pub transferred_on: NaiveDate,
    pub status: TransferStatus,
    pub registered_by: UserId,
    pub registered_at: DateTime<Utc>,
    pub withdrawn_by: Option<UserId>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// Why the registration was withdrawn.
    pub reason: Option<String>,
}

impl TransferredMember {
    pub fn community_id(&self) -> Option<CommunityId> {
        self.place.community
    }

    pub fn grid_id(&self) -> Option<GridId> {
        self.place.grid
    }

    pub fn is_active(&self) -> bool {
        self.status == TransferStatus::Active
    }
}
