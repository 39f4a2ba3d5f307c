//! Bulk loading of a whole district in one transaction (`linli demo`). The rows are built
//! from domain values, which are valid by construction.

use linli_grid::{Building, Community, Grid, PartyBranch, Subdistrict};
use linli_identity::User;
use std::collections::{HashMap, HashSet};

use linli_kernel::{RoleGrant, ScopePath, UserId};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::Database;
use super::entity::{role_grant, subdistrict, user};
use super::grants::grant_row;
use super::structure::{
    branch_grid_rows, branch_row, building_row, community_row, grid_row, insert_chunked, stairwell_rows,
    subdistrict_row,
};

#[derive(Debug, Clone, Default)]
pub struct Seed {
    pub subdistricts: Vec<Subdistrict>,
    pub communities: Vec<Community>,
    pub grids: Vec<Grid>,
    pub buildings: Vec<Building>,
    pub branches: Vec<PartyBranch>,
    pub users: Vec<User>,
    pub grants: Vec<(RoleGrant, ScopePath)>,
}

impl Database {
    /// Loads the seed unless a subdistrict of the same name as its first one exists (then it
    /// was loaded before): returns whether it loaded. All or nothing.
    pub async fn load_seed(&self, seed: &Seed) -> anyhow::Result<bool> {
        let Some(marker) = seed.subdistricts.first() else {
            return Ok(false);
        };
        let txn = self.begin_write().await?;
        let loaded_before = subdistrict::Entity::find()
            .filter(subdistrict::Column::Name.eq(marker.name.as_str()))
            .one(&txn)
            .await?
            .is_some();
        if loaded_before {
            return Ok(false);
        }
        insert_chunked(&txn, seed.subdistricts.iter().map(subdistrict_row).collect()).await?;
        insert_chunked(&txn, seed.communities.iter().map(community_row).collect()).await?;
        insert_chunked(&txn, seed.grids.iter().map(grid_row).collect()).await?;
        insert_chunked(&txn, seed.buildings.iter().map(building_row).collect()).await?;
        insert_chunked(&txn, seed.buildings.iter().flat_map(stairwell_rows).collect()).await?;
        insert_chunked(&txn, seed.branches.iter().map(branch_row).collect()).await?;
        insert_chunked(&txn, seed.branches.iter().flat_map(branch_grid_rows).collect()).await?;
        // People who already logged in keep their row (and id); the seed names them by openid.
        let mut existing_ids: HashMap<UserId, UserId> = HashMap::new();
        for chunk in seed.users.chunks(200) {
            let openids: Vec<&str> = chunk.iter().map(|u| u.openid.as_str()).collect();
            let existing = user::Entity::find()
                .filter(user::Column::Openid.is_in(openids))
                .all(&txn)
                .await?;
            for row in &existing {
                if let Some(seeded) = chunk.iter().find(|u| u.openid.as_str() == row.openid) {
                    existing_ids.insert(seeded.id, UserId::from_uuid(row.id));
                }
            }
            let fresh: Vec<user::ActiveModel> = chunk
                .iter()
                .filter(|u| !existing_ids.contains_key(&u.id))
                .map(|u| user::ActiveModel {
                    id: Set(u.id.as_uuid()),
                    openid: Set(u.openid.as_str().to_owned()),
                    unionid: Set(None),
                    nickname: Set(u.nickname.as_ref().map(|n| n.as_str().to_owned())),
                    real_name: Set(u.real_name.as_ref().map(|n| n.as_str().to_owned())),
                    phone: Set(u.phone.as_ref().map(|n| n.as_str().to_owned())),
                    residence_building_id: Set(u.residence.map(|b| b.as_uuid())),
                    created_at: Set(u.created_at),
                    updated_at: Set(u.updated_at),
                })
                .collect();
            insert_chunked(&txn, fresh).await?;
        }
        // Grants someone already holds (a bootstrap admin, say) are kept, not doubled.
        let holders: Vec<uuid::Uuid> = existing_ids.values().map(|id| id.as_uuid()).collect();
        let mut held: HashSet<(uuid::Uuid, String, String)> = HashSet::new();
        for chunk in holders.chunks(200) {
            for row in role_grant::Entity::find()
                .filter(role_grant::Column::UserId.is_in(chunk.to_vec()))
                .all(&txn)
                .await?
            {
                held.insert((row.user_id, row.role, row.scope_key));
            }
        }
        let grants: Vec<_> = seed
            .grants
            .iter()
            .map(|(g, p)| {
                let holder = existing_ids.get(&g.user_id()).copied().unwrap_or(g.user_id());
                (
                    RoleGrant::restore(
                        g.id(),
                        holder,
                        g.role(),
                        g.scope(),
                        g.granted_by(),
                        g.granted_at(),
                    ),
                    p,
                )
            })
            .filter(|(g, _)| {
                !held.contains(&(
                    g.user_id().as_uuid(),
                    g.role().as_str().to_owned(),
                    g.scope().to_string(),
                ))
            })
            .map(|(g, p)| grant_row(&g, p))
            .collect();
        insert_chunked(&txn, grants).await?;
        txn.commit().await?;
        Ok(true)
    }
}
