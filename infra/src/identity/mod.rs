//! The identity context's adapters: users, sessions with their refresh tokens, role grants
//! (the one owner of the `role_grants` table: other contexts replace grants through the
//! kernel's `GrantStore`), access tokens, and identity's migrations.

pub mod entity;
mod migration;

mod appointments;
pub mod audit;
mod demo_people;
mod grants;
mod personal;
mod sessions;
pub mod tokens;
mod users;

pub use demo_people::NewPerson;
pub(crate) use migration::migrations;
pub use personal::SealReport;
