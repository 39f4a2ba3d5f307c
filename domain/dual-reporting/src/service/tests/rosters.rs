//! Units' rosters: who uploads, all-or-nothing replacement, matching entries to reports by
//! phone, and who sees the entries whole or masked.

use super::*;
use crate::models::ReportStatus;
use crate::roster::{RosterStatus, RowError};
use crate::service::{RosterEntryView, RosterService};
use crate::{DualReportingError, Resource};

type Rosters = RosterService<InMemoryDualReporting, InMemoryDualReporting, FakeDirectory, ManualClock>;

fn rosters(d: &District) -> Rosters {
    RosterService::new(
        d.store.clone(),
        d.store.clone(),
        d.directory.clone(),
        d.clock.clone(),
    )
}

const ROSTER: &str = "姓名,手机号\n王建国,13900000001\n李红,139-0000-0002\n张伟,13900000003\n";

/// A member whose bound phone is `phone`, known to the people directory and to the matching.
fn member_with_phone(d: &District, phone: &str) -> Actor {
    let member = d.person(Some("王建国"), Some(phone));
    d.store.bind_phone(member.user_id(), phone);
    member
}

fn names(views: &[RosterEntryView]) -> Vec<&str> {
    views.iter().map(|v| v.entry.name.as_str()).collect()
}

#[tokio::test]
async fn only_the_unit_s_admins_upload_its_roster() {
    let d = district();
    let (unit, other) = (d.unit(&d.a1).await, d.unit(&d.b1).await);
    let service = rosters(&d);
    for refused in [
        unit_admin(other.id),
        admin_of(&d.a),
        worker_of(&d.a1),
        d.admin.clone(),
        resident(),
    ] {
        assert!(
            matches!(
                service.replace(&refused, unit.id, ROSTER).await,
                Err(DualReportingError::Forbidden)
            ),
            "{refused:?}"
        );
    }
    assert!(matches!(
        service.replace(&unit_admin(unit.id), UnitId::new(), ROSTER).await,
        Err(DualReportingError::NotFound(Resource::Unit))
    ));
    assert!(d.store.roster_entries(unit.id).is_empty());
    let roster = service
        .replace(&unit_admin(unit.id), unit.id, ROSTER)
        .await
        .unwrap();
    assert_eq!(roster.entries, 3);
    let stored = d.store.roster_entries(unit.id);
    assert_eq!(stored[1].phone, "13900000002");
    assert_eq!(stored[1].line, 3);
    assert_eq!(
        topics_of(&d.store.events(), "unit_roster.replaced"),
        [reports_topic(&d.a)]
    );
}

#[tokio::test]
async fn a_file_with_bad_lines_names_every_one_and_leaves_the_roster_as_it_was() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let admin = unit_admin(unit.id);
    let service = rosters(&d);
    service.replace(&admin, unit.id, ROSTER).await.unwrap();
    let before = d.store.roster_entries(unit.id);
    let bad = "name,phone\n赵六,13900000009\n,13900000010\n钱七,1390000\n孙八,13900000009\n";
    let Err(DualReportingError::ImportRejected { errors, count }) =
        service.replace(&admin, unit.id, bad).await
    else {
        panic!("a bad file was not rejected");
    };
    let lines: Vec<(u64, &str)> = errors.iter().map(|e: &RowError| (e.line, e.code)).collect();
    assert_eq!(
        lines,
        [
            (3, "invalid_value"),
            (4, "invalid_value"),
            (5, "duplicate_in_file")
        ]
    );
    assert_eq!(count, 3);
    assert_eq!(d.store.roster_entries(unit.id), before, "nothing half-imported");

    let small = service_with_limit(&d, 2);
    assert!(matches!(
        small.replace(&admin, unit.id, ROSTER).await,
        Err(DualReportingError::ImportTooLarge { max_rows: 2 })
    ));
    assert_eq!(d.store.roster_entries(unit.id), before);
}

fn service_with_limit(d: &District, max_rows: usize) -> Rosters {
    rosters(d).with_max_rows(max_rows)
}

#[tokio::test]
async fn a_good_file_replaces_the_roster_whole() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let admin = unit_admin(unit.id);
    let service = rosters(&d);
    service.replace(&admin, unit.id, ROSTER).await.unwrap();
    service
        .replace(&admin, unit.id, "name,phone\n周九,13900000020\n")
        .await
        .unwrap();
    let listing = service.list(&admin, unit.id, None, page()).await.unwrap();
    assert_eq!(names(&listing.entries.items), ["周九"]);
    assert_eq!(listing.roster.unwrap().entries, 1);
}

