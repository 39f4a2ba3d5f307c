//! Dual reporting (双报到): units stationed in the district report to the community grid they
//! are paired with, and their in-service Party members report to the community where they
//! live; the community receives, classifies and appraises them, and the unit is told.

pub mod appraisal;
pub mod error;
pub mod events;
pub mod lists;
pub mod matching;
pub mod models;
pub mod pledges;
pub mod ports;
pub mod rights;
pub mod roster;
pub mod service;
pub mod topics;
pub mod transferred;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use error::{DualReportingError, Resource};
pub use lists::*;
pub use models::*;
pub use pledges::{Fulfilment, FulfilmentId, FulfilmentStatus, Pledge, PledgeId};
pub use service::{
    AppraisalQuery, AppraisalService, CategoryService, MemberReportService, NewMemberReport,
    NewTransferredMember, NewUnit, ReportQuery, RosterService, TransferredMemberService, UnitService,
};
pub use service::{NeedService, OfferService, ProjectService};
pub use service::{NewFulfilment, NewPledge, PledgeQuery, PledgeService};
