use linli_kernel::{BuildingId, GridId, UserId, ValidationError};

use crate::import::RowError;

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
    #[error("the name `{name}` is already taken here")]
    NameTaken { name: String },
    #[error("grid {0} already belongs to a Party branch")]
    GridAlreadyInBranch(GridId),
    #[error("a Party branch covers grids of one community only")]
    BranchSpansCommunities,
    #[error("an independent branch covers exactly one grid, a joint branch at least two")]
    BranchGridCount,
    #[error("building {0} is not in this grid")]
    BuildingOutsideGrid(BuildingId),
    #[error("unknown users: {}", plain_ids(.0))]
    UnknownUsers(Vec<UserId>),
    #[error("the file has {} bad rows; nothing was imported", .0.len())]
    ImportRejected(Vec<RowError>),
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

/// What storage reports when a write breaks a uniqueness rule.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("name taken: {0}")]
    NameTaken(String),
    #[error("grid {0} already belongs to a branch")]
    GridAlreadyInBranch(GridId),
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

impl From<WriteError> for GridError {
    fn from(error: WriteError) -> Self {
        match error {
            WriteError::NameTaken(name) => GridError::NameTaken { name },
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
    fn unknown_users_are_named_by_their_plain_ids() {
        let (a, b) = (UserId::new(), UserId::new());
        let message = GridError::UnknownUsers(vec![a, b]).to_string();
        assert_eq!(message, format!("unknown users: {a}, {b}"));
        assert!(!message.contains("UserId("), "{message}");
    }
}
