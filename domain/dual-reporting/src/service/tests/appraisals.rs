//! Two-way appraisal: who appraises whom, once a year; what the unit is told of its members;
//! the district's appraisal of a unit beside indicators counted from the records.

use linli_kernel::ports::{NoServiceRecorded, ServiceHours, ServiceTotals};

use super::*;
use crate::appraisal::{Grade, Period};
use crate::ports::UnitRecordCounts;
use crate::{AppraisalQuery, AppraisalService, DualReportingError, ReportStatus, Resource};

/// Hours recorded for one person: what volunteering's ledger will answer.
#[derive(Clone)]
struct HoursOf(UserId, ServiceTotals);

impl ServiceHours for HoursOf {
    async fn totals(
        &self,
        people: &[UserId],
        _from: chrono::DateTime<chrono::Utc>,
        _to: chrono::DateTime<chrono::Utc>,
    ) -> anyhow::Result<Vec<(UserId, ServiceTotals)>> {
        Ok(people
            .iter()
            .filter(|p| **p == self.0)
            .map(|p| (*p, self.1))
            .collect())
    }
}

type Appraisals<H> = AppraisalService<
    InMemoryDualReporting,
    InMemoryDualReporting,
    InMemoryDualReporting,
    FakeDirectory,
    InMemoryPeople,
    H,
    InMemoryDualReporting,
    ManualClock,
>;

fn appraisals_over<H: ServiceHours>(d: &District, hours: H) -> Appraisals<H> {
    AppraisalService::new(
        d.store.clone(),
        d.store.clone(),
        d.store.clone(),
        d.directory.clone(),
        d.people.clone(),
        hours,
        d.store.clone(),
        d.clock.clone(),
    )
}

fn appraisals(d: &District) -> Appraisals<NoServiceRecorded> {
    appraisals_over(d, NoServiceRecorded)
}

#[tokio::test]
async fn an_admin_over_the_community_appraises_an_accepted_member_once_a_year() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let member = d.member();
    d.accepted(&member, unit.id).await;
    let service = appraisals(&d);
    let admin = admin_of(&d.a);
    let appraisal = service
        .appraise(&admin, member.user_id(), 2026, "excellent", "服务积极")
        .await
        .unwrap();
    assert_eq!(
        (appraisal.grade, appraisal.period.year()),
        (Grade::Excellent, 2026)
    );
    assert!(matches!(
        service
            .appraise(&admin, member.user_id(), 2026, "competent", "")
            .await,
        Err(DualReportingError::AlreadyAppraised)
    ));
    // Another year is another appraisal.
    service
        .appraise(&admin, member.user_id(), 2027, "competent", "")
        .await
        .unwrap();
    assert_eq!(
        topics_of(&d.store.events(), "appraisal.published"),
        vec![
            format!("user:{}", member.user_id()),
            reports_topic(&d.a),
            format!("user:{}", member.user_id()),
            reports_topic(&d.a),
        ]
    );
}

#[tokio::test]
async fn only_an_admin_over_the_member_s_community_appraises_and_never_themselves() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let member = d.member();
    d.accepted(&member, unit.id).await;
    let service = appraisals(&d);
    let appraise = |who: Actor| {
        let service = &service;
        let member = member.user_id();
        async move { service.appraise(&who, member, 2026, "excellent", "").await }
    };
    assert!(matches!(
        appraise(admin_of(&d.b)).await,
        Err(DualReportingError::NotFound(Resource::MemberReport))
    ));
    assert!(matches!(
        appraise(unit_admin(unit.id)).await,
        Err(DualReportingError::NotFound(_))
    ));
    assert!(matches!(
        appraise(resident()).await,
        Err(DualReportingError::NotFound(_))
    ));
    assert!(matches!(
        appraise(worker_of(&d.a1)).await,
        Err(DualReportingError::Forbidden)
    ));
    assert!(matches!(
        appraise(member.clone()).await,
        Err(DualReportingError::NotFound(_))
    ));
    // An admin who is the member is refused too.
    let admin_member = Actor::new(
        member.user_id(),
        None,
        vec![(Role::CommunityAdmin, Scope::Community(community_id(&d.a)))],
    );
    assert!(matches!(
        appraise(admin_member).await,
        Err(DualReportingError::Forbidden)
    ));
    assert!(d.store.0.lock().unwrap().appraisals.is_empty());
}

