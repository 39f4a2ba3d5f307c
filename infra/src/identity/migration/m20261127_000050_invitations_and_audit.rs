//! Appointments waiting for the appointee (`role_invitations`) and the audit trail of every
//! grant, invitation, answer and revocation (`role_grant_audit`). Both keep the path of
//! their scope, as `role_grants` does, so "inside this scope" is an indexed filter. Neither
//! refers to `users`: an invitation may name an id that is no one (the appointer must not
//! learn the difference), and the audit outlives what it records.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000050_invitations_and_audit"
    }
}

#[derive(DeriveIden)]
enum RoleInvitations {
    Table,
    Id,
    InviteeId,
    InvitedBy,
    Status,
    CreatedAt,
    ExpiresAt,
    AnsweredAt,
}

#[derive(DeriveIden)]
enum RoleGrantAudit {
    Table,
    Id,
    ActorId,
    Action,
    TargetUserId,
    GrantId,
    InvitationId,
    At,
}

/// The columns naming a role at a scope, shared by both tables.
#[derive(DeriveIden, Clone, Copy)]
enum Placed {
    Role,
    ScopeKind,
    ScopeId,
    ScopeKey,
    SubdistrictId,
    CommunityId,
    GridId,
    BuildingId,
}

fn with_place(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(string_len(Placed::Role, 32))
        .col(string_len(Placed::ScopeKind, 16))
        .col(uuid_null(Placed::ScopeId))
        .col(string_len(Placed::ScopeKey, 64))
        .col(uuid_null(Placed::SubdistrictId))
        .col(uuid_null(Placed::CommunityId))
        .col(uuid_null(Placed::GridId))
        .col(uuid_null(Placed::BuildingId))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut invitations = Table::create();
        invitations
            .table(RoleInvitations::Table)
            .col(uuid(RoleInvitations::Id).primary_key())
            .col(uuid(RoleInvitations::InviteeId))
            .col(uuid(RoleInvitations::InvitedBy))
            .col(string_len(RoleInvitations::Status, 16))
            .col(timestamp_with_time_zone(RoleInvitations::CreatedAt))
            .col(timestamp_with_time_zone(RoleInvitations::ExpiresAt))
            .col(timestamp_with_time_zone_null(RoleInvitations::AnsweredAt));
        manager
            .create_table(with_place(&mut invitations).to_owned())
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("role_invitations_invitee")
                    .table(RoleInvitations::Table)
                    .col(RoleInvitations::InviteeId)
                    .to_owned(),
            )
            .await?;

        let mut audit = Table::create();
        audit
            .table(RoleGrantAudit::Table)
            .col(uuid(RoleGrantAudit::Id).primary_key())
            .col(uuid_null(RoleGrantAudit::ActorId))
            .col(string_len(RoleGrantAudit::Action, 16))
            .col(uuid(RoleGrantAudit::TargetUserId))
            .col(uuid_null(RoleGrantAudit::GrantId))
            .col(uuid_null(RoleGrantAudit::InvitationId))
            .col(timestamp_with_time_zone(RoleGrantAudit::At));
        manager.create_table(with_place(&mut audit).to_owned()).await?;
        for (name, column) in [
            ("role_grant_audit_subdistrict", Placed::SubdistrictId),
            ("role_grant_audit_community", Placed::CommunityId),
            ("role_grant_audit_grid", Placed::GridId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(RoleGrantAudit::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RoleGrantAudit::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(RoleInvitations::Table).to_owned())
            .await
    }
}
