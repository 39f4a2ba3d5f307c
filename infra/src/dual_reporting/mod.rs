//! Dual reporting's adapters: units and their reports, the service categories, member
//! reports, units' rosters, transferred members, their migrations, and the directory of the
//! `unit` scope kind. The `party_member` grant an accepted report (or a registration) gives
//! is kept by identity's adapter.

pub mod entity;
mod migration;

mod appraisals;
mod categories;
mod directory;
mod member_reports;
mod rosters;
mod rows;
mod transferred_members;
mod units;

pub use directory::UnitDirectory;
pub(crate) use migration::migrations;

#[cfg(test)]
mod tests;
