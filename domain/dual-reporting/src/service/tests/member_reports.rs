//! Member reports: filing, the community's decisions and the `party_member` grant they leave
//! behind, withdrawal, who lists what, and who may read the community's report topic.

use linli_kernel::events::{TopicPolicy, TopicRefusal};
use linli_kernel::ports::GrantStore;
use linli_kernel::{GrantSet, PlacedGrant, Rule};

use super::*;
use crate::models::{MAX_SKILLS, MemberReport, MissingProfile, ReportStatus};
use crate::ports::MemberReportRepository;
use crate::service::ReportQuery;
use crate::topics::ReportTopics;
use crate::{DualReportingError, Resource};

/// A grant store that is down: every read and write fails.
struct BrokenGrants;

impl GrantStore for BrokenGrants {
    async fn grants_in(&self, _: &GrantSet) -> anyhow::Result<Vec<RoleGrant>> {
        anyhow::bail!("grant storage is down")
    }

    async fn replace_grants<F>(
        &self,
        _: Option<UserId>,
        _: &GrantSet,
        _: Vec<PlacedGrant>,
        _: F,
    ) -> anyhow::Result<()>
    where
        F: FnOnce(&[RoleGrant], &[RoleGrant]) -> Vec<DomainEvent> + Send,
    {
        anyhow::bail!("grant storage is down")
    }
}

fn status(d: &District, id: MemberReportId) -> ReportStatus {
    d.store.report(id).unwrap().status
}

#[tokio::test]
async fn a_report_needs_a_real_name_and_a_phone_and_says_exactly_which_is_missing() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let cases = [
        (
            d.person(None, Some("13912345678")),
            vec![MissingProfile::RealName],
        ),
        (d.person(Some("王建国"), None), vec![MissingProfile::Phone]),
        (
            d.person(None, None),
            vec![MissingProfile::RealName, MissingProfile::Phone],
        ),
    ];
    for (member, expected) in cases {
        assert!(matches!(
            d.reports.file(&member, new_report(unit.id, &d.a)).await,
            Err(DualReportingError::ProfileIncomplete(missing)) if missing == expected
        ));
    }
    assert!(d.store.events().iter().all(|e| e.kind == "unit.created"));
    let filed = d
        .reports
        .file(&d.member(), new_report(unit.id, &d.a))
        .await
        .unwrap();
    assert_eq!(filed.report.status, ReportStatus::Submitted);
    assert_eq!(filed.report.place, d.a.path);
    assert!(!filed.member.masked);
}

#[tokio::test]
async fn a_member_has_one_open_report_at_a_time_and_may_file_again_once_rejected() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let member = d.member();
    let first = d.filed(&member, unit.id, &d.a).await;
    assert!(matches!(
        d.reports.file(&member, new_report(unit.id, &d.b)).await,
        Err(DualReportingError::OpenReportExists)
    ));
    d.reports
        .reject(&admin_of(&d.a), first, "不在本社区居住")
        .await
        .unwrap();
    let second = d.filed(&member, unit.id, &d.b).await;
    assert_ne!(first, second);
    assert_eq!(status(&d, second), ReportStatus::Submitted);
}

#[tokio::test]
async fn a_report_to_an_unknown_unit_or_community_is_not_found() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let member = d.member();
    assert!(matches!(
        d.reports.file(&member, new_report(UnitId::new(), &d.a)).await,
        Err(DualReportingError::NotFound(Resource::Unit))
    ));
    let nowhere = NewMemberReport {
        community_id: CommunityId::new(),
        ..new_report(unit.id, &d.a)
    };
    assert!(matches!(
        d.reports.file(&member, nowhere).await,
        Err(DualReportingError::NotFound(Resource::Community))
    ));
}

#[tokio::test]
async fn skills_are_trimmed_and_neither_blank_nor_repeated_nor_too_many() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let member = d.member();
    let with = |skills: &[&str]| NewMemberReport {
        skills: skills.iter().map(|s| (*s).to_owned()).collect(),
        ..new_report(unit.id, &d.a)
    };
    let many: Vec<String> = (0..=MAX_SKILLS).map(|i| format!("技能{i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    for (skills, rule) in [
        (&["电工", " 电工 "][..], Rule::Duplicate),
        (&["电工", " "][..], Rule::Empty),
        (&many[..], Rule::TooMany),
    ] {
        assert!(
            matches!(
                d.reports.file(&member, with(skills)).await,
                Err(DualReportingError::Validation(e)) if e.field == "skills" && e.rule == rule
            ),
            "{skills:?}"
        );
    }
    let filed = d.reports.file(&member, with(&[" 电工 ", "理发"])).await.unwrap();
    assert_eq!(filed.report.skills, ["电工", "理发"]);
}

