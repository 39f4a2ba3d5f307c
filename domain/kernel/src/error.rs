//! Errors shared by every context.

/// Input that breaks a rule of form (length, range, format). Each context wraps it in its
/// own error type; the API answers it with 400 `validation_failed`, the field name and the
/// rule, and words it for people from its catalogue (`validation.<rule>`, filled with
/// `params`). `message` is the English reason, for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: String,
    pub rule: Rule,
    /// The facts the catalogue's wording needs, e.g. `("max", "32")`.
    pub params: Vec<(&'static str, String)>,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, rule: Rule, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            rule,
            params: Vec::new(),
            message: message.into(),
        }
    }

    /// Adds a fact the wording names as `%{name}`.
    #[must_use]
    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.params.push((name, value.to_string()));
        self
    }
}

/// Which rule of form a value broke: a stable key (`validation.<key>` in the API's catalogue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Blank where something is required.
    Empty,
    /// Text outside `min`..=`max` characters.
    TextLength,
    ControlCharacters,
    BidiCharacters,
    /// Not 1 to 128 letters, digits, `_` or `-` (WeChat ids).
    TokenFormat,
    /// Not a code a WeChat call returned.
    WechatCode,
    PhoneFormat,
    /// A number outside `min`..=`max`.
    Range,
    /// More than `max` entries.
    TooMany,
    /// `value` is listed twice.
    Duplicate,
    /// `value` is not one of the names this field takes.
    UnknownValue,
    UnknownRole,
    /// A scope not written `district` or `<kind>:<uuid>`.
    ScopeFormat,
    /// The grid leader listed among the workers.
    LeaderAmongWorkers,
    /// Two parameters given where only one of them may be (`other` names the second).
    MutuallyExclusive,
    /// A pagination cursor this API did not give out.
    Cursor,
    /// A header whose value has the wrong form.
    HeaderFormat,
    /// Not a link this system shows (an `https://` address, or a `/files/` path it serves).
    UrlFormat,
}

impl Rule {
    pub const ALL: [Rule; 18] = [
        Self::Empty,
        Self::TextLength,
        Self::ControlCharacters,
        Self::BidiCharacters,
        Self::TokenFormat,
        Self::WechatCode,
        Self::PhoneFormat,
        Self::Range,
        Self::TooMany,
        Self::Duplicate,
        Self::UnknownValue,
        Self::UnknownRole,
        Self::ScopeFormat,
        Self::LeaderAmongWorkers,
        Self::MutuallyExclusive,
        Self::Cursor,
        Self::HeaderFormat,
        Self::UrlFormat,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::TextLength => "text_length",
            Self::ControlCharacters => "control_characters",
            Self::BidiCharacters => "bidi_characters",
            Self::TokenFormat => "token_format",
            Self::WechatCode => "wechat_code",
            Self::PhoneFormat => "phone_format",
            Self::Range => "range",
            Self::TooMany => "too_many",
            Self::Duplicate => "duplicate",
            Self::UnknownValue => "unknown_value",
            Self::UnknownRole => "unknown_role",
            Self::ScopeFormat => "scope_format",
            Self::LeaderAmongWorkers => "leader_among_workers",
            Self::MutuallyExclusive => "mutually_exclusive",
            Self::Cursor => "cursor",
            Self::HeaderFormat => "header_format",
            Self::UrlFormat => "url_format",
        }
    }
}
