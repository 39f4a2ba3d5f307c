//! Adapters: everything linli says to a database, Redis or WeChat lives here, behind the
//! ports the domain declares.

// Shared machinery.
pub mod content;
pub mod crypto;
pub mod db;
pub mod events;
pub mod jobs;
pub mod rate_limit;
pub mod redis_guard;
pub mod wechat;

// One folder per context, and the list of them.
pub mod contexts;
pub mod dual_reporting;
pub mod grid;
pub mod identity;
pub mod resident_requests;
pub mod uploads;

/// rustls needs one crypto provider per process; ring builds faster than aws-lc.
pub fn install_crypto_provider() {
    // Err means one is installed already, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
