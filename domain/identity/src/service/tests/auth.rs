//! Logging in, refreshing, logging out, authenticating.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::*;

#[tokio::test]
async fn dev_login_answers_only_when_enabled() {
    let off = world_with(false);
    assert!(!off.auth.dev_login_enabled());
    assert!(matches!(
        off.auth.dev_login("o-dev", None).await,
        Err(IdentityError::DevLoginDisabled)
    ));
    assert!(off.repo.users().is_empty());

    let on = world();
    let pair = on.auth.dev_login("o-dev", Some("老王")).await.unwrap();
    assert_eq!(pair.user.nickname.as_ref().map(|n| n.as_str()), Some("老王"));
    let actor = on.auth.authenticate(&pair.access.token).await.unwrap();
    assert_eq!(actor.user_id(), pair.user.id);
    assert!(matches!(
        on.auth.dev_login("not an openid", None).await,
        Err(IdentityError::Validation(_))
    ));
}

#[tokio::test]
async fn a_wechat_login_creates_the_user_once_per_openid() {
    let w = world();
    w.wechat.login_code("code-1", "o-wx");
    w.wechat.login_code_with_unionid("code-2", "o-wx", Some("u-wx"));
    w.wechat.login_code("code-3", "o-other");

    let first = w.auth.wechat_login("code-1").await.unwrap();
    let second = w.auth.wechat_login("code-2").await.unwrap();
    let other = w.auth.wechat_login("code-3").await.unwrap();

    assert_eq!(first.user.id, second.user.id);
    assert_ne!(first.user.id, other.user.id);
    assert_eq!(w.repo.users().len(), 2);
    assert_eq!(
        second.user.unionid.as_ref().map(|u| u.as_str()),
        Some("u-wx"),
        "a unionid WeChat gives later is kept"
    );
    assert_ne!(first.refresh_token, second.refresh_token, "a session per login");
    // A code works once.
    assert!(matches!(
        w.auth.wechat_login("code-1").await,
        Err(IdentityError::InvalidCode)
    ));
}

#[tokio::test]
async fn wechat_refusals_are_told_apart_and_create_no_one() {
    let w = world();
    w.wechat.login_code("code-1", "o-wx");
    let cases = [
        WechatFailure::InvalidCode,
        WechatFailure::RateLimited,
        WechatFailure::RiskyUser,
        WechatFailure::Unavailable("timed out".to_owned()),
        WechatFailure::Rejected {
            errcode: 40013,
            errmsg: "invalid appid".to_owned(),
        },
    ];
    for failure in cases {
        w.wechat.fail_with(failure.clone());
        let error = w.auth.wechat_login("code-1").await.unwrap_err();
        let told = match (&failure, &error) {
            (WechatFailure::InvalidCode, IdentityError::InvalidCode)
            | (WechatFailure::RateLimited, IdentityError::WechatRateLimited)
            | (WechatFailure::RiskyUser, IdentityError::WechatUserBlocked) => true,
            (WechatFailure::Unavailable(a), IdentityError::WechatUnavailable(b)) => a == b,
            (
                WechatFailure::Rejected { errcode, .. },
                IdentityError::WechatRejected { errcode: told, .. },
            ) => errcode == told,
            _ => false,
        };
        assert!(told, "{failure:?} came back as {error:?}");
    }
    assert!(matches!(
        w.auth.wechat_login("").await,
        Err(IdentityError::Validation(_))
    ));
    assert!(w.repo.users().is_empty());
}

#[tokio::test]
async fn a_refresh_rotates_the_token_and_the_new_one_works() {
    let w = world();
    let first = w.login("o-user").await;
    let session = w
        .auth
        .authenticate(&first.access.token)
        .await
        .unwrap()
        .session_id();
    w.clock.advance(Duration::minutes(1));

    let second = w.auth.refresh(&first.refresh_token).await.unwrap();

    assert_ne!(second.refresh_token, first.refresh_token);
    assert_eq!(second.user.id, first.user.id);
    let actor = w.auth.authenticate(&second.access.token).await.unwrap();
    assert_eq!(actor.session_id(), session, "the same session goes on");
    let third = w.auth.refresh(&second.refresh_token).await.unwrap();
    assert!(w.auth.authenticate(&third.access.token).await.is_ok());
}

#[tokio::test]
async fn reusing_a_spent_refresh_token_revokes_the_session_for_everyone_holding_it() {
    let w = world();
    let stolen = w.login("o-user").await;
    let elsewhere = w.login("o-user").await;
    let rotated = w.auth.refresh(&stolen.refresh_token).await.unwrap();

    assert!(matches!(
        w.auth.refresh(&stolen.refresh_token).await,
        Err(IdentityError::RefreshTokenReused)
    ));
    assert!(matches!(
        w.auth.refresh(&rotated.refresh_token).await,
        Err(IdentityError::SessionRevoked)
    ));
    assert!(matches!(
        w.auth.authenticate(&rotated.access.token).await,
        Err(IdentityError::SessionRevoked)
    ));
    // The same user's other session is another family of tokens.
    assert!(w.auth.refresh(&elsewhere.refresh_token).await.is_ok());
}