#[tokio::test]
async fn only_accepted_members_are_appraised_with_a_known_grade_and_year() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let member = d.member();
    d.filed(&member, unit.id, &d.a).await;
    let service = appraisals(&d);
    let admin = admin_of(&d.a);
    assert!(matches!(
        service
            .appraise(&admin, member.user_id(), 2026, "excellent", "")
            .await,
        Err(DualReportingError::ReportState(ReportStatus::Submitted))
    ));
    let other = d.member();
    d.accepted(&other, unit.id).await;
    for (year, grade) in [(2026, "outstanding"), (1999, "excellent"), (2101, "excellent")] {
        assert!(matches!(
            service.appraise(&admin, other.user_id(), year, grade, "").await,
            Err(DualReportingError::Validation(_))
        ));
    }
}

#[tokio::test]
async fn members_see_their_own_appraisals_units_their_members_and_staff_their_community() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let other_unit = d.unit(&d.a2).await;
    let member = d.member();
    let colleague = d.member();
    d.accepted(&member, unit.id).await;
    d.accepted(&colleague, other_unit.id).await;
    let service = appraisals(&d);
    let admin = admin_of(&d.a);
    for who in [&member, &colleague] {
        service
            .appraise(&admin, who.user_id(), 2026, "competent", "")
            .await
            .unwrap();
    }
    let seen = |viewer: Actor| {
        let service = &service;
        async move {
            let page = service
                .list(&viewer, AppraisalQuery::default(), page())
                .await
                .unwrap();
            let mut users: Vec<UserId> = page.items.iter().map(|a| a.user_id).collect();
            users.sort();
            users
        }
    };
    let mut both = vec![member.user_id(), colleague.user_id()];
    both.sort();
    assert_eq!(seen(member.clone()).await, vec![member.user_id()]);
    assert_eq!(seen(unit_admin(unit.id)).await, vec![member.user_id()]);
    assert_eq!(seen(admin.clone()).await, both);
    assert_eq!(seen(admin_of(&d.b)).await, Vec::<UserId>::new());
    assert_eq!(seen(resident()).await, Vec::<UserId>::new());
}

#[tokio::test]
async fn a_unit_is_told_each_member_s_report_service_and_appraisal_for_the_year() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let member = d.member();
    let pending = d.member();
    d.accepted(&member, unit.id).await;
    d.filed(&pending, unit.id, &d.b).await;
    appraisals(&d)
        .appraise(&admin_of(&d.a), member.user_id(), 2026, "excellent", "好")
        .await
        .unwrap();
    let hours = ServiceTotals {
        minutes: 750,
        tasks_done: 3,
    };
    let service = appraisals_over(&d, HoursOf(member.user_id(), hours));
    let feedback = service
        .feedback(&unit_admin(unit.id), unit.id, 2026)
        .await
        .unwrap();
    assert_eq!(feedback.members.len(), 2);
    let accepted = feedback
        .members
        .iter()
        .find(|m| m.member.id == member.user_id())
        .unwrap();
    assert_eq!(accepted.status, ReportStatus::Accepted);
    assert_eq!(accepted.community_name.as_deref(), Some("济阳街道 / 幸福里社区"));
    assert_eq!(accepted.grid_id, Some(grid_id(&d.a1)));
    assert_eq!(accepted.service, hours);
    assert_eq!(
        accepted.appraisal.as_ref().map(|a| a.grade),
        Some(Grade::Excellent)
    );
    assert!(!accepted.member.masked, "the unit sees its members whole");
    let waiting = feedback
        .members
        .iter()
        .find(|m| m.member.id == pending.user_id())
        .unwrap();
    assert_eq!(
        (waiting.status, waiting.service, waiting.appraisal.is_none()),
        (ReportStatus::Submitted, ServiceTotals::default(), true)
    );
    // Another year: the same members, no appraisal.
    let next = service
        .feedback(&unit_admin(unit.id), unit.id, 2027)
        .await
        .unwrap();
    assert!(next.members.iter().all(|m| m.appraisal.is_none()));
}

