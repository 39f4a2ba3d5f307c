//! The grid structure's storage.

use anyhow::Context;
use linli_grid::error::WriteError;
use linli_grid::ports::{GridWithBuildings, ListFilter, NameKind, StructureRepository};
use linli_grid::{
    BranchKind, Building, Community, CoverageStats, Grid, GridKind, GridTeam, Households, PartyBranch,
    PlaceName, Stairwell, Subdistrict,
};
use linli_kernel::actor::Reach;
use linli_kernel::{
    BuildingId, CommunityId, DomainEvent, GridId, Page, PageRequest, PartyBranchId, Role, RoleGrant, Scope,
    ScopePath, StairwellId, SubdistrictId, UserId,
};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::entity::{
    building, community, grid, party_branch, party_branch_grid, role_grant, stairwell, subdistrict, user,
};
use super::grants::{insert_grants, to_grant};
use super::query::{PathColumns, keyset_page, reach_condition};
use super::{Database, is_unique_violation, outbox};

/// Rows per multi-row INSERT: SQLite caps the bound values of one statement.
const INSERT_CHUNK: usize = 400;

fn name(raw: &str) -> anyhow::Result<PlaceName> {
    PlaceName::parse("name", raw).with_context(|| format!("stored name `{raw}` is malformed"))
}

fn to_subdistrict(m: subdistrict::Model) -> anyhow::Result<Subdistrict> {
    Ok(Subdistrict {
        id: m.id.into(),
        name: name(&m.name)?,
        created_at: m.created_at,
    })
}

fn to_community(m: community::Model) -> anyhow::Result<Community> {
    Ok(Community {
        id: m.id.into(),
        subdistrict_id: m.subdistrict_id.into(),
        name: name(&m.name)?,
        created_at: m.created_at,
    })
}

fn to_grid(m: grid::Model) -> anyhow::Result<Grid> {
    Ok(Grid {
        id: m.id.into(),
        community_id: m.community_id.into(),
        subdistrict_id: m.subdistrict_id.into(),
        name: name(&m.name)?,
        kind: m.kind.parse::<GridKind>()?,
        households: Households::new(i64::from(m.households))?,
        created_at: m.created_at,
    })
}

fn to_building(m: building::Model, stairwells: &[stairwell::Model]) -> anyhow::Result<Building> {
    Ok(Building {
        id: m.id.into(),
        grid_id: m.grid_id.into(),
        community_id: m.community_id.into(),
        subdistrict_id: m.subdistrict_id.into(),
        name: name(&m.name)?,
        stairwells: stairwells
            .iter()
            .filter(|s| s.building_id == m.id)
            .map(|s| {
                Ok(Stairwell {
                    id: StairwellId::from_uuid(s.id),
                    building_id: m.id.into(),
                    name: name(&s.name)?,
                    civilized: s.civilized,
                })
            })
            .collect::<anyhow::Result<_>>()?,
        created_at: m.created_at,
    })
}

fn to_branch(m: party_branch::Model, members: &[party_branch_grid::Model]) -> anyhow::Result<PartyBranch> {
    let mut grid_ids: Vec<GridId> = members
        .iter()
        .filter(|g| g.branch_id == m.id)
        .map(|g| GridId::from_uuid(g.grid_id))
        .collect();
    grid_ids.sort();
    Ok(PartyBranch {
        id: m.id.into(),
        community_id: m.community_id.into(),
        subdistrict_id: m.subdistrict_id.into(),
        name: name(&m.name)?,
        kind: m.kind.parse::<BranchKind>()?,
        grid_ids,
        created_at: m.created_at,
    })
}

pub(crate) fn subdistrict_row(s: &Subdistrict) -> subdistrict::ActiveModel {
    subdistrict::ActiveModel {
        id: Set(s.id.as_uuid()),
        name: Set(s.name.as_str().to_owned()),
        created_at: Set(s.created_at),
    }
}

pub(crate) fn community_row(c: &Community) -> community::ActiveModel {
    community::ActiveModel {
        id: Set(c.id.as_uuid()),
        subdistrict_id: Set(c.subdistrict_id.as_uuid()),
        name: Set(c.name.as_str().to_owned()),
        created_at: Set(c.created_at),
    }
}

pub(crate) fn branch_row(b: &PartyBranch) -> party_branch::ActiveModel {
    party_branch::ActiveModel {
        id: Set(b.id.as_uuid()),
        subdistrict_id: Set(b.subdistrict_id.as_uuid()),
        community_id: Set(b.community_id.as_uuid()),
        name: Set(b.name.as_str().to_owned()),
        kind: Set(b.kind.as_str().to_owned()),
        created_at: Set(b.created_at),
    }
}

