//! sea-orm entities of identity's tables, which only this context writes.

pub mod console_audit;
pub mod refresh_token;
pub mod role_grant;
pub mod session;
pub mod user;
