//! Units stationed in the district, paired with a grid, and their reports to it.

use linli_dual_reporting::UnitReportId;
use linli_kernel::{GridId, UnitId};
use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use uuid::Uuid;

use super::dto::{NewUnit, Unit, UnitList, UnitReport};
use super::{DualReporting, DualReportingTags};
use crate::http::contract::{Answer, errors};
use crate::http::dto::Created;
use crate::http::pagination::{Limit, page_request};
use crate::http::security::BearerAuth;

errors!(UnitsCreate: [Auth, Post, Idempotent] {
    400: [validation_failed],
    403: [forbidden],
    404: [grid_not_found],
    409: [grid_already_paired],
});

errors!(UnitsList: [Auth, Params] { 400: [validation_failed] });

errors!(UnitsGet: [Auth, Params] { 404: [unit_not_found] });

errors!(UnitReportsFile: [Auth, Params, Post, Idempotent] {
    403: [forbidden],
    404: [unit_not_found],
    409: [unit_already_reported],
});

errors!(UnitReportsAccept: [Auth, Params, Post] {
    403: [forbidden],
    404: [unit_report_not_found],
    409: [unit_report_state],
});

#[derive(Default)]
pub struct UnitsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "DualReportingTags::Units")]
impl UnitsApi {
    /// Register a unit
    ///
    /// District admins only. The unit is paired with one grid, which no other unit may be
    /// paired with. Its admins are appointed through `POST /role-grants` (`unit_admin` at
    /// `unit:<id>`). Codes: `forbidden`, `grid_not_found`, `grid_already_paired` (409,
    /// `details.grid_id`), `validation_failed`.
    #[oai(path = "/units", method = "post", operation_id = "units_create")]
    async fn create(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        /// A retry with the same key and body gets the first answer (`idempotent-replayed:
        /// true`) and changes nothing twice; 1 to 128 visible ASCII characters.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        body: Json<NewUnit>,
    ) -> Answer<Created<Unit>, UnitsCreate> {
        let body = body.0;
        let unit = dual
            .units
            .create(
                &auth.0,
                linli_dual_reporting::NewUnit {
                    name: body.name.into(),
                    kind: linli_dual_reporting::UnitKind::from(body.kind)
                        .as_str()
                        .to_owned(),
                    party_organisation: body.party_organisation.into(),
                    contact_name: body.contact_name.into(),
                    contact_phone: body.contact_phone.into(),
                    roll_count: body.roll_count,
                    grid_id: GridId::from_uuid(body.grid_id),
                },
            )
            .await?;
        Ok(Created::Created(Json(unit.into())))
    }

    /// The units
    ///
    /// Every unit, oldest first: units are no secret, a member picks theirs from the list.
    /// Contact, roll count and report are shown only to the unit's admins and the staff over
    /// its grid; for anyone else the unit is `restricted` and they are null.
    #[oai(path = "/units", method = "get", operation_id = "units_list")]
    async fn list(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        limit: Query<Option<Limit>>,
        cursor: Query<Option<String>>,
    ) -> Answer<Json<UnitList>, UnitsList> {
        let page = page_request(limit.0, cursor.0.as_deref())?;
        Ok(Json(dual.units.list(&auth.0, page).await?.into()))
    }

    /// A unit
    ///
    /// Contact, roll count and report are null (`restricted`) unless you administer the unit
    /// or your scope covers its grid. Codes: `unit_not_found` (404).
    #[oai(path = "/units/:id", method = "get", operation_id = "units_get")]
    async fn get(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Json<Unit>, UnitsGet> {
        Ok(Json(
            dual.units.get(&auth.0, UnitId::from_uuid(id.0)).await?.into(),
        ))
    }

    /// File the unit's report
    ///
    /// The unit's admin reports (报到) the unit to its paired grid, once. Codes:
    /// `unit_not_found`, `forbidden` (not an admin of the unit), `unit_already_reported` (409).
    #[oai(
        path = "/units/:id/report",
        method = "post",
        operation_id = "unit_reports_file"
    )]
    async fn file_report(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        /// A retry with the same key gets the first answer (`idempotent-replayed: true`) and
        /// files nothing twice; 1 to 128 visible ASCII characters.
        #[oai(name = "Idempotency-Key")]
        _idempotency_key: Header<Option<String>>,
        id: Path<Uuid>,
    ) -> Answer<Created<UnitReport>, UnitReportsFile> {
        let report = dual.units.file_report(&auth.0, UnitId::from_uuid(id.0)).await?;
        Ok(Created::Created(Json(report.into())))
    }

    /// Accept a unit's report
    ///
    /// An administrator over the paired grid's community. Codes: `unit_report_not_found`
    /// (404, also outside your scope), `forbidden` (you see it but may not receive it),
    /// `unit_report_state` (409: accepted already; `details.status`).
    #[oai(
        path = "/unit-reports/:id/accept",
        method = "post",
        operation_id = "unit_reports_accept"
    )]
    async fn accept_report(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Answer<Json<UnitReport>, UnitReportsAccept> {
        let report = dual
            .units
            .accept_report(&auth.0, UnitReportId::from_uuid(id.0))
            .await?;
        Ok(Json(report.into()))
    }
}