#[tokio::test]
async fn only_an_admin_over_the_community_decides_and_those_who_merely_see_the_report_are_forbidden() {
    let d = &district();
    let unit = d.unit(&d.a1).await;
    let member = d.member();
    let id = d.filed(&member, unit.id, &d.a).await;
    let accept = |who: Actor| async move {
        d.reports
            .accept(&who, id, grid_id(&d.a1), "legal_aid", "楼道长")
            .await
    };
    // A grid's staff do not see a report filed to the community as a whole.
    for hidden in [admin_of(&d.b), worker_of(&d.a1), resident()] {
        assert!(matches!(
            accept(hidden).await,
            Err(DualReportingError::NotFound(Resource::MemberReport))
        ));
    }
    for seeing in [unit_admin(unit.id), member.clone()] {
        assert!(matches!(accept(seeing).await, Err(DualReportingError::Forbidden)));
    }
    assert_eq!(status(d, id), ReportStatus::Submitted);
    accept(admin_of(&d.a)).await.unwrap();
    // Once accepted into a grid, that grid's workers see the report, but decide nothing.
    assert!(matches!(
        d.reports.reject(&worker_of(&d.a1), id, "不合适").await,
        Err(DualReportingError::Forbidden)
    ));
    assert!(matches!(
        d.reports.withdraw(&worker_of(&d.a1), id, "").await,
        Err(DualReportingError::Forbidden)
    ));
    assert_eq!(status(d, id), ReportStatus::Accepted);
}

#[tokio::test]
async fn an_admin_never_decides_their_own_report_but_may_withdraw_it() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    // A community admin who is also an in-service member living in the community.
    let admin = admin_of(&d.a);
    d.people.add(PersonRecord {
        id: admin.user_id(),
        nickname: None,
        real_name: Some("张伟".to_owned()),
        phone: Some("13800000099".to_owned()),
        places: vec![d.a1.path],
    });
    let id = d.filed(&admin, unit.id, &d.a).await;
    assert!(matches!(
        d.reports
            .accept(&admin, id, grid_id(&d.a1), "legal_aid", "楼道长")
            .await,
        Err(DualReportingError::Forbidden)
    ));
    assert!(matches!(
        d.reports.reject(&admin, id, "自己的").await,
        Err(DualReportingError::Forbidden)
    ));
    assert!(d.grants.held_by(admin.user_id()).is_empty());
    assert_eq!(status(&d, id), ReportStatus::Submitted);
    d.reports.withdraw(&admin, id, "").await.unwrap();
    // Another admin of the community decides it.
    let again = d.filed(&admin, unit.id, &d.a).await;
    d.reports
        .accept(&admin_of(&d.a), again, grid_id(&d.a1), "legal_aid", "楼道长")
        .await
        .unwrap();
    assert_eq!(d.party_member_grants(admin.user_id()).len(), 1);
}

#[tokio::test]
async fn a_report_is_assigned_to_a_grid_of_its_own_community_and_a_known_category() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let member = d.member();
    let id = d.filed(&member, unit.id, &d.a).await;
    let admin = admin_of(&d.a);
    let (a1, b1) = (grid_id(&d.a1), grid_id(&d.b1));
    for grid in [b1, GridId::new()] {
        assert!(matches!(
            d.reports.accept(&admin, id, grid, "legal_aid", "楼道长").await,
            Err(DualReportingError::GridOutsideCommunity(g)) if g == grid
        ));
    }
    assert!(matches!(
        d.reports.accept(&admin, id, a1, "knitting", "楼道长").await,
        Err(DualReportingError::UnknownCategory(key)) if key == "knitting"
    ));
    assert!(matches!(
        d.reports.accept(&admin, id, a1, "Legal Aid", "楼道长").await,
        Err(DualReportingError::Validation(e)) if e.field == "category"
    ));
    assert!(matches!(
        d.reports.accept(&admin, id, a1, "legal_aid", " ").await,
        Err(DualReportingError::Validation(e)) if e.field == "post"
    ));
    assert_eq!(status(&d, id), ReportStatus::Submitted);
    assert!(d.grants.held_by(member.user_id()).is_empty());

    let view = d
        .reports
        .accept(&admin, id, a1, "legal_aid", "楼道长")
        .await
        .unwrap();
    let assignment = view.report.assignment.unwrap();
    assert_eq!(
        (assignment.grid_id, assignment.category.as_str()),
        (a1, "legal_aid")
    );
    assert_eq!(view.report.place, d.a1.path);
    assert_eq!(view.report.decided_by, Some(admin.user_id()));
}

