//! Dual reporting's use cases, one service per aggregate; every method takes the [`Actor`]
//! and checks its rights before it reads or writes.
//!
//! [`Actor`]: linli_kernel::Actor

mod appraisals;
mod categories;
mod member_reports;
mod rosters;
mod transferred_members;
mod units;

#[cfg(test)]
mod tests;

pub use appraisals::{AppraisalQuery, AppraisalService};
pub use categories::CategoryService;
pub use member_reports::{MemberReportService, MemberReportView, NewMemberReport, ReportQuery};
pub use rosters::{RosterEntryView, RosterListing, RosterReport, RosterService};
pub use transferred_members::{
    NewTransferredMember, TransferredMemberService, TransferredMemberView, TransferredQuery,
};
pub use units::{NewUnit, UnitService, UnitView};
