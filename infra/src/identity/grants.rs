//! Role grants, stored with the path of their scope so that "grants inside this scope" is an
//! indexed filter.

use anyhow::Context;
use linli_identity::appointments::{AuditAction, AuditEntry};
use linli_identity::ports::{GrantFilter, GrantInsertError, RoleGrantRepository};
use linli_kernel::ports::GrantStore;
use linli_kernel::{
    BuildingId, CommunityId, DomainEvent, GrantSet, GridId, Page, PageRequest, PlacedGrant, Role, RoleGrant,
    RoleGrantId, Scope, ScopeKind, ScopePath, SubdistrictId, UserId,
};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

use super::appointments::{audit_row, record_audit};
use super::entity::role_grant;
use crate::db::query::{PathColumns, keyset_page, reach_condition};
use crate::db::{Database, insert_chunked, is_unique_violation, outbox};

/// The columns that place a grant: its scope's path, and its scope itself for nodes beside
/// the tree.
pub(crate) fn grant_columns() -> PathColumns<role_grant::Column> {
    PathColumns {
        subdistrict: Some(role_grant::Column::SubdistrictId),
        community: Some(role_grant::Column::CommunityId),
        grid: Some(role_grant::Column::GridId),
        building: Some(role_grant::Column::BuildingId),
        side: Some((role_grant::Column::ScopeKind, role_grant::Column::ScopeId)),
    }
}

/// The grants of a set: its roles, at its node or under it.
fn set_condition(set: &GrantSet) -> Condition {
    let roles: Vec<&str> = set.roles.iter().map(|r| r.as_str()).collect();
    let under = match set.under {
        Scope::District => Condition::all(),
        Scope::Subdistrict(id) => Condition::all().add(role_grant::Column::SubdistrictId.eq(id.as_uuid())),
        Scope::Community(id) => Condition::all().add(role_grant::Column::CommunityId.eq(id.as_uuid())),
        Scope::Grid(id) => Condition::all().add(role_grant::Column::GridId.eq(id.as_uuid())),
        Scope::Building(id) => Condition::all().add(role_grant::Column::BuildingId.eq(id.as_uuid())),
        Scope::Side(kind, id) => Condition::all()
            .add(role_grant::Column::ScopeKind.eq(kind.as_str()))
            .add(role_grant::Column::ScopeId.eq(id)),
    };
    let under = under.add(role_grant::Column::Role.is_in(roles));
    match set.holder {
        Some(holder) => under.add(role_grant::Column::UserId.eq(holder.as_uuid())),
        None => under,
    }
}

/// Namespace of the advisory locks that make replacements of one grant set take turns.
const GRANT_SET_LOCKS: i32 = 72_635;

fn same_holding(a: &RoleGrant, b: &RoleGrant) -> bool {
    a.user_id() == b.user_id() && a.role() == b.role() && a.scope() == b.scope()
}

pub(crate) fn path_of(row: &role_grant::Model) -> ScopePath {
    let side = match (row.scope_kind.parse::<ScopeKind>(), row.scope_id) {
        (Ok(ScopeKind::Side(kind)), Some(id)) => Some((kind, id)),
        _ => None,
    };
    ScopePath {
        subdistrict: row.subdistrict_id.map(SubdistrictId::from_uuid),
        community: row.community_id.map(CommunityId::from_uuid),
        grid: row.grid_id.map(GridId::from_uuid),
        building: row.building_id.map(BuildingId::from_uuid),
        side,
    }
}

pub(crate) fn to_grant(row: &role_grant::Model) -> anyhow::Result<RoleGrant> {
    let role: Role = row
        .role
        .parse()
        .with_context(|| format!("grant {} has a bad role", row.id))?;
    let kind: ScopeKind = row
        .scope_kind
        .parse()
        .with_context(|| format!("grant {} has a bad scope", row.id))?;
    let scope = Scope::from_parts(kind, row.scope_id)?;
    Ok(RoleGrant::restore(
        RoleGrantId::from_uuid(row.id),
        UserId::from_uuid(row.user_id),
        role,
        scope,
        row.granted_by.map(UserId::from_uuid),
        row.granted_at,
    ))
}

