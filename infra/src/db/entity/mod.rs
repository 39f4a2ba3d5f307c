//! sea-orm entities, one per table; they stay inside `infra` and never reach the domain.

pub mod building;
pub mod community;
pub mod district;
pub mod grid;
pub mod idempotency_key;
pub mod outbox;
pub mod party_branch;
pub mod party_branch_grid;
pub mod refresh_token;
pub mod role_grant;
pub mod session;
pub mod stairwell;
pub mod subdistrict;
pub mod user;
