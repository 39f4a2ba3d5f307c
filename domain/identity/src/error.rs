use linli_kernel::roles::GrantShapeError;
use linli_kernel::{ScopeKind, ValidationError};

/// Things identity looks up by id and may not find (or may not show).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    User,
    Scope,
    RoleGrant,
    Building,
    Invitation,
}

/// Every way an identity use case can fail. The API maps each variant to one status and code.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("WeChat did not accept the login code")]
    InvalidCode,
    #[error("WeChat is limiting requests; try again shortly")]
    WechatRateLimited,
    #[error("WeChat refused this user as high-risk")]
    WechatUserBlocked,
    #[error("WeChat is unavailable: {0}")]
    WechatUnavailable(String),
    #[error("WeChat answered error {errcode}: {errmsg}")]
    WechatRejected { errcode: i64, errmsg: String },
    /// The server's WeChat app id, secret or address is wrong: an operator must fix it.
    #[error("WeChat refuses this server's credentials (errcode {errcode})")]
    WechatMisconfigured { errcode: i64 },
    /// No WeChat app is configured (development without `LINLI_WECHAT_APPID`).
    #[error("WeChat is not configured on this server")]
    WechatNotConfigured,
    #[error("WeChat did not accept the phone number code")]
    InvalidPhoneCode,
    #[error("dev login is disabled")]
    DevLoginDisabled,
    #[error("the access token is invalid")]
    InvalidToken,
    #[error("the access token has expired")]
    TokenExpired,
    #[error("the session has ended; log in again")]
    SessionRevoked,
    #[error("the session has reached its maximum lifetime; log in again")]
    SessionExpired,
    #[error("the refresh token is unknown or expired")]
    InvalidRefreshToken,
    #[error("the refresh token was already used; the session is revoked")]
    RefreshTokenReused,
    #[error("{0:?} not found")]
    NotFound(Resource),
    #[error("outside your scope")]
    Forbidden,
    #[error(transparent)]
    GrantShape(#[from] GrantShapeError),
    #[error("roles at {0} scopes can be granted once that context exists")]
    ScopeKindUnsupported(ScopeKind),
    #[error("the user already holds this role at this scope")]
    DuplicateGrant,
    #[error("{0} is never granted by anyone: it comes from elsewhere")]
    RoleNotGrantable(linli_kernel::Role),
    #[error("no one grants themselves a role")]
    SelfGrant,
    #[error("no one revokes their own role")]
    SelfRevoke,
    #[error("only someone ranking above this role may grant or revoke it")]
    InsufficientRank,
    #[error("the invitation is no longer valid")]
    InvitationVoid,
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

impl From<crate::ports::GrantInsertError> for IdentityError {
    fn from(error: crate::ports::GrantInsertError) -> Self {
        match error {
            crate::ports::GrantInsertError::Duplicate => IdentityError::DuplicateGrant,
            crate::ports::GrantInsertError::Storage(e) => e.into(),
        }
    }
}
