//! The places of the tree: subdistricts, communities, grids, buildings and stairwells.

use linli_grid::error::WriteError;
use linli_grid::ports::{GridWithBuildings, ListFilter, NameKind, PlaceRepository};
use linli_grid::{Building, Community, Grid, Subdistrict};
use linli_kernel::{BuildingId, CommunityId, DomainEvent, GridId, Page, PageRequest, SubdistrictId};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::constraints::write_error;
use super::entity::{building, community, grid, stairwell, subdistrict};
use super::rows::*;
use crate::db::query::{PathColumns, keyset_page, reach_condition};
use crate::db::{Database, insert_chunked, outbox};

impl Database {
    async fn stairwells_of(&self, buildings: &[Uuid]) -> Result<Vec<stairwell::Model>, DbErr> {
        if buildings.is_empty() {
            return Ok(Vec::new());
        }
        stairwell::Entity::find()
            .filter(stairwell::Column::BuildingId.is_in(buildings.to_vec()))
            .order_by_asc(stairwell::Column::Id)
            .all(&self.conn)
            .await
    }

    async fn write_one<A>(
        &self,
        row: A,
        event: &DomainEvent,
        taken: &str,
        update: bool,
    ) -> Result<(), WriteError>
    where
        A: sea_orm::ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
        <A::Entity as EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
    {
        let result = async {
            let txn = self.begin_write().await?;
            if update {
                row.update(&txn).await?;
            } else {
                <A::Entity as EntityTrait>::insert(row)
                    .exec_without_returning(&txn)
                    .await?;
            }
            outbox::record(&txn, std::slice::from_ref(event)).await?;
            self.commit_with_events(txn).await
        }
        .await;
        result.map_err(|e| write_error(e, taken))
    }
}

impl PlaceRepository for Database {
    async fn insert_subdistrict(&self, s: &Subdistrict, event: &DomainEvent) -> Result<(), WriteError> {
        self.write_one(subdistrict_row(s), event, s.name.as_str(), false)
            .await
    }

    async fn update_subdistrict(&self, s: &Subdistrict, event: &DomainEvent) -> Result<(), WriteError> {
        self.write_one(subdistrict_row(s), event, s.name.as_str(), true)
            .await
    }

    async fn find_subdistrict(&self, id: SubdistrictId) -> anyhow::Result<Option<Subdistrict>> {
        subdistrict::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await?
            .map(to_subdistrict)
            .transpose()
    }

