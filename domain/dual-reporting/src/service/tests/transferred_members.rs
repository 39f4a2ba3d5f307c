//! Transferred members: who registers whom, the `party_member` grant a registration leaves and
//! a withdrawal takes back, the exclusion of open member reports, listings, and the undoing
//! of a change whose grant cannot be stored.

use chrono::{Duration, NaiveDate};
use linli_kernel::ports::{Clock, GrantStore};
use linli_kernel::{GrantSet, PlacedGrant};

use super::*;
use crate::error::WriteError;
use crate::models::{MissingProfile, TransferredMemberId};
use crate::ports::TransferredMemberRepository;
use crate::service::{NewTransferredMember, TransferredMemberService, TransferredQuery};
use crate::transferred::{TransferStatus, TransferredMember};
use crate::{DualReportingError, Resource};

type Transfers<G> =
    TransferredMemberService<InMemoryDualReporting, FakeDirectory, InMemoryPeople, G, ManualClock>;

fn transfers(d: &District) -> Transfers<InMemoryGrants> {
    transfers_over(d, d.grants.clone())
}

fn transfers_over<G: GrantStore>(d: &District, grants: G) -> Transfers<G> {
    TransferredMemberService::new(
        d.store.clone(),
        d.directory.clone(),
        d.people.clone(),
        grants,
        d.clock.clone(),
    )
}

/// Someone living in `grid`, with a complete profile unless told otherwise.
fn resident_of(d: &District, grid: &ScopeNode, real_name: Option<&str>, phone: Option<&str>) -> Actor {
    let person = resident();
    d.people.add(PersonRecord {
        id: person.user_id(),
        nickname: Some("老党员".to_owned()),
        real_name: real_name.map(str::to_owned),
        phone: phone.map(str::to_owned),
        places: vec![grid.path],
    });
    person
}

fn living_in(d: &District, grid: &ScopeNode) -> Actor {
    resident_of(d, grid, Some("刘德胜"), Some("13700001111"))
}

fn registration(person: &Actor, community: &ScopeNode, grid: &ScopeNode) -> NewTransferredMember {
    NewTransferredMember {
        user_id: person.user_id(),
        community_id: community_id(community),
        grid_id: grid_id(grid),
        transferred_on: NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
        from_organisation: "原济阳县化肥厂党委".to_owned(),
    }
}

async fn registered(d: &District, person: &Actor) -> TransferredMemberId {
    transfers(d)
        .register(&admin_of(&d.a), registration(person, &d.a, &d.a1))
        .await
        .unwrap()
        .member
        .id
}

#[tokio::test]
async fn registering_grants_party_member_in_the_community_to_that_person_only_and_tells_them_and_the_staff() {
    let d = district();
    let other = d.member();
    let unit = d.unit(&d.a1).await;
    d.accepted(&other, unit.id).await;
    let person = living_in(&d, &d.a1);
    let admin = admin_of(&d.a);
    let view = transfers(&d)
        .register(&admin, registration(&person, &d.a, &d.a1))
        .await
        .unwrap();
    assert_eq!(view.member.status, TransferStatus::Active);
    assert_eq!(view.member.place, d.a1.path);
    assert_eq!(view.member.registered_by, admin.user_id());
    assert!(!view.person.masked);
    assert_eq!(view.person.real_name.as_deref(), Some("刘德胜"));

    let held = d.party_member_grants(person.user_id());
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].scope(), Scope::Community(community_id(&d.a)));
    assert_eq!(
        d.party_member_grants(other.user_id()).len(),
        1,
        "the reporter keeps theirs"
    );
    assert_eq!(
        topics_of(&d.grants.recorded(), "transferred_member.registered"),
        [format!("user:{}", person.user_id()), reports_topic(&d.a)]
    );
}

