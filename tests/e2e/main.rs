//! End-to-end tests: the real server, real HTTP and WebSocket clients, a fake WeChat API.
//! The same suite runs on SQLite and, with `LINLI_TEST_DATABASE_URL` and
//! `LINLI_TEST_REDIS_URL`, on PostgreSQL + Redis.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod appointment_holes;
mod appointments;
mod auth;
mod branches;
mod config;
mod content_check;
mod contract;
mod conventions;
mod distributed;
mod dual_reporting;
mod dual_reporting_appraisals;
mod dual_reporting_banks;
mod dual_reporting_lists;
mod dual_reporting_pledges;
mod dual_reporting_rosters;
mod dual_reporting_stats;
mod dual_reporting_support;
mod grants;
mod guard_rails;
mod idempotency;
mod import;
mod import_limits;
mod me;
mod messages;
mod names;
mod openapi;
mod personal_data;
mod realtime;
mod redis_outage;
mod refresh_leeway;
mod resident_requests;
mod scope_isolation;
mod stats;
mod structure;
mod transport;
mod uploads;
mod uploads_limits;
mod wechat;
