use std::time::Duration;

use linli_identity::ports::{WechatApi, WechatFailure};
use linli_identity::{LoginCode, OpenId, PhoneNumber, UnionId, WechatIdentity};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::access_token::AccessTokenStore;

/// Where WeChat is and who we are to it.
#[derive(Clone)]
pub struct WechatSettings {
    /// `https://api.weixin.qq.com` in production; the fake server's address in tests.
    pub api_base: String,
    pub app_id: String,
    pub app_secret: SecretString,
    /// A call that takes longer fails as unavailable (503) rather than holding the user.
    pub timeout: Duration,
}

impl std::fmt::Debug for WechatSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatSettings")
            .field("api_base", &self.api_base)
            .field("app_id", &self.app_id)
            .field("app_secret", &"***")
            .field("timeout", &self.timeout)
            .finish()
    }
}

#[derive(Clone)]
pub struct WechatClient {
    http: reqwest::Client,
    settings: WechatSettings,
    tokens: AccessTokenStore,
}

impl std::fmt::Debug for WechatClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatClient")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// WeChat's answers carry `errcode` (0 or absent on success) beside their fields.
#[derive(Debug, Deserialize)]
struct Envelope<T> {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    #[serde(flatten)]
    body: T,
}

#[derive(Debug, Deserialize)]
struct SessionBody {
    openid: Option<String>,
    unionid: Option<String>,
}

/// `getuserphonenumber`'s answer. No `Debug`: it holds a phone number, which never reaches a
/// log.
#[derive(Deserialize)]
struct PhoneBody {
    phone_info: Option<PhoneInfo>,
}

/// What we read of `phone_info`: the number without its country code, the country code, and
/// the app the answer is for. `phoneNumber` (a display form) is not read.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PhoneInfo {
    pure_phone_number: TextOrNumber,
    country_code: TextOrNumber,
    watermark: Option<Watermark>,
}

#[derive(Deserialize)]
struct Watermark {
    appid: Option<String>,
}

/// WeChat documents `countryCode` as a string but shows it as a number in its examples.
#[derive(Deserialize)]
#[serde(untagged)]
enum TextOrNumber {
    Text(String),
    Number(u64),
}

impl TextOrNumber {
    fn into_string(self) -> String {
        match self {
            Self::Text(text) => text.trim().to_owned(),
            Self::Number(number) => number.to_string(),
        }
    }
}

/// No `Debug`: it holds the access token.
#[derive(Deserialize)]
pub(super) struct StableTokenBody {
    pub access_token: Option<String>,
    pub expires_in: Option<i64>,
}

/// Error codes that mean the access token we sent is no longer good.
const STALE_ACCESS_TOKEN: [i64; 3] = [40001, 42001, 40014];

/// Error codes that mean our own settings are wrong: 40013 invalid app id, 40125 invalid app
/// secret, 40164 our address is not on the app's IP whitelist.
const MISCONFIGURED: [i64; 3] = [40013, 40125, 40164];

/// The country code whose numbers we store without it.
const CHINA: &str = "86";

fn failure_of(errcode: i64, errmsg: String) -> WechatFailure {
    match errcode {
        40029 | 40163 => WechatFailure::InvalidCode,
        45011 => WechatFailure::RateLimited,
        40226 => WechatFailure::RiskyUser,
        -1 => WechatFailure::Unavailable(format!("system busy: {errmsg}")),
        _ => WechatFailure::Rejected { errcode, errmsg },
    }
}

/// Reads an answer's JSON. serde's message may quote the value it choked on (a phone number, a
/// token), so only the kind and place of the error are kept.
fn parse<T: DeserializeOwned>(text: &str) -> Result<Envelope<T>, WechatFailure> {
    serde_json::from_str(text).map_err(|e| {
        WechatFailure::Unavailable(format!(
            "unreadable answer ({:?} error at line {} column {})",
            e.classify(),
            e.line(),
            e.column()
        ))
    })
}

