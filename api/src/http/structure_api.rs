//! Subdistricts, communities, grids and buildings.

use linli_grid::{GridChange, GridKind, NewGrid};
use linli_kernel::{BuildingId, CommunityId, GridId, SubdistrictId};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::csv::CsvUpload;
use super::dto::{Created, Timestamp, Warning};
use super::error::ApiResult;
use super::pagination::{list_of, page_request};
use super::security::BearerAuth;
use crate::state::AppState;

#[derive(Object, Debug)]
pub struct Named {
    pub name: String,
}

#[derive(Object, Debug)]
pub struct Subdistrict {
    pub id: Uuid,
    pub name: String,
    pub created_at: Timestamp,
}

impl From<linli_grid::Subdistrict> for Subdistrict {
    fn from(s: linli_grid::Subdistrict) -> Self {
        Self {
            id: s.id.as_uuid(),
            name: s.name.to_string(),
            created_at: s.created_at,
        }
    }
}

#[derive(Object, Debug)]
pub struct NewCommunity {
    pub subdistrict_id: Uuid,
    pub name: String,
}

#[derive(Object, Debug)]
pub struct Community {
    pub id: Uuid,
    pub subdistrict_id: Uuid,
    pub name: String,
    pub created_at: Timestamp,
}

impl From<linli_grid::Community> for Community {
    fn from(c: linli_grid::Community) -> Self {
        Self {
            id: c.id.as_uuid(),
            subdistrict_id: c.subdistrict_id.as_uuid(),
            name: c.name.to_string(),
            created_at: c.created_at,
        }
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum Kind {
    /// Where people live: 300–500 households.
    Residential,
    Reserved,
    /// A school, hospital, market, park…
    Dedicated,
}

impl From<Kind> for GridKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Residential => GridKind::Residential,
            Kind::Reserved => GridKind::Reserved,
            Kind::Dedicated => GridKind::Dedicated,
        }
    }
}

impl From<GridKind> for Kind {
    fn from(k: GridKind) -> Self {
        match k {
            GridKind::Residential => Kind::Residential,
            GridKind::Reserved => Kind::Reserved,
            GridKind::Dedicated => Kind::Dedicated,
        }
    }
}

#[derive(Object, Debug)]
pub struct NewGridRequest {
    pub community_id: Uuid,
    pub name: String,
    pub kind: Kind,
    pub households: i64,
}

#[derive(Object, Debug)]
pub struct GridPatch {
    pub name: Option<String>,
    pub kind: Option<Kind>,
    pub households: Option<i64>,
}

#[derive(Object, Debug)]
pub struct Grid {
    pub id: Uuid,
    pub subdistrict_id: Uuid,
    pub community_id: Uuid,
    pub name: String,
    pub kind: Kind,
    pub households: u32,
    pub created_at: Timestamp,
    /// E.g. `households_outside_norm` for a residential grid outside 300–500 households.
    #[oai(skip_serializing_if_is_empty)]
    pub warnings: Vec<Warning>,
}

impl From<linli_grid::Grid> for Grid {
    fn from(g: linli_grid::Grid) -> Self {
        Self::of(g, Vec::new())
    }
}

impl Grid {
    fn of(g: linli_grid::Grid, warnings: Vec<linli_grid::Warning>) -> Self {
        Self {
            id: g.id.as_uuid(),
            subdistrict_id: g.subdistrict_id.as_uuid(),
            community_id: g.community_id.as_uuid(),
            name: g.name.to_string(),
            kind: g.kind.into(),
            households: g.households.get(),
            created_at: g.created_at,
            warnings: warnings.into_iter().map(Warning::from).collect(),
        }
    }
}

#[derive(Object, Debug)]
pub struct NewBuilding {
    pub grid_id: Uuid,
    pub name: String,
    /// The names of its stairwells (entrances), e.g. `["1单元", "2单元"]`.
    #[oai(default)]
    pub stairwells: Vec<String>,
}

#[derive(Object, Debug)]
pub struct Stairwell {
    pub id: Uuid,
    pub name: String,
    pub civilized: bool,
}

#[derive(Object, Debug)]
pub struct Building {
    pub id: Uuid,
    pub subdistrict_id: Uuid,
    pub community_id: Uuid,
    pub grid_id: Uuid,
    pub name: String,
    pub stairwells: Vec<Stairwell>,
    pub created_at: Timestamp,
}

