use linli_kernel::{GridId, ValidationError};

use crate::appraisal::Period;
use crate::lists::{NeedStatus, Party, ProjectStatus, ResourceOfferId};
use crate::models::{MissingProfile, ReportStatus, UnitReportStatus};
use crate::pledges::FulfilmentStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Unit,
    UnitReport,
    MemberReport,
    Community,
    Grid,
    Subdistrict,
    ResourceOffer,
    Need,
    Project,
    Pledge,
    Fulfilment,
    TransferredMember,
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
    /// The offer is not open (outside its period, or used up): it cannot go into a project.
    #[error("offer {0} is not open")]
    OfferNotOpen(ResourceOfferId),
    /// Less is left of the offer than the project would take.
    #[error("not enough is left of offer {0}")]
    OfferShort(ResourceOfferId),
    #[error("the need is {}, not open", .0.as_str())]
    NeedState(NeedStatus),
    #[error("the project is {}, which does not allow this", .0.as_str())]
    ProjectState(ProjectStatus),
    /// The project cannot start before these sides sign.
    #[error("the project is not signed by every side")]
    ProjectUnsigned(Vec<Party>),
    #[error("your side has signed already")]
    AlreadySigned,
    /// Only a Party member the community knows (an accepted report there) pledges and keeps
    /// pledges.
    #[error("you are not a Party member reported to a community")]
    NotAReportedMember,
    /// A pledge's records are kept during its year.
    #[error("the pledge is for {}; its records are kept during that year", .0.year())]
    PledgePeriod(Period),
    /// The member has made as many pledges for the year as one may.
    #[error("at most {max} pledges a year")]
    PledgeLimit { max: u64 },
    /// Verified and pending records already make up the target.
    #[error("the pledge's records reach its target")]
    PledgeTargetReached,
    #[error("the record is {}, which does not allow this", .0.as_str())]
    FulfilmentState(FulfilmentStatus),
    /// Nobody decides on their own record, staff or not.
    #[error("you may not decide on your own record")]
    OwnFulfilment,
    /// A roster file with bad lines: the first of them by line, and how many there are.
    #[error("the file has {count} bad lines")]
    ImportRejected {
        errors: Vec<crate::roster::RowError>,
        count: usize,
    },
    #[error("the file has more than {max_rows} rows")]
    ImportTooLarge { max_rows: usize },
    /// The person is registered as a transferred member: they are the community's own Party
    /// member, and neither report as in-service nor are registered twice.
    #[error("the person is registered as a transferred member")]
    TransferredMemberExists,
    /// The person has an open member report (submitted or accepted): they are an in-service
    /// member, not a transferred one, until it is withdrawn.
    #[error("the person has an open member report")]
    MemberReportOpen,
    /// The person registered must first give the missing facts in their profile (the admin
    /// is told which).
    #[error("the person has not given their real name and bound a phone")]
    PersonProfileIncomplete(Vec<MissingProfile>),
    /// The person is not someone the registering admin covers (nor, to them, anyone at all).
    #[error("the person must first live or hold a role in your scope")]
    PersonNotCovered,
    /// The registration is withdrawn already.
    #[error("the registration is {}", .0.as_str())]
    TransferState(crate::transferred::TransferStatus),
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
    /// The need is not open any more: another project took it first.
    #[error("the need is taken")]
    NeedTaken,
    #[error("not enough is left of offer {0}")]
    OfferShort(ResourceOfferId),
    #[error("a side has signed already")]
    AlreadySigned,
    #[error("the pledge's records reach its target")]
    PledgeTargetReached,
    /// The person has an active transferred-member registration.
    #[error("the person is a transferred member")]
    TransferredMemberExists,
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
            WriteError::NeedTaken => Self::NeedState(NeedStatus::InProject),
            WriteError::OfferShort(offer) => Self::OfferShort(offer),
            WriteError::AlreadySigned => Self::AlreadySigned,
            WriteError::PledgeTargetReached => Self::PledgeTargetReached,
            WriteError::TransferredMemberExists => Self::TransferredMemberExists,
            WriteError::AlreadyAppraised => Self::AlreadyAppraised,
            WriteError::Storage(e) => Self::Unknown(e),
        }
    }
}