pub(crate) fn branch_grid_rows(b: &PartyBranch) -> impl Iterator<Item = party_branch_grid::ActiveModel> + '_ {
    b.grid_ids.iter().map(move |g| party_branch_grid::ActiveModel {
        grid_id: Set(g.as_uuid()),
        branch_id: Set(b.id.as_uuid()),
    })
}

pub(crate) fn grid_row(g: &Grid) -> grid::ActiveModel {
    grid::ActiveModel {
        id: Set(g.id.as_uuid()),
        subdistrict_id: Set(g.subdistrict_id.as_uuid()),
        community_id: Set(g.community_id.as_uuid()),
        name: Set(g.name.as_str().to_owned()),
        kind: Set(g.kind.as_str().to_owned()),
        households: Set(i32::try_from(g.households.get()).unwrap_or(i32::MAX)),
        created_at: Set(g.created_at),
    }
}

pub(crate) fn building_row(b: &Building) -> building::ActiveModel {
    building::ActiveModel {
        id: Set(b.id.as_uuid()),
        subdistrict_id: Set(b.subdistrict_id.as_uuid()),
        community_id: Set(b.community_id.as_uuid()),
        grid_id: Set(b.grid_id.as_uuid()),
        name: Set(b.name.as_str().to_owned()),
        created_at: Set(b.created_at),
    }
}

pub(crate) fn stairwell_rows(b: &Building) -> impl Iterator<Item = stairwell::ActiveModel> + '_ {
    b.stairwells.iter().map(move |s| stairwell::ActiveModel {
        id: Set(s.id.as_uuid()),
        building_id: Set(b.id.as_uuid()),
        name: Set(s.name.as_str().to_owned()),
        civilized: Set(s.civilized),
        created_at: Set(b.created_at),
    })
}

/// Inserts rows in chunks small enough for SQLite's limit on bound values.
pub(crate) async fn insert_chunked<E, A>(db: &impl ConnectionTrait, rows: Vec<A>) -> Result<(), DbErr>
where
    E: EntityTrait,
    A: sea_orm::ActiveModelTrait<Entity = E>,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(INSERT_CHUNK).collect();
        E::insert_many(chunk).exec_without_returning(db).await?;
    }
    Ok(())
}

fn write_error(e: DbErr, taken: &str) -> WriteError {
    if is_unique_violation(&e) {
        WriteError::NameTaken(taken.to_owned())
    } else {
        WriteError::Storage(e.into())
    }
}

fn grid_columns() -> PathColumns<grid::Column> {
    PathColumns {
        subdistrict: Some(grid::Column::SubdistrictId),
        community: Some(grid::Column::CommunityId),
        grid: Some(grid::Column::Id),
        building: None,
    }
}

