//! Dual reporting's migrations.

use sea_orm_migration::prelude::*;

mod m20261128_000001_dual_reporting;
mod m20261128_000010_pledges;
mod m20261128_000020_three_lists;
mod m20261128_000030_rosters_transferred;
mod m20261128_000040_appraisals;

pub(crate) fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261128_000001_dual_reporting::Migration),
        Box::new(m20261128_000010_pledges::Migration),
        Box::new(m20261128_000020_three_lists::Migration),
        Box::new(m20261128_000030_rosters_transferred::Migration),
        Box::new(m20261128_000040_appraisals::Migration),
    ]
}
