//! The uploads context's migrations.

use sea_orm_migration::prelude::*;

mod m20261129_000500_uploads;

pub(crate) fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![Box::new(m20261129_000500_uploads::Migration)]
}
