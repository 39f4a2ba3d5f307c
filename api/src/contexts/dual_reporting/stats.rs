//! The figures of dual reporting a district officer must answer for, beside the grid
//! context's coverage figures (same tag, same rules of scope).

use linli_dual_reporting::stats;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::DualReporting;
use crate::contexts::grid::GridTags;
use crate::http::contract::{Answer, errors};
use crate::http::security::BearerAuth;

/// Units counted where their paired grid lies.
#[derive(Object, Debug)]
pub struct UnitFigures {
    pub registered: u64,
    /// Paired with a grid (every unit is paired when registered).
    pub paired: u64,
    /// Whose report to their grid was accepted.
    pub reported: u64,
}

/// In-service Party members' reports to the communities of the scope, by state.
#[derive(Object, Debug)]
pub struct MemberFigures {
    /// Reports in every state.
    pub total: u64,
    pub accepted: u64,
    pub submitted: u64,
    pub rejected: u64,
    pub withdrawn: u64,
    /// People with an accepted report.
    pub members: u64,
}

/// Pledges of members serving in the scope; kept: verified records reach the target.
#[derive(Object, Debug)]
pub struct PledgeFigures {
    pub made: u64,
    pub kept: u64,
}

/// Projects placed in the scope, by status.
#[derive(Object, Debug)]
pub struct ProjectFigures {
    pub total: u64,
    pub planned: u64,
    pub active: u64,
    pub completed: u64,
    pub cancelled: u64,
}

/// Dual reporting (双报到) in a scope: units, members, pledges and the three lists.
#[derive(Object, Debug)]
pub struct DualReportingFigures {
    pub units: UnitFigures,
    /// In-service members (在职党员).
    pub in_service_members: MemberFigures,
    /// Transferred members (组织关系转入), counted apart from in-service ones.
    pub transferred_members: u64,
    pub pledges: PledgeFigures,
    /// Resource offers, counted where the offering unit's grid lies.
    pub resource_offers: u64,
    pub needs: u64,
    pub projects: ProjectFigures,
}

impl From<linli_dual_reporting::DualReportingStats> for DualReportingFigures {
    fn from(s: linli_dual_reporting::DualReportingStats) -> Self {
        let stats::DualReportingStats {
            units,
            members,
            transferred_members,
            pledges,
            offers,
            needs,
            projects,
        } = s;
        Self {
            units: UnitFigures {
                registered: units.registered,
                paired: units.paired,
                reported: units.reported,
            },
            in_service_members: MemberFigures {
                total: members.total(),
                accepted: members.accepted,
                submitted: members.submitted,
                rejected: members.rejected,
                withdrawn: members.withdrawn,
                members: members.members,
            },
            transferred_members,
            pledges: PledgeFigures {
                made: pledges.made,
                kept: pledges.kept,
            },
            resource_offers: offers,
            needs,
            projects: ProjectFigures {
                total: projects.total(),
                planned: projects.planned,
                active: projects.active,
                completed: projects.completed,
                cancelled: projects.cancelled,
            },
        }
    }
}

errors!(StatsDualReporting: [Auth, Params] {
    400: [validation_failed],
    403: [forbidden],
    404: [community_not_found, subdistrict_not_found],
});

#[derive(Default)]
pub struct DualReportingStatsApi;

#[OpenApi(prefix_path = "/api/v1/stats", tag = "GridTags::Stats")]
impl DualReportingStatsApi {
    /// Dual reporting's figures
    ///
    /// Units (where their paired grid lies), in-service members' reports by state,
    /// transferred members, pledges, resource offers, needs and projects by status, for one
    /// community, one subdistrict, or (with neither) your whole scope: the district for a
    /// district admin. Codes: `community_not_found` / `subdistrict_not_found` (404, also when
    /// outside your scope), `forbidden` (no staff role), `validation_failed` (both given).
    #[oai(
        path = "/dual-reporting",
        method = "get",
        operation_id = "stats_dual_reporting"
    )]
    async fn dual_reporting(
        &self,
        dual: Data<&DualReporting>,
        auth: BearerAuth,
        community_id: Query<Option<Uuid>>,
        subdistrict_id: Query<Option<Uuid>>,
    ) -> Answer<Json<DualReportingFigures>, StatsDualReporting> {
        let stats = dual
            .stats
            .stats(
                &auth.0,
                community_id.0.map(Into::into),
                subdistrict_id.0.map(Into::into),
            )
            .await?;
        Ok(Json(stats.into()))
    }
}
