//! Logs: readable in a terminal, JSON for collectors. `RUST_LOG` overrides the levels.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// sqlx logs every statement at INFO; that belongs at WARN unless asked for.
const DEFAULT_FILTER: &str = "info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn,poem=warn";

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    // A second init (tests) fails harmlessly.
    let _ = match format {
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
