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

/// `linli admin grant`: grants the role and writes who did it, from where, to the log (at
/// WARN, so it stands out) and to the `console_audit` table. In every environment.
pub async fn admin_grant(
    db: &Database,
    settings: &Settings,
    openid: &str,
    role: Role,
    scope: Scope,
) -> anyhow::Result<RoleGrant> {
    console_grant(db, settings, "admin_grant", openid, role, scope).await
}

/// `LINLI_BOOTSTRAP_ADMINS` at startup: each is made a district admin as `linli admin grant`
/// would, and audited the same way (on every start, since every start asserts the grant).
pub async fn bootstrap_admin(db: &Database, settings: &Settings, openid: &str) -> anyhow::Result<RoleGrant> {
    console_grant(
        db,
        settings,
        "bootstrap_admin",
        openid,
        Role::DistrictAdmin,
        Scope::District,
    )
    .await
}

async fn console_grant(
    db: &Database,
    settings: &Settings,
    name: &str,
    openid: &str,
    role: Role,
    scope: Scope,
) -> anyhow::Result<RoleGrant> {
    let what = format!("{role} at {scope} to openid {openid}");
    let mut action = ConsoleAction {
        occurred_at: Utc::now(),
        operator: operator(),
        host: host(),
        environment: environment_name(settings.env).to_owned(),
        action: name.to_owned(),
        detail: format!("{what} (requested)"),
    };
    // Recorded first, as intent: if the trail cannot be written nothing is granted, so no
    // grant is ever left unrecorded. The row is completed with the outcome after.
    let row = db
        .record_console_action(&action)
        .await
        .context("recording the console action failed; nothing was granted")?;
    let granted = grant_service(db).ensure_by_openid(openid, role, scope).await;
    action.detail = match &granted {
        Ok(grant) => format!("{what} (grant {})", grant.id()),
        Err(e) => format!("{what} (failed: {e})"),
    };
    if let Err(e) = db.amend_console_action(row, &action.detail).await {
        tracing::error!(error = %format!("{e:#}"), detail = %action.detail, "could not complete a console audit row");
    }
    let grant = granted.with_context(|| format!("granting {what}"))?;
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
    Ok(grant)
}

/// `linli admin reseal`: seals again under the current key what older keys sealed and
/// recomputes the phone indexes, of users and of units' roster entries; recorded like a grant
/// (it rewrites every user's row).
pub async fn admin_reseal(
    db: &Database,
    settings: &Settings,
) -> anyhow::Result<linli_infra::identity::SealReport> {
    let users = db.reseal_personal_data().await?;
    // Roster entries are sealed and indexed alike (dual reporting): without this pass an
    // index-key rotation would leave them unmatched to their users.
    let rosters = db.reseal_roster_entries().await?;
    let report = linli_infra::identity::SealReport {
        rows: users.rows + rosters.rows,
        sealed: users.sealed + rosters.sealed,
        reindexed: users.reindexed + rosters.reindexed,
        unreadable: users.unreadable + rosters.unreadable,
    };
    let action = ConsoleAction {
        occurred_at: Utc::now(),
        operator: operator(),
        host: host(),
        environment: environment_name(settings.env).to_owned(),
        action: "admin_reseal".to_owned(),
        detail: format!(
            "{} rows (users and roster entries) read, {} values sealed again, {} indexes recomputed, {} do not open",
            report.rows, report.sealed, report.reindexed, report.unreadable
        ),
    };
    tracing::warn!(operator = %action.operator, host = %action.host, detail = %action.detail, "console resealed personal data");
    db.record_console_action(&action)
        .await
        .context("personal data was resealed, but recording it in the console audit trail failed")?;
    Ok(report)
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
