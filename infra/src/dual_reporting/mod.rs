//! Dual reporting's adapters: units and their reports, the service categories, member
//! reports, the three lists (offers, needs, projects), units' rosters, transferred members,
//! their migrations, and the directory of the `unit` scope kind. The `party_member` grant an
//! accepted report (or a registration) gives is kept by identity's adapter.

pub mod entity;
mod migration;

mod appraisals;
mod categories;
mod demo;
mod directory;
mod member_reports;
mod needs;
mod offers;
mod pledges;
mod projects;
mod rosters;
mod rows;
mod stats;
mod transferred_members;
mod unit_records;
mod units;

#[cfg(test)]
mod lists_tests;

pub use demo::DemoRecords;
pub use directory::UnitDirectory;
pub(crate) use migration::migrations;
pub use projects::UnitProjectRecords;

#[cfg(test)]
mod tests;