#[tokio::test]
async fn accepting_grants_the_member_party_member_in_the_community_and_touches_no_one_else() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let (first, second) = (d.member(), d.member());
    let id = d.accepted(&first, unit.id).await;
    let held = d.grants.held_by(first.user_id());
    assert_eq!(held.len(), 1);
    assert_eq!(
        (held[0].role(), held[0].scope()),
        (Role::PartyMember, Scope::Community(community_id(&d.a)))
    );
    assert_eq!(held[0].granted_by(), d.store.report(id).unwrap().decided_by);

    d.accepted(&second, unit.id).await;
    assert_eq!(
        d.grants.held_by(first.user_id()),
        held,
        "the first grant is untouched"
    );
    assert_eq!(d.party_member_grants(second.user_id()).len(), 1);
    let granted: Vec<UserId> = d.grants.audited().iter().map(|c| c.grant.user_id()).collect();
    assert_eq!(
        granted,
        [first.user_id(), second.user_id()],
        "one grant each, nothing revoked"
    );
    assert!(d.grants.audited().iter().all(|c| c.granted));
}

#[tokio::test]
async fn a_decided_report_is_decided_once() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let member = d.member();
    let id = d.accepted(&member, unit.id).await;
    let admin = admin_of(&d.a);
    assert!(matches!(
        d.reports
            .accept(&admin, id, grid_id(&d.a2), "health", "楼道长")
            .await,
        Err(DualReportingError::ReportState(ReportStatus::Accepted))
    ));
    assert!(matches!(
        d.reports.reject(&admin, id, "重复").await,
        Err(DualReportingError::ReportState(ReportStatus::Accepted))
    ));
    assert_eq!(d.party_member_grants(member.user_id()).len(), 1);
    assert_eq!(d.grants.audited().len(), 1);
}

#[tokio::test]
async fn a_report_s_filing_and_acceptance_are_told_to_the_member_and_the_community_s_staff() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let member = d.member();
    d.accepted(&member, unit.id).await;
    let told = [format!("user:{}", member.user_id()), reports_topic(&d.a)];
    assert_eq!(topics_of(&d.store.events(), "member_report.submitted"), told);
    let accepted = d.grants.recorded();
    assert_eq!(topics_of(&accepted, "member_report.accepted"), told);
    assert_eq!(accepted[0].data["category"], "legal_aid");
    assert_eq!(accepted[0].data["grid_id"], grid_id(&d.a1).to_string());
}

#[tokio::test]
async fn a_rejection_needs_a_reason_and_only_a_submitted_report_is_rejected() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let member = d.member();
    let id = d.filed(&member, unit.id, &d.a).await;
    let admin = admin_of(&d.a);
    for blank in ["", "   "] {
        assert!(matches!(
            d.reports.reject(&admin, id, blank).await,
            Err(DualReportingError::Validation(e)) if e.field == "reason"
        ));
    }
    let rejected = d.reports.reject(&admin, id, "不在本社区居住").await.unwrap();
    assert_eq!(rejected.report.status, ReportStatus::Rejected);
    assert_eq!(rejected.report.reason.as_deref(), Some("不在本社区居住"));
    assert_eq!(
        topics_of(&d.store.events(), "member_report.rejected"),
        [format!("user:{}", member.user_id()), reports_topic(&d.a)]
    );
    assert!(matches!(
        d.reports.reject(&admin, id, "再说一次").await,
        Err(DualReportingError::ReportState(ReportStatus::Rejected))
    ));
    assert!(matches!(
        d.reports
            .accept(&admin, id, grid_id(&d.a1), "legal_aid", "楼道长")
            .await,
        Err(DualReportingError::ReportState(ReportStatus::Rejected))
    ));
    assert!(d.grants.held_by(member.user_id()).is_empty());
}