/// A failure to talk to WeChat, described without its URL: the URLs of `jscode2session` and
/// `getuserphonenumber` carry the app secret and the access token.
fn transport(e: reqwest::Error) -> WechatFailure {
    if e.is_timeout() {
        WechatFailure::Unavailable("timed out".to_owned())
    } else {
        WechatFailure::Unavailable(format!("unreachable: {}", e.without_url()))
    }
}

impl WechatClient {
    pub fn new(settings: WechatSettings, tokens: AccessTokenStore) -> anyhow::Result<Self> {
        crate::install_crypto_provider();
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .build()?;
        Ok(Self {
            http,
            settings,
            tokens,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.settings.api_base.trim_end_matches('/'))
    }

    /// Reads an answer; WeChat sometimes labels JSON as `text/plain`, so the body is parsed
    /// whatever its content type.
    async fn read<T: DeserializeOwned>(response: reqwest::Response) -> Result<Envelope<T>, WechatFailure> {
        let status = response.status();
        let text = response.text().await.map_err(transport)?;
        if !status.is_success() {
            return Err(WechatFailure::Unavailable(format!("HTTP {status}")));
        }
        parse(&text)
    }

    /// Fails at once, without calling out, when no app id or secret is configured.
    fn configured(&self) -> Result<(), WechatFailure> {
        if self.settings.app_id.trim().is_empty() || self.settings.app_secret.expose_secret().is_empty() {
            return Err(WechatFailure::NotConfigured);
        }
        Ok(())
    }

    /// The failure an errcode means. A configuration error is logged loudly here, with our
    /// app id and WeChat's message (which names the refused address for 40164), never the
    /// secret.
    fn failure(&self, call: &'static str, errcode: i64, errmsg: String) -> WechatFailure {
        if MISCONFIGURED.contains(&errcode) {
            let secret = self.settings.app_secret.expose_secret();
            let errmsg = if secret.is_empty() {
                errmsg
            } else {
                errmsg.replace(secret, "***")
            };
            tracing::error!(
                call,
                errcode,
                errmsg,
                app_id = %self.settings.app_id,
                "WeChat refuses this server's app id, secret or address: check LINLI_WECHAT_APPID, \
                 LINLI_WECHAT_SECRET and the mini-program's IP whitelist"
            );
            return WechatFailure::Misconfigured { errcode };
        }
        failure_of(errcode, errmsg)
    }

    /// The number to store from `phone_info`: `purePhoneNumber` as it is for China (+86), else
    /// `+<countryCode><purePhoneNumber>`. Refused when the answer is watermarked for another
    /// app. No message built here holds the number.
    fn phone_of(&self, info: PhoneInfo) -> Result<PhoneNumber, WechatFailure> {
        let watermark = info.watermark.and_then(|w| w.appid);
        if watermark.as_deref() != Some(self.settings.app_id.as_str()) {
            tracing::warn!(
                watermark_appid = watermark.as_deref().unwrap_or("(none)"),
                app_id = %self.settings.app_id,
                "getuserphonenumber answered for another app; the number is refused"
            );
            return Err(WechatFailure::Unavailable(
                "the phone number answer is watermarked for another app".to_owned(),
            ));
        }
        let country = info.country_code.into_string();
        let country = country.strip_prefix('+').unwrap_or(&country);
        if !(1..=4).contains(&country.len()) || !country.chars().all(|c| c.is_ascii_digit()) {
            return Err(WechatFailure::Unavailable(
                "WeChat gave a country code that is not 1 to 4 digits".to_owned(),
            ));
        }
        let pure = info.pure_phone_number.into_string();
        let unreadable =
            || WechatFailure::Unavailable("WeChat gave a phone number that is not 5 to 20 digits".to_owned());
        if !pure.chars().all(|c| c.is_ascii_digit()) {
            return Err(unreadable());
        }
        let number = if country == CHINA {
            pure
        } else {
            format!("+{country}{pure}")
        };
        PhoneNumber::parse(&number).map_err(|_| unreadable())
    }

    /// `stable_token` in normal mode (WeChat's current token), or forced (a new one, which
    /// invalidates the current one for everyone using the app id; see `access_token`).
    pub(super) async fn fetch_stable_token(
        &self,
        force_refresh: bool,
    ) -> Result<(String, i64), WechatFailure> {
        self.configured()?;
        let response = self
            .http
            .post(self.url("/cgi-bin/stable_token"))
            .json(&serde_json::json!({
                "grant_type": "client_credential",
                "appid": self.settings.app_id,
                "secret": self.settings.app_secret.expose_secret(),
                "force_refresh": force_refresh,
            }))
            .send()
            .await
            .map_err(transport)?;
        let answer: Envelope<StableTokenBody> = Self::read(response).await?;
        if answer.errcode != 0 {
            return Err(self.failure("stable_token", answer.errcode, answer.errmsg));
        }
        match (answer.body.access_token, answer.body.expires_in) {
            (Some(token), Some(expires_in)) => Ok((token, expires_in)),
            _ => Err(WechatFailure::Unavailable(
                "stable_token answered without a token".to_owned(),
            )),
        }
    }

    /// POSTs `body` to `path` with `token` in the query, as WeChat's server APIs take it.
    async fn post_with_token<T: DeserializeOwned>(
        &self,
        path: &str,
        token: &str,
        body: &serde_json::Value,
    ) -> Result<Envelope<T>, WechatFailure> {
        let response = self
            .http
            .post(self.url(path))
            .query(&[("access_token", token)])
            .json(body)
            .send()
            .await
            .map_err(transport)?;
        Self::read(response).await
    }

    /// Calls one of WeChat's server APIs that take the access token (`call` names it in
    /// logs): with the cached token, and when WeChat answers that the token is stale, once
    /// more with a replaced one (one refresh for all the requests that hit it). Answers the
    /// body of a successful answer; any other errcode is a failure.
    pub(super) async fn call_with_token<T: DeserializeOwned>(
        &self,
        call: &'static str,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<T, WechatFailure> {
        self.configured()?;
        let token = self.tokens.current(self).await?;
        let mut answer = self.post_with_token::<T>(path, &token, body).await?;
        if STALE_ACCESS_TOKEN.contains(&answer.errcode) {
            let fresh = self.tokens.replace_rejected(self, &token).await?;
            answer = self.post_with_token(path, &fresh, body).await?;
            if STALE_ACCESS_TOKEN.contains(&answer.errcode) {
                return Err(WechatFailure::Unavailable(format!(
                    "WeChat rejected a freshly fetched access token (errcode {})",
                    answer.errcode
                )));
            }
        }
        if answer.errcode != 0 {
            return Err(self.failure(call, answer.errcode, answer.errmsg));
        }
        Ok(answer.body)
    }
}

impl WechatApi for WechatClient {
    async fn code_to_session(&self, code: &LoginCode) -> Result<WechatIdentity, WechatFailure> {
        self.configured()?;
        let response = self
            .http
            .get(self.url("/sns/jscode2session"))
            .query(&[
                ("appid", self.settings.app_id.as_str()),
                ("secret", self.settings.app_secret.expose_secret()),
                ("js_code", code.as_str()),
                ("grant_type", "authorization_code"),
            ])
            .send()
            .await
            .map_err(transport)?;
        let answer: Envelope<SessionBody> = Self::read(response).await?;
        if answer.errcode != 0 {
            return Err(self.failure("jscode2session", answer.errcode, answer.errmsg));
        }
        let openid = answer
            .body
            .openid
            .as_deref()
            .map(OpenId::parse)
            .transpose()
            .ok()
            .flatten()
            .ok_or_else(|| {
                WechatFailure::Unavailable("jscode2session answered without a valid openid".to_owned())
            })?;
        let unionid = answer
            .body
            .unionid
            .as_deref()
            .and_then(|u| UnionId::parse(u).ok());
        Ok(WechatIdentity { openid, unionid })
    }

