//! A fake WeChat API: a small poem server speaking the real paths, fields and error codes of
//! `jscode2session`, `stable_token`, `getuserphonenumber` and `msg_sec_check` (in
//! `fake_wechat/content.rs`), which a test can tell to fail, stall, or change the access
//! token behind our back.
//!
//! The access token behaves as WeChat's does. There is one current token. `stable_token` in
//! normal mode hands it back while it is good and mints a new one once WeChat has expired it;
//! forced, it mints a new one (the old one dies for everyone), at most 20 times a rolling day
//! (errcode 45009 beyond) and, as WeChat documents, not again within 30 s of the last forced
//! refresh: such a call hands back the current token unrefreshed.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use poem::listener::TcpAcceptor;
use poem::web::{Data, Json, Query};
use poem::{EndpointExt, Route, Server, get, handler, post};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

mod content;

pub const APP_ID: &str = "wx-test-app";
pub const APP_SECRET: &str = "wx-test-secret";

#[derive(Default)]
struct State {
    /// Login codes WeChat would accept, each once: code → (openid, unionid).
    logins: Mutex<HashMap<String, (String, Option<String>)>>,
    used_codes: Mutex<Vec<String>>,
    /// Phone codes: code → the number WeChat gives for it.
    phones: Mutex<HashMap<String, Phone>>,
    /// The errcode the next call of each kind answers with, if any.
    fail_login: Mutex<Option<i64>>,
    fail_phone: Mutex<Option<i64>>,
    stall: AtomicBool,
    stall_token: AtomicBool,
    /// `stable_token` answers 40164, as for a server outside the app's IP whitelist.
    refuse_address: AtomicBool,
    token: Mutex<Token>,
    /// Every call of any kind.
    calls: AtomicUsize,
    normal_token_calls: AtomicUsize,
    forced_token_calls: AtomicUsize,
    phone_calls: AtomicUsize,
    /// `msg_sec_check`: flagged words, failures asked for, who WeChat has seen, calls.
    content: content::ContentState,
}

#[derive(Clone)]
struct Phone {
    country_code: String,
    pure: String,
    /// The app id in `phone_info.watermark`.
    appid: String,
}

/// WeChat's access token for the app, and the forced refreshes of the last day.
#[derive(Default)]
struct Token {
    current: Option<String>,
    state: TokenState,
    serial: usize,
    forced_at: Vec<Instant>,
}

#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum TokenState {
    #[default]
    Good,
    /// WeChat expired it: using it is 42001; the normal mode mints a new one.
    Expired,
    /// Rejected (40001), yet the normal mode hands it back until a refresh is forced.
    StaleUntilForced,
}

impl Token {
    fn mint(&mut self) -> String {
        self.serial += 1;
        let token = format!("ACCESS_TOKEN_{}", self.serial);
        self.current = Some(token.clone());
        self.state = TokenState::Good;
        token
    }

    /// A forced refresh, within WeChat's limits: `Err(errcode)` beyond 20 a day; the current
    /// token unrefreshed within 30 s of the last one.
    fn force(&mut self) -> Result<String, i64> {
        let day = Duration::from_secs(24 * 60 * 60);
        self.forced_at.retain(|at| at.elapsed() < day);
        if self.forced_at.len() >= 20 {
            return Err(45009);
        }
        if let (Some(last), Some(current)) = (self.forced_at.last(), &self.current)
            && last.elapsed() < Duration::from_secs(30)
        {
            return Ok(current.clone());
        }
        self.forced_at.push(Instant::now());
        Ok(self.mint())
    }
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
    state.calls.fetch_add(1, Ordering::SeqCst);
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
    state.content.visited(&openid);
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
    state.calls.fetch_add(1, Ordering::SeqCst);
    if body.force_refresh {
        state.forced_token_calls.fetch_add(1, Ordering::SeqCst);
    } else {
        state.normal_token_calls.fetch_add(1, Ordering::SeqCst);
    }
    if state.stall_token.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
    // A slow answer, so that concurrent callers would overlap if they all asked.
    tokio::time::sleep(Duration::from_millis(50)).await;
    if body.grant_type != "client_credential" {
        return error(40002, "invalid grant_type");
    }
    if body.appid != APP_ID {
        return error(40013, "invalid appid");
    }
    if body.secret != APP_SECRET {
        return error(40125, "invalid appsecret");
    }
    if state.refuse_address.load(Ordering::SeqCst) {
        return error(
            40164,
            "invalid ip 127.0.0.1 ipv6 ::ffff:127.0.0.1, not in whitelist",
        );
    }
    let mut token = state.token.lock().unwrap();
    let current = if body.force_refresh {
        match token.force() {
            Ok(current) => current,
            Err(errcode) => return error(errcode, "reach max api daily quota limit"),
        }
    } else {
        match (&token.current, token.state) {
            (Some(current), TokenState::Good | TokenState::StaleUntilForced) => current.clone(),
            _ => token.mint(),
        }
    };
    Json(json!({ "access_token": current, "expires_in": 7200 }))
}