#[tokio::test]
async fn the_member_or_an_admin_over_the_community_withdraws_and_nobody_else_may() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let member = d.member();
    let id = d.filed(&member, unit.id, &d.a).await;
    for hidden in [admin_of(&d.b), worker_of(&d.a1), resident()] {
        assert!(matches!(
            d.reports.withdraw(&hidden, id, "").await,
            Err(DualReportingError::NotFound(Resource::MemberReport))
        ));
    }
    assert!(matches!(
        d.reports.withdraw(&unit_admin(unit.id), id, "").await,
        Err(DualReportingError::Forbidden)
    ));
    let mine = d.reports.withdraw(&member, id, " 搬家了 ").await.unwrap();
    assert_eq!(mine.report.status, ReportStatus::Withdrawn);
    assert_eq!(mine.report.reason.as_deref(), Some("搬家了"));

    let again = d.filed(&member, unit.id, &d.a).await;
    let admin = admin_of(&d.a);
    let theirs = d.reports.withdraw(&admin, again, "").await.unwrap();
    assert_eq!(theirs.report.status, ReportStatus::Withdrawn);
    assert_eq!(
        (theirs.report.reason, theirs.report.decided_by),
        (None, Some(admin.user_id()))
    );
}

#[tokio::test]
async fn withdrawing_an_accepted_report_takes_back_that_member_s_party_member_only() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let (leaving, staying) = (d.member(), d.member());
    let id = d.accepted(&leaving, unit.id).await;
    d.accepted(&staying, unit.id).await;
    let kept = d.grants.held_by(staying.user_id());

    d.reports.withdraw(&leaving, id, "调离本区").await.unwrap();
    assert_eq!(status(&d, id), ReportStatus::Withdrawn);
    assert!(d.grants.held_by(leaving.user_id()).is_empty());
    assert_eq!(d.grants.held_by(staying.user_id()), kept);
    assert_eq!(
        topics_of(&d.grants.recorded(), "member_report.withdrawn"),
        [format!("user:{}", leaving.user_id()), reports_topic(&d.a)]
    );

    // Withdrawn, the member reports anew (elsewhere, say) and is granted there.
    let anew = d.filed(&leaving, unit.id, &d.b).await;
    d.reports
        .accept(&admin_of(&d.b), anew, grid_id(&d.b1), "health", "网格党员志愿者")
        .await
        .unwrap();
    let held = d.party_member_grants(leaving.user_id());
    assert_eq!(
        held.iter().map(RoleGrant::scope).collect::<Vec<_>>(),
        [Scope::Community(community_id(&d.b))]
    );
}

#[tokio::test]
async fn a_rejected_or_withdrawn_report_cannot_be_withdrawn() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let member = d.member();
    let admin = admin_of(&d.a);
    let rejected = d.filed(&member, unit.id, &d.a).await;
    d.reports.reject(&admin, rejected, "资料不符").await.unwrap();
    assert!(matches!(
        d.reports.withdraw(&member, rejected, "").await,
        Err(DualReportingError::ReportState(ReportStatus::Rejected))
    ));
    let withdrawn = d.filed(&member, unit.id, &d.a).await;
    d.reports.withdraw(&member, withdrawn, "").await.unwrap();
    assert!(matches!(
        d.reports.withdraw(&admin, withdrawn, "").await,
        Err(DualReportingError::ReportState(ReportStatus::Withdrawn))
    ));
}

