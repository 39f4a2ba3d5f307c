//! The shared tables' migrations (the outbox, idempotency keys). Each context keeps its own
//! in its folder; `crate::contexts` puts them all in one order. Each migration is a file of
//! its own and is never edited once landed.

use sea_orm_migration::prelude::*;

mod m20261125_000003_outbox_and_idempotency;

pub(crate) fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![Box::new(m20261125_000003_outbox_and_idempotency::Migration)]
}
