use super::*;
use crate::lists::{NeedStatus, Party, ProjectStatus};
use crate::service::{NewActivity, ProjectQuery};
use crate::{DualReportingError, Resource};

fn activity(held_on: NaiveDate, beneficiaries: i64) -> NewActivity {
    NewActivity {
        title: "重阳节助老餐".to_owned(),
        held_on,
        participants: 12,
        beneficiaries,
        note: String::new(),
    }
}

#[tokio::test]
async fn a_project_goes_from_proposal_through_both_signatures_to_completion() {
    let d = district().await;
    let (view, need, oa, ob) = d.planned().await;
    let id = view.project.id;
    assert_eq!(view.project.status, ProjectStatus::Planned);
    assert_eq!(view.project.parties(), {
        let mut units = vec![d.ua.id, d.ub.id];
        units.sort();
        std::iter::once(Party::Need)
            .chain(units.into_iter().map(Party::Unit))
            .collect::<Vec<_>>()
    });
    assert_eq!(
        view.to_sign,
        vec![Party::Need],
        "its proposer signs for the need's side"
    );
    assert_eq!(view.offers.len(), 2);
    // The need is taken and each offer gives what is left of it: all 20 of a's, all 5 of b's.
    assert_eq!(d.store.need(need.id).unwrap().status, NeedStatus::InProject);
    assert_eq!(d.store.offer(oa.id).unwrap().remaining(), 0);
    assert_eq!(d.store.offer(ob.id).unwrap().remaining(), 0);

    let a_admin = admin_of(&d.a);
    assert!(matches!(
        d.projects.start(&a_admin, id).await,
        Err(DualReportingError::ProjectUnsigned(pending)) if pending.len() == 3
    ));
    d.projects.sign(&a_admin, id).await.unwrap();
    d.projects.sign(&unit_admin(d.ua.id), id).await.unwrap();
    match d.projects.start(&a_admin, id).await {
        Err(DualReportingError::ProjectUnsigned(pending)) => assert_eq!(pending, vec![Party::Unit(d.ub.id)]),
        other => panic!("expected the project unsigned by b, got {other:?}"),
    }
    let signed = d.projects.sign(&unit_admin(d.ub.id), id).await.unwrap();
    assert!(signed.project.pending().is_empty());
    let active = d.projects.start(&a_admin, id).await.unwrap();
    assert_eq!(active.project.status, ProjectStatus::Active);
    assert!(active.project.started_at.is_some());

    let held = d
        .projects
        .record_activity(&unit_admin(d.ub.id), id, activity(d.today(), 12))
        .await
        .unwrap();
    d.projects
        .record_activity(&a_admin, id, activity(d.today(), 8))
        .await
        .unwrap();
    let listed = d
        .projects
        .activities(&unit_admin(d.ua.id), id, page())
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 2);
    assert_eq!(listed.items[0].id, held.id);

    let done = d.projects.complete(&a_admin, id).await.unwrap();
    assert_eq!(done.project.status, ProjectStatus::Completed);
    assert_eq!(
        (done.project.activity_count, done.project.beneficiary_count),
        (2, 20)
    );
    assert_eq!(d.store.need(need.id).unwrap().status, NeedStatus::Met);
    assert_eq!(
        d.store.offer(oa.id).unwrap().remaining(),
        0,
        "a completed project used its share"
    );

    // Every change of state was told to the need's community and to the offering units'.
    let changes: Vec<_> = d
        .store
        .events()
        .into_iter()
        .filter(|e| e.kind == "project.status_changed")
        .collect();
    let statuses: Vec<_> = changes
        .iter()
        .filter(|e| e.topic == reports_topic(&d.a))
        .map(|e| e.data["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(statuses, ["planned", "active", "completed"]);
    assert_eq!(
        changes.iter().filter(|e| e.topic == reports_topic(&d.b)).count(),
        3
    );
    assert_eq!(
        changes.len(),
        6,
        "a's community once per change, though both a and ua are there"
    );
    assert_eq!(changes[2].data["from"], "planned");
}

#[tokio::test]
async fn a_project_takes_part_of_an_offer_and_leaves_the_rest_open() {
    let d = district().await;
    let need = d.need_of_a("volunteers", 10.0, "人").await;
    let big = d.offer(&d.ua, "volunteers", 30.0, "人").await;
    let mut proposal = project_of(&need, &[&big]);
    proposal.offers[0].amount = Some(10.0);
    d.projects.create(&admin_of(&d.a), proposal).await.unwrap();
    assert_eq!(d.store.offer(big.id).unwrap().remaining(), 2_000);
    // What is left is still open: another need may draw on it, but not beyond what is left.
    let second = d.need_of_a("volunteers", 25.0, "人").await;
    let (_, ranked) = d.needs.matches(&admin_of(&d.a), second.id, 5).await.unwrap();
    assert_eq!(ranked[0].offer.offer.id, big.id);
    assert_eq!(
        ranked[0].reasons.last(),
        Some(&crate::matching::Reason::PartialQuantity)
    );
    let mut greedy = project_of(&second, &[&big]);
    greedy.offers[0].amount = Some(25.0);
    assert!(matches!(
        d.projects.create(&admin_of(&d.a), greedy).await,
        Err(DualReportingError::OfferShort(id)) if id == big.id
    ));
    let mut measured = project_of(&second, &[&big]);
    measured.offers[0].amount = Some(0.001);
    assert!(matches!(
        d.projects.create(&admin_of(&d.a), measured).await,
        Err(DualReportingError::Validation(e)) if e.field == "amount"
    ));
}

#[tokio::test]
async fn only_the_needs_side_proposes_and_only_with_open_offers_for_an_open_need() {
    let d = district().await;
    let need = d.need_of_a("volunteers", 10.0, "人").await;
    let offer = d.offer(&d.ub, "volunteers", 10.0, "人").await;
    let proposal = || project_of(&need, &[&offer]);
    for outsider in [unit_admin(d.ub.id), admin_of(&d.b), worker_of(&d.a1), resident()] {
        assert!(
            matches!(
                d.projects.create(&outsider, proposal()).await,
                Err(DualReportingError::NotFound(Resource::Need))
            ),
            "{:?}",
            outsider.grants()
        );
    }
    // District staff who are not administrators see the need but do not propose.
    let leader = actor(Role::GridLeader, Scope::District);
    assert!(matches!(
        d.projects.create(&leader, proposal()).await,
        Err(DualReportingError::Forbidden)
    ));
    let none = NewProject {
        offers: vec![],
        ..proposal()
    };
    assert!(matches!(
        d.projects.create(&admin_of(&d.a), none).await,
        Err(DualReportingError::Validation(e)) if e.field == "offers"
    ));
    let twice = NewProject {
        offers: vec![proposal().offers[0], proposal().offers[0]],
        ..proposal()
    };
    assert!(matches!(
        d.projects.create(&admin_of(&d.a), twice).await,
        Err(DualReportingError::Validation(e)) if e.field == "offers"
    ));
    let unknown = NewProject {
        offers: vec![NewShare {
            offer_id: crate::lists::ResourceOfferId::new(),
            amount: None,
        }],
        ..proposal()
    };
    assert!(matches!(
        d.projects.create(&admin_of(&d.a), unknown).await,
        Err(DualReportingError::NotFound(Resource::ResourceOffer))
    ));
    let later = d
        .offers
        .create(
            &unit_admin(d.ua.id),
            new_offer(d.ua.id, "volunteers", 5.0, "人", d.today() + Duration::days(3)),
        )
        .await
        .unwrap()
        .offer;
    assert!(matches!(
        d.projects.create(&admin_of(&d.a), project_of(&need, &[&later])).await,
        Err(DualReportingError::OfferNotOpen(id)) if id == later.id
    ));

    d.projects.create(&admin_of(&d.a), proposal()).await.unwrap();
    // The need is taken, and the offer used up.
    assert!(matches!(
        d.projects.create(&admin_of(&d.a), proposal()).await,
        Err(DualReportingError::NeedState(NeedStatus::InProject))
    ));
    let other = d.need_of_a("volunteers", 1.0, "人").await;
    assert!(matches!(
        d.projects.create(&admin_of(&d.a), project_of(&other, &[&offer])).await,
        Err(DualReportingError::OfferNotOpen(id)) if id == offer.id
    ));
    let (_, ranked) = d.needs.matches(&admin_of(&d.a), other.id, 10).await.unwrap();
    assert!(
        ranked.iter().all(|m| m.offer.offer.id != offer.id),
        "a used-up offer is not matched"
    );
}

#[tokio::test]
async fn each_side_signs_once_for_what_it_speaks_for_and_only_while_planned() {
    let d = district().await;
    let (view, _, _, _) = d.planned().await;
    let id = view.project.id;
    // The district admin speaks for the need's side (it administers every node), not for a unit.
    let signed = d.projects.sign(&d.admin, id).await.unwrap();
    assert_eq!(signed.project.signatures.len(), 1);
    assert_eq!(signed.project.signatures[0].party, Party::Need);
    assert!(matches!(
        d.projects.sign(&admin_of(&d.a), id).await,
        Err(DualReportingError::AlreadySigned)
    ));
    // A unit outside the project, another community, grid staff: the project is not there.
    for outsider in [unit_admin(d.uc.id), admin_of(&d.b), worker_of(&d.a1), resident()] {
        assert!(matches!(
            d.projects.sign(&outsider, id).await,
            Err(DualReportingError::NotFound(Resource::Project))
        ));
    }
    // District staff see it, but sign for nobody.
    assert!(matches!(
        d.projects
            .sign(&actor(Role::GridLeader, Scope::District), id)
            .await,
        Err(DualReportingError::Forbidden)
    ));
    // One admin of both units signs for both at once.
    let both = Actor::new(
        UserId::new(),
        None,
        vec![
            (Role::UnitAdmin, Scope::Side(SideKind::UNIT, d.ua.id.as_uuid())),
            (Role::UnitAdmin, Scope::Side(SideKind::UNIT, d.ub.id.as_uuid())),
        ],
    );
    assert_eq!(d.projects.get(&both, id).await.unwrap().to_sign.len(), 2);
    let signed = d.projects.sign(&both, id).await.unwrap();
    assert!(signed.project.pending().is_empty());
    assert!(signed.to_sign.is_empty());
    d.projects.start(&admin_of(&d.a), id).await.unwrap();
    let (late, _, _, _) = d.planned().await;
    d.projects
        .cancel(&admin_of(&d.a), late.project.id, "场地改作他用")
        .await
        .unwrap();
    assert!(matches!(
        d.projects.sign(&unit_admin(d.ua.id), late.project.id).await,
        Err(DualReportingError::ProjectState(ProjectStatus::Cancelled))
    ));
}

#[tokio::test]
async fn the_need_side_starts_and_completes_either_side_cancels_and_wrong_states_are_refused() {
    let d = district().await;
    let (view, need, oa, ob) = d.planned().await;
    let id = view.project.id;
    let a_admin = admin_of(&d.a);
    assert!(matches!(
        d.projects.complete(&a_admin, id).await,
        Err(DualReportingError::ProjectState(ProjectStatus::Planned))
    ));
    assert!(matches!(
        d.projects
            .record_activity(&a_admin, id, activity(d.today(), 1))
            .await,
        Err(DualReportingError::ProjectState(ProjectStatus::Planned))
    ));
    for side in [a_admin.clone(), unit_admin(d.ua.id), unit_admin(d.ub.id)] {
        d.projects.sign(&side, id).await.unwrap();
    }
    // A unit signs and cancels, but the need's side starts and completes.
    assert!(matches!(
        d.projects.start(&unit_admin(d.ua.id), id).await,
        Err(DualReportingError::Forbidden)
    ));
    d.projects.start(&a_admin, id).await.unwrap();
    assert!(matches!(
        d.projects.start(&a_admin, id).await,
        Err(DualReportingError::ProjectState(ProjectStatus::Active))
    ));
    assert!(matches!(
        d.projects.complete(&unit_admin(d.ub.id), id).await,
        Err(DualReportingError::Forbidden)
    ));
    assert!(matches!(
        d.projects.cancel(&unit_admin(d.ub.id), id, " ").await,
        Err(DualReportingError::Validation(e)) if e.field == "reason"
    ));
    let cancelled = d
        .projects
        .cancel(&unit_admin(d.ub.id), id, "志愿者另有任务")
        .await
        .unwrap();
    assert_eq!(cancelled.project.status, ProjectStatus::Cancelled);
    assert_eq!(cancelled.project.reason.as_deref(), Some("志愿者另有任务"));
    // Cancelling gives the shares back and opens the need again.
    assert_eq!(d.store.need(need.id).unwrap().status, NeedStatus::Open);
    assert_eq!(d.store.offer(oa.id).unwrap().remaining(), 2_000);
    assert_eq!(d.store.offer(ob.id).unwrap().remaining(), 500);
    for refused in [
        d.projects.complete(&a_admin, id).await,
        d.projects.start(&a_admin, id).await,
        d.projects.cancel(&a_admin, id, "再取消一次").await,
    ] {
        assert!(matches!(
            refused,
            Err(DualReportingError::ProjectState(ProjectStatus::Cancelled))
        ));
    }
    assert!(matches!(
        d.projects
            .record_activity(&a_admin, id, activity(d.today(), 1))
            .await,
        Err(DualReportingError::ProjectState(ProjectStatus::Cancelled))
    ));
    // The need may be taken up again.
    let again = d
        .projects
        .create(&a_admin, project_of(&need, &[&oa]))
        .await
        .unwrap();
    assert_eq!(again.project.status, ProjectStatus::Planned);
}

#[tokio::test]
async fn activities_are_held_between_the_start_and_today_by_either_side() {
    let d = district().await;
    let (view, _, _, _) = d.active().await;
    let id = view.project.id;
    let field = |r: Result<_, DualReportingError>| match r {
        Err(DualReportingError::Validation(e)) => e.field,
        other => panic!("expected a validation error, got {other:?}"),
    };
    let a_admin = admin_of(&d.a);
    assert_eq!(
        field(
            d.projects
                .record_activity(&a_admin, id, activity(d.today() + Duration::days(1), 1))
                .await
        ),
        "held_on"
    );
    assert_eq!(
        field(
            d.projects
                .record_activity(&a_admin, id, activity(d.today() - Duration::days(1), 1))
                .await
        ),
        "held_on"
    );
    assert_eq!(
        field(
            d.projects
                .record_activity(&a_admin, id, activity(d.today(), -1))
                .await
        ),
        "beneficiaries"
    );
    // District staff and outsiders record nothing.
    assert!(matches!(
        d.projects
            .record_activity(
                &actor(Role::GridLeader, Scope::District),
                id,
                activity(d.today(), 1)
            )
            .await,
        Err(DualReportingError::Forbidden)
    ));
    assert!(matches!(
        d.projects
            .record_activity(&unit_admin(d.uc.id), id, activity(d.today(), 1))
            .await,
        Err(DualReportingError::NotFound(Resource::Project))
    ));
    assert!(matches!(
        d.projects.activities(&unit_admin(d.uc.id), id, page()).await,
        Err(DualReportingError::NotFound(Resource::Project))
    ));
    d.clock.advance(Duration::days(2));
    d.projects
        .record_activity(
            &unit_admin(d.ua.id),
            id,
            activity(d.today() - Duration::days(1), 30),
        )
        .await
        .unwrap();
    assert_eq!(d.store.project(id).unwrap().beneficiary_count, 30);
}

#[tokio::test]
async fn a_project_is_seen_by_both_sides_and_nobody_else() {
    let d = district().await;
    let (view, need, _, _) = d.planned().await;
    let id = view.project.id;
    let leader = actor(Role::GridLeader, Scope::District);
    for viewer in [
        d.admin.clone(),
        leader,
        subdistrict_admin(&d.s),
        admin_of(&d.a),
        unit_admin(d.ua.id),
        unit_admin(d.ub.id),
    ] {
        assert!(d.projects.get(&viewer, id).await.is_ok(), "{:?}", viewer.grants());
        let listed = d
            .projects
            .list(&viewer, ProjectQuery::default(), page())
            .await
            .unwrap();
        assert_eq!(listed.items.len(), 1, "{:?}", viewer.grants());
    }
    // The offering unit reads the project, not the need's own entry.
    let as_unit = d.projects.get(&unit_admin(d.ua.id), id).await.unwrap();
    assert!(as_unit.need.is_none());
    assert_eq!(as_unit.to_sign, vec![Party::Unit(d.ua.id)]);
    assert_eq!(
        d.projects
            .get(&admin_of(&d.a), id)
            .await
            .unwrap()
            .need
            .unwrap()
            .id,
        need.id
    );
    for outsider in [
        unit_admin(d.uc.id),
        admin_of(&d.b),
        subdistrict_admin(&d.s2),
        worker_of(&d.a1),
        resident(),
    ] {
        assert!(matches!(
            d.projects.get(&outsider, id).await,
            Err(DualReportingError::NotFound(Resource::Project))
        ));
        for refused in [
            d.projects.start(&outsider, id).await,
            d.projects.complete(&outsider, id).await,
            d.projects.cancel(&outsider, id, "无").await,
        ] {
            assert!(matches!(
                refused,
                Err(DualReportingError::NotFound(Resource::Project))
            ));
        }
        let listed = d
            .projects
            .list(&outsider, ProjectQuery::default(), page())
            .await
            .unwrap();
        assert!(listed.items.is_empty(), "{:?}", outsider.grants());
    }
    let by_unit = ProjectQuery {
        unit_id: Some(d.uc.id),
        ..ProjectQuery::default()
    };
    assert!(
        d.projects
            .list(&d.admin, by_unit, page())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let by_need = ProjectQuery {
        need_id: Some(need.id),
        status: Some(ProjectStatus::Planned),
        ..ProjectQuery::default()
    };
    assert_eq!(
        d.projects
            .list(&d.admin, by_need, page())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
}

#[tokio::test]
async fn a_change_that_finds_the_project_moved_on_is_told_the_state_it_is_in() {
    let d = district().await;
    let (view, _, _, _) = d.active().await;
    let id = view.project.id;
    // Another request completes it between this one's read and its write: the write finds
    // nothing to move, and the answer is the state found.
    let racing = RacingProjects {
        store: d.store.clone(),
        meddle: Some(ProjectStatus::Completed),
    };
    let projects = ProjectService::new(
        racing,
        d.store.clone(),
        d.store.clone(),
        d.store.clone(),
        d.clock.clone(),
    );
    assert!(matches!(
        projects.cancel(&admin_of(&d.a), id, "场地改作他用").await,
        Err(DualReportingError::ProjectState(ProjectStatus::Completed))
    ));
    assert_eq!(d.store.project(id).unwrap().status, ProjectStatus::Completed);
    let (planned, _, _, _) = d.planned().await;
    let racing = RacingProjects {
        store: d.store.clone(),
        meddle: Some(ProjectStatus::Cancelled),
    };
    let projects = ProjectService::new(
        racing,
        d.store.clone(),
        d.store.clone(),
        d.store.clone(),
        d.clock.clone(),
    );
    assert!(matches!(
        projects.sign(&unit_admin(d.ua.id), planned.project.id).await,
        Err(DualReportingError::ProjectState(ProjectStatus::Cancelled))
    ));
}

/// Projects whose every read is followed, before the caller writes, by another request
/// moving the project to `meddle`.
struct RacingProjects {
    store: Store,
    meddle: Option<ProjectStatus>,
}

mod racing {
    use super::*;
    use crate::error::WriteError;
    use crate::lists::{Activity, Project, ProjectId, Signature};
    use crate::ports::{ProjectFilter, ProjectRepository};
    use linli_kernel::{DomainEvent, Page};

    impl ProjectRepository for RacingProjects {
        async fn insert_project(&self, project: &Project, events: &[DomainEvent]) -> Result<(), WriteError> {
            self.store.insert_project(project, events).await
        }

        async fn find_project(&self, id: ProjectId) -> anyhow::Result<Option<Project>> {
            let read = self.store.find_project(id).await?;
            if let Some(status) = self.meddle {
                self.store.meddle_with_project(id, |p| p.status = status);
            }
            Ok(read)
        }

        async fn list_projects(
            &self,
            filter: &ProjectFilter,
            page: PageRequest,
        ) -> anyhow::Result<Page<Project>> {
            self.store.list_projects(filter, page).await
        }

        async fn add_signatures(
            &self,
            project: ProjectId,
            signatures: &[Signature],
            events: &[DomainEvent],
        ) -> Result<bool, WriteError> {
            self.store.add_signatures(project, signatures, events).await
        }

        async fn transition(
            &self,
            project: &Project,
            from: ProjectStatus,
            events: &[DomainEvent],
        ) -> anyhow::Result<bool> {
            self.store.transition(project, from, events).await
        }

        async fn insert_activity(&self, activity: &Activity, events: &[DomainEvent]) -> anyhow::Result<bool> {
            self.store.insert_activity(activity, events).await
        }

        async fn list_activities(
            &self,
            project: ProjectId,
            page: PageRequest,
        ) -> anyhow::Result<Page<Activity>> {
            self.store.list_activities(project, page).await
        }
    }
}
