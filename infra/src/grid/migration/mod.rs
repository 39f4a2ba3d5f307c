//! The structure's migrations.

use sea_orm_migration::prelude::*;

mod m20261125_000001_structure;
mod m20261127_000060_community_names_in_subdistrict;

pub(crate) fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261125_000001_structure::Migration),
        Box::new(m20261127_000060_community_names_in_subdistrict::Migration),
    ]
}
