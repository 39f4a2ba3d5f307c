//! sea-orm entities of the structure's tables, which only this context writes.

pub mod building;
pub mod community;
pub mod district;
pub mod grid;
pub mod party_branch;
pub mod party_branch_grid;
pub mod stairwell;
pub mod subdistrict;
