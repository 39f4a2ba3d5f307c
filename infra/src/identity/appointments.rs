//! Invitations and the grant audit trail. Each answer to an invitation is a guarded write
//! (`WHERE status = 'pending'`), so of two answers racing one wins; an acceptance stores the
//! grant, its event and its audit row in the same transaction.

use anyhow::Context;
use chrono::{DateTime, Utc};
use linli_identity::appointments::{AuditAction, AuditEntry, Invitation, InvitationStatus};
use linli_identity::ports::{AppointmentRepository, GrantInsertError};
use linli_kernel::actor::Reach;
use linli_kernel::{
    AuditEntryId, BuildingId, CommunityId, DomainEvent, GridId, InvitationId, Page, PageRequest, Role,
    RoleGrant, RoleGrantId, Scope, ScopeKind, ScopePath, SubdistrictId, UserId,
};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::entity::{role_grant, role_grant_audit as audit, role_invitation as invitation};
use super::grants::{grant_row, to_grant};
use crate::db::query::{PathColumns, keyset_page, reach_condition};
use crate::db::{Database, is_unique_violation, outbox};

/// The path columns as stored, in the order of [`ScopePath`].
type PathIds = (Option<Uuid>, Option<Uuid>, Option<Uuid>, Option<Uuid>);

fn path_ids(path: &ScopePath) -> PathIds {
    (
        path.subdistrict.map(|i| i.as_uuid()),
        path.community.map(|i| i.as_uuid()),
        path.grid.map(|i| i.as_uuid()),
        path.building.map(|i| i.as_uuid()),
    )
}

/// A role at a scope, read back from its columns.
fn placed(
    what: &str,
    role: &str,
    kind: &str,
    scope_id: Option<Uuid>,
    (sub, community, grid, building): PathIds,
) -> anyhow::Result<(Role, Scope, ScopePath)> {
    let role: Role = role.parse().with_context(|| format!("{what} has a bad role"))?;
    let kind: ScopeKind = kind.parse().with_context(|| format!("{what} has a bad scope"))?;
    let scope = Scope::from_parts(kind, scope_id)?;
    let side = match (kind, scope_id) {
        (ScopeKind::Side(side), Some(id)) => Some((side, id)),
        _ => None,
    };
    let path = ScopePath {
        subdistrict: sub.map(SubdistrictId::from_uuid),
        community: community.map(CommunityId::from_uuid),
        grid: grid.map(GridId::from_uuid),
        building: building.map(BuildingId::from_uuid),
        side,
    };
    Ok((role, scope, path))
}

pub(crate) fn audit_row(entry: &AuditEntry) -> audit::ActiveModel {
    let (sub, community, grid, building) = path_ids(&entry.path);
    audit::ActiveModel {
        id: Set(entry.id.as_uuid()),
        actor_id: Set(entry.actor.map(|a| a.as_uuid())),
        action: Set(entry.action.as_str().to_owned()),
        target_user_id: Set(entry.target.as_uuid()),
        grant_id: Set(entry.grant_id.map(|g| g.as_uuid())),
        invitation_id: Set(entry.invitation_id.map(|i| i.as_uuid())),
        at: Set(entry.at),
        role: Set(entry.role.as_str().to_owned()),
        scope_kind: Set(entry.scope.kind().as_str().to_owned()),
        scope_id: Set(entry.scope.id()),
        scope_key: Set(entry.scope.to_string()),
        subdistrict_id: Set(sub),
        community_id: Set(community),
        grid_id: Set(grid),
        building_id: Set(building),
    }
}

