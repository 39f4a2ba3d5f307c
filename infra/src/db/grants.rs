//! Role grants, stored with the path of their scope so that "grants inside this scope" is an
//! indexed filter.

use anyhow::Context;
use linli_identity::ports::{GrantFilter, GrantInsertError, PlacedGrant, RoleGrantRepository};
use linli_kernel::{
    BuildingId, CommunityId, DomainEvent, GridId, Page, PageRequest, Role, RoleGrant, RoleGrantId, Scope,
    ScopeKind, ScopePath, SubdistrictId, UserId,
};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::entity::role_grant;
use super::query::{PathColumns, keyset_page, reach_condition};
use super::{Database, is_unique_violation, outbox};

pub(crate) fn path_of(row: &role_grant::Model) -> ScopePath {
    ScopePath {
        subdistrict: row.subdistrict_id.map(SubdistrictId::from_uuid),
        community: row.community_id.map(CommunityId::from_uuid),
        grid: row.grid_id.map(GridId::from_uuid),
        building: row.building_id.map(BuildingId::from_uuid),
        unit: None,
        team: None,
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

pub(crate) async fn insert_grants(
    db: &impl ConnectionTrait,
    grants: &[(RoleGrant, ScopePath)],
) -> Result<(), DbErr> {
    if grants.is_empty() {
        return Ok(());
    }
    super::structure::insert_chunked(db, grants.iter().map(|(g, p)| grant_row(g, p)).collect()).await
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
    ) -> Result<(), GrantInsertError> {
        let write = async {
            let txn = self.begin_write().await?;
            role_grant::Entity::insert(grant_row(grant, path))
                .exec_without_returning(&txn)
                .await?;
            outbox::record(&txn, std::slice::from_ref(event)).await?;
            self.commit_with_events(txn).await
        };
        match write.await {
            Ok(()) => Ok(()),
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

    async fn delete_grant(&self, id: RoleGrantId, event: &DomainEvent) -> anyhow::Result<bool> {
        let txn = self.begin_write().await?;
        let deleted = role_grant::Entity::delete_by_id(id.as_uuid()).exec(&txn).await?;
        if deleted.rows_affected == 0 {
            return Ok(false);
        }
        outbox::record(&txn, std::slice::from_ref(event)).await?;
        self.commit_with_events(txn).await?;
        Ok(true)
    }

    async fn list_grants(
        &self,
        filter: &GrantFilter,
        page: PageRequest,
    ) -> anyhow::Result<Page<PlacedGrant>> {
        let mut select = role_grant::Entity::find().filter(reach_condition(
            &filter.reach,
            PathColumns {
                subdistrict: Some(role_grant::Column::SubdistrictId),
                community: Some(role_grant::Column::CommunityId),
                grid: Some(role_grant::Column::GridId),
                building: Some(role_grant::Column::BuildingId),
            },
        ));
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
