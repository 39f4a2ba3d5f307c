//! The content check as the api builds it (`linli_api::app::content_checker`): WeChat's
//! `msg_sec_check` against the fake WeChat under the author's openid, and the dev word lists
//! without an app id. The adapters are driven directly here, on the test's database; what a
//! resident posting a request meets is tested in `resident_requests.rs`.

use std::time::Duration;

use linli_api::app::{content_checker, grant_service, wechat_client};
use linli_infra::content::ContentChecker;
use linli_infra::wechat::{AccessTokenStore, MAX_PIECE_CHARS};
use linli_kernel::ports::{ContentCheck, ContentCheckError, ContentVerdict};
use linli_kernel::{Role, Scope, UserId};
use linli_tests::{TestApp, spawn_app, spawn_app_with};

use ContentVerdict::{Pass, Review, Risky};

/// The checker the app would build from its settings, with an access token of its own.
fn checker(app: &TestApp) -> ContentChecker {
    let wechat = wechat_client(&app.settings, AccessTokenStore::in_process()).unwrap();
    content_checker(&app.settings, &app.state.db, &wechat)
}

/// A resident who logged in through WeChat: WeChat has just seen them.
async fn author(app: &TestApp) -> UserId {
    UserId::from_uuid(app.resident().await.user_id)
}

async fn verdict(checker: &ContentChecker, author: UserId, texts: &[&str]) -> ContentVerdict {
    checker.check(author, texts).await.expect("a verdict")
}

/// Unavailable, and within a bound far beyond the test's WeChat timeout (1 s): never a hang.
async fn unavailable(checker: &ContentChecker, author: UserId, texts: &[&str]) -> String {
    let answered = tokio::time::timeout(Duration::from_secs(20), checker.check(author, texts)).await;
    match answered.expect("the check gives up by itself") {
        Err(ContentCheckError::Unavailable(why)) => format!("{why:#}"),
        Ok(verdict) => panic!("expected unavailable, got {verdict:?}"),
    }
}

fn flagged(app: &TestApp) {
    app.wechat.flag_content("赌博", "risky");
    app.wechat.flag_content("代购", "review");
}

#[tokio::test]
async fn wechat_judges_each_text_under_its_authors_openid() {
    let app = spawn_app().await;
    flagged(&app);
    let checker = checker(&app);
    assert!(
        matches!(checker, ContentChecker::WeChat(_)),
        "an app id is configured"
    );
    let me = author(&app).await;
    assert_eq!(verdict(&checker, me, &["电梯坏了，请物业来修"]).await, Pass);
    assert_eq!(verdict(&checker, me, &["谁在楼下代购奶粉"]).await, Review);
    assert_eq!(verdict(&checker, me, &["网上赌博"]).await, Risky);
    assert_eq!(app.wechat.content_check_calls(), 3);
}

#[tokio::test]
async fn the_most_severe_verdict_of_several_texts_wins_in_any_order() {
    let app = spawn_app().await;
    flagged(&app);
    let checker = checker(&app);
    let me = author(&app).await;
    assert_eq!(verdict(&checker, me, &["代购", "赌博", "平常"]).await, Risky);
    assert_eq!(verdict(&checker, me, &["赌博", "代购"]).await, Risky);
    assert_eq!(verdict(&checker, me, &["平常", "代购"]).await, Review);
    assert_eq!(verdict(&checker, me, &["平常", "也平常"]).await, Pass);
    assert_eq!(app.wechat.checked_contents().len(), 9, "each text on its own");
}

#[tokio::test]
async fn blank_texts_pass_without_asking_wechat() {
    let app = spawn_app().await;
    let checker = checker(&app);
    let me = author(&app).await;
    assert_eq!(verdict(&checker, me, &["", "  \n"]).await, Pass);
    assert_eq!(verdict(&checker, me, &[]).await, Pass);
    assert_eq!(
        app.wechat.content_check_calls(),
        0,
        "WeChat refuses empty content (44004)"
    );
}

#[tokio::test]
async fn a_long_text_is_checked_in_pieces_and_a_word_across_a_cut_is_seen() {
    let app = spawn_app().await;
    flagged(&app);
    let checker = checker(&app);
    let me = author(&app).await;
    // "赌博" straddles the 2,500th character.
    let long = format!("{}赌博{}", "邻".repeat(MAX_PIECE_CHARS - 1), "里".repeat(3000));
    assert_eq!(verdict(&checker, me, &[&long]).await, Risky);
    let pieces = app.wechat.checked_contents();
    assert_eq!(pieces.len(), 3, "5,501 characters: 2,500, 2,500 and the rest");
    assert!(pieces.iter().all(|p| p.chars().count() <= MAX_PIECE_CHARS));
    // The pieces are asked at once, so they arrive in any order.
    assert!(
        pieces.iter().any(|p| p.ends_with("邻赌")),
        "the first piece cuts the word"
    );
    assert_eq!(pieces.iter().filter(|p| p.contains("赌博")).count(), 1);

    let exactly = "邻".repeat(MAX_PIECE_CHARS);
    assert_eq!(verdict(&checker, me, &[&exactly]).await, Pass);
    assert_eq!(
        app.wechat.checked_contents().len(),
        4,
        "the limit itself is one piece"
    );
}

