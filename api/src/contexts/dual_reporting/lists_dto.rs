//! The bodies and answers of the three lists' operations: resource offers, needs and their
//! matches, projects and their activities.

use chrono::NaiveDate;
use linli_dual_reporting::service::{OfferView, ProjectView, RankedOffer};
use poem_openapi::{Enum, Object};
use uuid::Uuid;

use crate::http::dto::{Text, Timestamp};
use crate::http::pagination::list_of;

/// What a unit offers and what a need asks for.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case", remote = "linli_dual_reporting::ResourceKind")]
pub enum ResourceKind {
    /// Money (资金).
    Funds,
    /// A place to meet or hold activities (场地).
    Venue,
    /// Equipment or material (设备物资).
    Equipment,
    /// People who give their time (志愿者).
    Volunteers,
    /// Professional knowledge: legal, medical, technical… (专业技能).
    Expertise,
}

/// Where an offer's period stands today: `upcoming` (not begun), `current` (from its first to
/// its last day), `expired` (ended).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case", remote = "linli_dual_reporting::Validity")]
pub enum Validity {
    Upcoming,
    Current,
    Expired,
}

/// How pressing a need is.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case", remote = "linli_dual_reporting::Urgency")]
pub enum Urgency {
    Low,
    Normal,
    High,
    Urgent,
}

/// Where a need stands: `open` until a project takes it up, `in_project` while one is planned
/// or active, `met` once that project is completed; a cancelled project opens it again.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case", remote = "linli_dual_reporting::NeedStatus")]
pub enum NeedStatus {
    Open,
    InProject,
    Met,
}

/// Where a project stands: `planned → active → completed`; `planned | active → cancelled`.
/// It becomes active only once every side has signed.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case", remote = "linli_dual_reporting::ProjectStatus")]
pub enum ProjectStatus {
    /// Proposed by the need's side; waiting for the signatures.
    Planned,
    /// Signed by every side and started: activities are recorded.
    Active,
    /// Done, said the need's side.
    Completed,
    /// Called off by either side, with a reason; the offers got their shares back.
    Cancelled,
}

/// Why an offer ranks where it does for a need.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case", remote = "linli_dual_reporting::matching::Reason")]
pub enum MatchReason {
    /// The offer is of the kind the need asks for.
    SameKind,
    /// Both name the same service category.
    SameCategory,
    /// The offering unit is paired with a grid in the need's community.
    SameCommunity,
    /// The offering unit's grid is in the need's subdistrict (not in its community).
    SameSubdistrict,
    /// What is left of the offer covers the need's quantity.
    CoversQuantity,
    /// What is left of the offer covers part of it.
    PartialQuantity,
    /// The two are counted in different measures, so their amounts were not compared.
    OtherMeasure,
}

/// A side of a project.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum Side {
    /// The subdistrict or community that posted the need.
    Need,
    /// An offering unit (`unit_id`).
    Unit,
}

/// An amount with its measure: `50000 元`, `20 人`, `1 间`, `40 小时`.
#[derive(Object, Debug, Clone, PartialEq)]
pub struct Quantity {
    /// Above 0, at most two decimals.
    pub amount: f64,
    /// 1 to 16 characters, e.g. `元`, `人`, `小时`.
    pub measure: String,
}

