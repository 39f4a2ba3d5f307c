//! Dual reporting's use cases, one service per aggregate; every method takes the [`Actor`]
//! and checks its rights before it reads or writes.
//!
//! [`Actor`]: linli_kernel::Actor

mod appraisals;
mod banks;
mod categories;
mod member_reports;
mod needs;
mod offers;
mod people;
mod pledges;
mod projects;
mod rosters;
mod stats;
mod transferred_members;
mod units;

#[cfg(test)]
mod lists_tests;
#[cfg(test)]
mod pledges_tests;
#[cfg(test)]
mod tests;

pub use appraisals::{AppraisalQuery, AppraisalService};
pub use banks::{MemberBankEntry, ResourceBank, ResourceBankEntry};
pub use categories::CategoryService;
pub use member_reports::{MemberReportService, MemberReportView, NewMemberReport, ReportQuery};
pub use needs::{MAX_MATCHES, NeedPlace, NeedQuery, NeedService, NewNeed, RankedOffer};
pub use offers::{NewOffer, OfferQuery, OfferService, OfferView};
pub use pledges::{NewFulfilment, NewPledge, PledgeDetail, PledgeQuery, PledgeService, PledgeView};
pub use projects::{NewActivity, NewProject, NewShare, ProjectQuery, ProjectService, ProjectView};
pub use rosters::{RosterEntryView, RosterListing, RosterReport, RosterService};
pub use stats::StatsService;
pub use transferred_members::{
    NewTransferredMember, TransferredMemberService, TransferredMemberView, TransferredQuery,
};
pub use units::{NewUnit, UnitService, UnitView};