#[tokio::test]
async fn a_unit_s_feedback_is_for_its_admins_and_the_district_only() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let other = d.unit(&d.a2).await;
    let service = appraisals(&d);
    assert!(service.feedback(&d.admin, unit.id, 2026).await.is_ok());
    for outsider in [unit_admin(other.id), admin_of(&d.a), worker_of(&d.a1), resident()] {
        assert!(matches!(
            service.feedback(&outsider, unit.id, 2026).await,
            Err(DualReportingError::Forbidden)
        ));
    }
}

#[tokio::test]
async fn a_member_who_moved_counts_once_where_they_are_now() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let member = d.member();
    let first = d.accepted(&member, unit.id).await;
    d.reports.withdraw(&member, first, "搬家").await.unwrap();
    d.filed(&member, unit.id, &d.b).await;
    let feedback = appraisals(&d).feedback(&d.admin, unit.id, 2026).await.unwrap();
    assert_eq!(feedback.members.len(), 1);
    assert_eq!(feedback.members[0].community_id, Some(community_id(&d.b)));
    assert_eq!(
        feedback.indicators.reported_members, 0,
        "the new report is not accepted yet"
    );
}

#[tokio::test]
async fn a_unit_s_indicators_are_counted_from_the_records() {
    let d = district();
    // Roll of 120 (see new_unit): 3 accepted, 1 pending, 1 rejected.
    let unit = d.unit(&d.a1).await;
    let admin = admin_of(&d.a);
    let accepted: Vec<Actor> = (0..3).map(|_| d.member()).collect();
    for member in &accepted {
        d.accepted(member, unit.id).await;
    }
    d.filed(&d.member(), unit.id, &d.a).await;
    let rejected = d.member();
    let id = d.filed(&rejected, unit.id, &d.a).await;
    d.reports.reject(&admin, id, "不在本社区居住").await.unwrap();
    let service = appraisals(&d);
    service
        .appraise(&admin, accepted[0].user_id(), 2026, "excellent", "")
        .await
        .unwrap();
    service
        .appraise(&admin, accepted[1].user_id(), 2026, "excellent", "")
        .await
        .unwrap();
    service
        .appraise(&admin, accepted[2].user_id(), 2026, "competent", "")
        .await
        .unwrap();
    // Last year's excellence does not count for this year.
    service
        .appraise(&admin, accepted[2].user_id(), 2025, "excellent", "")
        .await
        .unwrap();
    d.store.0.lock().unwrap().records = UnitRecordCounts {
        pledges_fulfilled: 4,
        projects_completed: 2,
        activities_held: 7,
    };
    let appraisal = service
        .appraise_unit(&d.admin, unit.id, 2026, "excellent", "共建成效显著")
        .await
        .unwrap();
    let i = appraisal.indicators;
    assert_eq!(
        (
            i.roll_count,
            i.reported_members,
            i.report_rate_permille,
            i.members_excellent
        ),
        (120, 3, Some(25), 2)
    );
    assert_eq!(
        (i.pledges_fulfilled, i.projects_completed, i.activities_held),
        (4, 2, 7)
    );
    assert!(matches!(
        service
            .appraise_unit(&d.admin, unit.id, 2026, "competent", "")
            .await,
        Err(DualReportingError::AlreadyAppraised)
    ));
}