impl State {
    /// WeChat's answer to a call made with a token it does not accept now (42001 for an
    /// expired one, 40001 for any other), or `None` for the current good token.
    fn refuse_access_token(&self, access_token: &str) -> Option<Json<Value>> {
        let token = self.token.lock().unwrap();
        match (&token.current, token.state) {
            (Some(current), TokenState::Good) if current == access_token => None,
            (Some(current), TokenState::Expired) if current == access_token => {
                Some(error(42001, "access_token expired"))
            }
            _ => Some(error(
                40001,
                "invalid credential, access_token is invalid or not latest",
            )),
        }
    }
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
    state.calls.fetch_add(1, Ordering::SeqCst);
    state.phone_calls.fetch_add(1, Ordering::SeqCst);
    if state.stall.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
    if let Some(refusal) = state.refuse_access_token(&q.access_token) {
        return refusal;
    }
    if let Some(errcode) = state.fail_phone.lock().unwrap().take() {
        return error(errcode, "failure requested by the test");
    }
    let Some(phone) = state.phones.lock().unwrap().get(&body.code).cloned() else {
        return error(40029, "invalid code");
    };
    // `phoneNumber` is a display form (with the country code for numbers abroad); clients
    // are to read `purePhoneNumber` and `countryCode`.
    let display = if phone.country_code == "86" {
        phone.pure.clone()
    } else {
        format!("+{} {}", phone.country_code, phone.pure)
    };
    Json(json!({
        "errcode": 0,
        "errmsg": "ok",
        "phone_info": {
            "phoneNumber": display,
            "purePhoneNumber": phone.pure,
            "countryCode": phone.country_code,
            "watermark": { "timestamp": 1_637_744_274, "appid": phone.appid }
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
            .at("/wxa/msg_sec_check", post(content::msg_sec_check))
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

    /// WeChat will answer `code` with this number from China (+86), for our app.
    pub fn accept_phone(&self, code: &str, phone: &str) {
        self.accept_phone_from(code, "86", phone);
    }

    /// WeChat will answer `code` with this number (without its country code), for our app.
    pub fn accept_phone_from(&self, code: &str, country_code: &str, pure: &str) {
        self.add_phone(code, country_code, pure, APP_ID);
    }

    /// WeChat will answer `code` with a number watermarked for another app.
    pub fn accept_phone_for_app(&self, code: &str, phone: &str, appid: &str) {
        self.add_phone(code, "86", phone, appid);
    }

    fn add_phone(&self, code: &str, country_code: &str, pure: &str, appid: &str) {
        self.state.phones.lock().unwrap().insert(
            code.to_owned(),
            Phone {
                country_code: country_code.to_owned(),
                pure: pure.to_owned(),
                appid: appid.to_owned(),
            },
        );
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

    /// `stable_token` answers 40164 (the caller's address is not on the IP whitelist).
    pub fn refuse_our_address(&self, on: bool) {
        self.state.refuse_address.store(on, Ordering::SeqCst);
    }

    /// WeChat expires the current access token (by time): using it is 42001, and the normal
    /// mode mints a new one.
    pub fn expire_access_token(&self) {
        let mut token = self.state.token.lock().unwrap();
        if token.current.is_some() {
            token.state = TokenState::Expired;
        }
    }

    /// Another system using our app id forces a refresh: our token gets 40001, and the
    /// normal mode hands out the new current one. It counts against the app's forced
    /// refreshes, as WeChat counts it.
    pub fn rotate_access_token_elsewhere(&self) {
        let mut token = self.state.token.lock().unwrap();
        token.forced_at.push(Instant::now());
        token.mint();
    }

    /// The current token is rejected (40001), yet the normal mode keeps handing it back until
    /// a refresh is forced.
    pub fn make_token_stale_until_forced(&self) {
        let mut token = self.state.token.lock().unwrap();
        if token.current.is_some() {
            token.state = TokenState::StaleUntilForced;
        }
    }

    /// Other systems using our app id have forced today's 20 refreshes, the last a minute ago.
    pub fn use_up_forced_refreshes_elsewhere(&self) {
        let minute_ago = Instant::now().checked_sub(Duration::from_secs(60)).unwrap();
        self.state.token.lock().unwrap().forced_at = vec![minute_ago; 20];
    }

    /// Calls of any kind WeChat received.
    pub fn calls(&self) -> usize {
        self.state.calls.load(Ordering::SeqCst)
    }

    /// `stable_token` calls of both modes.
    pub fn stable_token_calls(&self) -> usize {
        self.normal_token_calls() + self.forced_token_calls()
    }

    /// `stable_token` calls in normal mode (`force_refresh: false`).
    pub fn normal_token_calls(&self) -> usize {
        self.state.normal_token_calls.load(Ordering::SeqCst)
    }

    /// `stable_token` calls asking for a forced refresh, whether WeChat refreshed or not.
    pub fn forced_token_calls(&self) -> usize {
        self.state.forced_token_calls.load(Ordering::SeqCst)
    }

    pub fn phone_calls(&self) -> usize {
        self.state.phone_calls.load(Ordering::SeqCst)
    }

    /// The token WeChat would accept now, if any.
    pub fn current_access_token(&self) -> Option<String> {
        let token = self.state.token.lock().unwrap();
        token.current.clone().filter(|_| token.state == TokenState::Good)
    }
}
