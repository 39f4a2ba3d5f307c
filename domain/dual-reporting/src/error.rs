use linli_kernel::{GridId, ValidationError};

use crate::models::{MissingProfile, ReportStatus, UnitReportStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Unit,
    UnitReport,
    MemberReport,
    Community,
    Grid,
}

/// Every way a dual-reporting use case can fail. The API maps each variant to one status and
/// code.
#[derive(Debug, thiserror::Error)]
pub enum DualReportingError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("{0:?} not found")]
    NotFound(Resource),
    #[error("outside your scope")]
    Forbidden,
    #[error("grid {0} is already paired with a unit")]
    GridAlreadyPaired(GridId),
    #[error("the unit has already reported")]
    UnitAlreadyReported,
    #[error("the unit's report is {}, not submitted", .0.as_str())]
    UnitReportState(UnitReportStatus),
    #[error("a category keyed `{0}` exists")]
    CategoryTaken(String),
    #[error("no service category `{0}`")]
    UnknownCategory(String),
    /// The person must first give the missing facts in their profile.
    #[error("a report needs your real name and a bound phone")]
    ProfileIncomplete(Vec<MissingProfile>),
    #[error("you have an open report already")]
    OpenReportExists,
    #[error("the report is {}, which does not allow this", .0.as_str())]
    ReportState(ReportStatus),
    #[error("grid {0} is not in the report's community")]
    GridOutsideCommunity(GridId),
    #[error("already appraised for this period")]
    AlreadyAppraised,
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

/// What storage reports when a write breaks a rule it keeps. A rule storage cannot name is a
/// [`WriteError::Storage`] error (a bug), never a guess.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("grid {0} is already paired")]
    GridAlreadyPaired(GridId),
    #[error("the unit has a report")]
    UnitAlreadyReported,
    #[error("category `{0}` exists")]
    CategoryTaken(String),
    #[error("the person has an open report")]
    OpenReportExists,
    #[error("already appraised for this period")]
    AlreadyAppraised,
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

impl From<WriteError> for DualReportingError {
    fn from(error: WriteError) -> Self {
        match error {
            WriteError::GridAlreadyPaired(grid) => Self::GridAlreadyPaired(grid),
            WriteError::UnitAlreadyReported => Self::UnitAlreadyReported,
            WriteError::CategoryTaken(key) => Self::CategoryTaken(key),
            WriteError::OpenReportExists => Self::OpenReportExists,
            WriteError::AlreadyAppraised => Self::AlreadyAppraised,
            WriteError::Storage(e) => Self::Unknown(e),
        }
    }
}