impl From<linli_grid::Building> for Building {
    fn from(b: linli_grid::Building) -> Self {
        Self {
            id: b.id.as_uuid(),
            subdistrict_id: b.subdistrict_id.as_uuid(),
            community_id: b.community_id.as_uuid(),
            grid_id: b.grid_id.as_uuid(),
            name: b.name.to_string(),
            stairwells: b
                .stairwells
                .into_iter()
                .map(|s| Stairwell {
                    id: s.id.as_uuid(),
                    name: s.name.to_string(),
                    civilized: s.civilized,
                })
                .collect(),
            created_at: b.created_at,
        }
    }
}

list_of!(SubdistrictList, Subdistrict);
list_of!(CommunityList, Community);
list_of!(GridList, Grid);
list_of!(BuildingList, Building);

#[derive(Object, Debug)]
pub struct LineWarning {
    pub line: u64,
    pub code: String,
    pub message: String,
}

#[derive(Object, Debug)]
pub struct ImportReport {
    pub grids: u64,
    pub buildings: u64,
    pub warnings: Vec<LineWarning>,
}

#[derive(Default)]
pub struct StructureApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Structure")]
impl StructureApi {
    /// Create a subdistrict
    ///
    /// District admins only. Codes: `forbidden`, `name_taken` (409), `validation_failed`.
    #[oai(path = "/subdistricts", method = "post", operation_id = "subdistricts_create")]
    async fn create_subdistrict(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<Named>,
    ) -> ApiResult<Created<Subdistrict>> {
        let created = state.structure.create_subdistrict(&auth.0, &body.name).await?;
        Ok(Created::Created(Json(created.into())))
    }

    /// Subdistricts inside your scope
    #[oai(path = "/subdistricts", method = "get", operation_id = "subdistricts_list")]
    async fn list_subdistricts(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        limit: Query<Option<u32>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<SubdistrictList>> {
        let page = state
            .structure
            .subdistricts(&auth.0, page_request(limit.0, cursor.0.as_deref())?)
            .await?;
        Ok(Json(SubdistrictList::from(page)))
    }

    /// A subdistrict
    ///
    /// Codes: `subdistrict_not_found` (404, also when outside your scope).
    #[oai(path = "/subdistricts/:id", method = "get", operation_id = "subdistricts_get")]
    async fn get_subdistrict(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<Subdistrict>> {
        Ok(Json(
            state
                .structure
                .subdistrict(&auth.0, SubdistrictId::from_uuid(id.0))
                .await?
                .into(),
        ))
    }

    /// Rename a subdistrict
    #[oai(
        path = "/subdistricts/:id",
        method = "patch",
        operation_id = "subdistricts_update"
    )]
    async fn rename_subdistrict(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<Named>,
    ) -> ApiResult<Json<Subdistrict>> {
        let renamed = state
            .structure
            .rename_subdistrict(&auth.0, SubdistrictId::from_uuid(id.0), &body.name)
            .await?;
        Ok(Json(renamed.into()))
    }

    /// Create a community
    ///
    /// Codes: `subdistrict_not_found`, `forbidden`, `name_taken` (community names are unique
    /// in the district).
    #[oai(path = "/communities", method = "post", operation_id = "communities_create")]
    async fn create_community(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<NewCommunity>,
    ) -> ApiResult<Created<Community>> {
        let created = state
            .structure
            .create_community(&auth.0, SubdistrictId::from_uuid(body.subdistrict_id), &body.name)
            .await?;
        Ok(Created::Created(Json(created.into())))
    }

    /// Communities inside your scope
    #[oai(path = "/communities", method = "get", operation_id = "communities_list")]
    async fn list_communities(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        subdistrict_id: Query<Option<Uuid>>,
        limit: Query<Option<u32>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<CommunityList>> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let page = state
            .structure
            .communities(&auth.0, subdistrict_id.0.map(Into::into), page)
            .await?;
        Ok(Json(CommunityList::from(page)))
    }