#[tokio::test]
async fn each_viewer_lists_the_reports_of_their_community_their_units_or_their_own_and_sees_the_members_whole()
 {
    let d = &district();
    let (u1, u2) = (d.unit(&d.a1).await.id, d.unit(&d.b1).await.id);
    let (x, y, z) = (d.member(), d.member(), d.member());
    let x_a = d.filed(&x, u1, &d.a).await;
    let y_b = d.filed(&y, u1, &d.b).await;
    let z_a = d.filed(&z, u2, &d.a).await;
    let listed = |viewer: Actor, query: ReportQuery| async move {
        let views = d.reports.list(&viewer, query, page()).await.unwrap().items;
        for view in &views {
            assert!(!view.member.masked, "{viewer:?} sees {view:?}");
            assert_eq!(view.member.real_name.as_deref(), Some("王建国"));
            assert_eq!(view.member.phone.as_deref(), Some("13912345678"));
        }
        views.into_iter().map(|v| v.report.id).collect::<Vec<_>>()
    };
    let all = ReportQuery::default();
    assert_eq!(listed(admin_of(&d.a), all.clone()).await, [x_a, z_a]);
    assert_eq!(listed(admin_of(&d.b), all.clone()).await, [y_b]);
    assert_eq!(listed(d.admin.clone(), all.clone()).await, [x_a, y_b, z_a]);
    assert_eq!(listed(unit_admin(u1), all.clone()).await, [x_a, y_b]);
    assert_eq!(listed(unit_admin(u2), all.clone()).await, [z_a]);
    assert_eq!(listed(x.clone(), all.clone()).await, [x_a]);
    assert!(listed(resident(), all.clone()).await.is_empty());
    assert!(listed(worker_of(&d.a1), all.clone()).await.is_empty());

    d.reports
        .accept(&admin_of(&d.a), x_a, grid_id(&d.a1), "legal_aid", "楼道长")
        .await
        .unwrap();
    assert_eq!(listed(worker_of(&d.a1), all.clone()).await, [x_a]);
    assert!(listed(worker_of(&d.a2), all.clone()).await.is_empty());
    let narrowed = |community: Option<&ScopeNode>, status| ReportQuery {
        community_id: community.map(community_id),
        status,
        ..ReportQuery::default()
    };
    assert_eq!(
        listed(admin_of(&d.a), narrowed(None, Some(ReportStatus::Submitted))).await,
        [z_a]
    );
    assert!(
        listed(admin_of(&d.a), narrowed(Some(&d.b), None))
            .await
            .is_empty()
    );
    assert_eq!(listed(unit_admin(u1), narrowed(Some(&d.b), None)).await, [y_b]);

    for (viewer, id) in [(unit_admin(u1), y_b), (x.clone(), x_a), (admin_of(&d.a), z_a)] {
        assert!(!d.reports.get(&viewer, id).await.unwrap().member.masked);
    }
    for (stranger, id) in [(unit_admin(u2), x_a), (y.clone(), x_a), (admin_of(&d.b), z_a)] {
        assert!(matches!(
            d.reports.get(&stranger, id).await,
            Err(DualReportingError::NotFound(Resource::MemberReport))
        ));
    }
}

#[tokio::test]
async fn staff_covering_a_community_read_its_reports_topic_and_everyone_else_is_refused_alike() {
    let d = district();
    let policy = ReportTopics::new(d.directory.clone());
    let topic = reports_topic(&d.a);
    let subdistrict = Scope::Subdistrict(d.subdistrict.path.subdistrict.unwrap());
    for staff in [
        admin_of(&d.a),
        actor(Role::SubdistrictAdmin, subdistrict),
        d.admin.clone(),
    ] {
        assert_eq!(policy.authorize(&staff, &topic).await, Some(Ok(topic.clone())));
    }
    let refused = |t: &str| {
        Some(Err(TopicRefusal::Forbidden(format!(
            "`{t}` is outside your scope"
        ))))
    };
    for outsider in [
        admin_of(&d.b),
        worker_of(&d.a1),
        unit_admin(UnitId::new()),
        resident(),
    ] {
        assert_eq!(policy.authorize(&outsider, &topic).await, refused(&topic));
    }
    let unknown = format!("community:{}:reports", CommunityId::new());
    let garbled = "community:not-a-uuid:reports";
    for t in [unknown.as_str(), garbled] {
        assert_eq!(policy.authorize(&d.admin, t).await, refused(t));
    }
    let a = community_id(&d.a);
    for other in [
        format!("community:{a}:structure"),
        format!("community:{a}"),
        "user:me".to_owned(),
    ] {
        assert_eq!(policy.authorize(&d.admin, &other).await, None, "{other}");
    }
}