    async fn list_subdistricts(
        &self,
        filter: &ListFilter,
        page: PageRequest,
    ) -> anyhow::Result<Page<Subdistrict>> {
        let select = subdistrict::Entity::find().filter(reach_condition(
            &filter.reach,
            PathColumns {
                subdistrict: Some(subdistrict::Column::Id),
                community: None,
                grid: None,
                building: None,
                side: None,
            },
        ));
        let page = keyset_page(&self.conn, select, subdistrict::Column::Id, page, |m| m.id).await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(to_subdistrict)
                .collect::<anyhow::Result<_>>()?,
            next_after: page.next_after,
        })
    }

    async fn subdistricts_named(&self, names: &[String]) -> anyhow::Result<Vec<Subdistrict>> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        subdistrict::Entity::find()
            .filter(subdistrict::Column::Name.is_in(names.to_vec()))
            .all(&self.conn)
            .await?
            .into_iter()
            .map(to_subdistrict)
            .collect()
    }

    async fn insert_community(&self, c: &Community, event: &DomainEvent) -> Result<(), WriteError> {
        self.write_one(community_row(c), event, c.name.as_str(), false)
            .await
    }

    async fn update_community(&self, c: &Community, event: &DomainEvent) -> Result<(), WriteError> {
        self.write_one(community_row(c), event, c.name.as_str(), true)
            .await
    }

    async fn find_community(&self, id: CommunityId) -> anyhow::Result<Option<Community>> {
        community::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await?
            .map(to_community)
            .transpose()
    }

    async fn list_communities(
        &self,
        filter: &ListFilter,
        page: PageRequest,
    ) -> anyhow::Result<Page<Community>> {
        let mut select = community::Entity::find().filter(reach_condition(
            &filter.reach,
            PathColumns {
                subdistrict: Some(community::Column::SubdistrictId),
                community: Some(community::Column::Id),
                grid: None,
                building: None,
                side: None,
            },
        ));
        if let Some(id) = filter.subdistrict_id {
            select = select.filter(community::Column::SubdistrictId.eq(id.as_uuid()));
        }
        let page = keyset_page(&self.conn, select, community::Column::Id, page, |m| m.id).await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(to_community)
                .collect::<anyhow::Result<_>>()?,
            next_after: page.next_after,
        })
    }

    async fn communities_named(&self, names: &[String]) -> anyhow::Result<Vec<Community>> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        community::Entity::find()
            .filter(community::Column::Name.is_in(names.to_vec()))
            .all(&self.conn)
            .await?
            .into_iter()
            .map(to_community)
            .collect()
    }

    async fn insert_grid(&self, g: &Grid, event: &DomainEvent) -> Result<(), WriteError> {
        self.write_one(grid_row(g), event, g.name.as_str(), false).await
    }

    async fn update_grid(&self, g: &Grid, event: &DomainEvent) -> Result<(), WriteError> {
        self.write_one(grid_row(g), event, g.name.as_str(), true).await
    }

    async fn find_grid(&self, id: GridId) -> anyhow::Result<Option<Grid>> {
        grid::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await?
            .map(to_grid)
            .transpose()
    }

    async fn find_grids(&self, ids: &[GridId]) -> anyhow::Result<Vec<Grid>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        grid::Entity::find()
            .filter(grid::Column::Id.is_in(ids.iter().map(|i| i.as_uuid())))
            .all(&self.conn)
            .await?
            .into_iter()
            .map(to_grid)
            .collect()
    }

    async fn list_grids(&self, filter: &ListFilter, page: PageRequest) -> anyhow::Result<Page<Grid>> {
        let mut select = grid::Entity::find().filter(reach_condition(&filter.reach, grid_columns()));
        if let Some(id) = filter.subdistrict_id {
            select = select.filter(grid::Column::SubdistrictId.eq(id.as_uuid()));
        }
        if let Some(id) = filter.community_id {
            select = select.filter(grid::Column::CommunityId.eq(id.as_uuid()));
        }
        if let Some(kind) = filter.kind {
            select = select.filter(grid::Column::Kind.eq(kind.as_str()));
        }
        let page = keyset_page(&self.conn, select, grid::Column::Id, page, |m| m.id).await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(to_grid)
                .collect::<anyhow::Result<_>>()?,
            next_after: page.next_after,
        })
    }

    async fn names_in_communities(
        &self,
        ids: &[CommunityId],
    ) -> anyhow::Result<Vec<(CommunityId, NameKind, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let uuids: Vec<Uuid> = ids.iter().map(|i| i.as_uuid()).collect();
        let grids: Vec<(Uuid, String)> = grid::Entity::find()
            .select_only()
            .column(grid::Column::CommunityId)
            .column(grid::Column::Name)
            .filter(grid::Column::CommunityId.is_in(uuids.clone()))
            .into_tuple()
            .all(&self.conn)
            .await?;
        let buildings: Vec<(Uuid, String)> = building::Entity::find()
            .select_only()
            .column(building::Column::CommunityId)
            .column(building::Column::Name)
            .filter(building::Column::CommunityId.is_in(uuids))
            .into_tuple()
            .all(&self.conn)
            .await?;
        Ok(grids
            .into_iter()
            .map(|(c, n)| (CommunityId::from_uuid(c), NameKind::Grid, n))
            .chain(
                buildings
                    .into_iter()
                    .map(|(c, n)| (CommunityId::from_uuid(c), NameKind::Building, n)),
            )
            .collect())
    }

    async fn insert_grids(
        &self,
        grids: &[GridWithBuildings],
        events: &[DomainEvent],
    ) -> Result<(), WriteError> {
        let result = async {
            let txn = self.begin_write().await?;
            insert_chunked(&txn, grids.iter().map(|g| grid_row(&g.grid)).collect()).await?;
            insert_chunked(
                &txn,
                grids
                    .iter()
                    .flat_map(|g| g.buildings.iter().map(building_row))
                    .collect(),
            )
            .await?;
            insert_chunked(
                &txn,
                grids
                    .iter()
                    .flat_map(|g| g.buildings.iter().flat_map(stairwell_rows))
                    .collect(),
            )
            .await?;
            outbox::record(&txn, events).await?;
            self.commit_with_events(txn).await
        }
        .await;
        // Only a concurrent write can break a rule here: the service checked the file.
        result.map_err(|e| write_error(e, "a grid or building of the file"))
    }

    async fn insert_building(&self, b: &Building, event: &DomainEvent) -> Result<(), WriteError> {
        let result = async {
            let txn = self.begin_write().await?;
            building::Entity::insert(building_row(b))
                .exec_without_returning(&txn)
                .await?;
            insert_chunked(&txn, stairwell_rows(b).collect()).await?;
            outbox::record(&txn, std::slice::from_ref(event)).await?;
            self.commit_with_events(txn).await
        }
        .await;
        result.map_err(|e| write_error(e, b.name.as_str()))
    }

    async fn update_building(&self, b: &Building, event: &DomainEvent) -> Result<(), WriteError> {
        self.write_one(building_row(b), event, b.name.as_str(), true)
            .await
    }

    async fn find_building(&self, id: BuildingId) -> anyhow::Result<Option<Building>> {
        let Some(row) = building::Entity::find_by_id(id.as_uuid()).one(&self.conn).await? else {
            return Ok(None);
        };
        let stairwells = self.stairwells_of(&[row.id]).await?;
        to_building(row, &stairwells).map(Some)
    }

    async fn buildings_of_grid(
        &self,
        grid_id: GridId,
        among: &[BuildingId],
    ) -> anyhow::Result<Vec<BuildingId>> {
        if among.is_empty() {
            return Ok(Vec::new());
        }
        let found: Vec<Uuid> = building::Entity::find()
            .select_only()
            .column(building::Column::Id)
            .filter(building::Column::GridId.eq(grid_id.as_uuid()))
            .filter(building::Column::Id.is_in(among.iter().map(|b| b.as_uuid())))
            .into_tuple()
            .all(&self.conn)
            .await?;
        Ok(found.into_iter().map(BuildingId::from_uuid).collect())
    }

    async fn list_buildings(&self, filter: &ListFilter, page: PageRequest) -> anyhow::Result<Page<Building>> {
        let mut select = building::Entity::find().filter(reach_condition(
            &filter.reach,
            PathColumns {
                subdistrict: Some(building::Column::SubdistrictId),
                community: Some(building::Column::CommunityId),
                grid: Some(building::Column::GridId),
                building: Some(building::Column::Id),
                side: None,
            },
        ));
        if let Some(id) = filter.grid_id {
            select = select.filter(building::Column::GridId.eq(id.as_uuid()));
        }
        if let Some(id) = filter.community_id {
            select = select.filter(building::Column::CommunityId.eq(id.as_uuid()));
        }
        let page = keyset_page(&self.conn, select, building::Column::Id, page, |m| m.id).await?;
        let ids: Vec<Uuid> = page.items.iter().map(|b| b.id).collect();
        let stairwells = self.stairwells_of(&ids).await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|b| to_building(b, &stairwells))
                .collect::<anyhow::Result<_>>()?,
            next_after: page.next_after,
        })
    }
}
