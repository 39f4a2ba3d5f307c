//! What dual reporting announces. Staff covering a community read `community:<id>:reports`;
//! a member reads what concerns them on their own channel (`user:me`).

use chrono::{DateTime, Utc};
use linli_kernel::events::{ContextEvent, topics};
use linli_kernel::{CommunityId, DomainEvent, GridId, UnitId, UserId};
use serde::Serialize;

use crate::appraisal::{Appraisal, AppraisalId, Grade, Period, UnitAppraisal};
use crate::lists::{NeedId, Project, ProjectId, ProjectStatus, ResourceOffer};
use crate::models::{
    CategoryKey, MemberReport, MemberReportId, ReportStatus, TransferredMemberId, Unit, UnitReport,
    UnitReportId,
};
use crate::pledges::{Fulfilment, FulfilmentId, FulfilmentStatus, Pledge, PledgeId};
use crate::roster::Roster;
use crate::transferred::{TransferStatus, TransferredMember};

/// The topic of a community's reports, for the staff who receive them.
pub fn community_reports(id: CommunityId) -> String {
    format!("community:{id}:reports")
}

/// The context's events; each variant is one kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum DualReportingEvent {
    UnitCreated {
        unit_id: UnitId,
        name: String,
        grid_id: Option<GridId>,
    },
    UnitReportFiled {
        unit_report_id: UnitReportId,
        unit_id: UnitId,
        grid_id: Option<GridId>,
    },
    UnitReportAccepted {
        unit_report_id: UnitReportId,
        unit_id: UnitId,
        accepted_by: UserId,
    },
    AppraisalPublished {
        appraisal_id: AppraisalId,
        user_id: UserId,
        period: Period,
        grade: Grade,
    },
    UnitAppraisalPublished {
        unit_id: UnitId,
        period: Period,
        grade: Grade,
    },
    MemberReport {
        #[serde(skip)]
        kind: &'static str,
        member_report_id: MemberReportId,
        user_id: UserId,
        unit_id: UnitId,
        community_id: Option<CommunityId>,
        status: ReportStatus,
        #[serde(skip_serializing_if = "Option::is_none")]
        grid_id: Option<GridId>,
        #[serde(skip_serializing_if = "Option::is_none")]
        category: Option<CategoryKey>,
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// A project was planned (`from` absent), started, completed or cancelled.
    ProjectStatusChanged {
        project_id: ProjectId,
        need_id: NeedId,
        status: ProjectStatus,
        from: Option<ProjectStatus>,
        unit_ids: Vec<UnitId>,
    },
    /// A record of a pledge submitted, verified or rejected (`pledge.fulfilment_<status>`).
    PledgeFulfilment {
        #[serde(skip)]
        kind: &'static str,
        pledge_id: PledgeId,
        fulfilment_id: FulfilmentId,
        user_id: UserId,
        community_id: Option<CommunityId>,
        title: String,
        status: FulfilmentStatus,
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// A unit's roster was replaced: how many it names now (never who).
    UnitRosterReplaced { unit_id: UnitId, entries: u32 },
    TransferredMember {
        #[serde(skip)]
        kind: &'static str,
        transferred_member_id: TransferredMemberId,
        user_id: UserId,
        community_id: Option<CommunityId>,
        grid_id: Option<GridId>,
        status: TransferStatus,
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

impl ContextEvent for DualReportingEvent {
    fn kind(&self) -> &'static str {
        match self {
            Self::AppraisalPublished { .. } => "appraisal.published",
            Self::UnitAppraisalPublished { .. } => "unit_appraisal.published",
            Self::UnitCreated { .. } => "unit.created",
            Self::UnitReportFiled { .. } => "unit_report.filed",
            Self::UnitReportAccepted { .. } => "unit_report.accepted",
            Self::ProjectStatusChanged { .. } => "project.status_changed",
            Self::MemberReport { kind, .. } | Self::PledgeFulfilment { kind, .. } => kind,
            Self::UnitRosterReplaced { .. } => "unit_roster.replaced",
            Self::TransferredMember { kind, .. } => kind,
        }
    }
}

impl DualReportingEvent {
    /// The event of a member report's present state: `member_report.<status>`.
    pub fn member_report(report: &MemberReport) -> Self {
        Self::MemberReport {
            kind: match report.status {
                ReportStatus::Submitted => "member_report.submitted",
                ReportStatus::Accepted => "member_report.accepted",
                ReportStatus::Rejected => "member_report.rejected",
                ReportStatus::Withdrawn => "member_report.withdrawn",
            },
            member_report_id: report.id,
            user_id: report.user_id,
            unit_id: report.unit_id,
            community_id: report.community_id(),
            status: report.status,
            grid_id: report.assignment.as_ref().map(|a| a.grid_id),
            category: report.assignment.as_ref().map(|a| a.category.clone()),
            reason: report.reason.clone(),
        }
    }
}

/// The events of a member report's present state: to the community's staff and to the member.
pub fn member_report_events(report: &MemberReport, at: DateTime<Utc>) -> Vec<DomainEvent> {
    let event = DualReportingEvent::member_report(report);
    let mut events = vec![DomainEvent::of(topics::user(report.user_id), &event, at)];
    if let Some(community) = report.community_id() {
        events.push(DomainEvent::of(community_reports(community), &event, at));
    }
    events
}

pub fn unit_created(unit: &Unit, at: DateTime<Utc>) -> Vec<DomainEvent> {
    let event = DualReportingEvent::UnitCreated {
        unit_id: unit.id,
        name: unit.name.clone(),
        grid_id: unit.grid_id(),
    };
    unit.grid
        .community
        .map(|c| DomainEvent::of(community_reports(c), &event, at))
        .into_iter()
        .collect()
}

pub fn unit_report_events(report: &UnitReport, at: DateTime<Utc>) -> Vec<DomainEvent> {
    let event = match (report.accepted_by, report.status) {
        (Some(accepted_by), crate::models::UnitReportStatus::Accepted) => {
            DualReportingEvent::UnitReportAccepted {
                unit_report_id: report.id,
                unit_id: report.unit_id,
                accepted_by,
            }
        }
        _ => DualReportingEvent::UnitReportFiled {
            unit_report_id: report.id,
            unit_id: report.unit_id,
            grid_id: report.grid.grid,
        },
    };
    report
        .grid
        .community
        .map(|c| DomainEvent::of(community_reports(c), &event, at))
        .into_iter()
        .collect()
}

/// A project's change of state, to the staff of the need's community (when a community posted
/// it) and of each offering unit's paired community, once each: both sides' communities follow
/// what was agreed with them. `offers` are the project's offers (for their units' places).
pub fn project_status_changed(
    project: &Project,
    from: Option<ProjectStatus>,
    offers: &[ResourceOffer],
    at: DateTime<Utc>,
) -> Vec<DomainEvent> {
    let event = DualReportingEvent::ProjectStatusChanged {
        project_id: project.id,
        need_id: project.need_id,
        status: project.status,
        from,
        unit_ids: project.unit_ids(),
    };
    let mut communities: Vec<CommunityId> = project
        .place
        .community
        .into_iter()
        .chain(offers.iter().filter_map(|o| o.place.community))
        .collect();
    let mut seen = Vec::with_capacity(communities.len());
    communities.retain(|c| {
        let first = !seen.contains(c);
        seen.push(*c);
        first
    });
    communities
        .into_iter()
        .map(|c| DomainEvent::of(community_reports(c), &event, at))
        .collect()
}

/// The events of a pledge's record in its present state. A submitted record goes to the
/// community's staff, who verify it; a decision goes to them and to the member, who wants to
/// know. The pledge's progress is not carried: two decisions on one pledge may be announced
/// in either order, so a reader fetches the pledge for its figures.
pub fn fulfilment_events(pledge: &Pledge, fulfilment: &Fulfilment, at: DateTime<Utc>) -> Vec<DomainEvent> {
    let event = DualReportingEvent::PledgeFulfilment {
        kind: match fulfilment.status {
            FulfilmentStatus::Submitted => "pledge.fulfilment_submitted",
            FulfilmentStatus::Verified => "pledge.fulfilment_verified",
            FulfilmentStatus::Rejected => "pledge.fulfilment_rejected",
        },
        pledge_id: pledge.id,
        fulfilment_id: fulfilment.id,
        user_id: pledge.user_id,
        community_id: pledge.community_id(),
        title: pledge.title.clone(),
        status: fulfilment.status,
        reason: fulfilment.reason.clone(),
    };
    let mut events = Vec::with_capacity(2);
    if fulfilment.status != FulfilmentStatus::Submitted {
        events.push(DomainEvent::of(topics::user(pledge.user_id), &event, at));
    }
    if let Some(community) = pledge.community_id() {
        events.push(DomainEvent::of(community_reports(community), &event, at));
    }
    events
}

/// A member's appraisal, told to the member and to the community's staff.
pub fn appraisal_events(appraisal: &Appraisal, at: DateTime<Utc>) -> Vec<DomainEvent> {
    let event = DualReportingEvent::AppraisalPublished {
        appraisal_id: appraisal.id,
        user_id: appraisal.user_id,
        period: appraisal.period,
        grade: appraisal.grade,
    };
    let mut events = vec![DomainEvent::of(topics::user(appraisal.user_id), &event, at)];
    if let Some(community) = appraisal.place.community {
        events.push(DomainEvent::of(community_reports(community), &event, at));
    }
    events
}

/// A unit's appraisal, told to the staff of its paired grid's community.
pub fn unit_appraisal_events(appraisal: &UnitAppraisal, unit: &Unit, at: DateTime<Utc>) -> Vec<DomainEvent> {
    let event = DualReportingEvent::UnitAppraisalPublished {
        unit_id: appraisal.unit_id,
        period: appraisal.period,
        grade: appraisal.grade,
    };
    unit.grid
        .community
        .map(|c| DomainEvent::of(community_reports(c), &event, at))
        .into_iter()
        .collect()
}

/// The events of a transferred member's present state (`transferred_member.registered`,
/// `transferred_member.withdrawn`): to the person and to the community's staff.
pub fn transferred_member_events(member: &TransferredMember, at: DateTime<Utc>) -> Vec<DomainEvent> {
    let event = DualReportingEvent::TransferredMember {
        kind: match member.status {
            TransferStatus::Active => "transferred_member.registered",
            TransferStatus::Withdrawn => "transferred_member.withdrawn",
        },
        transferred_member_id: member.id,
        user_id: member.user_id,
        community_id: member.community_id(),
        grid_id: member.grid_id(),
        status: member.status,
        reason: member.reason.clone(),
    };
    let mut events = vec![DomainEvent::of(topics::user(member.user_id), &event, at)];
    if let Some(community) = member.community_id() {
        events.push(DomainEvent::of(community_reports(community), &event, at));
    }
    events
}

/// A roster replaced: to the staff of the unit's paired community, by count only.
pub fn roster_replaced(unit: &Unit, roster: &Roster) -> Vec<DomainEvent> {
    let event = DualReportingEvent::UnitRosterReplaced {
        unit_id: unit.id,
        entries: roster.entries,
    };
    unit.grid
        .community
        .map(|c| DomainEvent::of(community_reports(c), &event, roster.uploaded_at))
        .into_iter()
        .collect()
}