#[tokio::test]
async fn when_the_grant_cannot_be_stored_the_acceptance_is_undone() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let member = d.member();
    let id = d.filed(&member, unit.id, &d.a).await;
    let admin = admin_of(&d.a);
    let broken = d.reports_over(BrokenGrants);
    assert!(matches!(
        broken
            .accept(&admin, id, grid_id(&d.a1), "legal_aid", "楼道长")
            .await,
        Err(DualReportingError::Unknown(_))
    ));
    let report = d.store.report(id).unwrap();
    assert_eq!(
        (report.status, report.assignment, report.place),
        (ReportStatus::Submitted, None, d.a.path)
    );
    assert!(topics_of(&d.store.events(), "member_report.accepted").is_empty());
    // Submitted again, it can be accepted once storage is back.
    d.reports
        .accept(&admin, id, grid_id(&d.a1), "legal_aid", "楼道长")
        .await
        .unwrap();
    assert_eq!(d.party_member_grants(member.user_id()).len(), 1);
}

#[tokio::test]
async fn when_the_grant_cannot_be_revoked_the_withdrawal_is_undone() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let member = d.member();
    let id = d.accepted(&member, unit.id).await;
    let broken = d.reports_over(BrokenGrants);
    assert!(matches!(
        broken.withdraw(&member, id, "").await,
        Err(DualReportingError::Unknown(_))
    ));
    assert_eq!(status(&d, id), ReportStatus::Accepted);
    assert_eq!(d.party_member_grants(member.user_id()).len(), 1);
    assert!(topics_of(&d.grants.recorded(), "member_report.withdrawn").is_empty());
}

/// A grant store through which a withdrawal slips in just before the first grant is stored:
/// the report is withdrawn (and its revocation, finding nothing, done) while the acceptance
/// is between its transition and its grant.
struct WithdrawnMeanwhile {
    grants: InMemoryGrants,
    store: InMemoryDualReporting,
    report: MemberReportId,
}

impl GrantStore for WithdrawnMeanwhile {
    async fn grants_in(&self, set: &GrantSet) -> anyhow::Result<Vec<RoleGrant>> {
        self.grants.grants_in(set).await
    }

    async fn replace_grants<F>(
        &self,
        actor: Option<UserId>,
        set: &GrantSet,
        replacement: Vec<PlacedGrant>,
        events: F,
    ) -> anyhow::Result<()>
    where
        F: FnOnce(&[RoleGrant], &[RoleGrant]) -> Vec<DomainEvent> + Send,
    {
        if let Some(accepted) = self.store.report(self.report)
            && accepted.status == ReportStatus::Accepted
            && !replacement.is_empty()
        {
            let withdrawn = MemberReport {
                status: ReportStatus::Withdrawn,
                ..accepted
            };
            assert!(
                self.store
                    .transition(&withdrawn, ReportStatus::Accepted, &[])
                    .await?
            );
        }
        self.grants.replace_grants(actor, set, replacement, events).await
    }
}

#[tokio::test]
async fn a_withdrawal_between_an_acceptance_and_its_grant_leaves_no_party_member_behind() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let member = d.member();
    let id = d.filed(&member, unit.id, &d.a).await;
    let racing = d.reports_over(WithdrawnMeanwhile {
        grants: d.grants.clone(),
        store: d.store.clone(),
        report: id,
    });
    racing
        .accept(&admin_of(&d.a), id, grid_id(&d.a1), "legal_aid", "楼道长")
        .await
        .unwrap();
    assert_eq!(status(&d, id), ReportStatus::Withdrawn);
    assert!(
        d.party_member_grants(member.user_id()).is_empty(),
        "the grant made after the withdrawal is taken back"
    );
}

