//! The fake `msg_sec_check` (version 2): `POST /wxa/msg_sec_check?access_token=…` with
//! `{content, version, scene, openid}`, answered as WeChat answers, `result.suggest` being
//! `pass`, `review` or `risky`.
//!
//! Refusals, in WeChat's order: the access token (40001, 42001), then the body. Documented by
//! WeChat: 40003 (an openid it does not know for the app), 40129 (a scene other than 1 to 4),
//! 61010 (the user has not opened the mini-program within two hours), 44004 (empty content),
//! -1 (busy). Not documented, so the fake's stand-ins: 47001 (WeChat's "data format error")
//! for a body that is not JSON of the right types or a version other than 2, and 45002
//! ("content size out of limit") for content over 2,500 characters.
//!
//! Who WeChat has seen: an openid that logged in through `jscode2session`; one that never did
//! is 40003, and after [`FakeWechat::forget_visits`] every one is 61010 until it logs in again.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use poem::handler;
use poem::web::{Data, Json, Query};
use serde_json::{Value, json};

use super::{FakeWechat, State, TokenQuery, error};

/// WeChat's limit on `content`, in characters.
const MAX_CONTENT_CHARS: usize = 2500;

#[derive(Default)]
pub(super) struct ContentState {
    /// Words and the suggestion a content holding them gets (`"risky"` or `"review"`).
    flags: Mutex<Vec<(String, &'static str)>>,
    /// The errcode the next check answers with, if any.
    fail_next: Mutex<Option<i64>>,
    /// Openids that logged in; `recent` those seen within WeChat's two hours.
    known: Mutex<HashSet<String>>,
    recent: Mutex<HashSet<String>>,
    /// Every content checked (not refused), in order.
    checked: Mutex<Vec<String>>,
    calls: AtomicUsize,
}

impl ContentState {
    /// `openid` logged in: WeChat knows it and has just seen it.
    pub(super) fn visited(&self, openid: &str) {
        self.known.lock().unwrap().insert(openid.to_owned());
        self.recent.lock().unwrap().insert(openid.to_owned());
    }

    /// The suggestion for `content` and its label: the most severe flag it holds.
    fn suggest(&self, content: &str) -> (&'static str, i64) {
        let flags = self.flags.lock().unwrap();
        let found = |suggest: &str| {
            flags
                .iter()
                .any(|(word, s)| *s == suggest && content.contains(word.as_str()))
        };
        if found("risky") {
            ("risky", 20006)
        } else if found("review") {
            ("review", 21000)
        } else {
            ("pass", 100)
        }
    }

    /// The errcode WeChat refuses this body with, if it does.
    fn refusal(&self, body: &Value) -> Option<(i64, &'static str)> {
        let (Some(version), Some(scene), Some(content), Some(openid)) = (
            body.get("version").and_then(Value::as_i64),
            body.get("scene").and_then(Value::as_i64),
            body.get("content").and_then(Value::as_str),
            body.get("openid").and_then(Value::as_str),
        ) else {
            return Some((47001, "data format error"));
        };
        if version != 2 {
            return Some((47001, "data format error: version must be 2"));
        }
        if !(1..=4).contains(&scene) {
            return Some((40129, "invalid scene"));
        }
        if !self.known.lock().unwrap().contains(openid) {
            return Some((40003, "invalid openid"));
        }
        if !self.recent.lock().unwrap().contains(openid) {
            return Some((61010, "code is expired"));
        }
        if content.is_empty() {
            return Some((44004, "empty content"));
        }
        if content.chars().count() > MAX_CONTENT_CHARS {
            return Some((45002, "content size out of limit"));
        }
        None
    }
}

#[handler]
pub(super) async fn msg_sec_check(
    Data(state): Data<&Arc<State>>,
    Query(q): Query<TokenQuery>,
    body: String,
) -> Json<Value> {
    state.calls.fetch_add(1, Ordering::SeqCst);
    state.content.calls.fetch_add(1, Ordering::SeqCst);
    if state.stall.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
    if let Some(refusal) = state.refuse_access_token(&q.access_token) {
        return refusal;
    }
    let Ok(body) = serde_json::from_str::<Value>(&body) else {
        return error(47001, "data format error");
    };
    if let Some((errcode, errmsg)) = state.content.refusal(&body) {
        return error(errcode, errmsg);
    }
    if let Some(errcode) = state.content.fail_next.lock().unwrap().take() {
        return error(errcode, "failure requested by the test");
    }
    let content = body["content"].as_str().unwrap_or_default();
    state.content.checked.lock().unwrap().push(content.to_owned());
    let (suggest, label) = state.content.suggest(content);
    let mut detail = vec![json!({
        "strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label, "prob": 90
    })];
    detail.push(json!({ "strategy": "keyword", "errcode": 0 }));
    Json(json!({
        "errcode": 0,
        "errmsg": "ok",
        "result": { "suggest": suggest, "label": label },
        "detail": detail,
        "trace_id": "6566f0e1-1a2b3c4d-5e6f7a8b",
    }))
}

impl FakeWechat {
    /// A content holding `word` gets `suggest` (`"risky"` or `"review"`); risky wins over
    /// review when it holds both kinds.
    pub fn flag_content(&self, word: &str, suggest: &'static str) {
        assert!(
            matches!(suggest, "risky" | "review"),
            "WeChat suggests risky or review"
        );
        self.state
            .content
            .flags
            .lock()
            .unwrap()
            .push((word.to_owned(), suggest));
    }

    /// The next content check (past the token and the body's checks) answers this errcode.
    pub fn fail_next_content_check(&self, errcode: i64) {
        *self.state.content.fail_next.lock().unwrap() = Some(errcode);
    }

    /// Two hours pass: every openid is 61010 until it logs in again.
    pub fn forget_visits(&self) {
        self.state.content.recent.lock().unwrap().clear();
    }

    /// `msg_sec_check` calls, refused or not.
    pub fn content_check_calls(&self) -> usize {
        self.state.content.calls.load(Ordering::SeqCst)
    }

    /// Every content WeChat gave a verdict on, in order.
    pub fn checked_contents(&self) -> Vec<String> {
        self.state.content.checked.lock().unwrap().clone()
    }
}