/// The grants that make up a grid's team.
fn team_condition(grid_id: GridId) -> Condition {
    Condition::any()
        .add(
            Condition::all()
                .add(role_grant::Column::ScopeKey.eq(Scope::Grid(grid_id).to_string()))
                .add(role_grant::Column::Role.is_in([Role::GridLeader.as_str(), Role::GridWorker.as_str()])),
        )
        .add(
            Condition::all()
                .add(role_grant::Column::GridId.eq(grid_id.as_uuid()))
                .add(role_grant::Column::Role.eq(Role::StairwellLeader.as_str())),
        )
}

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

    async fn members_of(&self, branches: &[Uuid]) -> Result<Vec<party_branch_grid::Model>, DbErr> {
        if branches.is_empty() {
            return Ok(Vec::new());
        }
        party_branch_grid::Entity::find()
            .filter(party_branch_grid::Column::BranchId.is_in(branches.to_vec()))
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

impl StructureRepository for Database {
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

    async fn import_grids(
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
            outbox::record(&txn, events).await?;
            self.commit_with_events(txn).await
        }
        .await;
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

    async fn find_team(&self, grid_id: GridId) -> anyhow::Result<GridTeam> {
        let rows = role_grant::Entity::find()
            .filter(team_condition(grid_id))
            .order_by_asc(role_grant::Column::Id)
            .all(&self.conn)
            .await?;
        let mut team = GridTeam::default();
        for row in &rows {
            let grant = to_grant(row)?;
            match (grant.role(), grant.scope()) {
                (Role::GridLeader, _) => team.leader = Some(grant.user_id()),
                (Role::GridWorker, _) => team.workers.push(grant.user_id()),
                (Role::StairwellLeader, Scope::Building(b)) => {
                    team.stairwell_leaders.push((b, grant.user_id()))
                }
                _ => {}
            }
        }
        Ok(team)
    }

    async fn replace_team(
        &self,
        g: &Grid,
        team: &GridTeam,
        by: UserId,
        events: &[DomainEvent],
    ) -> anyhow::Result<()> {
        let now = events.first().map_or_else(chrono::Utc::now, |e| e.occurred_at);
        let grid_path = g.path();
        let mut grants: Vec<(RoleGrant, ScopePath)> = Vec::new();
        if let Some(leader) = team.leader {
            grants.push((
                RoleGrant::new(leader, Role::GridLeader, Scope::Grid(g.id), Some(by), now)?,
                grid_path,
            ));
        }
        for worker in &team.workers {
            grants.push((
                RoleGrant::new(*worker, Role::GridWorker, Scope::Grid(g.id), Some(by), now)?,
                grid_path,
            ));
        }
        for (building, person) in &team.stairwell_leaders {
            let path = ScopePath::building(g.subdistrict_id, g.community_id, g.id, *building);
            grants.push((
                RoleGrant::new(
                    *person,
                    Role::StairwellLeader,
                    Scope::Building(*building),
                    Some(by),
                    now,
                )?,
                path,
            ));
        }
        let txn = self.begin_write().await?;
        // Two team changes of one grid take turns: on PostgreSQL the grid row's lock orders
        // them (otherwise each would delete only the rows it can see and both teams would
        // survive, merged); SQLite's write transactions take turns anyway.
        grid::Entity::find_by_id(g.id.as_uuid())
            .lock_exclusive()
            .one(&txn)
            .await?;
        role_grant::Entity::delete_many()
            .filter(team_condition(g.id))
            .exec(&txn)
            .await?;
        insert_grants(&txn, &grants).await?;
        outbox::record(&txn, events).await?;
        self.commit_with_events(txn).await?;
        Ok(())
    }

    async fn existing_users(&self, ids: &[UserId]) -> anyhow::Result<Vec<UserId>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let found: Vec<Uuid> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(user::Column::Id.is_in(ids.iter().map(|i| i.as_uuid())))
            .into_tuple()
            .all(&self.conn)
            .await?;
        Ok(found.into_iter().map(UserId::from_uuid).collect())
    }

    async fn insert_branch(&self, b: &PartyBranch, event: &DomainEvent) -> Result<(), WriteError> {
        let result = async {
            let txn = self.begin_write().await?;
            party_branch::Entity::insert(branch_row(b))
                .exec_without_returning(&txn)
                .await?;
            insert_chunked(&txn, branch_grid_rows(b).collect()).await?;
            outbox::record(&txn, std::slice::from_ref(event)).await?;
            self.commit_with_events(txn).await
        }
        .await;
        match result {
            Ok(()) => Ok(()),
            Err(e) if is_unique_violation(&e) => {
                // Either the name or a grid was taken by a concurrent write; tell which.
                match self.branches_holding(&b.grid_ids).await?.first() {
                    Some((grid, _)) => Err(WriteError::GridAlreadyInBranch(*grid)),
                    None => Err(WriteError::NameTaken(b.name.as_str().to_owned())),
                }
            }
            Err(e) => Err(WriteError::Storage(e.into())),
        }
    }

    async fn delete_branch(&self, id: PartyBranchId, event: &DomainEvent) -> anyhow::Result<bool> {
        let txn = self.begin_write().await?;
        party_branch_grid::Entity::delete_many()
            .filter(party_branch_grid::Column::BranchId.eq(id.as_uuid()))
            .exec(&txn)
            .await?;
        let deleted = party_branch::Entity::delete_by_id(id.as_uuid())
            .exec(&txn)
            .await?;
        if deleted.rows_affected == 0 {
            return Ok(false);
        }
        outbox::record(&txn, std::slice::from_ref(event)).await?;
        self.commit_with_events(txn).await?;
        Ok(true)
    }

    async fn find_branch(&self, id: PartyBranchId) -> anyhow::Result<Option<PartyBranch>> {
        let Some(row) = party_branch::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await?
        else {
            return Ok(None);
        };
        let members = self.members_of(&[row.id]).await?;
        to_branch(row, &members).map(Some)
    }

    async fn list_branches(
        &self,
        filter: &ListFilter,
        page: PageRequest,
    ) -> anyhow::Result<Page<PartyBranch>> {
        let mut visible = Condition::any().add(reach_condition(
            &filter.reach,
            PathColumns {
                subdistrict: Some(party_branch::Column::SubdistrictId),
                community: Some(party_branch::Column::CommunityId),
                grid: None,
                building: None,
            },
        ));
        if !filter.reach.grids.is_empty() {
            // Grid staff see the branch that covers their grid.
            visible = visible.add(
                party_branch::Column::Id.in_subquery(
                    Query::select()
                        .column(party_branch_grid::Column::BranchId)
                        .from(party_branch_grid::Entity)
                        .and_where(
                            party_branch_grid::Column::GridId
                                .is_in(filter.reach.grids.iter().map(|g| g.as_uuid())),
                        )
                        .to_owned(),
                ),
            );
        }
        let mut select = party_branch::Entity::find().filter(visible);
        if let Some(id) = filter.community_id {
            select = select.filter(party_branch::Column::CommunityId.eq(id.as_uuid()));
        }
        if let Some(kind) = filter.branch_kind {
            select = select.filter(party_branch::Column::Kind.eq(kind.as_str()));
        }
        let page = keyset_page(&self.conn, select, party_branch::Column::Id, page, |m| m.id).await?;
        let ids: Vec<Uuid> = page.items.iter().map(|b| b.id).collect();
        let members = self.members_of(&ids).await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|b| to_branch(b, &members))
                .collect::<anyhow::Result<_>>()?,
            next_after: page.next_after,
        })
    }

    async fn branches_holding(&self, grids: &[GridId]) -> anyhow::Result<Vec<(GridId, PartyBranchId)>> {
        if grids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(party_branch_grid::Entity::find()
            .filter(party_branch_grid::Column::GridId.is_in(grids.iter().map(|g| g.as_uuid())))
            .all(&self.conn)
            .await?
            .into_iter()
            .map(|m| {
                (
                    GridId::from_uuid(m.grid_id),
                    PartyBranchId::from_uuid(m.branch_id),
                )
            })
            .collect())
    }

    async fn coverage(&self, reach: &Reach) -> anyhow::Result<CoverageStats> {
        let db = &self.conn;
        let in_reach = reach_condition(reach, grid_columns());
        let by_kind: Vec<(String, i64)> = grid::Entity::find()
            .select_only()
            .column(grid::Column::Kind)
            .column_as(grid::Column::Id.count(), "n")
            .filter(in_reach.clone())
            .group_by(grid::Column::Kind)
            .into_tuple()
            .all(db)
            .await?;
        let count_of = |kind: GridKind| -> u64 {
            by_kind
                .iter()
                .find(|(k, _)| k == kind.as_str())
                .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0))
        };
        let grids_in_branches = |branch_kind: Option<BranchKind>| {
            let mut members = Query::select();
            members
                .column(party_branch_grid::Column::GridId)
                .from(party_branch_grid::Entity);
            if let Some(kind) = branch_kind {
                members.and_where(
                    party_branch_grid::Column::BranchId.in_subquery(
                        Query::select()
                            .column(party_branch::Column::Id)
                            .from(party_branch::Entity)
                            .and_where(party_branch::Column::Kind.eq(kind.as_str()))
                            .to_owned(),
                    ),
                );
            }
            grid::Entity::find()
                .filter(in_reach.clone())
                .filter(grid::Column::Kind.eq(GridKind::Residential.as_str()))
                .filter(grid::Column::Id.in_subquery(members.to_owned()))
        };
        let covered = grids_in_branches(None).count(db).await?;
        let in_joint = grids_in_branches(Some(BranchKind::Joint)).count(db).await?;

        let grids_in_reach = Query::select()
            .column(grid::Column::Id)
            .from(grid::Entity)
            .cond_where(in_reach.clone())
            .to_owned();
        let branches_by_kind: Vec<(String, i64)> = party_branch::Entity::find()
            .select_only()
            .column(party_branch::Column::Kind)
            .column_as(party_branch::Column::Id.count(), "n")
            .filter(
                party_branch::Column::Id.in_subquery(
                    Query::select()
                        .column(party_branch_grid::Column::BranchId)
                        .from(party_branch_grid::Entity)
                        .and_where(party_branch_grid::Column::GridId.in_subquery(grids_in_reach))
                        .to_owned(),
                ),
            )
            .group_by(party_branch::Column::Kind)
            .into_tuple()
            .all(db)
            .await?;
        let branches_of = |kind: BranchKind| -> u64 {
            branches_by_kind
                .iter()
                .find(|(k, _)| k == kind.as_str())
                .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0))
        };
        let subdistricts = subdistrict::Entity::find()
            .filter(reach_condition(
                reach,
                PathColumns {
                    subdistrict: Some(subdistrict::Column::Id),
                    community: None,
                    grid: None,
                    building: None,
                },
            ))
            .count(db)
            .await?;
        let communities = community::Entity::find()
            .filter(reach_condition(
                reach,
                PathColumns {
                    subdistrict: Some(community::Column::SubdistrictId),
                    community: Some(community::Column::Id),
                    grid: None,
                    building: None,
                },
            ))
            .count(db)
            .await?;
        let (residential, reserved, dedicated) = (
            count_of(GridKind::Residential),
            count_of(GridKind::Reserved),
            count_of(GridKind::Dedicated),
        );
        Ok(CoverageStats {
            subdistricts,
            communities,
            grids: residential + reserved + dedicated,
            residential_grids: residential,
            reserved_grids: reserved,
            dedicated_grids: dedicated,
            covered_residential_grids: covered,
            independent_branches: branches_of(BranchKind::Independent),
            joint_branches: branches_of(BranchKind::Joint),
            residential_grids_in_joint_branches: in_joint,
        })
    }
}
