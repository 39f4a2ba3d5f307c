//! The user's own profile.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::*;

#[tokio::test]
async fn a_profile_update_validates_everything_before_writing_and_writes_only_what_is_given() {
    let w = world();
    let me = w.logged_in("o-user").await;

    assert!(matches!(
        w.profile.update_profile(&me, Some(Some(" ")), None).await,
        Err(IdentityError::Validation(_))
    ));
    assert!(matches!(
        w.profile
            .update_profile(&me, Some(Some("老王")), Some(Some(&"王".repeat(33))))
            .await,
        Err(IdentityError::Validation(_))
    ));
    let untouched = w.repo.find_user(me.user_id()).await.unwrap().unwrap();
    assert_eq!(untouched.nickname, None, "a refused update writes nothing");
    assert!(w.repo.events().is_empty());

    w.profile
        .update_profile(&me, Some(Some(" 老王 ")), None)
        .await
        .unwrap();
    let view = w
        .profile
        .update_profile(&me, None, Some(Some("王建国")))
        .await
        .unwrap();

    assert_eq!(view.user.nickname.as_ref().map(|n| n.as_str()), Some("老王"));
    assert_eq!(view.user.real_name.as_ref().map(|n| n.as_str()), Some("王建国"));
    assert_eq!(
        w.repo.event_kinds(),
        vec!["user.profile_updated", "user.profile_updated"]
    );

    // `Some(None)` erases a field; the other stays.
    let view = w.profile.update_profile(&me, Some(None), None).await.unwrap();
    assert_eq!(view.user.nickname, None);
    assert_eq!(view.user.real_name.as_ref().map(|n| n.as_str()), Some("王建国"));
}

#[tokio::test]
async fn binding_a_phone_maps_wechats_invalid_code_to_invalid_phone_code() {
    let w = world();
    let me = w.logged_in("o-user").await;

    assert!(matches!(
        w.profile.bind_phone(&me, "unknown-code").await,
        Err(IdentityError::InvalidPhoneCode)
    ));
    assert!(matches!(
        w.profile.bind_phone(&me, "  ").await,
        Err(IdentityError::Validation(_))
    ));
    w.wechat.phone_code("phone-1", "13812345678");
    w.wechat.fail_with(WechatFailure::RateLimited);
    assert!(matches!(
        w.profile.bind_phone(&me, "phone-1").await,
        Err(IdentityError::WechatRateLimited)
    ));
    assert_eq!(w.repo.find_user(me.user_id()).await.unwrap().unwrap().phone, None);
    w.wechat.recover();

    let view = w.profile.bind_phone(&me, "phone-1").await.unwrap();

    assert_eq!(view.user.phone.as_ref().map(|p| p.as_str()), Some("13812345678"));
    assert_eq!(w.repo.event_kinds(), vec!["user.phone_bound"]);
}

#[tokio::test]
async fn a_residence_must_be_a_known_building_and_then_places_the_person() {
    let w = world();
    let me = w.logged_in("o-user").await;

    assert!(matches!(
        w.profile.set_residence(&me, BuildingId::new()).await,
        Err(IdentityError::NotFound(Resource::Building))
    ));
    assert!(w.repo.events().is_empty());

    let Scope::Building(building) = w.building.scope else {
        panic!("a building")
    };
    let view = w.profile.set_residence(&me, building).await.unwrap();

    assert_eq!(view.residence.as_ref(), Some(&w.building));
    assert_eq!(
        view.user.residence,
        Some(Residence {
            building,
            path: w.building.path
        })
    );
    assert_eq!(w.repo.event_kinds(), vec!["user.residence_changed"]);
    let person = w.repo.people(&[me.user_id()]).await.unwrap().remove(0);
    assert_eq!(person.places, vec![w.building.path]);
    // Which is what decides who sees them whole.
    let own_admin = actor(Role::CommunityAdmin, w.community.scope);
    let other_admin = actor(Role::CommunityAdmin, w.other_community.scope);
    assert!(!person.view_for(&own_admin).masked);
    assert!(person.view_for(&other_admin).masked);
}

#[tokio::test]
async fn me_shows_each_role_at_its_node_and_the_residence() {
    let w = world();
    let me = w.logged_in("o-user").await;
    w.granted(me.user_id(), Role::GridWorker, w.grid.scope).await;
    let Scope::Building(building) = w.other_building.scope else {
        panic!("a building")
    };
    w.profile.set_residence(&me, building).await.unwrap();

    let view = w.profile.me(&me).await.unwrap();

    assert_eq!(view.roles.len(), 1);
    assert_eq!(view.roles[0].grant.role(), Role::GridWorker);
    assert_eq!(view.roles[0].node.as_ref(), Some(&w.grid));
    assert_eq!(view.residence.as_ref(), Some(&w.other_building));
}