#[tokio::test]
async fn only_the_district_appraises_units_and_unit_admins_see_only_their_own() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let other = d.unit(&d.a2).await;
    let service = appraisals(&d);
    for outsider in [unit_admin(unit.id), admin_of(&d.a), resident()] {
        assert!(matches!(
            service
                .appraise_unit(&outsider, unit.id, 2026, "excellent", "")
                .await,
            Err(DualReportingError::Forbidden)
        ));
    }
    service
        .appraise_unit(&d.admin, unit.id, 2026, "excellent", "")
        .await
        .unwrap();
    service
        .appraise_unit(&d.admin, other.id, 2026, "competent", "")
        .await
        .unwrap();
    let units_seen = |viewer: Actor| {
        let service = &service;
        async move {
            service
                .unit_appraisals(&viewer, Some(2026), page())
                .await
                .unwrap()
                .items
                .iter()
                .map(|a| a.unit_id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(units_seen(d.admin.clone()).await.len(), 2);
    assert_eq!(units_seen(unit_admin(unit.id)).await, vec![unit.id]);
    assert!(units_seen(admin_of(&d.a)).await.is_empty());
}

#[test]
fn a_year_is_reckoned_in_china_s_time() {
    let (from, to) = Period::new("period", 2026).unwrap().bounds();
    assert_eq!(from.to_rfc3339(), "2025-12-31T16:00:00+00:00");
    assert_eq!(to.to_rfc3339(), "2026-12-31T16:00:00+00:00");
}

#[test]
fn the_report_rate_is_in_thousandths_and_absent_without_a_roll() {
    use crate::appraisal::UnitIndicators;
    assert_eq!(UnitIndicators::rate(3, 120), Some(25));
    assert_eq!(UnitIndicators::rate(120, 120), Some(1000));
    assert_eq!(UnitIndicators::rate(0, 0), None);
}

#[tokio::test]
async fn a_unit_sees_each_member_s_pledges_of_the_year_and_how_far_they_are_kept() {
    use crate::{NewFulfilment, NewPledge, PledgeService};
    let d = district();
    let unit = d.unit(&d.a1).await;
    let other_unit = d.unit(&d.a2).await;
    let member = d.member();
    let stranger = d.member();
    d.accepted(&member, unit.id).await;
    d.accepted(&stranger, other_unit.id).await;
    let pledges = PledgeService::new(
        d.store.clone(),
        d.store.clone(),
        d.store.clone(),
        d.people.clone(),
        d.clock.clone(),
    );
    let year = 2026;
    let pledge = |who: Actor, target| {
        let pledges = &pledges;
        async move {
            let new = NewPledge {
                title: "每月走访独居老人".to_owned(),
                category: "elderly_disabled_help".to_owned(),
                target,
                period: year,
            };
            pledges.pledge(&who, new).await.unwrap().pledge.id
        }
    };
    let kept = pledge(member.clone(), 1).await;
    let open = pledge(member.clone(), 5).await;
    pledge(stranger.clone(), 1).await;
    let record = NewFulfilment {
        note: "走访王奶奶".to_owned(),
        photos: vec![],
    };
    let fulfilment = pledges.record(&member, kept, record).await.unwrap();
    pledges.verify(&worker_of(&d.a1), fulfilment.id).await.unwrap();

    let feedback = appraisals(&d)
        .feedback(&unit_admin(unit.id), unit.id, year as i32)
        .await
        .unwrap();
    let [seen] = feedback.members.as_slice() else {
        panic!("one member of the unit: {:?}", feedback.members);
    };
    let progress: Vec<_> = seen
        .pledges
        .iter()
        .map(|p| (p.id, p.verified, p.target, p.is_kept()))
        .collect();
    assert_eq!(progress, vec![(kept, 1, 1, true), (open, 0, 5, false)]);
}

#[tokio::test]
async fn a_transferred_member_is_appraised_by_their_community_on_their_registration() {
    use chrono::NaiveDate;

    use crate::pledges::MemberBasis;
    use crate::{NewTransferredMember, TransferredMemberService};
    let d = district();
    let person = resident();
    d.people.add(PersonRecord {
        id: person.user_id(),
        nickname: None,
        real_name: Some("刘德胜".to_owned()),
        phone: Some("13700001111".to_owned()),
        places: vec![d.a1.path],
    });
    let registered = TransferredMemberService::new(
        d.store.clone(),
        d.directory.clone(),
        d.people.clone(),
        d.grants.clone(),
        d.clock.clone(),
    )
    .register(
        &admin_of(&d.a),
        NewTransferredMember {
            user_id: person.user_id(),
            community_id: community_id(&d.a),
            grid_id: grid_id(&d.a1),
            transferred_on: NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
            from_organisation: "原济阳县化肥厂党委".to_owned(),
        },
    )
    .await
    .unwrap()
    .member
    .id;
    let service = appraisals(&d);
    assert!(matches!(
        service
            .appraise(&admin_of(&d.b), person.user_id(), 2026, "excellent", "")
            .await,
        Err(DualReportingError::NotFound(Resource::MemberReport))
    ));
    let appraisal = service
        .appraise(&admin_of(&d.a), person.user_id(), 2026, "excellent", "")
        .await
        .unwrap();
    assert_eq!(appraisal.basis, MemberBasis::Transferred(registered));
    assert_eq!(appraisal.unit_id, None, "a transferred member has no unit");
    assert_eq!(appraisal.place.community, Some(community_id(&d.a)));
}
