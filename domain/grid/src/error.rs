use linli_kernel::{BuildingId, GridId, UserId, ValidationError};

use crate::import::RowError;
use crate::ports::NameKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Subdistrict,
    Community,
    Grid,
    Building,
    PartyBranch,
}

/// Every way a structure use case can fail. The API maps each variant to one status and code.
#[derive(Debug, thiserror::Error)]
pub enum GridError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("{0:?} not found")]
    NotFound(Resource),
    #[error("outside your scope")]
    Forbidden,
    #[error("the {} name `{name}` is already taken here", .kind.as_str())]
    NameTaken { kind: NameKind, name: String },
    #[error("grid {0} already belongs to a Party branch")]
    GridAlreadyInBranch(GridId),
    #[error("a Party branch covers grids of one community only")]
    BranchSpansCommunities,
    #[error("an independent branch covers exactly one grid, a joint branch at least two")]
    BranchGridCount,
    #[error("building {0} is not in this grid")]
    BuildingOutsideGrid(BuildingId),
    /// People the actor does not cover (or who do not exist: the two answer alike) were
    /// named in a team; they must accept an appointment first.
    #[error("these people must first accept an appointment: {}", plain_ids(.0))]
    InvitationRequired(Vec<UserId>),
    /// The actor named himself in a team: no one grants themselves a role.
    #[error("you cannot grant yourself a role")]
    SelfGrant,
    /// `errors` holds the first [`crate::import::MAX_REPORTED_ERRORS`] by line; `count` all.
    #[error("the file has {count} errors; nothing was imported")]
    ImportRejected { errors: Vec<RowError>, count: usize },
    #[error("a file holds at most {max_rows} grids")]
    ImportTooLarge { max_rows: usize },
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

/// What storage reports when a write breaks a uniqueness rule. A rule storage cannot name
/// is a [`WriteError::Storage`] error (a bug), never a guess.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{} name taken: {name}", .kind.as_str())]
    NameTaken { kind: NameKind, name: String },
    #[error("grid {0} already belongs to a branch")]
    GridAlreadyInBranch(GridId),
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

impl From<WriteError> for GridError {
    fn from(error: WriteError) -> Self {
        match error {
            WriteError::NameTaken { kind, name } => GridError::NameTaken { kind, name },
            WriteError::GridAlreadyInBranch(grid) => GridError::GridAlreadyInBranch(grid),
            WriteError::Storage(e) => GridError::Unknown(e),
        }
    }
}

/// Ids as the API shows them (`0190…, 0190…`), never as Rust's `Debug` (`UserId(…)`).
fn plain_ids(ids: &[UserId]) -> String {
    ids.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_to_invite_are_named_by_their_plain_ids() {
        let (a, b) = (UserId::new(), UserId::new());
        let message = GridError::InvitationRequired(vec![a, b]).to_string();
        assert_eq!(
            message,
            format!("these people must first accept an appointment: {a}, {b}")
        );
        assert!(!message.contains("UserId("), "{message}");
    }
}