#[tokio::test]
async fn only_an_administrator_over_the_community_registers_and_never_themselves() {
    let d = district();
    let person = living_in(&d, &d.a1);
    let service = transfers(&d);
    for hidden in [
        admin_of(&d.b),
        worker_of(&d.b1),
        worker_of(&d.a1),
        resident(),
        unit_admin(UnitId::new()),
    ] {
        assert!(
            matches!(
                service
                    .register(&hidden, registration(&person, &d.a, &d.a1))
                    .await,
                Err(DualReportingError::NotFound(Resource::Community))
            ),
            "{hidden:?}"
        );
    }
    let admin = admin_of(&d.a);
    assert!(matches!(
        service.register(&admin, registration(&admin, &d.a, &d.a1)).await,
        Err(DualReportingError::Forbidden)
    ));
    let subdistrict_admin = actor(
        Role::SubdistrictAdmin,
        Scope::Subdistrict(d.subdistrict.path.subdistrict.unwrap()),
    );
    service
        .register(&subdistrict_admin, registration(&person, &d.a, &d.a1))
        .await
        .unwrap();
    assert_eq!(d.party_member_grants(person.user_id()).len(), 1);
}

#[tokio::test]
async fn the_person_must_already_be_covered_by_the_admin_and_an_unknown_id_is_answered_alike() {
    let d = district();
    let service = transfers(&d);
    let elsewhere = living_in(&d, &d.b1);
    let nowhere = d.member();
    let unknown = resident();
    for person in [&elsewhere, &nowhere, &unknown] {
        assert!(matches!(
            service
                .register(&admin_of(&d.a), registration(person, &d.a, &d.a1))
                .await,
            Err(DualReportingError::PersonNotCovered)
        ));
    }
    assert!(d.party_member_grants(elsewhere.user_id()).is_empty());
}

