//! A fake WeChat API: a small poem server speaking the real paths, fields and error codes of
//! `jscode2session`, `stable_token` and `getuserphonenumber`, which a test can tell to fail,
//! stall, or expire the access token.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poem::listener::TcpAcceptor;
use poem::web::{Data, Json, Query};
use poem::{EndpointExt, Route, Server, get, handler, post};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

pub const APP_ID: &str = "wx-test-app";
pub const APP_SECRET: &str = "wx-test-secret";

#[derive(Default)]
struct State {
    /// Login codes WeChat would accept, each once: code → (openid, unionid).
    logins: Mutex<HashMap<String, (String, Option<String>)>>,
    used_codes: Mutex<Vec<String>>,
    /// Phone codes: code → phone number.
    phones: Mutex<HashMap<String, String>>,
    /// The errcode the next call of each kind answers with, if any.
    fail_login: Mutex<Option<i64>>,
    fail_phone: Mutex<Option<i64>>,
    stall: AtomicBool,
    stall_token: AtomicBool,
    /// The token `stable_token` hands out, and whether WeChat has expired it.
    token: Mutex<Option<(String, bool)>>,
    token_serial: AtomicUsize,
    stable_token_calls: AtomicUsize,
    phone_calls: AtomicUsize,
}

pub struct FakeWechat {
    state: Arc<State>,
    addr: SocketAddr,
    stop: CancellationToken,
}

