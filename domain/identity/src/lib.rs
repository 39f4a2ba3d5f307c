//! Identity: who people are (users by WeChat openid), how they prove it (sessions with rotated
//! refresh tokens and short-lived access tokens), and what they may do (role grants).

pub mod appointments;
pub mod error;
pub mod events;
pub mod models;
pub mod ports;
pub mod service;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use error::{IdentityError, Resource};
pub use models::*;
pub use service::{
    AuthService, AuthSettings, GrantOutcome, GrantRequest, GrantService, GrantView, InvitationView, MeView,
    PendingInvitation, ProfileService, RoleView,
};