pub(crate) fn grant_row(grant: &RoleGrant, path: &ScopePath) -> role_grant::ActiveModel {
    role_grant::ActiveModel {
        id: Set(grant.id().as_uuid()),
        user_id: Set(grant.user_id().as_uuid()),
        role: Set(grant.role().as_str().to_owned()),
        scope_kind: Set(grant.scope().kind().as_str().to_owned()),
        scope_id: Set(grant.scope().id()),
        scope_key: Set(grant.scope().to_string()),
        subdistrict_id: Set(path.subdistrict.map(|i| i.as_uuid())),
        community_id: Set(path.community.map(|i| i.as_uuid())),
        grid_id: Set(path.grid.map(|i| i.as_uuid())),
        building_id: Set(path.building.map(|i| i.as_uuid())),
        granted_by: Set(grant.granted_by().map(|i| i.as_uuid())),
        granted_at: Set(grant.granted_at()),
    }
}

pub(crate) async fn insert_grants(db: &impl ConnectionTrait, grants: &[PlacedGrant]) -> Result<(), DbErr> {
    insert_chunked(db, grants.iter().map(|p| grant_row(&p.grant, &p.path)).collect()).await
}

impl RoleGrantRepository for Database {
    async fn grants_of(&self, user_id: UserId) -> anyhow::Result<Vec<RoleGrant>> {
        role_grant::Entity::find()
            .filter(role_grant::Column::UserId.eq(user_id.as_uuid()))
            .all(&self.conn)
            .await?
            .iter()
            .map(to_grant)
            .collect()
    }

    async fn insert_grant(
        &self,
        grant: &RoleGrant,
        path: &ScopePath,
        event: &DomainEvent,
        audit: &AuditEntry,
    ) -> Result<(), GrantInsertError> {
        let write = async {
            let txn = self.begin_write().await?;
            role_grant::Entity::insert(grant_row(grant, path))
                .exec_without_returning(&txn)
                .await?;
            outbox::record(&txn, std::slice::from_ref(event)).await?;
            record_audit(&txn, audit).await?;
            self.commit_with_events(txn).await
        };
        match write.await {
            Ok(()) => {
                self.actors.changed(&[grant.user_id()]).await;
                Ok(())
            }
            Err(e) if is_unique_violation(&e) => Err(GrantInsertError::Duplicate),
            Err(e) => Err(GrantInsertError::Storage(e.into())),
        }
    }

    async fn find_grant(&self, id: RoleGrantId) -> anyhow::Result<Option<PlacedGrant>> {
        let Some(row) = role_grant::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(PlacedGrant {
            grant: to_grant(&row)?,
            path: path_of(&row),
        }))
    }

    async fn delete_grant(
        &self,
        id: RoleGrantId,
        event: &DomainEvent,
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let txn = self.begin_write().await?;
        let Some(row) = role_grant::Entity::find_by_id(id.as_uuid()).one(&txn).await? else {
            return Ok(false);
        };
        let deleted = role_grant::Entity::delete_by_id(id.as_uuid()).exec(&txn).await?;
        if deleted.rows_affected == 0 {
            return Ok(false);
        }
        outbox::record(&txn, std::slice::from_ref(event)).await?;
        record_audit(&txn, audit).await?;
        self.commit_with_events(txn).await?;
        self.actors.changed(&[UserId::from_uuid(row.user_id)]).await;
        Ok(true)
    }

    async fn list_grants(
        &self,
        filter: &GrantFilter,
        page: PageRequest,
    ) -> anyhow::Result<Page<PlacedGrant>> {
        let mut select = role_grant::Entity::find().filter(reach_condition(&filter.reach, grant_columns()));
        if let Some(user) = filter.user_id {
            select = select.filter(role_grant::Column::UserId.eq(user.as_uuid()));
        }
        let page = keyset_page(&self.conn, select, role_grant::Column::Id, page, |r| r.id).await?;
        let mut items = Vec::with_capacity(page.items.len());
        for row in &page.items {
            items.push(PlacedGrant {
                grant: to_grant(row)?,
                path: path_of(row),
            });
        }
        Ok(Page {
            items,
            next_after: page.next_after,
        })
    }
}

