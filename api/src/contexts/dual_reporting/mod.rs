//! Dual reporting's face (双报到): units paired with a grid and their reports, the dictionary
//! of service categories, the reports of in-service Party members to the community where they
//! live, their pledges, the three lists, two-way appraisal, units' rosters, and the
//! community's transferred members.

mod appraisals;
mod banks;
mod categories;
mod dto;
mod error;
pub mod events;
mod lists;
mod lists_dto;
mod member_reports;
mod needs;
mod offers;
mod pledges;
mod projects;
mod rosters;
mod transferred_members;
mod units;

use std::sync::Arc;

use linli_dual_reporting::{
    AppraisalService, CategoryService, MemberReportService, PledgeService, RosterService,
    TransferredMemberService, UnitService,
};
use linli_infra::db::Database;
use linli_kernel::ports::{Directory, NoServiceRecorded, SystemClock};
use poem_openapi::Tags;

#[derive(Tags)]
pub enum DualReportingTags {
    /// Units stationed in the district, paired with a grid, and their reports to it.
    Units,
    /// The dictionary of service categories (分类管理).
    ServiceCategories,
    /// In-service Party members' reports to the community where they live.
    MemberReports,
    /// Resources units offer (资源清单).
    ResourceOffers,
    /// Needs posted by subdistricts and communities (需求清单), and the offers matching them.
    Needs,
    /// Co-building projects matching a need with offers (项目清单), and their activities.
    Projects,
    /// Members' pledges (承诺践诺), their records and the grid staff's verification.
    Pledges,
    /// Two-way appraisal (双向考核): members by their communities, units by the district, and
    /// each unit's feedback.
    Appraisals,
    /// Units' rosters (名册), matched to member reports by phone.
    Rosters,
    /// Party members whose organisation relation moved to the community (组织关系转入).
    TransferredMembers,
}

/// The context's API groups.
pub type Apis = (
    units::UnitsApi,
    categories::CategoriesApi,
    member_reports::MemberReportsApi,
    lists::Apis,
    pledges::PledgesApi,
    appraisals::AppraisalsApi,
    rosters::RostersApi,
    transferred_members::TransferredMembersApi,
    banks::BanksApi,
);

pub type Units = UnitService<Database, Directory<Database>, SystemClock>;
pub type Categories = CategoryService<Database, SystemClock>;
pub type MemberReports =
    MemberReportService<Database, Database, Database, Directory<Database>, Database, Database, SystemClock>;
pub type Pledges = PledgeService<Database, Database, Database, Database, SystemClock>;
/// Service hours come from no context yet: [`NoServiceRecorded`] answers zero until
/// volunteering's ledger (hours) and resident requests (tasks) land.
pub type Appraisals = AppraisalService<
    Database,
    Database,
    Database,
    Directory<Database>,
    Database,
    NoServiceRecorded,
    Database,
    SystemClock,
>;

pub type Rosters = RosterService<Database, Database, Directory<Database>, SystemClock>;
pub type TransferredMembers =
    TransferredMemberService<Database, Directory<Database>, Database, Database, SystemClock>;

pub struct Services {
    pub units: Units,
    pub categories: Categories,
    pub member_reports: MemberReports,
    /// The three lists.
    pub lists: lists::Lists,
    pub pledges: Pledges,
    pub appraisals: Appraisals,
    pub rosters: Rosters,
    pub transferred_members: TransferredMembers,
    /// The resource bank: the offer listing, named for export.
    pub resource_bank: banks::Resources,
}

/// What dual reporting's handlers reach (`Data<&DualReporting>`).
#[derive(Clone)]
pub struct DualReporting(pub Arc<Services>);

impl std::ops::Deref for DualReporting {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

impl DualReporting {
    /// `import_max_rows`: the most rows a roster file may hold (`LINLI_IMPORT_MAX_ROWS`).
    pub fn build(db: &Database, directory: &Directory<Database>, import_max_rows: usize) -> Self {
        Self(Arc::new(Services {
            units: UnitService::new(db.clone(), directory.clone(), SystemClock),
            categories: CategoryService::new(db.clone(), SystemClock),
            member_reports: MemberReportService::new(
                db.clone(),
                db.clone(),
                db.clone(),
                directory.clone(),
                db.clone(),
                db.clone(),
                SystemClock,
            ),
            lists: lists::Lists::build(db, directory),
            pledges: PledgeService::new(db.clone(), db.clone(), db.clone(), db.clone(), SystemClock),
            appraisals: AppraisalService::new(
                db.clone(),
                db.clone(),
                db.clone(),
                directory.clone(),
                db.clone(),
                NoServiceRecorded,
                db.clone(),
                SystemClock,
            ),
            rosters: RosterService::new(db.clone(), db.clone(), directory.clone(), SystemClock)
                .with_max_rows(import_max_rows),
            transferred_members: TransferredMemberService::new(
                db.clone(),
                directory.clone(),
                db.clone(),
                db.clone(),
                SystemClock,
            ),
            resource_bank: banks::Resources::new(
                db.clone(),
                db.clone(),
                db.clone(),
                directory.clone(),
                SystemClock,
            ),
        }))
    }
}