    async fn phone_number(&self, code: &str) -> Result<PhoneNumber, WechatFailure> {
        let answer: PhoneBody = self
            .call_with_token(
                "getuserphonenumber",
                "/wxa/business/getuserphonenumber",
                &serde_json::json!({ "code": code }),
            )
            .await?;
        let info = answer.phone_info.ok_or_else(|| {
            WechatFailure::Unavailable("getuserphonenumber answered without phone_info".to_owned())
        })?;
        self.phone_of(info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> WechatClient {
        WechatClient::new(
            WechatSettings {
                api_base: "http://127.0.0.1:9".to_owned(),
                app_id: "wx-app".to_owned(),
                app_secret: SecretString::from("the-app-secret"),
                timeout: Duration::from_secs(2),
            },
            AccessTokenStore::in_process(),
        )
        .unwrap()
    }

    fn phone_of(info: serde_json::Value) -> Result<PhoneNumber, WechatFailure> {
        client().phone_of(serde_json::from_value(info).unwrap())
    }

    #[test]
    fn a_chinese_number_is_stored_as_wechat_gives_it_and_others_with_their_country_code() {
        let chinese = phone_of(serde_json::json!({
            "phoneNumber": "+86 13812345678", "purePhoneNumber": "13812345678", "countryCode": "86",
            "watermark": { "timestamp": 1, "appid": "wx-app" }
        }));
        assert_eq!(chinese.unwrap().as_str(), "13812345678");
        let american = phone_of(serde_json::json!({
            "phoneNumber": "+1 2025550123", "purePhoneNumber": "2025550123", "countryCode": 1,
            "watermark": { "timestamp": 1, "appid": "wx-app" }
        }));
        assert_eq!(american.unwrap().as_str(), "+12025550123");
    }

    #[test]
    fn a_number_for_another_app_or_unreadable_is_refused_without_showing_it() {
        for info in [
            serde_json::json!({ "purePhoneNumber": "13812345678", "countryCode": "86",
                "watermark": { "appid": "wx-another-app" } }),
            serde_json::json!({ "purePhoneNumber": "13812345678", "countryCode": "86" }),
            serde_json::json!({ "purePhoneNumber": "138-1234-5678", "countryCode": "86",
                "watermark": { "appid": "wx-app" } }),
            serde_json::json!({ "purePhoneNumber": "13812345678", "countryCode": "86x",
                "watermark": { "appid": "wx-app" } }),
        ] {
            let Err(WechatFailure::Unavailable(why)) = phone_of(info.clone()) else {
                panic!("{info} was accepted")
            };
            assert!(!why.contains("1234"), "{why}");
        }
    }

    #[test]
    fn an_unreadable_answer_is_described_without_its_values() {
        let answer = r#"{"errcode":0,"phone_info":{"purePhoneNumber":true,"countryCode":"13812345678"}}"#;
        let Err(WechatFailure::Unavailable(why)) = parse::<PhoneBody>(answer) else {
            panic!("read an unreadable answer")
        };
        assert!(!why.contains("1381234"), "{why}");
        let answer = r#"{"access_token":7,"expires_in":"ACCESS-TOKEN-VALUE"}"#;
        let Err(WechatFailure::Unavailable(why)) = parse::<StableTokenBody>(answer) else {
            panic!("read an unreadable answer")
        };
        assert!(!why.contains("ACCESS-TOKEN-VALUE"), "{why}");
    }

    #[tokio::test]
    async fn a_transport_failure_never_carries_the_secret() {
        // Nothing listens on port 9 (discard) here: the connection is refused.
        let client = WechatClient::new(
            WechatSettings {
                api_base: "http://127.0.0.1:9".to_owned(),
                app_id: "wx-app".to_owned(),
                app_secret: SecretString::from("the-app-secret"),
                timeout: Duration::from_secs(2),
            },
            AccessTokenStore::in_process(),
        )
        .unwrap();
        let failure = client
            .code_to_session(&LoginCode::parse("a-code").unwrap())
            .await
            .unwrap_err();
        let WechatFailure::Unavailable(why) = failure else {
            panic!("expected unavailable, got {failure:?}")
        };
        assert!(!why.contains("the-app-secret"), "{why}");
        assert!(!why.contains("secret="), "{why}");
    }
}
