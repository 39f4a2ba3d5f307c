//! Resident requests' migrations.

use sea_orm_migration::prelude::*;

mod m20261128_000100_resident_requests;

pub(crate) fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![Box::new(m20261128_000100_resident_requests::Migration)]
}
