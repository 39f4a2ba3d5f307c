//! Identity's values, valid by construction.

use chrono::{DateTime, Utc};
use linli_kernel::text::checked_text;
use linli_kernel::{BuildingId, Rule, ScopePath, UserId, ValidationError};

macro_rules! text_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_newtype!(
    /// A user's id within our mini-program, as WeChat gives it.
    OpenId
);
text_newtype!(UnionId);
text_newtype!(Nickname);
text_newtype!(
    /// The legal name a person gives, needed for dual reporting.
    RealName
);
text_newtype!(
    /// A phone number as WeChat verified it, e.g. `13812345678`.
    PhoneNumber
);
text_newtype!(
    /// The one-time code `wx.login` gives the mini-program.
    LoginCode
);

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

impl OpenId {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > 128 || !raw.chars().all(is_token_char) {
            return Err(ValidationError::new(
                "openid",
                Rule::TokenFormat,
                "must be 1 to 128 letters, digits, `_` or `-`",
            ));
        }
        Ok(Self(raw.to_owned()))
    }
}

impl UnionId {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        OpenId::parse(raw).map(|id| Self(id.0)).map_err(|_| {
            ValidationError::new(
                "unionid",
                Rule::TokenFormat,
                "must be 1 to 128 letters, digits, `_` or `-`",
            )
        })
    }
}

impl LoginCode {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > 256 || !raw.chars().all(|c| c.is_ascii_graphic()) {
            return Err(ValidationError::new(
                "code",
                Rule::WechatCode,
                "must be the code wx.login returned",
            ));
        }
        Ok(Self(raw.to_owned()))
    }
}

impl Nickname {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        checked_text("nickname", raw, 1, 32).map(Self)
    }
}

impl RealName {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        checked_text("real_name", raw, 1, 32).map(Self)
    }
}

impl PhoneNumber {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let raw = raw.trim();
        let digits = raw.strip_prefix('+').unwrap_or(raw);
        if !(5..=20).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(ValidationError::new(
                "phone",
                Rule::PhoneFormat,
                "must be 5 to 20 digits",
            ));
        }
        Ok(Self(raw.to_owned()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub openid: OpenId,
    pub unionid: Option<UnionId>,
    pub nickname: Option<Nickname>,
    pub real_name: Option<RealName>,
    pub phone: Option<PhoneNumber>,
    /// Where the user lives: a building, with its place in the tree.
    pub residence: Option<Residence>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A change to a user: only the fields given are written, so two changes racing each other
/// (a nickname and a residence) both land.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserUpdate {
    pub nickname: Option<Nickname>,
    pub real_name: Option<RealName>,
    pub phone: Option<PhoneNumber>,
    pub residence: Option<Residence>,
}

/// A building someone lives in, and where it sits (buildings never move, so the path is
/// kept with the user and deciding who covers them needs no other context's tables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Residence {
    pub building: BuildingId,
    pub path: ScopePath,
}

/// Who WeChat says logged in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WechatIdentity {
    pub openid: OpenId,
    pub unionid: Option<UnionId>,
}

/// A signed, short-lived proof of identity for one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    pub token: String,
    pub expires_in_seconds: i64,
}

/// What a valid access token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessClaims {
    pub user_id: UserId,
    pub session_id: linli_kernel::SessionId,
}

/// What a login or a refresh hands back to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPair {
    pub access: AccessToken,
    pub refresh_token: String,
    pub user: User,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openids_are_plain_tokens() {
        assert!(OpenId::parse("oABC-123_xyz").is_ok());
        assert!(OpenId::parse("").is_err());
        assert!(OpenId::parse("has space").is_err());
        assert!(OpenId::parse(&"a".repeat(129)).is_err());
    }

    #[test]
    fn phone_numbers_are_digits_with_an_optional_plus() {
        assert!(PhoneNumber::parse("13812345678").is_ok());
        assert!(PhoneNumber::parse("+8613812345678").is_ok());
        assert!(PhoneNumber::parse("138-1234-5678").is_err());
        assert!(PhoneNumber::parse("1234").is_err());
    }

    #[test]
    fn real_names_are_trimmed_and_bounded() {
        assert_eq!(
            RealName::parse(" 王建国 ").map(RealName::into_string),
            Ok("王建国".to_owned())
        );
        assert!(RealName::parse(" ").is_err());
        assert!(RealName::parse(&"王".repeat(33)).is_err());
    }
}
