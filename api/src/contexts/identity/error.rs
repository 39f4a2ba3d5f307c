//! Identity's errors in the API's terms: one status and one stable code per variant.

use linli_identity::IdentityError;
use poem::http::StatusCode;
use serde_json::json;

use crate::http::contract::{Declared, Fail};
use crate::http::error::ApiError;
use crate::http::i18n::{Locale, term as term_in};

/// A role's or a scope kind's name in the request's language.
fn term(group: &str, name: &str) -> String {
    term_in(Locale::current(), group, name)
}

impl From<IdentityError> for ApiError {
    fn from(error: IdentityError) -> Self {
        use linli_identity::Resource;
        let status = |s: u16| StatusCode::from_u16(s).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let plain = |s: u16, code: &str| ApiError::new(status(s), code);
        match error {
            IdentityError::Validation(e) => e.into(),
            IdentityError::InvalidCode => plain(401, "invalid_code"),
            IdentityError::WechatRateLimited => plain(429, "wechat_rate_limited"),
            IdentityError::WechatUserBlocked => plain(403, "wechat_user_blocked"),
            IdentityError::WechatUnavailable(why) => {
                tracing::warn!(why, "WeChat unavailable");
                plain(503, "wechat_unavailable")
            }
            IdentityError::WechatRejected { errcode, .. } => {
                tracing::warn!(errcode, "WeChat refused a call");
                plain(503, "wechat_error").with_details(json!({ "errcode": errcode }))
            }
            // The WeChat client has logged the details at ERROR. Not an outage to wait out,
            // so not a 503.
            IdentityError::WechatMisconfigured { .. } => plain(500, "wechat_misconfigured"),
            IdentityError::WechatNotConfigured => plain(503, "wechat_not_configured"),
            IdentityError::InvalidPhoneCode => plain(422, "invalid_phone_code"),
            IdentityError::DevLoginDisabled => plain(404, "not_found"),
            IdentityError::InvalidToken => plain(401, "invalid_token"),
            IdentityError::TokenExpired => plain(401, "token_expired"),
            IdentityError::SessionRevoked => plain(401, "session_revoked"),
            IdentityError::SessionExpired => plain(401, "session_expired"),
            IdentityError::InvalidRefreshToken => plain(401, "invalid_refresh_token"),
            IdentityError::RefreshTokenReused => plain(401, "refresh_token_reused"),
            IdentityError::NotFound(resource) => ApiError::not_found(match resource {
                Resource::User => "user",
                Resource::Scope => "scope",
                Resource::RoleGrant => "role_grant",
                Resource::Building => "building",
                Resource::Invitation => "invitation",
            }),
            IdentityError::Forbidden => plain(403, "forbidden"),
            IdentityError::GrantShape(shape) => {
                use linli_kernel::roles::GrantShapeError;
                match shape {
                    GrantShapeError::Implicit(role) => role_not_grantable(role),
                    GrantShapeError::WrongScopeKind { role, expected, .. } => ApiError::with_params(
                        status(422),
                        "role_scope_mismatch",
                        &[
                            ("role", term("role", role.as_str())),
                            ("expected", term("scope_kind", expected.as_str())),
                        ],
                    ),
                }
            }
            IdentityError::ScopeKindUnsupported(kind) => ApiError::with_params(
                status(422),
                "scope_kind_unsupported",
                &[("kind", term("scope_kind", kind.as_str()))],
            ),
            IdentityError::DuplicateGrant => plain(409, "role_already_granted"),
            IdentityError::RoleNotGrantable(role) => role_not_grantable(role),
            IdentityError::SelfGrant => plain(403, "self_grant"),
            IdentityError::SelfRevoke => plain(403, "self_revoke"),
            IdentityError::InsufficientRank => plain(403, "insufficient_rank"),
            IdentityError::InvitationVoid => plain(409, "invitation_void"),
            IdentityError::Unknown(e) => ApiError::internal(&e),
        }
    }
}

fn role_not_grantable(role: linli_kernel::Role) -> ApiError {
    ApiError::with_params(
        StatusCode::UNPROCESSABLE_ENTITY,
        "role_not_grantable",
        &[("role", term("role", role.as_str()))],
    )
}

impl<D: Declared> From<IdentityError> for Fail<D> {
    fn from(error: IdentityError) -> Self {
        ApiError::from(error).into()
    }
}