impl From<&linli_dual_reporting::Quantity> for Quantity {
    fn from(q: &linli_dual_reporting::Quantity) -> Self {
        Self {
            amount: q.amount(),
            measure: q.measure().to_owned(),
        }
    }
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct NewResourceOffer {
    /// The offering unit: one you administer (the district admin may offer for any unit).
    pub unit_id: Uuid,
    pub kind: ResourceKind,
    /// The key of a service category, if the offer serves one.
    #[oai(default)]
    pub category: Option<Text>,
    /// 1 to 64 characters, e.g. `周末助老志愿服务`.
    pub title: Text,
    /// At most 500 characters.
    #[oai(default)]
    pub description: Text,
    /// How much is offered: above 0, at most two decimals.
    pub amount: f64,
    /// Its measure: 1 to 16 characters, e.g. `元`, `人`, `间`, `小时`.
    pub measure: Text,
    /// The first day it may be drawn on (district time).
    pub valid_from: NaiveDate,
    /// The last day it may be drawn on: not before `valid_from`, nor before today.
    pub valid_until: NaiveDate,
}

/// A unit's offer of a resource (资源清单).
#[derive(Object, Debug)]
pub struct ResourceOffer {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub unit_name: String,
    /// The unit's paired grid and its community: where the offer sits.
    pub grid_id: Uuid,
    pub community_id: Uuid,
    pub kind: ResourceKind,
    #[oai(nullable)]
    pub category: Option<String>,
    pub title: String,
    pub description: String,
    pub quantity: Quantity,
    /// What projects have not taken yet, in the same measure.
    pub remaining: f64,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    /// Valid today and not used up: only open offers are matched and go into projects.
    pub open: bool,
    pub offered_by: Uuid,
    pub created_at: Timestamp,
}

#[allow(clippy::cast_precision_loss)]
fn hundredths(n: i64) -> f64 {
    n as f64 / 100.0
}

impl From<OfferView> for ResourceOffer {
    fn from(view: OfferView) -> Self {
        let o = view.offer;
        Self {
            id: o.id.as_uuid(),
            unit_id: o.unit_id.as_uuid(),
            unit_name: view.unit_name,
            grid_id: o.place.grid.map(|g| g.as_uuid()).unwrap_or_default(),
            community_id: o.place.community.map(|c| c.as_uuid()).unwrap_or_default(),
            kind: o.kind.into(),
            category: o.category.as_ref().map(ToString::to_string),
            quantity: (&o.quantity).into(),
            remaining: hundredths(o.remaining()),
            title: o.title,
            description: o.description,
            valid_from: o.valid_from,
            valid_until: o.valid_until,
            open: view.open,
            offered_by: o.offered_by.as_uuid(),
            created_at: o.created_at.into(),
        }
    }
}

list_of!(ResourceOfferList, ResourceOffer);

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct NewNeed {
    /// The community posting the need; give it or `subdistrict_id`, not both.
    #[oai(default)]
    pub community_id: Option<Uuid>,
    /// The subdistrict posting the need; give it or `community_id`, not both.
    #[oai(default)]
    pub subdistrict_id: Option<Uuid>,
    pub kind: ResourceKind,
    /// The key of a service category, if the need falls in one.
    #[oai(default)]
    pub category: Option<Text>,
    /// 1 to 64 characters, e.g. `独居老人助餐`.
    pub title: Text,
    /// At most 500 characters.
    #[oai(default)]
    pub description: Text,
    pub urgency: Urgency,
    /// How much is needed: above 0, at most two decimals.
    pub amount: f64,
    /// Its measure: 1 to 16 characters.
    pub measure: Text,
}

/// A need posted by a subdistrict or a community (需求清单).
#[derive(Object, Debug)]
pub struct Need {
    pub id: Uuid,
    pub subdistrict_id: Uuid,
    /// The posting community; null for a subdistrict's own need.
    #[oai(nullable)]
    pub community_id: Option<Uuid>,
    pub kind: ResourceKind,
    #[oai(nullable)]
    pub category: Option<String>,
    pub title: String,
    pub description: String,
    pub urgency: Urgency,
    pub quantity: Quantity,
    pub status: NeedStatus,
    pub posted_by: Uuid,
    pub created_at: Timestamp,
}

impl From<linli_dual_reporting::Need> for Need {
    fn from(n: linli_dual_reporting::Need) -> Self {
        Self {
            id: n.id.as_uuid(),
            subdistrict_id: n.place.subdistrict.map(|s| s.as_uuid()).unwrap_or_default(),
            community_id: n.place.community.map(|c| c.as_uuid()),
            kind: n.kind.into(),
            category: n.category.as_ref().map(ToString::to_string),
            quantity: (&n.quantity).into(),
            title: n.title,
            description: n.description,
            urgency: n.urgency.into(),
            status: n.status.into(),
            posted_by: n.posted_by.as_uuid(),
            created_at: n.created_at.into(),
        }
    }
}

list_of!(NeedList, Need);

/// An offer's score for a need, component by component. `total` is `kind·100 + (category +
/// place)·10 + quantity`: comparing totals compares kind first, then nearness, then quantity.
#[derive(Object, Debug)]
pub struct MatchScore {
    /// 1 for the same kind, else 0.
    pub kind: u8,
    /// 2 for the same category, else 0.
    pub category: u8,
    /// 2 for the same community, 1 for the same subdistrict, else 0.
    pub place: u8,
    /// 2 when what is left covers the need, 1 when it covers part, else 0.
    pub quantity: u8,
    pub total: u32,
}

/// One open offer as ranked for a need.
#[derive(Object, Debug)]
pub struct NeedMatch {
    /// 1 is the best.
    pub rank: u32,
    pub offer: ResourceOffer,
    pub score: MatchScore,
    /// Why, in the order of the score's components.
    pub reasons: Vec<MatchReason>,
}

impl From<RankedOffer> for NeedMatch {
    fn from(m: RankedOffer) -> Self {
        Self {
            rank: m.rank,
            score: MatchScore {
                kind: m.score.kind,
                category: m.score.category,
                place: m.score.place,
                quantity: m.score.quantity,
                total: m.score.total(),
            },
            reasons: m.reasons.into_iter().map(Into::into).collect(),
            offer: m.offer.into(),
        }
    }
}

/// The open offers of the district ranked for a need, best first.
#[derive(Object, Debug)]
pub struct NeedMatches {
    pub need: Need,
    pub items: Vec<NeedMatch>,
}

#[derive(Object, Debug, Clone, Copy)]
#[oai(deny_unknown_fields)]
pub struct NewProjectShare {
    /// An open offer.
    pub offer_id: Uuid,
    /// How much of it the project takes, in the offer's measure; all that is left if absent.
    #[oai(default)]
    pub amount: Option<f64>,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct NewProject {
    /// An open need you administer (its community or subdistrict).
    pub need_id: Uuid,
    /// 1 to 64 characters.
    pub title: Text,
    /// At most 500 characters.
    #[oai(default)]
    pub description: Text,
    /// 1 to 10 offers, each once.
    pub offers: Vec<NewProjectShare>,
}

/// What a project takes of one offer.
#[derive(Object, Debug)]
pub struct ProjectShare {
    pub offer_id: Uuid,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub kind: ResourceKind,
    pub title: String,
    /// The share taken, in the offer's measure.
    pub quantity: Quantity,
}

/// A side of a project: the need's, or one offering unit's.
#[derive(Object, Debug, PartialEq)]
pub struct ProjectSide {
    pub side: Side,
    /// The unit, for a unit's side; null for the need's.
    #[oai(nullable)]
    pub unit_id: Option<Uuid>,
}

impl From<linli_dual_reporting::Party> for ProjectSide {
    fn from(party: linli_dual_reporting::Party) -> Self {
        match party {
            linli_dual_reporting::Party::Need => Self {
                side: Side::Need,
                unit_id: None,
            },
            linli_dual_reporting::Party::Unit(unit) => Self {
                side: Side::Unit,
                unit_id: Some(unit.as_uuid()),
            },
        }
    }
}

/// One side's signature.
#[derive(Object, Debug)]
pub struct ProjectSignature {
    pub side: Side,
    #[oai(nullable)]
    pub unit_id: Option<Uuid>,
    pub signed_by: Uuid,
    pub signed_at: Timestamp,
}

/// A co-building project (项目清单): a need matched with offers, signed by the need's side and
/// each offering unit, then run to completion.
#[derive(Object, Debug)]
pub struct Project {
    pub id: Uuid,
    pub need_id: Uuid,
    /// The need, for those who see it (the need's side and the district); null for an
    /// offering unit, which reads the project but not the need's own entry.
    #[oai(nullable)]
    pub need: Option<Need>,
    pub subdistrict_id: Uuid,
    #[oai(nullable)]
    pub community_id: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub status: ProjectStatus,
    pub offers: Vec<ProjectShare>,
    pub signatures: Vec<ProjectSignature>,
    /// The sides that have not signed yet.
    pub pending: Vec<ProjectSide>,
    /// The sides you may sign for and have not: what `POST /projects/{id}/sign` adds.
    pub to_sign: Vec<ProjectSide>,
    /// Activities held under the project, and the residents they served.
    pub activity_count: u32,
    pub beneficiary_count: u64,
    pub created_by: Uuid,
    pub created_at: Timestamp,
    #[oai(nullable)]
    pub started_at: Option<Timestamp>,
    /// When it was completed or cancelled.
    #[oai(nullable)]
    pub finished_at: Option<Timestamp>,
    /// Why it was cancelled.
    #[oai(nullable)]
    pub reason: Option<String>,
}

impl From<ProjectView> for Project {
    fn from(view: ProjectView) -> Self {
        let p = view.project;
        let pending = p.pending().into_iter().map(Into::into).collect();
        let offers = p
            .offers
            .iter()
            .map(|share| {
                let offer = view.offers.iter().find(|o| o.offer.id == share.offer_id);
                ProjectShare {
                    offer_id: share.offer_id.as_uuid(),
                    unit_id: share.unit_id.as_uuid(),
                    unit_name: offer.map(|o| o.unit_name.clone()).unwrap_or_default(),
                    kind: offer.map_or(ResourceKind::Funds, |o| o.offer.kind.into()),
                    title: offer.map(|o| o.offer.title.clone()).unwrap_or_default(),
                    quantity: (&share.quantity).into(),
                }
            })
            .collect();
        let signatures = p
            .signatures
            .iter()
            .map(|s| {
                let side = ProjectSide::from(s.party);
                ProjectSignature {
                    side: side.side,
                    unit_id: side.unit_id,
                    signed_by: s.signed_by.as_uuid(),
                    signed_at: s.signed_at.into(),
                }
            })
            .collect();
        Self {
            id: p.id.as_uuid(),
            need_id: p.need_id.as_uuid(),
            need: view.need.map(Into::into),
            subdistrict_id: p.place.subdistrict.map(|s| s.as_uuid()).unwrap_or_default(),
            community_id: p.place.community.map(|c| c.as_uuid()),
            title: p.title,
            description: p.description,
            status: p.status.into(),
            offers,
            signatures,
            pending,
            to_sign: view.to_sign.into_iter().map(Into::into).collect(),
            activity_count: p.activity_count,
            beneficiary_count: p.beneficiary_count,
            created_by: p.created_by.as_uuid(),
            created_at: p.created_at.into(),
            started_at: p.started_at.map(Into::into),
            finished_at: p.finished_at.map(Into::into),
            reason: p.reason,
        }
    }
}

list_of!(ProjectList, Project);

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct ProjectCancellation {
    /// Why, for the other side: 1 to 200 characters.
    pub reason: Text,
}

#[derive(Object, Debug)]
#[oai(deny_unknown_fields)]
pub struct NewActivity {
    /// 1 to 64 characters, e.g. `重阳节助老餐`.
    pub title: Text,
    /// The day it was held: between the project's start and today.
    pub held_on: NaiveDate,
    /// How many took part (0 to 100000).
    pub participants: i64,
    /// How many residents it served (0 to 100000).
    pub beneficiaries: i64,
    /// At most 500 characters.
    #[oai(default)]
    pub note: Text,
}

/// A co-building activity (共驻共建活动) held under a project.
#[derive(Object, Debug)]
pub struct Activity {
    pub id: Uuid,
    pub project_id: Uuid,
    pub title: String,
    pub held_on: NaiveDate,
    pub participants: u32,
    pub beneficiaries: u32,
    pub note: String,
    pub recorded_by: Uuid,
    pub recorded_at: Timestamp,
}

impl From<linli_dual_reporting::Activity> for Activity {
    fn from(a: linli_dual_reporting::Activity) -> Self {
        Self {
            id: a.id.as_uuid(),
            project_id: a.project_id.as_uuid(),
            title: a.title,
            held_on: a.held_on,
            participants: a.participants,
            beneficiaries: a.beneficiaries,
            note: a.note,
            recorded_by: a.recorded_by.as_uuid(),
            recorded_at: a.recorded_at.into(),
        }
    }
}

list_of!(ActivityList, Activity);