#[tokio::test]
async fn a_stale_access_token_is_replaced_and_the_check_asked_again() {
    let app = spawn_app().await;
    flagged(&app);
    let checker = checker(&app);
    let me = author(&app).await;
    assert_eq!(verdict(&checker, me, &["平常"]).await, Pass);
    let fetched = app.wechat.normal_token_calls();

    // Another system using our app id forces a refresh: our token gets 40001.
    app.wechat.rotate_access_token_elsewhere();
    assert_eq!(verdict(&checker, me, &["赌博"]).await, Risky);
    assert_eq!(app.wechat.normal_token_calls(), fetched + 1);
    // WeChat expires it: 42001.
    app.wechat.expire_access_token();
    assert_eq!(verdict(&checker, me, &["代购"]).await, Review);
    assert_eq!(app.wechat.normal_token_calls(), fetched + 2);
    assert_eq!(app.wechat.forced_token_calls(), 0);
    assert_eq!(
        app.wechat.content_check_calls(),
        5,
        "each refused call asked once more"
    );
}

#[tokio::test]
async fn a_wechat_error_is_unavailable_and_not_a_verdict() {
    let app = spawn_app().await;
    flagged(&app);
    let checker = checker(&app);
    let me = author(&app).await;
    for errcode in [-1, 45011, 40129, 44004, 87014] {
        app.wechat.fail_next_content_check(errcode);
        let why = unavailable(&checker, me, &["赌博"]).await;
        assert!(why.contains("msg_sec_check"), "{errcode}: {why}");
    }
    assert_eq!(
        verdict(&checker, me, &["赌博"]).await,
        Risky,
        "the failures were not sticky"
    );
}

#[tokio::test]
async fn one_failing_piece_makes_the_whole_check_unavailable() {
    let app = spawn_app().await;
    let checker = checker(&app);
    let me = author(&app).await;
    app.wechat.fail_next_content_check(-1);
    unavailable(&checker, me, &["标题", "描述"]).await;
}

#[tokio::test]
async fn an_author_wechat_does_not_know_or_has_not_seen_lately_is_unavailable() {
    let app = spawn_app().await;
    let checker = checker(&app);
    // Made a district admin from the console, never logged in: WeChat does not know them
    // for our app (40003).
    let grant = grant_service(&app.state.db)
        .ensure_by_openid("never-logged-in", Role::DistrictAdmin, Scope::District)
        .await
        .unwrap();
    let stranger = grant.user_id();
    let why = unavailable(&checker, stranger, &["平常"]).await;
    assert!(why.contains("40003"), "{why}");

    let me = author(&app).await;
    app.wechat.forget_visits();
    let why = unavailable(&checker, me, &["平常"]).await;
    assert!(why.contains("61010"), "{why}");

    let calls = app.wechat.content_check_calls();
    let why = unavailable(&checker, UserId::new(), &["平常"]).await;
    assert!(why.contains("not a user"), "{why}");
    assert_eq!(app.wechat.content_check_calls(), calls, "no user, no call");
}

#[tokio::test]
async fn a_stalled_wechat_is_unavailable_not_a_hang() {
    let app = spawn_app().await;
    let checker = checker(&app);
    let me = author(&app).await;
    assert_eq!(verdict(&checker, me, &["平常"]).await, Pass);
    app.wechat.stall(true);
    let why = unavailable(&checker, me, &["标题", "描述"]).await;
    assert!(why.contains("timed out"), "{why}");
}

#[tokio::test]
async fn without_an_app_id_the_dev_word_lists_check_and_wechat_is_never_asked() {
    let app = spawn_app_with(|settings| {
        settings.wechat_appid = None;
        settings.content_risky_words = "赌博, Casino".to_owned();
        settings.content_review_words = "代购".to_owned();
    })
    .await;
    let checker = checker(&app);
    assert!(matches!(checker, ContentChecker::Local(_)));
    let anyone = UserId::new();
    assert_eq!(verdict(&checker, anyone, &["casino night"]).await, Risky);
    assert_eq!(verdict(&checker, anyone, &["平常", "代购"]).await, Review);
    assert_eq!(verdict(&checker, anyone, &["平常"]).await, Pass);
    assert_eq!(app.wechat.calls(), 0);
}