impl GrantStore for Database {
    async fn grants_in(&self, set: &GrantSet) -> anyhow::Result<Vec<RoleGrant>> {
        role_grant::Entity::find()
            .filter(set_condition(set))
            .order_by_asc(role_grant::Column::Id)
            .all(&self.conn)
            .await?
            .iter()
            .map(to_grant)
            .collect()
    }

    async fn replace_grants<F>(
        &self,
        actor: Option<UserId>,
        set: &GrantSet,
        replacement: Vec<PlacedGrant>,
        events: F,
    ) -> anyhow::Result<()>
    where
        F: FnOnce(&[RoleGrant], &[RoleGrant]) -> Vec<DomainEvent> + Send,
    {
        let txn = self.begin_write().await?;
        // Replacements of one set take turns: on PostgreSQL an advisory lock on the set's node
        // (otherwise each would delete only the rows it can see, and both sets would survive,
        // merged); SQLite's write transactions take turns anyway.
        if self.backend() == DatabaseBackend::Postgres {
            txn.execute_raw(sea_orm::Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "SELECT pg_advisory_xact_lock($1, hashtext($2))",
                [GRANT_SET_LOCKS.into(), set.under.to_string().into()],
            ))
            .await?;
        }
        let rows = role_grant::Entity::find()
            .filter(set_condition(set))
            .order_by_asc(role_grant::Column::Id)
            .all(&txn)
            .await?;
        let before: Vec<RoleGrant> = rows.iter().map(to_grant).collect::<anyhow::Result<_>>()?;
        let revoked: Vec<uuid::Uuid> = before
            .iter()
            .filter(|b| !replacement.iter().any(|r| same_holding(&r.grant, b)))
            .map(|b| b.id().as_uuid())
            .collect();
        let granted: Vec<PlacedGrant> = replacement
            .into_iter()
            .filter(|r| !before.iter().any(|b| same_holding(b, &r.grant)))
            .collect();
        if !revoked.is_empty() {
            role_grant::Entity::delete_many()
                .filter(role_grant::Column::Id.is_in(revoked.clone()))
                .exec(&txn)
                .await?;
        }
        insert_grants(&txn, &granted).await?;
        audit_replacement(&txn, actor, &rows, &before, &revoked, &granted).await?;
        let after: Vec<RoleGrant> = before
            .iter()
            .filter(|b| !revoked.contains(&b.id().as_uuid()))
            .cloned()
            .chain(granted.into_iter().map(|p| p.grant))
            .collect();
        outbox::record(&txn, &events(&before, &after)).await?;
        self.commit_with_events(txn).await?;
        let mut touched: Vec<UserId> = before
            .iter()
            .filter(|b| revoked.contains(&b.id().as_uuid()))
            .chain(after.iter().filter(|a| !before.contains(a)))
            .map(RoleGrant::user_id)
            .collect();
        touched.sort();
        touched.dedup();
        self.actors.changed(&touched).await;
        Ok(())
    }
}

/// One audit row per grant a replacement revoked or added, in its transaction, so a team
/// change leaves the same trail as `POST`/`DELETE /role-grants`.
async fn audit_replacement(
    txn: &impl ConnectionTrait,
    actor: Option<UserId>,
    rows: &[role_grant::Model],
    before: &[RoleGrant],
    revoked: &[uuid::Uuid],
    granted: &[PlacedGrant],
) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    let gone = rows
        .iter()
        .zip(before)
        .filter(|(row, _)| revoked.contains(&row.id));
    let entries = gone
        .map(|(row, grant)| (AuditAction::Revoked, grant, path_of(row)))
        .chain(granted.iter().map(|p| (AuditAction::Granted, &p.grant, p.path)));
    // One multi-row INSERT per chunk: a replacement may touch thousands of grants (the
    // demo's party members of a community).
    let rows = entries
        .map(|(action, grant, path)| {
            let placed = (grant.role(), grant.scope(), path);
            audit_row(&AuditEntry::new(actor, action, placed, grant.user_id(), now).of_grant(grant.id()))
        })
        .collect();
    insert_chunked(txn, rows).await?;
    Ok(())
}
