//! Figures a district officer must answer for.

use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::{GridTags, Structure};
use crate::http::contract::{Answer, errors};
use crate::http::security::BearerAuth;

#[derive(Object, Debug)]
pub struct GridCounts {
    pub total: u64,
    pub residential: u64,
    pub reserved: u64,
    pub dedicated: u64,
}

#[derive(Object, Debug)]
pub struct BranchCounts {
    pub independent: u64,
    pub joint: u64,
    /// Residential grids included in joint branches.
    pub residential_grids_in_joint: u64,
}

/// How far the Party organisation reaches into the grids of a scope.
#[derive(Object, Debug)]
pub struct Coverage {
    /// Subdistricts and communities wholly inside the scope.
    pub subdistricts: u64,
    pub communities: u64,
    pub grids: GridCounts,
    /// Residential grids included in some branch, independent or joint.
    pub covered_residential_grids: u64,
    pub uncovered_residential_grids: u64,
    pub branches: BranchCounts,
}

impl From<linli_grid::CoverageStats> for Coverage {
    fn from(s: linli_grid::CoverageStats) -> Self {
        Self {
            subdistricts: s.subdistricts,
            communities: s.communities,
            grids: GridCounts {
                total: s.grids,
                residential: s.residential_grids,
                reserved: s.reserved_grids,
                dedicated: s.dedicated_grids,
            },
            covered_residential_grids: s.covered_residential_grids,
            uncovered_residential_grids: s.residential_grids.saturating_sub(s.covered_residential_grids),
            branches: BranchCounts {
                independent: s.independent_branches,
                joint: s.joint_branches,
                residential_grids_in_joint: s.residential_grids_in_joint_branches,
            },
        }
    }
}

errors!(StatsCoverage: [Auth, Params] {
    400: [validation_failed],
    403: [forbidden],
    404: [community_not_found, subdistrict_not_found],
});

#[derive(Default)]
pub struct StatsApi;

#[OpenApi(prefix_path = "/api/v1/stats", tag = "GridTags::Stats")]
impl StatsApi {
    /// Party organisation coverage of the grids
    ///
    /// One community, one subdistrict, or (with neither) your whole scope: the district for a
    /// district admin. Codes: `community_not_found` / `subdistrict_not_found` (404, also when
    /// outside your scope), `forbidden` (no staff role), `validation_failed` (both given).
    #[oai(path = "/coverage", method = "get", operation_id = "stats_coverage")]
    async fn coverage(
        &self,
        structure: Data<&Structure>,
        auth: BearerAuth,
        community_id: Query<Option<Uuid>>,
        subdistrict_id: Query<Option<Uuid>>,
    ) -> Answer<Json<Coverage>, StatsCoverage> {
        let stats = structure
            .coverage
            .coverage(
                &auth.0,
                community_id.0.map(Into::into),
                subdistrict_id.0.map(Into::into),
            )
            .await?;
        Ok(Json(stats.into()))
    }
}
