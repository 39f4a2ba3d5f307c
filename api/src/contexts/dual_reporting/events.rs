//! The data of dual reporting's events (`linli_dual_reporting::events::DualReportingEvent`), as
//! the spec documents them for WebSocket subscribers. Staff covering a community read
//! `community:<id>:reports`; a member reads their own reports' events on `user:me`. A test
//! holds every kind the domain makes to its shape here.

use uuid::Uuid;

use crate::http::events::event_data;

use super::dto::ReportStatus;
use super::lists_dto::ProjectStatus;
use super::pledges::FulfilmentStatus;
use super::transferred_members::TransferStatus;

event_data! {
    DualReportingEventData;
    "unit.created" => UnitCreatedData { unit_id: Uuid, name: String, #[oai(nullable)] grid_id: Option<Uuid> }
    "unit_report.filed" => UnitReportFiledData {
        unit_report_id: Uuid, unit_id: Uuid, #[oai(nullable)] grid_id: Option<Uuid>
    }
    "unit_report.accepted" => UnitReportAcceptedData { unit_report_id: Uuid, unit_id: Uuid, accepted_by: Uuid }
    /// A member filed a report.
    "member_report.submitted" => MemberReportSubmittedData {
        member_report_id: Uuid, user_id: Uuid, unit_id: Uuid, #[oai(nullable)] community_id: Option<Uuid>,
        status: ReportStatus
    }
    /// The report was accepted: the member's grid and service category.
    "member_report.accepted" => MemberReportAcceptedData {
        member_report_id: Uuid, user_id: Uuid, unit_id: Uuid, #[oai(nullable)] community_id: Option<Uuid>,
        status: ReportStatus, grid_id: Uuid, category: String
    }
    "member_report.rejected" => MemberReportRejectedData {
        member_report_id: Uuid, user_id: Uuid, unit_id: Uuid, #[oai(nullable)] community_id: Option<Uuid>,
        status: ReportStatus, reason: String
    }
    /// The report was withdrawn; `grid_id` and `category` when it had been accepted, `reason`
    /// when one was given.
    "member_report.withdrawn" => MemberReportWithdrawnData {
        member_report_id: Uuid, user_id: Uuid, unit_id: Uuid, #[oai(nullable)] community_id: Option<Uuid>,
        status: ReportStatus, grid_id: Option<Uuid>, category: Option<String>, reason: Option<String>
    }
    /// A project was proposed (`from` null), started, completed or cancelled; to the need's
    /// community and each offering unit's paired community.
    "project.status_changed" => ProjectStatusChangedData {
        project_id: Uuid, need_id: Uuid, status: ProjectStatus, #[oai(nullable)] from: Option<ProjectStatus>,
        unit_ids: Vec<Uuid>
    }
    /// A member recorded keeping their pledge: for the staff who verify it.
    "pledge.fulfilment_submitted" => PledgeFulfilmentSubmittedData {
        pledge_id: Uuid, fulfilment_id: Uuid, user_id: Uuid, #[oai(nullable)] community_id: Option<Uuid>,
        title: String, status: FulfilmentStatus
    }
    /// The record was verified: it counts towards the pledge's progress (fetch the pledge).
    "pledge.fulfilment_verified" => PledgeFulfilmentVerifiedData {
        pledge_id: Uuid, fulfilment_id: Uuid, user_id: Uuid, #[oai(nullable)] community_id: Option<Uuid>,
        title: String, status: FulfilmentStatus
    }
    "pledge.fulfilment_rejected" => PledgeFulfilmentRejectedData {
        pledge_id: Uuid, fulfilment_id: Uuid, user_id: Uuid, #[oai(nullable)] community_id: Option<Uuid>,
        title: String, status: FulfilmentStatus, reason: String
    }
    /// A unit's roster was replaced: how many people it names now (never who).
    "unit_roster.replaced" => UnitRosterReplacedData { unit_id: Uuid, entries: u32 }
    /// A transferred member was registered in the community, assigned to `grid_id`.
    "transferred_member.registered" => TransferredMemberRegisteredData {
        transferred_member_id: Uuid, user_id: Uuid, #[oai(nullable)] community_id: Option<Uuid>,
        #[oai(nullable)] grid_id: Option<Uuid>, status: TransferStatus
    }
    /// A transferred member's registration was withdrawn; `reason` when one was given.
    "transferred_member.withdrawn" => TransferredMemberWithdrawnData {
        transferred_member_id: Uuid, user_id: Uuid, #[oai(nullable)] community_id: Option<Uuid>,
        #[oai(nullable)] grid_id: Option<Uuid>, status: TransferStatus, reason: Option<String>
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use linli_dual_reporting::events::{member_report_events, unit_created, unit_report_events};
    use linli_dual_reporting::models::{
        Assignment, CategoryKey, MemberReport, MemberReportId, ReportStatus, Unit, UnitKind, UnitReport,
        UnitReportId, UnitReportStatus,
    };
    use linli_kernel::{CommunityId, GridId, ScopePath, SubdistrictId, UnitId, UserId};

    use super::conforms;

    /// Every event the domain makes: a unit created, its report filed and accepted, and a
    /// member report in each state (withdrawn both before and after acceptance).
    fn samples() -> Vec<linli_kernel::DomainEvent> {
        let now = Utc::now();
        let (community, grid) = (CommunityId::new(), GridId::new());
        let place = ScopePath::grid(SubdistrictId::new(), community, grid);
        let unit = Unit {
            id: UnitId::new(),
            name: "某某局".to_owned(),
            kind: UnitKind::MunicipalOrgan,
            party_organisation: "中共某某局机关委员会".to_owned(),
            contact_name: "赵主任".to_owned(),
            contact_phone: "0531-88888888".to_owned(),
            roll_count: 120,
            grid: place,
            created_at: now,
        };
        let filed = UnitReport {
            id: UnitReportId::new(),
            unit_id: unit.id,
            grid: place,
            status: UnitReportStatus::Submitted,
            filed_by: UserId::new(),
            filed_at: now,
            accepted_by: None,
            accepted_at: None,
        };
        let accepted = UnitReport {
            status: UnitReportStatus::Accepted,
            accepted_by: Some(UserId::new()),
            accepted_at: Some(now),
            ..filed.clone()
        };
        let submitted = MemberReport {
            id: MemberReportId::new(),
            user_id: UserId::new(),
            unit_id: unit.id,
            place: ScopePath::community(SubdistrictId::new(), community),
            skills: vec!["法律咨询".to_owned()],
            availability: "周末".to_owned(),
            note: String::new(),
            status: ReportStatus::Submitted,
            assignment: None,
            reason: None,
            filed_at: now,
            decided_by: None,
            decided_at: None,
        };
        let assignment = Assignment {
            grid_id: grid,
            category: CategoryKey::parse("category", "legal_aid").unwrap(),
            post: "网格党员志愿者".to_owned(),
        };
        let member_accepted = MemberReport {
            status: ReportStatus::Accepted,
            place,
            assignment: Some(assignment),
            ..submitted.clone()
        };
        let reason = Some("不在本社区居住".to_owned());
        let rejected = MemberReport {
            status: ReportStatus::Rejected,
            reason: reason.clone(),
            ..submitted.clone()
        };
        let withdrawn_submitted = MemberReport {
            status: ReportStatus::Withdrawn,
            ..submitted.clone()
        };
        let withdrawn_accepted = MemberReport {
            status: ReportStatus::Withdrawn,
            reason,
            ..member_accepted.clone()
        };
        let mut events = unit_created(&unit, now);
        events.extend(unit_report_events(&filed, now));
        events.extend(unit_report_events(&accepted, now));
        for report in [
            &submitted,
            &member_accepted,
            &rejected,
            &withdrawn_submitted,
            &withdrawn_accepted,
        ] {
            events.extend(member_report_events(report, now));
        }
        events
    }

    /// A project's change of state, proposed and then cancelled.
    #[test]
    fn a_projects_change_of_state_has_the_documented_shape() {
        use linli_dual_reporting::events::project_status_changed;
        use linli_dual_reporting::{NeedId, Project, ProjectId, ProjectOffer, ProjectStatus, Quantity};

        let now = Utc::now();
        let place = ScopePath::community(SubdistrictId::new(), CommunityId::new());
        let planned = Project {
            id: ProjectId::new(),
            need_id: NeedId::new(),
            place,
            title: "助老共建".to_owned(),
            description: String::new(),
            status: ProjectStatus::Planned,
            offers: vec![ProjectOffer {
                offer_id: linli_dual_reporting::ResourceOfferId::new(),
                unit_id: UnitId::new(),
                quantity: Quantity::new(10.0, "人").unwrap(),
            }],
            signatures: vec![],
            activity_count: 0,
            beneficiary_count: 0,
            created_by: UserId::new(),
            created_at: now,
            started_at: None,
            finished_at: None,
            reason: None,
        };
        let cancelled = Project {
            status: ProjectStatus::Cancelled,
            reason: Some("场地改作他用".to_owned()),
            ..planned.clone()
        };
        let mut events = project_status_changed(&planned, None, &[], now);
        events.extend(project_status_changed(
            &cancelled,
            Some(ProjectStatus::Planned),
            &[],
            now,
        ));
        assert_eq!(events.len(), 2);
        for event in &events {
            assert_eq!(event.kind, "project.status_changed");
            assert_eq!(conforms(&event.kind, &event.data), Ok(()), "{}", event.data);
        }
    }

    /// A roster replaced, and a transferred member registered and withdrawn (with and without
    /// a reason).
    #[test]
    fn roster_and_transferred_member_events_have_the_documented_shape() {
        use linli_dual_reporting::events::{roster_replaced, transferred_member_events};
        use linli_dual_reporting::roster::Roster;
        use linli_dual_reporting::transferred::{TransferStatus, TransferredMember};
        use linli_dual_reporting::{TransferredMemberId, UnitKind};

        let now = Utc::now();
        let place = ScopePath::grid(SubdistrictId::new(), CommunityId::new(), GridId::new());
        let unit = Unit {
            id: UnitId::new(),
            name: "某某局".to_owned(),
            kind: UnitKind::MunicipalOrgan,
            party_organisation: "中共某某局机关委员会".to_owned(),
            contact_name: "赵主任".to_owned(),
            contact_phone: "0531-88888888".to_owned(),
            roll_count: 120,
            grid: place,
            created_at: now,
        };
        let roster = Roster {
            unit_id: unit.id,
            entries: 3,
            uploaded_by: UserId::new(),
            uploaded_at: now,
        };
        let registered = TransferredMember {
            id: TransferredMemberId::new(),
            user_id: UserId::new(),
            place,
            from_organisation: "原济阳县化肥厂党委".to_owned(),
            transferred_on: now.date_naive(),
            status: TransferStatus::Active,
            registered_by: UserId::new(),
            registered_at: now,
            withdrawn_by: None,
            withdrawn_at: None,
            reason: None,
        };
        let withdrawn = TransferredMember {
            status: TransferStatus::Withdrawn,
            withdrawn_by: Some(UserId::new()),
            withdrawn_at: Some(now),
            reason: Some("迁往外地".to_owned()),
            ..registered.clone()
        };
        let silent = TransferredMember {
            reason: None,
            ..withdrawn.clone()
        };
        let mut events = roster_replaced(&unit, &roster);
        for member in [&registered, &withdrawn, &silent] {
            events.extend(transferred_member_events(member, now));
        }
        let kinds: std::collections::BTreeSet<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds.len(), 3, "{kinds:?}");
        for event in &events {
            assert_eq!(conforms(&event.kind, &event.data), Ok(()), "{}", event.data);
        }
    }

    #[test]
    fn every_dual_reporting_event_has_the_documented_shape() {
        let events = samples();
        let kinds: std::collections::BTreeSet<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds.len(), 7, "{kinds:?}");
        for event in &events {
            assert_eq!(conforms(&event.kind, &event.data), Ok(()), "{}", event.data);
        }
    }
}
