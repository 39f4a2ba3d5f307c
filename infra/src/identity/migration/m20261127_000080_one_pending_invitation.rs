//! At most one pending invitation of a person to a role at a scope, so concurrent identical
//! appointments cannot both insert one (the service's check-then-insert races). Both back ends
//! support partial unique indexes.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000080_one_pending_invitation"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        // Duplicates that raced in before the index: keep the oldest pending one.
        db.execute_unprepared(
            "UPDATE role_invitations SET status = 'expired' WHERE status = 'pending' AND EXISTS (\
             SELECT 1 FROM role_invitations o WHERE o.status = 'pending' \
             AND o.invitee_id = role_invitations.invitee_id AND o.role = role_invitations.role \
             AND o.scope_key = role_invitations.scope_key AND o.created_at < role_invitations.created_at)",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX role_invitations_one_pending \
             ON role_invitations (invitee_id, role, scope_key) WHERE status = 'pending'",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX role_invitations_one_pending")
            .await?;
        Ok(())
    }
}
