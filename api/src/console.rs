//! What the console commands (`linli admin …`, `linli demo`) do beyond the use cases: the
//! guard rails of a production configuration and the audit trail of console changes.

use anyhow::{Context, bail};
use chrono::Utc;
use linli_infra::db::Database;
use linli_infra::identity::audit::ConsoleAction;
use linli_kernel::{Role, RoleGrant, Scope};

use crate::app::grant_service;
use crate::config::{Environment, Settings};

/// `linli demo` loads invented people and places with dev logins: never into production.
pub fn check_demo_allowed(settings: &Settings) -> anyhow::Result<()> {
    if settings.env == Environment::Production {
        bail!(
            "refusing to load the demo district into a production configuration (LINLI_ENV=production); \
             it would add invented people and places to real data"
        );
    }
    Ok(())
}

/// `linli admin grant`: grants the role, then writes who did it, from where, to the log (at
/// WARN, so it stands out) and to the `console_audit` table. In every environment.
pub async fn admin_grant(
    db: &Database,
    settings: &Settings,
    openid: &str,
    role: Role,
    scope: Scope,
) -> anyhow::Result<RoleGrant> {
    let grant = grant_service(db)
        .ensure_by_openid(openid, role, scope)
        .await
        .with_context(|| format!("granting {role} at {scope} to {openid}"))?;
    let action = ConsoleAction {
        occurred_at: Utc::now(),
        operator: operator(),
        host: host(),
        environment: environment_name(settings.env).to_owned(),
        action: "admin_grant".to_owned(),
        detail: format!("{role} at {scope} to openid {openid} (grant {})", grant.id()),
    };
    tracing::warn!(
        operator = %action.operator,
        host = %action.host,
        environment = %action.environment,
        action = %action.action,
        %openid,
        %role,
        %scope,
        grant = %grant.id(),
        "console granted a role"
    );
    db.record_console_action(&action)
        .await
        .context("the role was granted, but recording it in the console audit trail failed")?;
    Ok(grant)
}

fn environment_name(env: Environment) -> &'static str {
    match env {
        Environment::Dev => "dev",
        Environment::Production => "production",
    }
}

/// The account that ran the command, and the one it came from through sudo.
fn operator() -> String {
    let user = ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|var| std::env::var(var).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".to_owned());
    match std::env::var("SUDO_USER") {
        Ok(by) if !by.is_empty() && by != user => format!("{user} (sudo by {by})"),
        _ => user,
    }
}

fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_is_refused_in_production_only() {
        assert!(check_demo_allowed(&Settings::default()).is_ok());
        let production = Settings {
            env: Environment::Production,
            ..Settings::default()
        };
        let why = format!("{:#}", check_demo_allowed(&production).unwrap_err());
        assert!(why.contains("production"), "{why}");
    }
}
