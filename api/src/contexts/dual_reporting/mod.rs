//! Dual reporting's face (双报到): units paired with a grid and their reports, the dictionary
//! of service categories, and the reports of in-service Party members to the community where
//! they live.

mod banks;
mod categories;
mod dto;
mod error;
pub mod events;
mod member_reports;
mod units;

use std::sync::Arc;

use linli_dual_reporting::{CategoryService, MemberReportService, UnitService};
use linli_infra::db::Database;
use linli_kernel::ports::{Directory, SystemClock};
use poem_openapi::Tags;

#[derive(Tags)]
pub enum DualReportingTags {
    /// Units stationed in the district, paired with a grid, and their reports to it.
    Units,
    /// The dictionary of service categories (分类管理).
    ServiceCategories,
    /// In-service Party members' reports to the community where they live.
    MemberReports,
}

/// The context's API groups.
pub type Apis = (
    units::UnitsApi,
    categories::CategoriesApi,
    member_reports::MemberReportsApi,
    banks::BanksApi,
);

pub type Units = UnitService<Database, Directory<Database>, SystemClock>;
pub type Categories = CategoryService<Database, SystemClock>;
pub type MemberReports =
    MemberReportService<Database, Database, Database, Directory<Database>, Database, Database, SystemClock>;

pub struct Services {
    pub units: Units,
    pub categories: Categories,
    pub member_reports: MemberReports,
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
    pub fn build(db: &Database, directory: &Directory<Database>) -> Self {
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
        }))
    }
}