#[tokio::test]
async fn of_two_refreshes_racing_with_one_token_exactly_one_wins_and_the_session_ends() {
    let w = world();
    let pair = w.login("o-user").await;

    // Both read the token unspent before either writes (the fake yields after each read).
    let (a, b) = tokio::join!(
        w.auth.refresh(&pair.refresh_token),
        w.auth.refresh(&pair.refresh_token)
    );

    let (won, lost) = match (a, b) {
        (Ok(won), Err(lost)) | (Err(lost), Ok(won)) => (won, lost),
        (a, b) => panic!("exactly one should win: {a:?} / {b:?}"),
    };
    assert!(matches!(lost, IdentityError::RefreshTokenReused));
    assert!(matches!(
        w.auth.refresh(&won.refresh_token).await,
        Err(IdentityError::SessionRevoked)
    ));
}

#[tokio::test]
async fn an_expired_refresh_token_is_refused() {
    let w = world();
    let kept_fresh = w.login("o-user").await;
    let left_alone = w.login("o-user").await;

    w.clock.advance(Duration::days(TTL_DAYS) - Duration::seconds(1));
    let renewed = w.auth.refresh(&kept_fresh.refresh_token).await.unwrap();
    w.clock.advance(Duration::seconds(1));

    assert!(matches!(
        w.auth.refresh(&left_alone.refresh_token).await,
        Err(IdentityError::InvalidRefreshToken)
    ));
    assert!(
        w.auth.refresh(&renewed.refresh_token).await.is_ok(),
        "a rotated token lives its own time from the rotation"
    );
}

#[tokio::test]
async fn a_spent_token_replayed_after_it_expired_still_revokes_the_session() {
    let w = world();
    let first = w.login("o-user").await;
    w.clock.advance(Duration::days(TTL_DAYS - 1));
    let rotated = w.auth.refresh(&first.refresh_token).await.unwrap();
    w.clock.advance(Duration::days(2));

    // The first token has expired, but that it was spent already says it leaked.
    assert!(matches!(
        w.auth.refresh(&first.refresh_token).await,
        Err(IdentityError::RefreshTokenReused)
    ));
    assert!(matches!(
        w.auth.refresh(&rotated.refresh_token).await,
        Err(IdentityError::SessionRevoked)
    ));
}

#[tokio::test]
async fn a_malformed_or_unknown_refresh_token_is_invalid() {
    let w = world();
    w.login("o-user").await;

    for token in ["short", &"a".repeat(43), &"!".repeat(43)] {
        assert!(
            matches!(
                w.auth.refresh(token).await,
                Err(IdentityError::InvalidRefreshToken)
            ),
            "{token}"
        );
    }
}

#[tokio::test]
async fn logout_ends_the_session_and_only_that_one() {
    let w = world();
    let here = w.login("o-user").await;
    let there = w.login("o-user").await;
    let actor = w.auth.authenticate(&here.access.token).await.unwrap();

    w.auth.logout(&actor).await.unwrap();

    assert!(matches!(
        w.auth.authenticate(&here.access.token).await,
        Err(IdentityError::SessionRevoked)
    ));
    assert!(matches!(
        w.auth.refresh(&here.refresh_token).await,
        Err(IdentityError::SessionRevoked)
    ));
    assert!(matches!(
        w.auth.refresh_actor(&actor).await,
        Err(IdentityError::SessionRevoked)
    ));
    assert!(w.auth.authenticate(&there.access.token).await.is_ok());
    assert!(w.auth.refresh(&there.refresh_token).await.is_ok());
}

#[tokio::test]
async fn authenticate_reloads_the_grants_so_a_revoked_grant_disappears_at_once() {
    let w = world();
    let pair = w.login("o-worker").await;
    let before = w.auth.authenticate(&pair.access.token).await.unwrap();
    assert!(before.grants().is_empty());
    let grant = w.granted(pair.user.id, Role::GridWorker, w.grid.scope).await;

    let granted = w.auth.authenticate(&pair.access.token).await.unwrap();
    assert_eq!(granted.grants(), &[(Role::GridWorker, w.grid.scope)]);
    assert_eq!(
        w.auth.refresh_actor(&before).await.unwrap().grants(),
        granted.grants(),
        "a long-lived connection's actor catches up too"
    );

    w.grants.revoke(&district_admin(), grant.id()).await.unwrap();
    assert!(
        w.auth
            .authenticate(&pair.access.token)
            .await
            .unwrap()
            .grants()
            .is_empty()
    );
    assert!(w.auth.refresh_actor(&granted).await.unwrap().grants().is_empty());
    // An actor without a session (the console) has nothing to refresh.
    assert!(matches!(
        w.auth.refresh_actor(&Actor::console()).await,
        Err(IdentityError::SessionRevoked)
    ));
}

#[tokio::test]
async fn an_expired_access_token_is_told_apart_from_an_invalid_one() {
    let w = world();
    let pair = w.login("o-user").await;
    assert_eq!(pair.access.expires_in_seconds, 15 * 60);

    w.clock.advance(Duration::minutes(15) - Duration::seconds(1));
    assert!(w.auth.authenticate(&pair.access.token).await.is_ok());
    w.clock.advance(Duration::seconds(1));
    assert!(matches!(
        w.auth.authenticate(&pair.access.token).await,
        Err(IdentityError::TokenExpired)
    ));
    assert!(matches!(
        w.auth.authenticate("not-a-token").await,
        Err(IdentityError::InvalidToken)
    ));
    // The refresh token still gives a fresh access token.
    let renewed = w.auth.refresh(&pair.refresh_token).await.unwrap();
    assert!(w.auth.authenticate(&renewed.access.token).await.is_ok());
}
