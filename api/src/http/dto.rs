//! Shapes the API speaks that several groups share. Domain types never derive poem-openapi
//! traits; they are converted here.

use chrono::{DateTime, Utc};
use linli_kernel::people::PersonView;
use poem_openapi::payload::Json;
use poem_openapi::types::{ParseFromJSON, ToJSON};
use poem_openapi::{ApiResponse, Enum, Object};
use uuid::Uuid;

/// 201 with the created thing.
#[derive(ApiResponse)]
pub enum Created<T: ToJSON + ParseFromJSON + Send + Sync> {
    /// Created.
    #[oai(status = 201)]
    Created(Json<T>),
}

/// 204: done, nothing to say.
#[derive(ApiResponse)]
pub enum Done {
    /// Done.
    #[oai(status = 204)]
    NoContent,
}

/// The roles of DOMAIN.md. `volunteer` and `resident` are held implicitly and never granted.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case", remote = "linli_kernel::Role")]
pub enum RoleName {
    DistrictAdmin,
    SubdistrictAdmin,
    CommunityAdmin,
    GridLeader,
    GridWorker,
    StairwellLeader,
    UnitAdmin,
    TeamLeader,
    PartyMember,
    Volunteer,
    Resident,
}

/// A person as you may see them: real name and phone are masked (`138****5678`) unless your
/// scope covers the person.
#[derive(Object, Debug, Clone)]
pub struct Person {
    pub id: Uuid,
    pub nickname: Option<String>,
    pub real_name: Option<String>,
    pub phone: Option<String>,
    /// Whether real name and phone were masked for you.
    pub masked: bool,
}

impl From<PersonView> for Person {
    fn from(p: PersonView) -> Self {
        Self {
            id: p.id.as_uuid(),
            nickname: p.nickname,
            real_name: p.real_name,
            phone: p.phone,
            masked: p.masked,
        }
    }
}

/// A node of the tree, named.
#[derive(Object, Debug, Clone)]
pub struct Place {
    /// `district`, or `<kind>:<id>`, e.g. `grid:0190…`.
    pub scope: String,
    pub name: String,
    /// From the subdistrict down, e.g. `济阳街道 / 幸福里社区 / 三网格`.
    pub full_name: String,
}

impl From<linli_kernel::ports::ScopeNode> for Place {
    fn from(n: linli_kernel::ports::ScopeNode) -> Self {
        Self {
            scope: n.scope.to_string(),
            name: n.name,
            full_name: n.full_name,
        }
    }
}

pub type Timestamp = DateTime<Utc>;