#[tokio::test]
async fn the_member_bank_filters_by_grid_exact_skill_and_category() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let admin = admin_of(&d.a);
    let file = |skills: &[&str]| {
        let member = d.member();
        let mut report = new_report(unit.id, &d.a);
        report.skills = skills.iter().map(|s| (*s).to_owned()).collect();
        let d = &d;
        async move { d.reports.file(&member, report).await.unwrap().report.id }
    };
    let lawyer = file(&["法律咨询", "调解"]).await;
    let almost = file(&["法律"]).await;
    let medic = file(&["急救"]).await;
    for (id, grid, category) in [(lawyer, &d.a1, "legal_aid"), (medic, &d.a2, "health")] {
        d.reports
            .accept(&admin, id, grid_id(grid), category, "网格党员志愿者")
            .await
            .unwrap();
    }
    let found = |query: ReportQuery| {
        let d = &d;
        let admin = admin.clone();
        async move {
            let page = d.reports.list(&admin, query, page()).await.unwrap();
            page.items.iter().map(|v| v.report.id).collect::<Vec<_>>()
        }
    };
    let by_skill = |skill: &str| ReportQuery {
        skill: Some(skill.to_owned()),
        ..ReportQuery::default()
    };
    assert_eq!(found(by_skill("法律咨询")).await, [lawyer]);
    assert_eq!(
        found(by_skill("法律")).await,
        [almost],
        "a skill is matched whole"
    );
    assert!(found(by_skill("%")).await.is_empty());
    let in_grid = ReportQuery {
        grid_id: Some(grid_id(&d.a2)),
        ..ReportQuery::default()
    };
    assert_eq!(found(in_grid).await, [medic]);
    let legal = ReportQuery {
        category: Some(crate::CategoryKey::parse("category", "legal_aid").unwrap()),
        ..ReportQuery::default()
    };
    assert_eq!(found(legal).await, [lawyer]);
}

/// A grant store through which a registration as a transferred member slips in, with its
/// grant, just before a withdrawal's revocation is stored.
struct RegisteredMeanwhile {
    grants: InMemoryGrants,
    store: InMemoryDualReporting,
    registration: crate::transferred::TransferredMember,
    placed: PlacedGrant,
}

impl GrantStore for RegisteredMeanwhile {
    async fn grants_in(&self, set: &GrantSet) -> anyhow::Result<Vec<RoleGrant>> {
        self.grants.grants_in(set).await
    }

    async fn replace_grants<F>(
        &self,
        actor: Option<UserId>,
        set: &GrantSet,
        replacement: Vec<PlacedGrant>,
        events: F,
    ) -> anyhow::Result<()>
    where
        F: FnOnce(&[RoleGrant], &[RoleGrant]) -> Vec<DomainEvent> + Send,
    {
        if replacement.is_empty() && self.store.0.lock().unwrap().transferred.is_empty() {
            self.store
                .0
                .lock()
                .unwrap()
                .transferred
                .push(self.registration.clone());
            self.grants
                .replace_grants(actor, set, vec![self.placed.clone()], |_, _| Vec::new())
                .await?;
        }
        self.grants.replace_grants(actor, set, replacement, events).await
    }
}

#[tokio::test]
async fn a_registration_between_a_withdrawal_and_its_revocation_keeps_its_party_member() {
    use crate::transferred::{TransferStatus, TransferredMember};
    let d = district();
    let unit = d.unit(&d.a1).await;
    let member = d.member();
    let id = d.accepted(&member, unit.id).await;
    let admin = admin_of(&d.a);
    let community = Scope::Community(community_id(&d.a));
    let registration = TransferredMember {
        id: crate::models::TransferredMemberId::new(),
        user_id: member.user_id(),
        place: d.a1.path,
        from_organisation: "原济阳县化肥厂党委".to_owned(),
        transferred_on: chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
        status: TransferStatus::Active,
        registered_by: admin.user_id(),
        registered_at: chrono::Utc::now(),
        withdrawn_by: None,
        withdrawn_at: None,
        reason: None,
    };
    let placed = PlacedGrant {
        grant: RoleGrant::new(
            member.user_id(),
            Role::PartyMember,
            community,
            Some(admin.user_id()),
            chrono::Utc::now(),
        )
        .unwrap(),
        path: d.a.path,
    };
    let racing = d.reports_over(RegisteredMeanwhile {
        grants: d.grants.clone(),
        store: d.store.clone(),
        registration,
        placed,
    });
    racing.withdraw(&member, id, "转为组织关系转入").await.unwrap();
    assert_eq!(status(&d, id), ReportStatus::Withdrawn);
    assert_eq!(
        d.party_member_grants(member.user_id()).len(),
        1,
        "the registration that came meanwhile keeps its grant"
    );
}
