use linli_kernel::ValidationError;

use crate::request::RequestStatus;
use crate::task::TaskStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Request,
    Task,
    Category,
    Building,
    Grid,
}

/// Every way a resident-requests use case can fail. The API maps each variant to one status
/// and code.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("{0:?} not found")]
    NotFound(Resource),
    #[error("outside your scope")]
    Forbidden,
    #[error("a category keyed `{0}` exists")]
    CategoryTaken(String),
    /// The category named is not in the dictionary, or retired.
    #[error("no open request category `{0}`")]
    UnknownCategory(String),
    /// Neither a building, nor a registered home, nor a grid says where the request belongs.
    #[error("say where: a building, a grid, or register your home first")]
    LocationRequired,
    /// The content check found the text unfit to publish; nothing was stored.
    #[error("the content was refused by the content check")]
    ContentRejected,
    /// The content check could not be had; nothing was stored.
    #[error("the content check is unavailable")]
    ContentCheckUnavailable(#[source] anyhow::Error),
    /// A photo that is not one of the poster's uploads.
    #[error("photo `{0}` is not one of your uploads")]
    PhotoNotUploaded(String),
    #[error("the request is {}, which does not allow this", .0.as_str())]
    RequestState(RequestStatus),
    /// Someone changed the request while this change was being made; read it again.
    #[error("the request changed meanwhile")]
    Changed,
    #[error("the task is {}, which does not allow this", .0.as_str())]
    TaskState(TaskStatus),
    /// Someone else holds the task: the loser of a claim race, and anyone after.
    #[error("the task is claimed already")]
    TaskAlreadyClaimed,
    /// Only the person holding the task releases, starts or completes it.
    #[error("you do not hold this task")]
    NotClaimant,
    /// Nobody claims the work of their own request: its author is not its helper.
    #[error("you may not claim a task of your own request")]
    OwnRequest,
    /// Nobody verifies their own work, staff or not.
    #[error("you may not verify your own task")]
    OwnTask,
    /// Only Party members of the community (and, once volunteering lands, volunteer-team
    /// leaders) claim tasks there.
    #[error("only Party members of the community claim its tasks")]
    ClaimNotAllowed,
    /// The volunteer team named is unknown (no team can be named until volunteering lands).
    #[error("no such volunteer team")]
    TeamUnknown,
    /// Staff resolve a request only when no one is holding one of its tasks.
    #[error("someone is still working on a task of this request")]
    TasksUnfinished,
    /// A request cannot be merged into itself, or into one that is merged itself.
    #[error("a request is merged into another open request")]
    MergeTarget,
    /// Only the author confirms, rates or reopens their request.
    #[error("only the author may do this")]
    NotAuthor,
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

/// What storage reports when a write breaks a rule it keeps.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("category `{0}` exists")]
    CategoryTaken(String),
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

impl From<WriteError> for RequestError {
    fn from(error: WriteError) -> Self {
        match error {
            WriteError::CategoryTaken(key) => Self::CategoryTaken(key),
            WriteError::Storage(e) => Self::Unknown(e),
        }
    }
}
