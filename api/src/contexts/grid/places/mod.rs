//! Subdistricts, communities, grids and buildings.

mod dto;

pub use dto::*;

use linli_grid::GridChange;
use linli_kernel::{BuildingId, CommunityId, GridId, SubdistrictId};
use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use uuid::Uuid;

use super::{GridTags, Structure};
use crate::http::contract::{Answer, errors};
use crate::http::csv::CsvUpload;
use crate::http::dto::Created;
use crate::http::pagination::{Limit, page_request};
use crate::http::security::BearerAuth;

errors!(SubdistrictsCreate: [Auth, Post, Idempotent] { 400: [validation_failed], 403: [forbidden], 409: [name_taken] });

errors!(SubdistrictsList: [Auth, Params] { 400: [validation_failed] });

errors!(SubdistrictsGet: [Auth, Params] { 404: [subdistrict_not_found] });

errors!(SubdistrictsUpdate: [Auth, Params, Body] {
    400: [validation_failed],
    403: [forbidden],
    404: [subdistrict_not_found],
    409: [name_taken],
});

errors!(CommunitiesCreate: [Auth, Post, Idempotent] {
    400: [validation_failed],
    403: [forbidden],
    404: [subdistrict_not_found],
    409: [name_taken],
});

errors!(CommunitiesList: [Auth, Params] { 400: [validation_failed], 404: [subdistrict_not_found] });

errors!(CommunitiesGet: [Auth, Params] { 404: [community_not_found] });

errors!(CommunitiesUpdate: [Auth, Params, Body] {
    400: [validation_failed],
    403: [forbidden],
    404: [community_not_found],
    409: [name_taken],
});

errors!(GridsCreate: [Auth, Post, Idempotent] {
    400: [validation_failed],
    403: [forbidden],
    404: [community_not_found],
    409: [name_taken],
});

errors!(GridsList: [Auth, Params] { 400: [validation_failed], 404: [community_not_found] });

errors!(GridsGet: [Auth, Params] { 404: [grid_not_found] });

errors!(GridsUpdate: [Auth, Params, Body] {
    400: [validation_failed],
    403: [forbidden],
    404: [grid_not_found],
    409: [name_taken],
});

errors!(GridsImport: [Auth, Post, Idempotent] {
    400: [file_expected],
    403: [forbidden],
    422: [import_rejected, import_too_large],
});

errors!(BuildingsCreate: [Auth, Post, Idempotent] {
    400: [validation_failed],
    403: [forbidden],
    404: [grid_not_found],
    409: [name_taken],
});

errors!(BuildingsList: [Auth, Params] {
    400: [validation_failed],
    404: [grid_not_found, community_not_found],
});

errors!(BuildingsGet: [Auth, Params] { 404: [building_not_found] });

errors!(BuildingsUpdate: [Auth, Params, Body] {
    400: [validation_failed],
    403: [forbidden],
    404: [building_not_found],
    409: [name_taken],
});

#[derive(Default)]
pub struct PlacesApi;

#[OpenApi(prefix_path = "/api/v1", tag = "GridTags::Places")]
impl PlacesApi {
    /// Create a subdistrict
    ///
    /// District admins only. Codes: `forbidden`, `name_taken` (409), `validation_failed`.
    #[oai(path = "/subdistricts", method = "post", operation_id = "subdistricts_create")]
    async fn create_subdistrict(
        &self,
        structure: Data<&Structure>,
        auth: BearerAuth,
        /// A retry with the same key and body gets the first answer (`idempotent-replayed:
        /// true`) and changes nothing twice; 1 to 128 visible ASCII characters.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        body: Json<NewSubdistrict>,
    ) -> Answer<Created<Subdistrict>, SubdistrictsCreate> {
        let created = structure.places.create_subdistrict(&auth.0, &body.name).await?;
        Ok(Created::Created(Json(created.into())))
    }

