//! The scope directory other contexts use to place a scope in the tree and name it.

use linli_kernel::ports::{ScopeDirectory, ScopeNode};
use linli_kernel::{Scope, ScopePath};
use sea_orm::EntityTrait;

use super::Database;
use super::entity::{building, community, grid, subdistrict};

impl ScopeDirectory for Database {
    async fn describe(&self, scope: Scope) -> anyhow::Result<Option<ScopeNode>> {
        let db = &self.conn;
        let node = |path: ScopePath, names: Vec<String>| {
            let name = names.last().cloned().unwrap_or_default();
            Some(ScopeNode {
                scope,
                path,
                name,
                full_name: names.join(" / "),
            })
        };
        Ok(match scope {
            Scope::District => {
                let name = self.district_name().await?;
                node(ScopePath::district(), vec![name])
            }
            Scope::Subdistrict(id) => match subdistrict::Entity::find_by_id(id.as_uuid()).one(db).await? {
                None => None,
                Some(s) => node(ScopePath::subdistrict(id), vec![s.name]),
            },
            Scope::Community(id) => {
                let Some(c) = community::Entity::find_by_id(id.as_uuid()).one(db).await? else {
                    return Ok(None);
                };
                let s = subdistrict::Entity::find_by_id(c.subdistrict_id).one(db).await?;
                node(
                    ScopePath::community(c.subdistrict_id.into(), id),
                    s.map(|s| s.name).into_iter().chain([c.name]).collect(),
                )
            }
            Scope::Grid(id) => {
                let Some(g) = grid::Entity::find_by_id(id.as_uuid()).one(db).await? else {
                    return Ok(None);
                };
                let s = subdistrict::Entity::find_by_id(g.subdistrict_id).one(db).await?;
                let c = community::Entity::find_by_id(g.community_id).one(db).await?;
                node(
                    ScopePath::grid(g.subdistrict_id.into(), g.community_id.into(), id),
                    s.map(|s| s.name)
                        .into_iter()
                        .chain(c.map(|c| c.name))
                        .chain([g.name])
                        .collect(),
                )
            }
            Scope::Building(id) => {
                let Some(b) = building::Entity::find_by_id(id.as_uuid()).one(db).await? else {
                    return Ok(None);
                };
                let s = subdistrict::Entity::find_by_id(b.subdistrict_id).one(db).await?;
                let c = community::Entity::find_by_id(b.community_id).one(db).await?;
                let g = grid::Entity::find_by_id(b.grid_id).one(db).await?;
                node(
                    ScopePath::building(
                        b.subdistrict_id.into(),
                        b.community_id.into(),
                        b.grid_id.into(),
                        id,
                    ),
                    s.map(|s| s.name)
                        .into_iter()
                        .chain(c.map(|c| c.name))
                        .chain(g.map(|g| g.name))
                        .chain([b.name])
                        .collect(),
                )
            }
            // Units and teams come with their own contexts.
            Scope::Unit(_) | Scope::Team(_) => None,
        })
    }
}