#[tokio::test]
async fn the_grid_is_one_of_the_community_s_the_date_is_past_and_the_organisation_is_named() {
    let d = district();
    let service = transfers(&d);
    let person = living_in(&d, &d.a1);
    let admin = admin_of(&d.a);
    assert!(matches!(
        service.register(&admin, registration(&person, &d.a, &d.b1)).await,
        Err(DualReportingError::GridOutsideCommunity(g)) if g == grid_id(&d.b1)
    ));
    let mut future = registration(&person, &d.a, &d.a1);
    future.transferred_on = (d.clock.now() + Duration::days(2)).date_naive();
    assert!(matches!(
        service.register(&admin, future).await,
        Err(DualReportingError::Validation(e)) if e.field == "transferred_at"
    ));
    let mut typo = registration(&person, &d.a, &d.a1);
    typo.transferred_on = NaiveDate::from_ymd_opt(1024, 3, 1).unwrap();
    assert!(matches!(
        service.register(&admin, typo).await,
        Err(DualReportingError::Validation(e)) if e.field == "transferred_at"
    ));
    let mut unnamed = registration(&person, &d.a, &d.a1);
    unnamed.from_organisation = "  ".to_owned();
    assert!(matches!(
        service.register(&admin, unnamed).await,
        Err(DualReportingError::Validation(e)) if e.field == "from_organisation"
    ));
    let incomplete = resident_of(&d, &d.a2, None, Some("13700002222"));
    assert!(matches!(
        service.register(&admin, registration(&incomplete, &d.a, &d.a2)).await,
        Err(DualReportingError::PersonProfileIncomplete(missing)) if missing == [MissingProfile::RealName]
    ));
    service
        .register(&admin, registration(&person, &d.a, &d.a2))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_person_is_registered_once_and_never_while_they_have_an_open_report_nor_report_while_registered() {
    let d = district();
    let unit = d.unit(&d.a1).await;
    let service = transfers(&d);
    let admin = admin_of(&d.a);

    let reporter = living_in(&d, &d.a1);
    d.store.bind_phone(reporter.user_id(), "13700001111");
    let report = d.filed(&reporter, unit.id, &d.a).await;
    assert!(matches!(
        service
            .register(&admin, registration(&reporter, &d.a, &d.a1))
            .await,
        Err(DualReportingError::MemberReportOpen)
    ));
    d.reports.withdraw(&reporter, report, "").await.unwrap();
    service
        .register(&admin, registration(&reporter, &d.a, &d.a1))
        .await
        .unwrap();

    let person = living_in(&d, &d.a2);
    let id = registered(&d, &person).await;
    assert!(matches!(
        service.register(&admin, registration(&person, &d.a, &d.a2)).await,
        Err(DualReportingError::TransferredMemberExists)
    ));
    assert!(matches!(
        d.reports.file(&person, new_report(unit.id, &d.a)).await,
        Err(DualReportingError::TransferredMemberExists)
    ));
    service.withdraw(&admin, id, "迁出").await.unwrap();
    d.filed(&person, unit.id, &d.a).await;
}

#[tokio::test]
async fn withdrawing_takes_back_that_person_s_party_member_once_and_only_an_admin_over_the_community_may() {
    let d = district();
    let service = transfers(&d);
    let (x, y) = (living_in(&d, &d.a1), living_in(&d, &d.a2));
    let (xid, _) = (registered(&d, &x).await, registered(&d, &y).await);
    assert!(matches!(
        service.withdraw(&admin_of(&d.b), xid, "").await,
        Err(DualReportingError::NotFound(Resource::TransferredMember))
    ));
    for seeing in [x.clone(), worker_of(&d.a1)] {
        assert!(matches!(
            service.withdraw(&seeing, xid, "").await,
            Err(DualReportingError::Forbidden)
        ));
    }
    let withdrawn = service.withdraw(&admin_of(&d.a), xid, "迁往外地").await.unwrap();
    assert_eq!(withdrawn.member.status, TransferStatus::Withdrawn);
    assert_eq!(withdrawn.member.reason.as_deref(), Some("迁往外地"));
    assert!(d.party_member_grants(x.user_id()).is_empty());
    assert_eq!(d.party_member_grants(y.user_id()).len(), 1);
    assert!(matches!(
        service.withdraw(&admin_of(&d.a), xid, "").await,
        Err(DualReportingError::TransferState(TransferStatus::Withdrawn))
    ));
    assert_eq!(
        topics_of(&d.grants.recorded(), "transferred_member.withdrawn"),
        [format!("user:{}", x.user_id()), reports_topic(&d.a)]
    );
}

#[tokio::test]
async fn each_viewer_lists_the_registrations_of_the_communities_they_cover_or_their_own() {
    let d = &district();
    let service = &transfers(d);
    let (x, y) = (living_in(d, &d.a1), living_in(d, &d.b1));
    let xid = registered(d, &x).await;
    let yid = service
        .register(&admin_of(&d.b), registration(&y, &d.b, &d.b1))
        .await
        .unwrap()
        .member
        .id;
    let listed = |viewer: Actor, query: TransferredQuery| async move {
        let views = service.list(&viewer, query, page()).await.unwrap().items;
        assert!(views.iter().all(|v| !v.person.masked), "{views:?}");
        views.into_iter().map(|v| v.member.id).collect::<Vec<_>>()
    };
    let all = TransferredQuery::default();
    assert_eq!(listed(admin_of(&d.a), all).await, [xid]);
    assert_eq!(listed(worker_of(&d.a1), all).await, [xid]);
    assert!(listed(worker_of(&d.a2), all).await.is_empty());
    assert_eq!(listed(d.admin.clone(), all).await, [xid, yid]);
    assert_eq!(listed(y.clone(), all).await, [yid]);
    assert!(listed(resident(), all).await.is_empty());
    let in_b = TransferredQuery {
        community_id: Some(community_id(&d.b)),
        status: None,
    };
    assert_eq!(listed(d.admin.clone(), in_b).await, [yid]);
    assert!(listed(admin_of(&d.a), in_b).await.is_empty());
    service.withdraw(&admin_of(&d.a), xid, "").await.unwrap();
    let active = TransferredQuery {
        community_id: None,
        status: Some(TransferStatus::Active),
    };
    assert_eq!(listed(d.admin.clone(), active).await, [yid]);
}

/// A grant store that is down.
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

#[tokio::test]
async fn when_the_grant_cannot_be_stored_the_registration_never_stands_and_a_withdrawal_is_undone() {
    let d = district();
    let person = living_in(&d, &d.a1);
    assert!(matches!(
        transfers_over(&d, BrokenGrants)
            .register(&admin_of(&d.a), registration(&person, &d.a, &d.a1))
            .await,
        Err(DualReportingError::Unknown(_))
    ));
    assert!(lock_rows(&d).is_empty(), "nothing is left registered");
    let id = registered(&d, &person).await;
    assert!(matches!(
        transfers_over(&d, BrokenGrants)
            .withdraw(&admin_of(&d.a), id, "")
            .await,
        Err(DualReportingError::Unknown(_))
    ));
    assert_eq!(d.store.transferred(id).unwrap().status, TransferStatus::Active);
    assert_eq!(d.party_member_grants(person.user_id()).len(), 1);
}

fn lock_rows(d: &District) -> Vec<TransferredMember> {
    linli_kernel::testing::lock(&d.store.0).transferred.clone()
}

/// A grant store through which a new registration of the same person slips in just before a
/// withdrawal revokes: it registers and grants, then the revocation takes the grant.
struct RegisteredMeanwhile {
    grants: InMemoryGrants,
    store: InMemoryDualReporting,
    again: TransferredMember,
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
        if replacement.is_empty() && self.store.transferred(self.again.id).is_none() {
            match self.store.insert_transferred(&self.again, &[]).await {
                Ok(()) => {}
                Err(WriteError::Storage(e)) => return Err(e),
                Err(e) => anyhow::bail!("{e}"),
            }
            let grant = RoleGrant::new(
                self.again.user_id,
                Role::PartyMember,
                set.under,
                actor,
                self.again.registered_at,
            )?;
            let path = linli_kernel::ScopePath {
                grid: None,
                ..self.again.place
            };
            self.grants
                .replace_grants(actor, set, vec![PlacedGrant { grant, path }], |_, _| Vec::new())
                .await?;
        }
        self.grants.replace_grants(actor, set, replacement, events).await
    }
}