    /// A community
    #[oai(path = "/communities/:id", method = "get", operation_id = "communities_get")]
    async fn get_community(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<Community>> {
        Ok(Json(
            state
                .structure
                .community(&auth.0, CommunityId::from_uuid(id.0))
                .await?
                .into(),
        ))
    }

    /// Rename a community
    #[oai(
        path = "/communities/:id",
        method = "patch",
        operation_id = "communities_update"
    )]
    async fn rename_community(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<Named>,
    ) -> ApiResult<Json<Community>> {
        let renamed = state
            .structure
            .rename_community(&auth.0, CommunityId::from_uuid(id.0), &body.name)
            .await?;
        Ok(Json(renamed.into()))
    }

    /// Create a grid
    ///
    /// A residential grid outside 300–500 households is created with the warning
    /// `households_outside_norm`. Codes: `community_not_found`, `forbidden`, `name_taken`.
    #[oai(path = "/grids", method = "post", operation_id = "grids_create")]
    async fn create_grid(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<NewGridRequest>,
    ) -> ApiResult<Created<Grid>> {
        let body = body.0;
        let (grid, warnings) = state
            .structure
            .create_grid(
                &auth.0,
                NewGrid {
                    community_id: body.community_id.into(),
                    name: body.name,
                    kind: body.kind.into(),
                    households: body.households,
                },
            )
            .await?;
        Ok(Created::Created(Json(Grid::of(grid, warnings))))
    }

    /// Grids inside your scope
    #[oai(path = "/grids", method = "get", operation_id = "grids_list")]
    async fn list_grids(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        community_id: Query<Option<Uuid>>,
        kind: Query<Option<Kind>>,
        limit: Query<Option<u32>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<GridList>> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let page = state
            .structure
            .grids(
                &auth.0,
                community_id.0.map(Into::into),
                kind.0.map(Into::into),
                page,
            )
            .await?;
        Ok(Json(GridList::from(page)))
    }

    /// A grid
    #[oai(path = "/grids/:id", method = "get", operation_id = "grids_get")]
    async fn get_grid(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<Grid>> {
        let grid = state.structure.grid(&auth.0, GridId::from_uuid(id.0)).await?;
        Ok(Json(grid.into()))
    }

    /// Change a grid's name, kind or households
    #[oai(path = "/grids/:id", method = "patch", operation_id = "grids_update")]
    async fn update_grid(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<GridPatch>,
    ) -> ApiResult<Json<Grid>> {
        let body = body.0;
        let (grid, warnings) = state
            .structure
            .update_grid(
                &auth.0,
                GridId::from_uuid(id.0),
                GridChange {
                    name: body.name,
                    kind: body.kind.map(Into::into),
                    households: body.households,
                },
            )
            .await?;
        Ok(Json(Grid::of(grid, warnings)))
    }

    /// Import grids from CSV
    ///
    /// The body is the CSV file (`text/csv`, UTF-8 or GBK): `community,name,kind,households,buildings`
    /// (Chinese headers 社区,网格,类型,户数,楼栋 work too), buildings separated by `;`.
    /// All or nothing: a file with any bad row imports nothing and answers `import_rejected`
    /// (422) with every bad row's line number in `details.errors`. Communities outside your
    /// scope count as unknown.
    #[oai(path = "/grids/import", method = "post", operation_id = "grids_import")]
    async fn import_grids(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        file: CsvUpload,
    ) -> ApiResult<Created<ImportReport>> {
        let CsvUpload::Csv(file) = file;
        let report = state.structure.import_grids(&auth.0, &file.text()?).await?;
        Ok(Created::Created(Json(ImportReport {
            grids: report.grids as u64,
            buildings: report.buildings as u64,
            warnings: report
                .warnings
                .into_iter()
                .map(|(line, w)| LineWarning {
                    line,
                    code: w.code.to_owned(),
                    message: w.message,
                })
                .collect(),
        })))
    }

    /// Create a building with its stairwells
    #[oai(path = "/buildings", method = "post", operation_id = "buildings_create")]
    async fn create_building(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<NewBuilding>,
    ) -> ApiResult<Created<Building>> {
        let created = state
            .structure
            .create_building(
                &auth.0,
                GridId::from_uuid(body.grid_id),
                &body.name,
                &body.stairwells,
            )
            .await?;
        Ok(Created::Created(Json(created.into())))
    }

    /// Buildings inside your scope
    #[oai(path = "/buildings", method = "get", operation_id = "buildings_list")]
    async fn list_buildings(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        grid_id: Query<Option<Uuid>>,
        community_id: Query<Option<Uuid>>,
        limit: Query<Option<u32>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<BuildingList>> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let page = state
            .structure
            .buildings(
                &auth.0,
                grid_id.0.map(Into::into),
                community_id.0.map(Into::into),
                page,
            )
            .await?;
        Ok(Json(BuildingList::from(page)))
    }

    /// A building
    #[oai(path = "/buildings/:id", method = "get", operation_id = "buildings_get")]
    async fn get_building(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<Building>> {
        Ok(Json(
            state
                .structure
                .building(&auth.0, BuildingId::from_uuid(id.0))
                .await?
                .into(),
        ))
    }

    /// Rename a building
    #[oai(path = "/buildings/:id", method = "patch", operation_id = "buildings_update")]
    async fn rename_building(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<Named>,
    ) -> ApiResult<Json<Building>> {
        let renamed = state
            .structure
            .rename_building(&auth.0, BuildingId::from_uuid(id.0), &body.name)
            .await?;
        Ok(Json(renamed.into()))
    }
}
