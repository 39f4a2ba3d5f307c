use super::*;

/// 16 communities in 3 subdistricts, the first three with ten residential grids, the others
/// nine (147), as the grid context's demo district has them.
fn district() -> Vec<DemoCommunity> {
    let subdistricts = [SubdistrictId::new(), SubdistrictId::new(), SubdistrictId::new()];
    (0..16)
        .map(|c| {
            let subdistrict = subdistricts[if c < 7 {
                0
            } else if c < 13 {
                1
            } else {
                2
            }];
            let id = CommunityId::new();
            let grids = (0..if c < 3 { 10 } else { 9 })
                .map(|_| ScopePath::grid(subdistrict, id, linli_kernel::GridId::new()))
                .collect();
            DemoCommunity {
                id,
                subdistrict,
                grids,
                admin: UserId::new(),
                subdistrict_admin: UserId::new(),
            }
        })
        .collect()
}

fn planned() -> Planned {
    let ids: Vec<UserId> = people().unwrap().iter().map(|_| UserId::new()).collect();
    plan(&district(), &ids, UserId::new(), Utc::now()).unwrap()
}

#[test]
fn the_demo_has_the_districts_figures() {
    let p = planned();
    let r = &p.records;
    assert_eq!(r.units.len(), UNITS);
    let mut grids: Vec<_> = r.units.iter().map(|u| u.grid).collect();
    grids.sort_by_key(|g| g.grid);
    grids.dedup();
    assert_eq!(grids.len(), UNITS, "one unit a grid");
    let rolls: u32 = r.units.iter().map(|u| u.roll_count).sum();
    assert_eq!(rolls, 5_602);
    for kind in UnitKind::ALL {
        assert!(r.units.iter().any(|u| u.kind == kind), "{kind:?}");
    }
    let mut names: Vec<&str> = r.units.iter().map(|u| u.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), UNITS, "unit names are unique");
    assert_eq!(r.unit_reports.len(), UNITS);
    assert_eq!(p.unit_admins.len(), UNITS);

    assert_eq!(r.reports.len(), IN_SERVICE_MEMBERS);
    let in_state = |s: ReportStatus| r.reports.iter().filter(|x| x.status == s).count();
    assert_eq!(in_state(ReportStatus::Accepted), 4_888);
    assert_eq!(in_state(ReportStatus::Submitted), 260);
    assert_eq!(in_state(ReportStatus::Rejected), 52);
    assert_eq!(r.transferred.len(), TRANSFERRED_MEMBERS);
    assert_eq!(
        p.party_members.len(),
        4_888 + TRANSFERRED_MEMBERS,
        "accepted and transferred"
    );
    for unit in &r.units {
        let members = r.reports.iter().filter(|x| x.unit_id == unit.id).count();
        assert!(members <= unit.roll_count as usize, "{}", unit.name);
    }

    assert_eq!(r.projects.len(), PROJECTS);
    let projects = |s: ProjectStatus| r.projects.iter().filter(|x| x.status == s).count();
    assert_eq!(
        [
            projects(ProjectStatus::Completed),
            projects(ProjectStatus::Active),
            projects(ProjectStatus::Planned),
            projects(ProjectStatus::Cancelled)
        ],
        [225, 90, 15, 15]
    );
    assert_eq!(r.offers.len(), UNITS * OFFERS_PER_UNIT);
    assert_eq!(r.needs.len(), PROJECTS + OPEN_NEEDS);
}

#[test]
fn pledges_offers_and_projects_agree_with_their_records() {
    let r = planned().records;
    assert!(r.pledges.len() > 1_500, "{}", r.pledges.len());
    let kept = r.pledges.iter().filter(|p| p.verified >= p.target).count();
    assert!(kept > 500, "{kept}");
    for pledge in &r.pledges {
        let of = |s: FulfilmentStatus| {
            r.fulfilments
                .iter()
                .filter(|f| f.pledge_id == pledge.id && f.status == s)
                .count() as u32
        };
        assert_eq!(of(FulfilmentStatus::Verified), pledge.verified);
        assert_eq!(of(FulfilmentStatus::Submitted), pledge.pending);
        assert!(pledge.verified + pledge.pending <= pledge.target);
    }
    for offer in &r.offers {
        assert!(offer.committed <= offer.quantity.hundredths());
    }
    for project in &r.projects {
        let activities = r.activities.iter().filter(|a| a.project_id == project.id).count();
        assert_eq!(activities as u32, project.activity_count);
        let need = r.needs.iter().find(|n| n.id == project.need_id).unwrap();
        assert_eq!(need.place, project.place);
    }
}

#[test]
fn people_have_distinct_openids_and_phones() {
    let people = people().unwrap();
    assert_eq!(people.len(), UNITS + IN_SERVICE_MEMBERS + TRANSFERRED_MEMBERS);
    let mut phones: Vec<&str> = people.iter().map(|p| p.phone.as_str()).collect();
    phones.sort_unstable();
    phones.dedup();
    assert_eq!(phones.len(), people.len());
    assert_eq!(people[0].openid.as_str(), "demo-unit-001-admin");
}
