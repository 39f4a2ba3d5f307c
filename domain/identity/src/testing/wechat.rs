//! WeChat and the access-token signer, as the tests tell them to answer.

use super::*;

#[derive(Debug, Default)]
struct WechatState {
    logins: HashMap<String, WechatIdentity>,
    phones: HashMap<String, PhoneNumber>,
    failure: Option<WechatFailure>,
}

/// WeChat as the tests tell it to answer. Codes work once, as WeChat's do (a spent or
/// unknown code is `InvalidCode`, as 40029 and 40163 are); a failure set with
/// [`FakeWechat::fail_with`] answers every call until [`FakeWechat::recover`].
#[derive(Debug, Clone, Default)]
pub struct FakeWechat(Arc<Mutex<WechatState>>);

impl FakeWechat {
    /// `code` logs in the user with this openid. A malformed openid is a mistake in the test;
    /// the code then stays unknown.
    pub fn login_code(&self, code: &str, openid: &str) {
        self.login_code_with_unionid(code, openid, None);
    }

    pub fn login_code_with_unionid(&self, code: &str, openid: &str, unionid: Option<&str>) {
        let Ok(openid) = OpenId::parse(openid) else {
            return;
        };
        let unionid = unionid.and_then(|u| UnionId::parse(u).ok());
        lock(&self.0)
            .logins
            .insert(code.to_owned(), WechatIdentity { openid, unionid });
    }

    /// `code` shares this phone number.
    pub fn phone_code(&self, code: &str, phone: &str) {
        if let Ok(phone) = PhoneNumber::parse(phone) {
            lock(&self.0).phones.insert(code.to_owned(), phone);
        }
    }

    pub fn fail_with(&self, failure: WechatFailure) {
        lock(&self.0).failure = Some(failure);
    }

    pub fn recover(&self) {
        lock(&self.0).failure = None;
    }
}

impl WechatApi for FakeWechat {
    async fn code_to_session(&self, code: &LoginCode) -> Result<WechatIdentity, WechatFailure> {
        let mut state = lock(&self.0);
        if let Some(failure) = &state.failure {
            return Err(failure.clone());
        }
        state
            .logins
            .remove(code.as_str())
            .ok_or(WechatFailure::InvalidCode)
    }

    async fn phone_number(&self, code: &str) -> Result<PhoneNumber, WechatFailure> {
        let mut state = lock(&self.0);
        if let Some(failure) = &state.failure {
            return Err(failure.clone());
        }
        state.phones.remove(code).ok_or(WechatFailure::InvalidCode)
    }
}

/// Readable, unsigned access tokens: `<user>:<session>:<expiry, unix seconds>`. Expiry is
/// checked against the `now` given, as the JWT adapter checks it.
#[derive(Debug, Clone, Copy)]
pub struct FakeTokens {
    pub ttl: Duration,
}

impl Default for FakeTokens {
    /// Fifteen minutes, as the server's access tokens.
    fn default() -> Self {
        Self {
            ttl: Duration::minutes(15),
        }
    }
}

impl AccessTokens for FakeTokens {
    fn issue(&self, claims: AccessClaims, now: DateTime<Utc>) -> anyhow::Result<AccessToken> {
        let expires = (now + self.ttl).timestamp();
        Ok(AccessToken {
            token: format!("{}:{}:{expires}", claims.user_id, claims.session_id),
            expires_in_seconds: self.ttl.num_seconds(),
        })
    }

    fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<AccessClaims, TokenRejection> {
        let mut parts = token.split(':');
        let (Some(user), Some(session), Some(expires), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenRejection::Invalid);
        };
        let claims = AccessClaims {
            user_id: user.parse().map_err(|_| TokenRejection::Invalid)?,
            session_id: session.parse().map_err(|_| TokenRejection::Invalid)?,
        };
        let expires: i64 = expires.parse().map_err(|_| TokenRejection::Invalid)?;
        if expires <= now.timestamp() {
            return Err(TokenRejection::Expired);
        }
        Ok(claims)
    }

    /// Not secret, but bound to the spent token as the real seal is.
    fn seal_successor(&self, successor: &str, spent_hash: &str) -> anyhow::Result<String> {
        Ok(format!("sealed:{spent_hash}:{successor}"))
    }

    fn open_successor(&self, sealed: &str, spent_hash: &str) -> Option<String> {
        sealed
            .strip_prefix("sealed:")?
            .strip_prefix(spent_hash)?
            .strip_prefix(':')
            .map(str::to_owned)
    }
}
