//! The HTTP and WebSocket face of linli, its configuration, and the `linli` binary's commands.

pub mod app;
pub mod config;
pub mod console;
pub mod contexts;
pub mod demo;
pub mod http;
pub mod metrics;
pub mod routes;
pub mod server;
pub mod telemetry;
pub mod ws;

// The error messages' catalogue, `locales/*.yml`, compiled in; read through `http::i18n`.
rust_i18n::i18n!("locales", fallback = "zh-CN");

pub use app::Application;
pub use config::Settings;
pub use routes::openapi_spec;