    /// Subdistricts inside your scope
    #[oai(path = "/subdistricts", method = "get", operation_id = "subdistricts_list")]
    async fn list_subdistricts(
        &self,
        structure: Data<&Structure>,
        auth: BearerAuth,
        limit: Query<Option<Limit>>,
        cursor: Query<Option<String>>,
    ) -> Answer<Json<SubdistrictList>, SubdistrictsList> {
        let page = structure
            .places
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
        structure: Data<&Structure>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Json<Subdistrict>, SubdistrictsGet> {
        Ok(Json(
            structure
                .places
                .subdistrict(&auth.0, SubdistrictId::from_uuid(id.0))
                .await?
                .into(),
        ))
    }

    /// Rename a subdistrict
    ///
    /// From `wx.request`, which cannot send PATCH: POST with `X-HTTP-Method-Override: PATCH`.
    #[oai(
        path = "/subdistricts/:id",
        method = "patch",
        operation_id = "subdistricts_update"
    )]
    async fn rename_subdistrict(
        &self,
        structure: Data<&Structure>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<SubdistrictPatch>,
    ) -> Answer<Json<Subdistrict>, SubdistrictsUpdate> {
        let renamed = structure
            .places
            .rename_subdistrict(&auth.0, SubdistrictId::from_uuid(id.0), &body.name)
            .await?;
        Ok(Json(renamed.into()))
    }

    /// Create a community
    ///
    /// Codes: `subdistrict_not_found`, `forbidden`, `name_taken` (community names are unique
    /// in their subdistrict; `details.kind` says which kind of name).
    #[oai(path = "/communities", method = "post", operation_id = "communities_create")]
    async fn create_community(
        &self,
        structure: Data<&Structure>,
        auth: BearerAuth,
        /// A retry with the same key and body gets the first answer (`idempotent-replayed:
        /// true`) and changes nothing twice; 1 to 128 visible ASCII characters.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        body: Json<NewCommunity>,
    ) -> Answer<Created<Community>, CommunitiesCreate> {
        let created = structure
            .places
            .create_community(&auth.0, SubdistrictId::from_uuid(body.subdistrict_id), &body.name)
            .await?;
        Ok(Created::Created(Json(created.into())))
    }

    /// Communities inside your scope
    #[oai(path = "/communities", method = "get", operation_id = "communities_list")]
    async fn list_communities(
        &self,
        structure: Data<&Structure>,
        auth: BearerAuth,
        subdistrict_id: Query<Option<Uuid>>,
        limit: Query<Option<Limit>>,
        cursor: Query<Option<String>>,
    ) -> Answer<Json<CommunityList>, CommunitiesList> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let page = structure
            .places
            .communities(&auth.0, subdistrict_id.0.map(Into::into), page)
            .await?;
        Ok(Json(CommunityList::from(page)))
    }

    /// A community
    #[oai(path = "/communities/:id", method = "get", operation_id = "communities_get")]
    async fn get_community(
        &self,
        structure: Data<&Structure>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Json<Community>, CommunitiesGet> {
        Ok(Json(
            structure
                .places
                .community(&auth.0, CommunityId::from_uuid(id.0))
                .await?
                .into(),
        ))
    }

    /// Rename a community
    ///
    /// From `wx.request`, which cannot send PATCH: POST with `X-HTTP-Method-Override: PATCH`.
    #[oai(
        path = "/communities/:id",
        method = "patch",
        operation_id = "communities_update"
    )]
    async fn rename_community(
        &self,
        structure: Data<&Structure>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<CommunityPatch>,
    ) -> Answer<Json<Community>, CommunitiesUpdate> {
        let renamed = structure
            .places
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
        structure: Data<&Structure>,
        auth: BearerAuth,
        /// A retry with the same key and body gets the first answer (`idempotent-replayed:
        /// true`) and changes nothing twice; 1 to 128 visible ASCII characters.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        body: Json<NewGrid>,
    ) -> Answer<Created<Grid>, GridsCreate> {
        let body = body.0;
        let (grid, warnings) = structure
            .places
            .create_grid(
                &auth.0,
                linli_grid::NewGrid {
                    community_id: body.community_id.into(),
                    name: body.name.into(),
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
        structure: Data<&Structure>,
        auth: BearerAuth,
        community_id: Query<Option<Uuid>>,
        kind: Query<Option<GridKind>>,
        limit: Query<Option<Limit>>,
        cursor: Query<Option<String>>,
    ) -> Answer<Json<GridList>, GridsList> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let page = structure
            .places
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
        structure: Data<&Structure>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Json<Grid>, GridsGet> {
        let grid = structure.places.grid(&auth.0, GridId::from_uuid(id.0)).await?;
        Ok(Json(grid.into()))
    }

    /// Change a grid's name, kind or households
    ///
    /// From `wx.request`, which cannot send PATCH: POST with `X-HTTP-Method-Override: PATCH`.
    #[oai(path = "/grids/:id", method = "patch", operation_id = "grids_update")]
    async fn update_grid(
        &self,
        structure: Data<&Structure>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<GridPatch>,
    ) -> Answer<Json<Grid>, GridsUpdate> {
        let body = body.0;
        let (grid, warnings) = structure
            .places
            .update_grid(
                &auth.0,
                GridId::from_uuid(id.0),
                GridChange {
                    name: body.name.map(Into::into),
                    kind: body.kind.map(Into::into),
                    households: body.households,
                },
            )
            .await?;
        Ok(Json(Grid::of(grid, warnings)))
    }

    /// Import grids from CSV
    ///
    /// The body is the CSV file (`text/csv`, UTF-8 or GBK), or a form (`multipart/form-data`,
    /// as `wx.uploadFile` sends it) with the file in the field `file` (`LINLI_UPLOAD_FIELD`;
    /// no file there, or a second file, is `file_expected`, 400); at most 4 MiB either way
    /// (`payload_too_large`, 413): `[subdistrict,]community,name,kind,households,buildings`
    /// (Chinese headers 街道,社区,网格,类型,户数,楼栋 work too), buildings separated by `;`.
    /// The optional subdistrict column tells apart communities of one name in two
    /// subdistricts; without it such a name is the row error `community_ambiguous`.
    /// All or nothing: a file with any bad row imports nothing and answers `import_rejected`
    /// (422) with the first 100 errors (by line, each with its `code`) in `details.errors`
    /// and their total in `details.error_count`. A file over the row limit
    /// (`LINLI_IMPORT_MAX_ROWS`, 10,000 by default) answers `import_too_large` (422, the
    /// limit in `details.max_rows`). Only staff who manage part of the structure may import
    /// (`forbidden`, 403, before the file is parsed). Communities outside your scope count as
    /// unknown.
    #[oai(path = "/grids/import", method = "post", operation_id = "grids_import")]
    async fn import_grids(
        &self,
        structure: Data<&Structure>,
        auth: BearerAuth,
        /// A retry with the same key and body gets the first answer (`idempotent-replayed:
        /// true`) and changes nothing twice; 1 to 128 visible ASCII characters.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        file: CsvUpload,
    ) -> Answer<Created<ImportReport>, GridsImport> {
        // Refused callers are answered before the file is parsed (a form's, before it is read).
        structure.places.check_import(&auth.0)?;
        let report = structure
            .places
            .import_grids(&auth.0, &file.read_text().await?)
            .await?;
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
        structure: Data<&Structure>,
        auth: BearerAuth,
        /// A retry with the same key and body gets the first answer (`idempotent-replayed:
        /// true`) and changes nothing twice; 1 to 128 visible ASCII characters.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        body: Json<NewBuilding>,
    ) -> Answer<Created<Building>, BuildingsCreate> {
        let created = structure
            .places
            .create_building(
                &auth.0,
                GridId::from_uuid(body.grid_id),
                &body.name,
                &body.stairwells.iter().map(|s| s.0.clone()).collect::<Vec<_>>(),
            )
            .await?;
        Ok(Created::Created(Json(created.into())))
    }

    /// Buildings inside your scope
    #[oai(path = "/buildings", method = "get", operation_id = "buildings_list")]
    async fn list_buildings(
        &self,
        structure: Data<&Structure>,
        auth: BearerAuth,
        grid_id: Query<Option<Uuid>>,
        community_id: Query<Option<Uuid>>,
        limit: Query<Option<Limit>>,
        cursor: Query<Option<String>>,
    ) -> Answer<Json<BuildingList>, BuildingsList> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        let page = structure
            .places
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
        structure: Data<&Structure>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Json<Building>, BuildingsGet> {
        Ok(Json(
            structure
                .places
                .building(&auth.0, BuildingId::from_uuid(id.0))
                .await?
                .into(),
        ))
    }

    /// Rename a building
    ///
    /// From `wx.request`, which cannot send PATCH: POST with `X-HTTP-Method-Override: PATCH`.
    #[oai(path = "/buildings/:id", method = "patch", operation_id = "buildings_update")]
    async fn rename_building(
        &self,
        structure: Data<&Structure>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<BuildingPatch>,
    ) -> Answer<Json<Building>, BuildingsUpdate> {
        let renamed = structure
            .places
            .rename_building(&auth.0, BuildingId::from_uuid(id.0), &body.name)
            .await?;
        Ok(Json(renamed.into()))
    }
}