impl Drop for FakeWechat {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

fn error(errcode: i64, errmsg: &str) -> Json<Value> {
    Json(json!({ "errcode": errcode, "errmsg": format!("{errmsg}, rid: 6566f0e1-1a2b3c4d-5e6f7a8b") }))
}

#[derive(Deserialize)]
struct SessionQuery {
    appid: String,
    secret: String,
    js_code: String,
    grant_type: String,
}

#[handler]
async fn jscode2session(Data(state): Data<&Arc<State>>, Query(q): Query<SessionQuery>) -> Json<Value> {
    if state.stall.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
    if q.appid != APP_ID {
        return error(40013, "invalid appid");
    }
    if q.secret != APP_SECRET {
        return error(40125, "invalid appsecret");
    }
    if q.grant_type != "authorization_code" {
        return error(40002, "invalid grant_type");
    }
    if let Some(errcode) = state.fail_login.lock().unwrap().take() {
        return error(errcode, "failure requested by the test");
    }
    if state.used_codes.lock().unwrap().contains(&q.js_code) {
        return error(40163, "code been used");
    }
    let Some((openid, unionid)) = state.logins.lock().unwrap().get(&q.js_code).cloned() else {
        return error(40029, "invalid code");
    };
    state.used_codes.lock().unwrap().push(q.js_code);
    let mut answer = json!({ "openid": openid, "session_key": "tiihtNczf5v6AKRyjwEUhQ==" });
    if let Some(unionid) = unionid {
        answer["unionid"] = json!(unionid);
    }
    Json(answer)
}

#[derive(Deserialize)]
struct StableTokenRequest {
    grant_type: String,
    appid: String,
    secret: String,
    #[serde(default)]
    force_refresh: bool,
}

#[handler]
async fn stable_token(Data(state): Data<&Arc<State>>, Json(body): Json<StableTokenRequest>) -> Json<Value> {
    state.stable_token_calls.fetch_add(1, Ordering::SeqCst);
    if state.stall_token.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
    // A slow answer, so that concurrent callers would overlap if they all asked.
    tokio::time::sleep(Duration::from_millis(50)).await;
    if body.grant_type != "client_credential" || body.appid != APP_ID || body.secret != APP_SECRET {
        return error(40013, "invalid appid");
    }
    let mut token = state.token.lock().unwrap();
    let reuse = !body.force_refresh && matches!(&*token, Some((_, false)));
    if !reuse {
        let serial = state.token_serial.fetch_add(1, Ordering::SeqCst);
        *token = Some((format!("ACCESS_TOKEN_{serial}"), false));
    }
    let current = token.as_ref().map(|(t, _)| t.clone()).unwrap_or_default();
    Json(json!({ "access_token": current, "expires_in": 7200 }))
}

#[derive(Deserialize)]
struct TokenQuery {
    access_token: String,
}

#[derive(Deserialize)]
struct PhoneRequest {
    code: String,
}

#[handler]
async fn getuserphonenumber(
    Data(state): Data<&Arc<State>>,
    Query(q): Query<TokenQuery>,
    Json(body): Json<PhoneRequest>,
) -> Json<Value> {
    state.phone_calls.fetch_add(1, Ordering::SeqCst);
    if state.stall.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
    match &*state.token.lock().unwrap() {
        Some((token, false)) if *token == q.access_token => {}
        Some((token, true)) if *token == q.access_token => return error(42001, "access_token expired"),
        _ => return error(40001, "invalid credential, access_token is invalid or not latest"),
    }
    if let Some(errcode) = state.fail_phone.lock().unwrap().take() {
        return error(errcode, "failure requested by the test");
    }
    let Some(phone) = state.phones.lock().unwrap().get(&body.code).cloned() else {
        return error(40029, "invalid code");
    };
    Json(json!({
        "errcode": 0,
        "errmsg": "ok",
        "phone_info": {
            "phoneNumber": phone,
            "purePhoneNumber": phone,
            "countryCode": "86",
            "watermark": { "timestamp": 1_637_744_274, "appid": APP_ID }
        }
    }))
}

impl FakeWechat {
    pub async fn start() -> Self {
        let state = Arc::new(State::default());
        let app = Route::new()
            .at("/sns/jscode2session", get(jscode2session))
            .at("/cgi-bin/stable_token", post(stable_token))
            .at("/wxa/business/getuserphonenumber", post(getuserphonenumber))
            .data(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let acceptor = TcpAcceptor::from_tokio(listener).unwrap();
        let stop = CancellationToken::new();
        let stopped = stop.clone();
        tokio::spawn(async move {
            let _ = Server::new_with_acceptor(acceptor)
                .run_with_graceful_shutdown(
                    app,
                    async move { stopped.cancelled().await },
                    Some(Duration::from_millis(10)),
                )
                .await;
        });
        Self { state, addr, stop }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// WeChat will answer `code` with this openid (and unionid), once.
    pub fn accept_login(&self, code: &str, openid: &str, unionid: Option<&str>) {
        self.state
            .logins
            .lock()
            .unwrap()
            .insert(code.to_owned(), (openid.to_owned(), unionid.map(str::to_owned)));
    }

    pub fn accept_phone(&self, code: &str, phone: &str) {
        self.state
            .phones
            .lock()
            .unwrap()
            .insert(code.to_owned(), phone.to_owned());
    }

    pub fn fail_next_login(&self, errcode: i64) {
        *self.state.fail_login.lock().unwrap() = Some(errcode);
    }

    pub fn fail_next_phone(&self, errcode: i64) {
        *self.state.fail_phone.lock().unwrap() = Some(errcode);
    }

    /// Every call hangs for a minute.
    pub fn stall(&self, on: bool) {
        self.state.stall.store(on, Ordering::SeqCst);
    }

    /// `stable_token` hangs for a minute.
    pub fn stall_access_token(&self, on: bool) {
        self.state.stall_token.store(on, Ordering::SeqCst);
    }

    /// The current access token expires, as WeChat may expire it before its time.
    pub fn expire_access_token(&self) {
        if let Some((_, expired)) = self.state.token.lock().unwrap().as_mut() {
            *expired = true;
        }
    }

    pub fn stable_token_calls(&self) -> usize {
        self.state.stable_token_calls.load(Ordering::SeqCst)
    }

    pub fn phone_calls(&self) -> usize {
        self.state.phone_calls.load(Ordering::SeqCst)
    }
}