#[tokio::test]
async fn a_registration_between_a_withdrawal_and_its_revocation_keeps_its_grant() {
    let d = district();
    let person = living_in(&d, &d.a1);
    let id = registered(&d, &person).await;
    let first = d.store.transferred(id).unwrap();
    let again = TransferredMember {
        id: TransferredMemberId::new(),
        place: d.a2.path,
        ..first
    };
    let racing = transfers_over(
        &d,
        RegisteredMeanwhile {
            grants: d.grants.clone(),
            store: d.store.clone(),
            again: again.clone(),
        },
    );
    racing.withdraw(&admin_of(&d.a), id, "").await.unwrap();
    assert_eq!(
        d.store.transferred(again.id).unwrap().status,
        TransferStatus::Active
    );
    assert_eq!(
        d.party_member_grants(person.user_id()).len(),
        1,
        "the new registration holds party_member"
    );
}

#[tokio::test]
async fn a_transferred_member_pledges_like_a_reporter_and_stops_once_withdrawn() {
    use crate::pledges::{MemberBasis, district_year};
    use crate::service::{NewFulfilment, NewPledge, PledgeService};

    let d = district();
    let pledges = PledgeService::new(
        d.store.clone(),
        d.store.clone(),
        d.store.clone(),
        d.people.clone(),
        d.clock.clone(),
    );
    let person = living_in(&d, &d.a1);
    let new_pledge = || NewPledge {
        title: "每月看望楼道独居老人".to_owned(),
        category: "elderly_disabled_help".to_owned(),
        target: 12,
        period: i64::from(district_year(d.clock.now())),
    };
    assert!(matches!(
        pledges.pledge(&person, new_pledge()).await,
        Err(DualReportingError::NotAReportedMember)
    ));
    let id = registered(&d, &person).await;
    let pledged = pledges.pledge(&person, new_pledge()).await.unwrap().pledge;
    let kept = || NewFulfilment {
        note: "看望了3单元的李奶奶".to_owned(),
        photos: vec![],
    };
    assert_eq!(pledged.basis, MemberBasis::Transferred(id));
    assert_eq!(pledged.unit_id, None, "a transferred member has no unit");
    assert_eq!(pledged.place, d.a1.path);
    pledges.record(&person, pledged.id, kept()).await.unwrap();

    transfers(&d).withdraw(&admin_of(&d.a), id, "").await.unwrap();
    assert!(matches!(
        pledges.record(&person, pledged.id, kept()).await,
        Err(DualReportingError::NotAReportedMember)
    ));
}
