//! Identity's migrations.

use sea_orm_migration::prelude::*;

mod m20261125_000002_identity;
mod m20261126_000004_residence_path;
mod m20261127_000040_refresh_successor;
mod m20261127_000041_console_audit;
mod m20261127_000050_invitations_and_audit;
mod m20261127_000070_sealed_personal_data;
mod m20261127_000080_one_pending_invitation;

pub(crate) fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261125_000002_identity::Migration),
        Box::new(m20261126_000004_residence_path::Migration),
        Box::new(m20261127_000040_refresh_successor::Migration),
        Box::new(m20261127_000041_console_audit::Migration),
        Box::new(m20261127_000050_invitations_and_audit::Migration),
        Box::new(m20261127_000070_sealed_personal_data::Migration),
        Box::new(m20261127_000080_one_pending_invitation::Migration),
    ]
}
