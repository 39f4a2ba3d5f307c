//! The structure's migrations.

use sea_orm_migration::prelude::*;

mod m20261125_000001_structure;

pub(crate) fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![Box::new(m20261125_000001_structure::Migration)]
}