#[tokio::test]
async fn entries_are_matched_to_the_unit_s_reports_by_the_reporter_s_phone_and_filtered_by_whether_they_reported()
 {
    let d = district();
    let (unit, other) = (d.unit(&d.a1).await, d.unit(&d.b1).await);
    let admin = unit_admin(unit.id);
    let service = rosters(&d);
    service.replace(&admin, unit.id, ROSTER).await.unwrap();
    // 王建国 reported to b and was accepted there; 李红 reported naming another unit; 张伟 was
    // rejected.
    let wang = member_with_phone(&d, "13900000001");
    let wang_report = d.filed(&wang, unit.id, &d.b).await;
    d.reports
        .accept(
            &admin_of(&d.b),
            wang_report,
            grid_id(&d.b1),
            "legal_aid",
            "楼道长",
        )
        .await
        .unwrap();
    let li = member_with_phone(&d, "+86 139 0000 0002");
    d.filed(&li, other.id, &d.a).await;
    let zhang = member_with_phone(&d, "13900000003");
    let zhang_report = d.filed(&zhang, unit.id, &d.a).await;
    d.reports
        .reject(&admin_of(&d.a), zhang_report, "不在本社区居住")
        .await
        .unwrap();

    let all = service
        .list(&admin, unit.id, None, page())
        .await
        .unwrap()
        .entries
        .items;
    assert_eq!(names(&all), ["王建国", "李红", "张伟"]);
    assert!(
        all.iter().all(|v| !v.masked),
        "the unit's admins see everyone whole"
    );
    let wang_line = &all[0];
    assert!(wang_line.reported);
    let matched = wang_line.report.as_ref().unwrap();
    assert_eq!(matched.member_report_id, Some(wang_report));
    assert_eq!(matched.status, ReportStatus::Accepted);
    assert_eq!(matched.community_id, Some(community_id(&d.b)));
    assert_eq!(matched.community_name.as_deref(), Some("和平里社区"));
    assert!(
        all[1].report.is_none(),
        "a report naming another unit is not this unit's"
    );
    assert_eq!(all[2].report.as_ref().unwrap().status, ReportStatus::Rejected);
    assert!(!all[2].reported);

    let reported = service
        .list(&admin, unit.id, Some(RosterStatus::Reported), page())
        .await
        .unwrap();
    assert_eq!(names(&reported.entries.items), ["王建国"]);
    let missing = service
        .list(&admin, unit.id, Some(RosterStatus::NotReported), page())
        .await
        .unwrap();
    assert_eq!(names(&missing.entries.items), ["李红", "张伟"]);

    // 张伟 files again: the open report is the one shown.
    let again = d.filed(&zhang, unit.id, &d.a).await;
    let all = service
        .list(&admin, unit.id, None, page())
        .await
        .unwrap()
        .entries
        .items;
    assert_eq!(all[2].report.as_ref().unwrap().member_report_id, Some(again));
    assert!(all[2].reported);
}

#[tokio::test]
async fn staff_over_the_unit_see_whole_only_those_who_reported_where_they_cover_and_others_nothing() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let service = rosters(&d);
    service
        .replace(&unit_admin(unit.id), unit.id, ROSTER)
        .await
        .unwrap();
    let wang = member_with_phone(&d, "13900000001");
    d.filed(&wang, unit.id, &d.a).await;
    let li = member_with_phone(&d, "13900000002");
    d.filed(&li, unit.id, &d.b).await;

    let whole_of = |views: &[RosterEntryView]| -> Vec<(String, String, bool)> {
        views
            .iter()
            .map(|v| (v.entry.name.clone(), v.entry.phone.clone(), v.masked))
            .collect()
    };
    // a's admin is over the unit's paired grid and over 王建国's community.
    let seen = service
        .list(&admin_of(&d.a), unit.id, None, page())
        .await
        .unwrap()
        .entries
        .items;
    assert_eq!(
        whole_of(&seen),
        [
            ("王建国".to_owned(), "13900000001".to_owned(), false),
            ("李*".to_owned(), "139****0002".to_owned(), true),
            ("张*".to_owned(), "139****0003".to_owned(), true),
        ]
    );
    let masked_report = seen[1].report.as_ref().unwrap();
    assert_eq!(
        masked_report.community_id,
        Some(community_id(&d.b)),
        "where a masked person reported is shown"
    );
    assert_eq!(masked_report.member_report_id, None, "but not the report itself");
    assert!(seen[0].report.as_ref().unwrap().member_report_id.is_some());
    // The district admin covers every community: those who reported anywhere are whole, the
    // others are the unit's alone.
    let seen = service
        .list(&d.admin, unit.id, None, page())
        .await
        .unwrap()
        .entries
        .items;
    assert_eq!(
        seen.iter().map(|v| v.masked).collect::<Vec<_>>(),
        [false, false, true]
    );
    let seen = service
        .list(&worker_of(&d.a1), unit.id, None, page())
        .await
        .unwrap()
        .entries
        .items;
    assert_eq!(
        seen.iter().filter(|v| !v.masked).count(),
        0,
        "a1's worker covers no reporter"
    );

    // b's admin covers 李红's report but not the unit: they read the reports, not the roster.
    for outsider in [
        admin_of(&d.b),
        worker_of(&d.a2),
        unit_admin(UnitId::new()),
        li.clone(),
        resident(),
    ] {
        assert!(
            matches!(
                service.list(&outsider, unit.id, None, page()).await,
                Err(DualReportingError::Forbidden)
            ),
            "{outsider:?}"
        );
    }
    assert!(matches!(
        service.list(&d.admin, UnitId::new(), None, page()).await,
        Err(DualReportingError::NotFound(Resource::Unit))
    ));
}

#[tokio::test]
async fn a_roster_pages_in_the_order_of_the_file() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let admin = unit_admin(unit.id);
    let service = rosters(&d);
    let mut file = String::from("name,phone\n");
    for i in 0..5 {
        file.push_str(&format!("党员{i},1390000010{i}\n"));
    }
    service.replace(&admin, unit.id, &file).await.unwrap();
    let first = service
        .list(&admin, unit.id, None, PageRequest::new(Some(3), None).unwrap())
        .await
        .unwrap()
        .entries;
    assert_eq!(names(&first.items), ["党员0", "党员1", "党员2"]);
    let rest = service
        .list(
            &admin,
            unit.id,
            None,
            PageRequest::new(Some(3), first.next_after).unwrap(),
        )
        .await
        .unwrap()
        .entries;
    assert_eq!(names(&rest.items), ["党员3", "党员4"]);
    assert!(rest.next_after.is_none());
}
