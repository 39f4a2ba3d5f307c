//! The figures of `GET /stats/dual-reporting`, counted over hand-made records, and who may
//! read them where.

use super::*;
use crate::stats::{MemberFigures, UnitFigures};
use crate::{DualReportingError, Resource, StatsService};

fn stats(d: &District) -> StatsService<FakeDirectory, InMemoryDualReporting> {
    StatsService::new(d.directory.clone(), d.store.clone())
}

/// Units in a1 (reported and accepted) and b1 (reported, not accepted); in `a`: one accepted
/// member, one pending, one withdrawn; in `b`: one rejected.
async fn records(d: &District) {
    let ua = d.unit(&d.a1).await;
    let ub = d.unit(&d.b1).await;
    let report = d.units.file_report(&unit_admin(ua.id), ua.id).await.unwrap();
    d.units.accept_report(&admin_of(&d.a), report.id).await.unwrap();
    d.units.file_report(&unit_admin(ub.id), ub.id).await.unwrap();

    d.accepted(&d.member(), ua.id).await;
    d.filed(&d.member(), ub.id, &d.a).await;
    let leaving = d.accepted(&d.member(), ua.id).await;
    d.reports
        .withdraw(&admin_of(&d.a), leaving, "搬家")
        .await
        .unwrap();
    let refused = d.filed(&d.member(), ua.id, &d.b).await;
    d.reports
        .reject(&admin_of(&d.b), refused, "不在本社区居住")
        .await
        .unwrap();
}

#[tokio::test]
async fn the_figures_count_units_where_their_grid_lies_and_reports_by_state() {
    let d = district();
    records(&d).await;
    let s = stats(&d);
    let all = s.stats(&d.admin, None, None).await.unwrap();
    assert_eq!(
        all.units,
        UnitFigures {
            registered: 2,
            paired: 2,
            reported: 1
        }
    );
    assert_eq!(
        all.members,
        MemberFigures {
            accepted: 1,
            submitted: 1,
            rejected: 1,
            withdrawn: 1,
            members: 1
        }
    );
    assert_eq!(all.transferred_members, 0);

    let a = s.stats(&d.admin, Some(community_id(&d.a)), None).await.unwrap();
    assert_eq!((a.units.registered, a.units.reported), (1, 1));
    assert_eq!(
        (a.members.accepted, a.members.submitted, a.members.rejected),
        (1, 1, 0)
    );
    let b = s.stats(&admin_of(&d.b), None, None).await.unwrap();
    assert_eq!((b.units.registered, b.units.reported), (1, 0));
    assert_eq!((b.members.rejected, b.members.accepted), (1, 0));
    let subdistrict = s
        .stats(&d.admin, None, d.subdistrict.path.subdistrict)
        .await
        .unwrap();
    assert_eq!(subdistrict, all);
    let grid = s.stats(&worker_of(&d.a2), None, None).await.unwrap();
    assert_eq!(grid.units.registered, 0, "a grid worker's scope is its grid");
}

#[tokio::test]
async fn a_place_outside_the_scope_is_not_found_and_a_resident_reads_nothing() {
    let d = district();
    records(&d).await;
    let s = stats(&d);
    assert!(matches!(
        s.stats(&admin_of(&d.a), Some(community_id(&d.b)), None).await,
        Err(DualReportingError::NotFound(Resource::Community))
    ));
    assert!(matches!(
        s.stats(&admin_of(&d.a), None, d.subdistrict.path.subdistrict)
            .await,
        Err(DualReportingError::NotFound(Resource::Subdistrict))
    ));
    assert!(matches!(
        s.stats(&d.admin, Some(CommunityId::new()), None).await,
        Err(DualReportingError::NotFound(Resource::Community))
    ));
    assert!(matches!(
        s.stats(&resident(), None, None).await,
        Err(DualReportingError::Forbidden)
    ));
    assert!(matches!(
        s.stats(&d.admin, Some(community_id(&d.a)), d.subdistrict.path.subdistrict)
            .await,
        Err(DualReportingError::Validation(_))
    ));
}

#[tokio::test]
async fn transferred_members_are_counted_apart_and_only_while_registered() {
    use chrono::NaiveDate;

    use crate::{NewTransferredMember, TransferredMemberService};
    let d = district();
    let transfers = TransferredMemberService::new(
        d.store.clone(),
        d.directory.clone(),
        d.people.clone(),
        d.grants.clone(),
        d.clock.clone(),
    );
    let register = |grid: &ScopeNode, community: &ScopeNode| {
        let person = resident();
        d.people.add(PersonRecord {
            id: person.user_id(),
            nickname: None,
            real_name: Some("刘德胜".to_owned()),
            phone: Some("13700001111".to_owned()),
            places: vec![grid.path],
        });
        let new = NewTransferredMember {
            user_id: person.user_id(),
            community_id: community_id(community),
            grid_id: grid_id(grid),
            transferred_on: NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
            from_organisation: "原济阳县化肥厂党委".to_owned(),
        };
        let transfers = &transfers;
        let admin = admin_of(community);
        async move { transfers.register(&admin, new).await.unwrap().member.id }
    };
    register(&d.a1, &d.a).await;
    register(&d.a2, &d.a).await;
    let gone = register(&d.b1, &d.b).await;
    transfers.withdraw(&admin_of(&d.b), gone, "迁出").await.unwrap();

    let s = stats(&d);
    let all = s.stats(&d.admin, None, None).await.unwrap();
    assert_eq!(all.transferred_members, 2);
    assert_eq!(
        all.members.accepted, 0,
        "not counted among the in-service members"
    );
    let a = s.stats(&d.admin, Some(community_id(&d.a)), None).await.unwrap();
    assert_eq!(a.transferred_members, 2);
    let b = s.stats(&d.admin, Some(community_id(&d.b)), None).await.unwrap();
    assert_eq!(b.transferred_members, 0);
}
