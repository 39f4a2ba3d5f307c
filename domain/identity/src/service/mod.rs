//! Identity's use cases: one service per group, each generic over the ports it uses.

mod auth;
mod grants;
mod invitations;
mod profile;
mod refresh_tokens;

#[cfg(test)]
mod tests;

pub use auth::{AuthService, AuthSettings};
pub use grants::{GrantOutcome, GrantRequest, GrantService, GrantView, InvitationView};
pub use invitations::AuditView;
pub use profile::{MeView, PendingInvitation, ProfileService, RoleView};
pub use refresh_tokens::hash_refresh_token;

use crate::IdentityError;
use crate::ports::WechatFailure;

impl From<WechatFailure> for IdentityError {
    fn from(failure: WechatFailure) -> Self {
        match failure {
            WechatFailure::InvalidCode => IdentityError::InvalidCode,
            WechatFailure::RateLimited => IdentityError::WechatRateLimited,
            WechatFailure::RiskyUser => IdentityError::WechatUserBlocked,
            WechatFailure::Unavailable(why) => IdentityError::WechatUnavailable(why),
            WechatFailure::Misconfigured { errcode } => IdentityError::WechatMisconfigured { errcode },
            WechatFailure::NotConfigured => IdentityError::WechatNotConfigured,
            WechatFailure::Rejected { errcode, errmsg } => IdentityError::WechatRejected { errcode, errmsg },
        }
    }
}
