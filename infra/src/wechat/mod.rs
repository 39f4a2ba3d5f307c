//! The WeChat server API behind a configurable base URL: `jscode2session` for login,
//! `stable_token` for the access token, `getuserphonenumber` for phone numbers,
//! `msg_sec_check` for what users write.

mod access_token;
mod client;
mod content;

pub use access_token::AccessTokenStore;
pub use client::{WechatClient, WechatSettings};
pub use content::{MAX_PIECE_CHARS, PIECE_OVERLAP_CHARS, WechatContentCheck};
