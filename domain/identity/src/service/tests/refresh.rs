//! The refresh leeway (a retried refresh gets the same pair), the session's absolute
//! lifetime, and the session's owner, against the fakes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use chrono::Duration;
use linli_kernel::ports::Clock;
use linli_kernel::{SessionId, UserId};

use crate::ports::AccessTokens;
use crate::testing::{FakeTokens, FakeWechat, InMemoryIdentity, ManualClock};
use crate::{AccessClaims, AuthService, AuthSettings, IdentityError, TokenPair};

type Auth = AuthService<InMemoryIdentity, FakeWechat, FakeTokens, ManualClock>;

const LEEWAY_SECONDS: i64 = 10;

fn auth() -> (Auth, InMemoryIdentity, ManualClock) {
    auth_with_leeway(Duration::seconds(LEEWAY_SECONDS))
}

fn auth_with_leeway(leeway: Duration) -> (Auth, InMemoryIdentity, ManualClock) {
    let repo = InMemoryIdentity::default();
    let clock = ManualClock::default();
    let settings = AuthSettings {
        dev_login_enabled: true,
        refresh_token_ttl: Duration::days(30),
        session_max_lifetime: Duration::days(90),
        refresh_reuse_leeway: leeway,
    };
    let service = AuthService::new(
        repo.clone(),
        FakeWechat::default(),
        FakeTokens::default(),
        clock.clone(),
        settings,
    );
    (service, repo, clock)
}

fn same_pair(a: &TokenPair, b: &TokenPair) -> bool {
    a.access == b.access && a.refresh_token == b.refresh_token
}

#[tokio::test]
async fn ten_concurrent_refreshes_of_one_token_all_get_the_same_pair() {
    let (auth, _, clock) = auth();
    let first = auth.dev_login("o-phone", None).await.unwrap();
    clock.advance(Duration::minutes(20));
    let replies = futures_util::future::join_all((0..10).map(|_| auth.refresh(&first.refresh_token))).await;
    let pairs: Vec<TokenPair> = replies.into_iter().map(Result::unwrap).collect();
    assert!(pairs.iter().all(|p| same_pair(p, &pairs[0])), "{pairs:#?}");
    assert_ne!(pairs[0].refresh_token, first.refresh_token);
    // The session stands, and the successor works once as usual.
    assert!(auth.authenticate(&pairs[0].access.token).await.is_ok());
    assert!(auth.refresh(&pairs[0].refresh_token).await.is_ok());
}

#[tokio::test]
async fn a_retry_within_the_leeway_gets_the_same_pair_even_seconds_later() {
    let (auth, _, clock) = auth();
    let first = auth.dev_login("o-phone", None).await.unwrap();
    let rotated = auth.refresh(&first.refresh_token).await.unwrap();
    clock.advance(Duration::seconds(LEEWAY_SECONDS - 1));
    let retried = auth.refresh(&first.refresh_token).await.unwrap();
    assert!(
        same_pair(&rotated, &retried),
        "the access token is signed again identically"
    );
    assert!(auth.authenticate(&retried.access.token).await.is_ok());
}

#[tokio::test]
async fn a_reuse_after_the_leeway_still_revokes_the_session() {
    let (auth, _, clock) = auth();
    let first = auth.dev_login("o-phone", None).await.unwrap();
    let rotated = auth.refresh(&first.refresh_token).await.unwrap();
    clock.advance(Duration::seconds(LEEWAY_SECONDS));
    assert!(matches!(
        auth.refresh(&first.refresh_token).await,
        Err(IdentityError::RefreshTokenReused)
    ));
    assert!(matches!(
        auth.refresh(&rotated.refresh_token).await,
        Err(IdentityError::SessionRevoked)
    ));
    assert!(matches!(
        auth.authenticate(&rotated.access.token).await,
        Err(IdentityError::SessionRevoked)
    ));
}

/// Without a leeway every reuse revokes, even one whose request read the clock a moment
/// before the rotation it raced with (a negative age is still "within" any window).
#[tokio::test]
async fn without_a_leeway_a_reuse_that_read_the_clock_before_the_rotation_still_revokes() {
    let (auth, _, clock) = auth_with_leeway(Duration::zero());
    let first = auth.dev_login("o-phone", None).await.unwrap();
    auth.refresh(&first.refresh_token).await.unwrap();
    clock.advance(Duration::milliseconds(-5));
    assert!(matches!(
        auth.refresh(&first.refresh_token).await,
        Err(IdentityError::RefreshTokenReused)
    ));
}

#[tokio::test]
async fn a_successor_the_store_no_longer_holds_is_a_reuse() {
    let (auth, repo, _) = auth();
    let first = auth.dev_login("o-phone", None).await.unwrap();
    auth.refresh(&first.refresh_token).await.unwrap();
    for row in &mut repo.0.lock().unwrap().refresh_tokens {
        row.sealed_successor = None;
    }
    assert!(matches!(
        auth.refresh(&first.refresh_token).await,
        Err(IdentityError::RefreshTokenReused)
    ));
}

#[tokio::test]
async fn a_session_ends_at_its_maximum_lifetime_however_often_it_is_refreshed() {
    let (auth, repo, clock) = auth();
    let mut pair = auth.dev_login("o-phone", None).await.unwrap();
    let started = clock.now();
    for _ in 0..4 {
        clock.advance(Duration::days(20));
        pair = auth.refresh(&pair.refresh_token).await.unwrap();
    }
    // No refresh token outlives the session.
    let latest_expiry = repo
        .0
        .lock()
        .unwrap()
        .refresh_tokens
        .iter()
        .map(|t| t.expires_at)
        .max()
        .unwrap();
    assert_eq!(latest_expiry, started + Duration::days(90));
    clock.advance(Duration::days(10));
    assert!(matches!(
        auth.refresh(&pair.refresh_token).await,
        Err(IdentityError::SessionExpired)
    ));
}

#[tokio::test]
async fn a_token_naming_someone_elses_session_is_refused() {
    let (auth, _, clock) = auth();
    let mine = auth.dev_login("o-mine", None).await.unwrap();
    let theirs = auth.dev_login("o-theirs", None).await.unwrap();
    let their_session = FakeTokens::default()
        .verify(&theirs.access.token, clock.now())
        .unwrap()
        .session_id;
    let forged = FakeTokens::default()
        .issue(
            AccessClaims {
                user_id: mine.user.id,
                session_id: their_session,
            },
            clock.now(),
        )
        .unwrap();
    assert!(matches!(
        auth.authenticate(&forged.token).await,
        Err(IdentityError::SessionRevoked)
    ));
    let unknown = FakeTokens::default()
        .issue(
            AccessClaims {
                user_id: UserId::new(),
                session_id: SessionId::new(),
            },
            clock.now(),
        )
        .unwrap();
    assert!(auth.authenticate(&unknown.token).await.is_err());
}
