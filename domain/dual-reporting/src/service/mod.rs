//! Dual reporting's use cases, one service per aggregate; every method takes the [`Actor`]
//! and checks its rights before it reads or writes.
//!
//! [`Actor`]: linli_kernel::Actor

mod appraisals;
mod banks;
mod categories;
mod member_reports;
mod units;

#[cfg(test)]
mod tests;

pub use appraisals::{AppraisalQuery, AppraisalService};
pub use banks::MemberBankEntry;
pub use categories::CategoryService;
pub use member_reports::{MemberReportService, MemberReportView, NewMemberReport, ReportQuery};
pub use units::{NewUnit, UnitService, UnitView};
