//! Identity's errors in the API's terms: one status and one stable code per variant.

use linli_identity::IdentityError;
use poem::http::StatusCode;
use serde_json::json;

use crate::http::error::ApiError;

impl From<IdentityError> for ApiError {
    fn from(error: IdentityError) -> Self {
        use linli_identity::Resource;
        let status = |s: u16| StatusCode::from_u16(s).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let message = error.to_string();
        match error {
            IdentityError::Validation(e) => e.into(),
            IdentityError::InvalidCode => ApiError::new(status(401), "invalid_code", message),
            IdentityError::WechatRateLimited => ApiError::new(status(429), "wechat_rate_limited", message),
            IdentityError::WechatUserBlocked => ApiError::new(status(403), "wechat_user_blocked", message),
            IdentityError::WechatUnavailable(why) => {
                tracing::warn!(why, "WeChat unavailable");
                ApiError::new(
                    status(503),
                    "wechat_unavailable",
                    "WeChat is unavailable; try again shortly",
                )
            }
            IdentityError::WechatRejected { errcode, .. } => {
                tracing::warn!(errcode, "WeChat refused a call");
                ApiError::new(
                    status(503),
                    "wechat_error",
                    "WeChat refused the call; try again later",
                )
                .with_details(json!({ "errcode": errcode }))
            }
            // The WeChat client has logged the details at ERROR. Not an outage to wait out,
            // so not a 503.
            IdentityError::WechatMisconfigured { .. } => ApiError::new(
                status(500),
                "wechat_misconfigured",
                "this server's WeChat settings are wrong; an operator must fix them",
            ),
            IdentityError::WechatNotConfigured => ApiError::new(
                status(503),
                "wechat_not_configured",
                "WeChat is not configured on this server",
            ),
            IdentityError::InvalidPhoneCode => ApiError::new(status(422), "invalid_phone_code", message),
            IdentityError::DevLoginDisabled => ApiError::new(status(404), "not_found", "no such path"),
            IdentityError::InvalidToken => ApiError::new(status(401), "invalid_token", message),
            IdentityError::TokenExpired => ApiError::new(status(401), "token_expired", message),
            IdentityError::SessionRevoked => ApiError::new(status(401), "session_revoked", message),
            IdentityError::SessionExpired => ApiError::new(status(401), "session_expired", message),
            IdentityError::InvalidRefreshToken => {
                ApiError::new(status(401), "invalid_refresh_token", message)
            }
            IdentityError::RefreshTokenReused => ApiError::new(status(401), "refresh_token_reused", message),
            IdentityError::NotFound(resource) => ApiError::not_found(match resource {
                Resource::User => "user",
                Resource::Scope => "scope",
                Resource::RoleGrant => "role_grant",
                Resource::Building => "building",
            }),
            IdentityError::Forbidden => ApiError::new(status(403), "forbidden", message),
            IdentityError::GrantShape(shape) => {
                let code = match shape {
                    linli_kernel::roles::GrantShapeError::Implicit(_) => "role_not_grantable",
                    linli_kernel::roles::GrantShapeError::WrongScopeKind { .. } => "role_scope_mismatch",
                };
                ApiError::new(status(422), code, shape.to_string())
            }
            IdentityError::ScopeKindUnsupported(_) => {
                ApiError::new(status(422), "scope_kind_unsupported", message)
            }
            IdentityError::DuplicateGrant => ApiError::new(status(409), "role_already_granted", message),
            IdentityError::Unknown(e) => ApiError::internal(&e),
        }
    }
}