/// Writes an audit row inside the caller's transaction.
pub(crate) async fn record_audit(
    db: &impl ConnectionTrait,
    entry: &AuditEntry,
) -> Result<(), sea_orm::DbErr> {
    audit::Entity::insert(audit_row(entry))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

fn to_entry(row: &audit::Model) -> anyhow::Result<AuditEntry> {
    let what = format!("audit row {}", row.id);
    let ids = (row.subdistrict_id, row.community_id, row.grid_id, row.building_id);
    let (role, scope, path) = placed(&what, &row.role, &row.scope_kind, row.scope_id, ids)?;
    Ok(AuditEntry {
        id: AuditEntryId::from_uuid(row.id),
        actor: row.actor_id.map(UserId::from_uuid),
        action: AuditAction::parse(&row.action).with_context(|| format!("{what} has a bad action"))?,
        role,
        scope,
        path,
        target: UserId::from_uuid(row.target_user_id),
        grant_id: row.grant_id.map(RoleGrantId::from_uuid),
        invitation_id: row.invitation_id.map(InvitationId::from_uuid),
        at: row.at,
    })
}

fn invitation_row(i: &Invitation) -> invitation::ActiveModel {
    let (sub, community, grid, building) = path_ids(&i.path);
    invitation::ActiveModel {
        id: Set(i.id.as_uuid()),
        invitee_id: Set(i.invitee.as_uuid()),
        invited_by: Set(i.invited_by.as_uuid()),
        status: Set(i.status.as_str().to_owned()),
        created_at: Set(i.created_at),
        expires_at: Set(i.expires_at),
        answered_at: Set(None),
        role: Set(i.role.as_str().to_owned()),
        scope_kind: Set(i.scope.kind().as_str().to_owned()),
        scope_id: Set(i.scope.id()),
        scope_key: Set(i.scope.to_string()),
        subdistrict_id: Set(sub),
        community_id: Set(community),
        grid_id: Set(grid),
        building_id: Set(building),
    }
}

fn to_invitation(row: &invitation::Model) -> anyhow::Result<Invitation> {
    let what = format!("invitation {}", row.id);
    let ids = (row.subdistrict_id, row.community_id, row.grid_id, row.building_id);
    let (role, scope, path) = placed(&what, &row.role, &row.scope_kind, row.scope_id, ids)?;
    Ok(Invitation {
        id: InvitationId::from_uuid(row.id),
        invitee: UserId::from_uuid(row.invitee_id),
        role,
        scope,
        path,
        invited_by: UserId::from_uuid(row.invited_by),
        created_at: row.created_at,
        expires_at: row.expires_at,
        status: InvitationStatus::parse(&row.status).with_context(|| format!("{what} has a bad status"))?,
    })
}

/// Moves a pending invitation to `status`; `false` when it was no longer pending.
async fn answer(
    db: &impl ConnectionTrait,
    id: InvitationId,
    status: InvitationStatus,
    at: DateTime<Utc>,
) -> Result<bool, sea_orm::DbErr> {
    let done = invitation::Entity::update_many()
        .col_expr(invitation::Column::Status, Expr::value(status.as_str()))
        .col_expr(invitation::Column::AnsweredAt, Expr::value(at))
        .filter(invitation::Column::Id.eq(id.as_uuid()))
        .filter(invitation::Column::Status.eq(InvitationStatus::Pending.as_str()))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

impl AppointmentRepository for Database {
    async fn insert_invitation(
        &self,
        invitation: &Invitation,
        audit: &AuditEntry,
    ) -> anyhow::Result<Invitation> {
        let same = || {
            invitation::Entity::find()
                .filter(invitation::Column::InviteeId.eq(invitation.invitee.as_uuid()))
                .filter(invitation::Column::Role.eq(invitation.role.as_str()))
                .filter(invitation::Column::ScopeKey.eq(invitation.scope.to_string()))
                .filter(invitation::Column::Status.eq(InvitationStatus::Pending.as_str()))
        };
        let txn = self.begin_write().await?;
        // A pending invitation past its expiry must not hold the one pending place.
        invitation::Entity::update_many()
            .col_expr(
                invitation::Column::Status,
                Expr::value(InvitationStatus::Expired.as_str()),
            )
            .filter(invitation::Column::InviteeId.eq(invitation.invitee.as_uuid()))
            .filter(invitation::Column::Role.eq(invitation.role.as_str()))
            .filter(invitation::Column::ScopeKey.eq(invitation.scope.to_string()))
            .filter(invitation::Column::Status.eq(InvitationStatus::Pending.as_str()))
            .filter(invitation::Column::ExpiresAt.lte(invitation.created_at))
            .exec(&txn)
            .await?;
        let inserted = invitation::Entity::insert(invitation_row(invitation))
            .exec_without_returning(&txn)
            .await;
        match inserted {
            Ok(_) => {
                record_audit(&txn, audit).await?;
                txn.commit().await?;
                Ok(invitation.clone())
            }
            // The unique index `role_invitations_one_pending`: a concurrent identical request
            // committed first; answer with its invitation.
            Err(e) if is_unique_violation(&e) => {
                txn.rollback().await?;
                let waiting = same()
                    .one(&self.conn)
                    .await?
                    .context("a pending invitation broke the unique index, then vanished")?;
                to_invitation(&waiting)
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn find_invitation(&self, id: InvitationId) -> anyhow::Result<Option<Invitation>> {
        invitation::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await?
            .as_ref()
            .map(to_invitation)
            .transpose()
    }

    async fn open_invitations_of(&self, user: UserId, now: DateTime<Utc>) -> anyhow::Result<Vec<Invitation>> {
        invitation::Entity::find()
            .filter(invitation::Column::InviteeId.eq(user.as_uuid()))
            .filter(invitation::Column::Status.eq(InvitationStatus::Pending.as_str()))
            .filter(invitation::Column::ExpiresAt.gt(now))
            .order_by_asc(invitation::Column::Id)
            .all(&self.conn)
            .await?
            .iter()
            .map(to_invitation)
            .collect()
    }

    async fn accept_invitation<F>(
        &self,
        id: InvitationId,
        grant: &RoleGrant,
        path: &ScopePath,
        event: &DomainEvent,
        audit: &AuditEntry,
        appointer_may: F,
    ) -> Result<bool, GrantInsertError>
    where
        F: FnOnce(&[RoleGrant]) -> bool + Send,
    {
        let write = async {
            let txn = self.begin_write().await?;
            if !answer(&txn, id, InvitationStatus::Accepted, audit.at).await? {
                return Ok(false);
            }
            // The appointer's grants, read in this transaction and, on PostgreSQL, locked
            // against a concurrent revocation until it ends (SQLite's write transactions take
            // turns anyway): the right is checked and used at once.
            let mut held = role_grant::Entity::find()
                .filter(role_grant::Column::UserId.eq(grant.granted_by().map(|u| u.as_uuid())));
            if self.backend() == sea_orm::DatabaseBackend::Postgres {
                held = held.lock_shared();
            }
            let held = held
                .all(&txn)
                .await?
                .iter()
                .map(to_grant)
                .collect::<anyhow::Result<Vec<_>>>()
                .map_err(|e| sea_orm::DbErr::Custom(format!("{e:#}")))?;
            if !appointer_may(&held) {
                txn.rollback().await?;
                return Ok(false);
            }
            role_grant::Entity::insert(grant_row(grant, path))
                .exec_without_returning(&txn)
                .await?;
            outbox::record(&txn, std::slice::from_ref(event)).await?;
            record_audit(&txn, audit).await?;
            self.commit_with_events(txn).await?;
            Ok(true)
        };
        match write.await {
            Ok(accepted) => {
                if accepted {
                    self.actors.changed(&[grant.user_id()]).await;
                }
                Ok(accepted)
            }
            Err(e) if is_unique_violation(&e) => Err(GrantInsertError::Duplicate),
            Err(e) => Err(GrantInsertError::Storage(e.into())),
        }
    }

    async fn decline_invitation(&self, id: InvitationId, audit: &AuditEntry) -> anyhow::Result<bool> {
        let txn = self.begin_write().await?;
        if !answer(&txn, id, InvitationStatus::Declined, audit.at).await? {
            return Ok(false);
        }
        record_audit(&txn, audit).await?;
        txn.commit().await?;
        Ok(true)
    }

    async fn list_audit(&self, reach: &Reach, page: PageRequest) -> anyhow::Result<Page<AuditEntry>> {
        let columns = PathColumns {
            subdistrict: Some(audit::Column::SubdistrictId),
            community: Some(audit::Column::CommunityId),
            grid: Some(audit::Column::GridId),
            building: Some(audit::Column::BuildingId),
            side: Some((audit::Column::ScopeKind, audit::Column::ScopeId)),
        };
        let select = audit::Entity::find().filter(reach_condition(reach, columns));
        let page = keyset_page(&self.conn, select, audit::Column::Id, page, |r| r.id).await?;
        Ok(Page {
            items: page.items.iter().map(to_entry).collect::<anyhow::Result<_>>()?,
            next_after: page.next_after,
        })
    }
}
