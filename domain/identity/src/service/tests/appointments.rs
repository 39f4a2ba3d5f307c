//! Who may appoint whom (ranks, never oneself, never a peer), appointments of people the
//! appointer does not cover becoming invitations, and the audit trail of every change.

use chrono::Duration;
use linli_kernel::{Actor, InvitationId, Role, Scope, UserId};

use super::{World, actor, district_admin, granted_at_once, page, request, world};
use crate::appointments::{INVITATION_TTL_DAYS, InvitationStatus};
use crate::ports::RoleGrantRepository;
use crate::{GrantOutcome, IdentityError, InvitationView, Resource, User};

impl World {
    fn subdistrict(&self) -> Scope {
        Scope::Subdistrict(self.community.path.subdistrict.unwrap())
    }

    /// A stored user holding `role` at `scope`, as the actor they log in as.
    async fn holder(&self, openid: &str, role: Role, scope: Scope) -> (User, Actor) {
        let user = self.user(openid).await;
        self.granted(user.id, role, scope).await;
        let actor = self.as_holder(&user, vec![(role, scope)]);
        (user, actor)
    }
}

fn invited(outcome: Result<GrantOutcome, IdentityError>) -> InvitationView {
    match outcome {
        Ok(GrantOutcome::Invited(view)) => view,
        other => panic!("expected an invitation, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Ranks
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn no_one_grants_themselves_anything() {
    let w = world();
    let (admin, as_admin) = w.holder("o-admin", Role::CommunityAdmin, w.community.scope).await;

    for (role, scope) in [
        (Role::GridWorker, w.grid.scope),
        (Role::CommunityAdmin, w.community.scope),
    ] {
        assert!(matches!(
            w.grants.grant(&as_admin, request(admin.id, role, scope)).await,
            Err(IdentityError::SelfGrant)
        ));
    }
    assert_eq!(w.repo.grants().len(), 1, "only the admin's own grant");
}

#[tokio::test]
async fn a_community_admin_cannot_name_a_peer_but_its_subdistrict_can() {
    let w = world();
    let (_, as_admin) = w.holder("o-admin", Role::CommunityAdmin, w.community.scope).await;
    let resident = w.resident("o-resident", &w.building).await;
    let second_admin = request(resident.id, Role::CommunityAdmin, w.community.scope);

    assert!(matches!(
        w.grants.grant(&as_admin, second_admin).await,
        Err(IdentityError::InsufficientRank)
    ));
    assert!(w.repo.grants_of(resident.id).await.unwrap().is_empty());

    let subdistrict_admin = actor(Role::SubdistrictAdmin, w.subdistrict());
    let view = granted_at_once(w.grants.grant(&subdistrict_admin, second_admin).await);
    assert_eq!(view.grant.role(), Role::CommunityAdmin);
    // A subdistrict admin is a peer of another subdistrict admin: only the district names one.
    assert!(matches!(
        w.grants
            .grant(
                &subdistrict_admin,
                request(resident.id, Role::SubdistrictAdmin, w.subdistrict())
            )
            .await,
        Err(IdentityError::InsufficientRank)
    ));
}

#[tokio::test]
async fn a_community_admin_cannot_revoke_a_peer_or_itself_but_the_subdistrict_can() {
    let w = world();
    let (first, as_first) = w.holder("o-first", Role::CommunityAdmin, w.community.scope).await;
    let second = w.user("o-second").await;
    let second_grant = w
        .granted(second.id, Role::CommunityAdmin, w.community.scope)
        .await;
    let own_grant = w.repo.grants_of(first.id).await.unwrap()[0].clone();

    assert!(matches!(
        w.grants.revoke(&as_first, second_grant.id()).await,
        Err(IdentityError::InsufficientRank)
    ));
    assert!(matches!(
        w.grants.revoke(&as_first, own_grant.id()).await,
        Err(IdentityError::SelfRevoke)
    ));
    assert_eq!(w.repo.grants().len(), 2, "nothing was revoked");

    let subdistrict_admin = actor(Role::SubdistrictAdmin, w.subdistrict());
    w.grants
        .revoke(&subdistrict_admin, second_grant.id())
        .await
        .unwrap();
    assert_eq!(w.repo.grants().len(), 1);
}

#[tokio::test]
async fn district_admins_are_made_and_removed_only_from_the_console() {
    let w = world();
    let resident = w.resident("o-resident", &w.building).await;
    assert!(matches!(
        w.grants
            .grant(
                &district_admin(),
                request(resident.id, Role::DistrictAdmin, Scope::District)
            )
            .await,
        Err(IdentityError::InsufficientRank)
    ));
    let made = w
        .grants
        .ensure_by_openid("o-second-district-admin", Role::DistrictAdmin, Scope::District)
        .await
        .unwrap();
    assert!(matches!(
        w.grants.revoke(&district_admin(), made.id()).await,
        Err(IdentityError::InsufficientRank)
    ));
    assert_eq!(w.repo.audit()[0].actor, None, "the console is audited as nobody");
}

#[tokio::test]
async fn a_community_admin_appoints_everything_below_it_and_beside_the_ladder() {
    let w = world();
    w.directory.register(linli_kernel::SideKind::UNIT);
    let unit = w
        .directory
        .side(linli_kernel::SideKind::UNIT, &w.grid, "供电公司");
    let (_, as_admin) = w.holder("o-admin", Role::CommunityAdmin, w.community.scope).await;
    let resident = w.resident("o-resident", &w.building).await;

    for (role, scope) in [
        (Role::GridLeader, w.grid.scope),
        (Role::GridWorker, w.grid.scope),
        (Role::StairwellLeader, w.building.scope),
        (Role::UnitAdmin, unit.scope),
    ] {
        granted_at_once(w.grants.grant(&as_admin, request(resident.id, role, scope)).await);
    }
    assert_eq!(w.repo.grants_of(resident.id).await.unwrap().len(), 4);
}

// ---------------------------------------------------------------------------------------
// Invitations
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn appointing_someone_the_appointer_does_not_cover_invites_them_and_grants_nothing() {
    let w = world();
    let (admin, as_admin) = w.holder("o-admin", Role::CommunityAdmin, w.community.scope).await;
    let (boss, as_boss) = w.holder("o-boss", Role::DistrictAdmin, Scope::District).await;
    let events_before = w.repo.events().len();

    let view = invited(
        w.grants
            .grant(&as_admin, request(boss.id, Role::GridWorker, w.grid.scope))
            .await,
    );

    assert_eq!(view.person.id, boss.id);
    assert!(view.person.masked);
    assert_eq!(
        (view.person.nickname.clone(), view.person.phone.clone()),
        (None, None)
    );
    assert_eq!(view.invitation.invited_by, admin.id);
    assert_eq!(view.invitation.status, InvitationStatus::Pending);
    assert_eq!(w.repo.grants_of(boss.id).await.unwrap().len(), 1, "no new role");
    assert_eq!(w.repo.events().len(), events_before, "nothing to announce yet");
    assert_eq!(w.repo.audit_actions().last(), Some(&"invited"));
    // Asking again answers with the same invitation.
    let again = invited(
        w.grants
            .grant(&as_admin, request(boss.id, Role::GridWorker, w.grid.scope))
            .await,
    );
    assert_eq!(again.invitation.id, view.invitation.id);

    // The invitee sees it, accepts it, and holds the role.
    let me = w.profile.me(&as_boss).await.unwrap();
    assert_eq!(me.invitations.len(), 1);
    assert_eq!(me.invitations[0].node.as_ref(), Some(&w.grid));
    let grant = w.grants.accept(&as_boss, view.invitation.id).await.unwrap();
    assert_eq!(grant.grant.role(), Role::GridWorker);
    assert_eq!(grant.grant.granted_by(), Some(admin.id));
    assert_eq!(
        grant.granted_by,
        Some(admin.id),
        "the district covers the community's admin"
    );
    assert_eq!(w.repo.grants_of(boss.id).await.unwrap().len(), 2);
    assert_eq!(
        w.repo.event_kinds().last().map(String::as_str),
        Some("role_grant.created")
    );
    assert_eq!(w.repo.audit_actions().last(), Some(&"accepted"));
    assert!(w.profile.me(&as_boss).await.unwrap().invitations.is_empty());
    assert!(matches!(
        w.grants.accept(&as_boss, view.invitation.id).await,
        Err(IdentityError::InvitationVoid)
    ));
}

#[tokio::test]
async fn an_unknown_user_and_one_outside_the_scope_get_the_same_answer() {
    let w = world();
    let (_, as_admin) = w.holder("o-admin", Role::CommunityAdmin, w.community.scope).await;
    let outsider = w.resident("o-outsider", &w.other_building).await;
    let nobody = UserId::new();

    let to_outsider = invited(
        w.grants
            .grant(&as_admin, request(outsider.id, Role::GridWorker, w.grid.scope))
            .await,
    );
    let to_nobody = invited(
        w.grants
            .grant(&as_admin, request(nobody, Role::GridWorker, w.grid.scope))
            .await,
    );

    let shape = |v: &InvitationView| {
        let p = &v.person;
        (
            p.nickname.clone(),
            p.real_name.clone(),
            p.phone.clone(),
            p.masked,
            v.invitation.status,
        )
    };
    assert_eq!(shape(&to_outsider), shape(&to_nobody));
    assert_eq!(to_nobody.person.id, nobody);
}

#[tokio::test]
async fn only_the_invitee_answers_and_a_declined_or_expired_invitation_is_void() {
    let w = world();
    let (_, as_admin) = w.holder("o-admin", Role::CommunityAdmin, w.community.scope).await;
    let outsider = w.resident("o-outsider", &w.other_building).await;
    let as_outsider = w.as_holder(&outsider, vec![]);
    let invite = || async {
        invited(
            w.grants
                .grant(&as_admin, request(outsider.id, Role::GridWorker, w.grid.scope))
                .await,
        )
        .invitation
        .id
    };
    let first = invite().await;

    // Anyone else, the appointer included, is told there is no such invitation.
    for other in [as_admin.clone(), actor(Role::DistrictAdmin, Scope::District)] {
        assert!(matches!(
            w.grants.accept(&other, first).await,
            Err(IdentityError::NotFound(Resource::Invitation))
        ));
        assert!(matches!(
            w.grants.decline(&other, first).await,
            Err(IdentityError::NotFound(Resource::Invitation))
        ));
    }
    assert!(matches!(
        w.grants.accept(&as_outsider, InvitationId::new()).await,
        Err(IdentityError::NotFound(Resource::Invitation))
    ));

    w.grants.decline(&as_outsider, first).await.unwrap();
    assert!(matches!(
        w.grants.accept(&as_outsider, first).await,
        Err(IdentityError::InvitationVoid)
    ));
    assert!(matches!(
        w.grants.decline(&as_outsider, first).await,
        Err(IdentityError::InvitationVoid)
    ));

    let second = invite().await;
    assert_ne!(second, first, "a declined invitation is not reused");
    w.clock
        .advance(Duration::days(INVITATION_TTL_DAYS) + Duration::seconds(1));
    assert!(matches!(
        w.grants.accept(&as_outsider, second).await,
        Err(IdentityError::InvitationVoid)
    ));
    assert!(w.repo.grants_of(outsider.id).await.unwrap().is_empty());
    assert_eq!(
        w.repo.audit_actions(),
        vec!["granted", "invited", "declined", "invited"]
    );
}

#[tokio::test]
async fn an_invitation_whose_appointer_lost_the_right_is_void() {
    let w = world();
    let (admin, as_admin) = w.holder("o-admin", Role::CommunityAdmin, w.community.scope).await;
    let outsider = w.resident("o-outsider", &w.other_building).await;
    let invitation = invited(
        w.grants
            .grant(&as_admin, request(outsider.id, Role::GridWorker, w.grid.scope))
            .await,
    );
    let admin_grant = w.repo.grants_of(admin.id).await.unwrap()[0].clone();
    w.grants
        .revoke(&actor(Role::SubdistrictAdmin, w.subdistrict()), admin_grant.id())
        .await
        .unwrap();

    assert!(matches!(
        w.grants
            .accept(&w.as_holder(&outsider, vec![]), invitation.invitation.id)
            .await,
        Err(IdentityError::InvitationVoid)
    ));
    assert!(w.repo.grants_of(outsider.id).await.unwrap().is_empty());
    assert_eq!(
        w.repo.invitations().iter().map(|i| i.status).collect::<Vec<_>>(),
        vec![InvitationStatus::Pending],
        "void, not answered"
    );
}

// ---------------------------------------------------------------------------------------
// What appointers see: granted_by, the audit trail
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn granted_by_is_named_only_to_those_who_cover_the_granter() {
    let w = world();
    let (admin, as_admin) = w.holder("o-admin", Role::CommunityAdmin, w.community.scope).await;
    let resident = w.resident("o-resident", &w.building).await;
    granted_at_once(
        w.grants
            .grant(&as_admin, request(resident.id, Role::GridWorker, w.grid.scope))
            .await,
    );
    let granted_by = |viewer: Actor| {
        let grants = &w.grants;
        let id = resident.id;
        async move { grants.list(&viewer, Some(id), page()).await.unwrap().items[0].granted_by }
    };

    assert_eq!(
        granted_by(as_admin.clone()).await,
        Some(admin.id),
        "one's own grant"
    );
    assert_eq!(granted_by(district_admin()).await, Some(admin.id));
    // A grid worker of the grid covers the resident but not the community's admin.
    assert_eq!(granted_by(actor(Role::GridWorker, w.grid.scope)).await, None);
}

#[tokio::test]
async fn the_audit_trail_lists_every_change_to_admins_within_their_scope() {
    let w = world();
    let (_, as_admin) = w.holder("o-admin", Role::CommunityAdmin, w.community.scope).await;
    let resident = w.resident("o-resident", &w.building).await;
    let outsider = w.resident("o-outsider", &w.other_building).await;
    let grant = granted_at_once(
        w.grants
            .grant(&as_admin, request(resident.id, Role::GridWorker, w.grid.scope))
            .await,
    );
    w.grants.revoke(&as_admin, grant.grant.id()).await.unwrap();
    invited(
        w.grants
            .grant(&as_admin, request(outsider.id, Role::GridWorker, w.grid.scope))
            .await,
    );
    let actions = |viewer: Actor| {
        let grants = &w.grants;
        async move {
            grants
                .audit(&viewer, page())
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|v| v.entry.action.as_str())
                .collect::<Vec<_>>()
        }
    };

    assert_eq!(
        actions(as_admin.clone()).await,
        vec!["granted", "granted", "revoked", "invited"],
        "the admin's own grant (from the console), then its changes"
    );
    assert!(
        actions(actor(Role::CommunityAdmin, w.other_community.scope))
            .await
            .is_empty()
    );
    assert!(actions(actor(Role::GridWorker, w.grid.scope)).await.is_empty());
    assert_eq!(actions(district_admin()).await.len(), 4);
    let revoked = &w.repo.audit()[2];
    assert_eq!(
        (revoked.actor, revoked.target, revoked.grant_id),
        (Some(as_admin.user_id()), resident.id, Some(grant.grant.id()))
    );
}
