//! The WeChat server API behind a configurable base URL: `jscode2session` for login,
//! `stable_token` for the access token, `getuserphonenumber` for phone numbers.

mod access_token;
mod client;

pub use access_token::AccessTokenStore;
pub use client::{WechatClient, WechatSettings};
