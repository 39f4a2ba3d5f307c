//! `linli`: serve the API (the default), migrate, print the OpenAPI spec, grant roles from
//! the console, load the demo district.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use linli_api::app::{Application, connect_database, open_database, shutdown_signal};
use linli_api::{Settings, console, contexts, openapi_spec, telemetry};
use linli_kernel::{Role, Scope};

#[derive(Parser)]
#[command(
    name = "linli",
    version,
    about = "邻里: the backend of a district's community governance mini-program"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply or inspect database migrations.
    Migrate {
        #[command(subcommand)]
        action: Option<MigrateAction>,
    },
    /// Print the OpenAPI spec (what openapi/openapi.json holds).
    Openapi,
    /// Administer roles from the console.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Load the demo district (idempotent).
    Demo,
}

#[derive(Subcommand)]
enum MigrateAction {
    /// Apply pending migrations (the default).
    Up,
    /// List migrations and whether each is applied.
    Status,
}

#[derive(Subcommand)]
enum AdminAction {
    /// Grant a role to the user with this openid (created if they never logged in).
    Grant {
        #[arg(long)]
        openid: String,
        /// e.g. district_admin, community_admin, grid_worker.
        #[arg(long)]
        role: String,
        /// `district`, or `<kind>:<id>`, e.g. `community:0190…`.
        #[arg(long)]
        scope: String,
    },
    /// After a key rotation: seal again under the current data key every phone and real
    /// name sealed under an older one, and recompute every phone index.
    Reseal,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Some(Command::Openapi)) {
        println!("{}", openapi_spec());
        return ExitCode::SUCCESS;
    }
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    telemetry::init(settings.log_format);
    match run(cli.command.unwrap_or(Command::Serve), settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "linli stopped");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve => {
            let app = Application::build(settings).await?;
            let addr = app.addr();
            tracing::info!(%addr, "linli is serving");
            println!("linli is serving on http://{addr}");
            println!("  API docs:  http://{addr}/docs");
            println!("  spec:      http://{addr}/openapi.json");
            app.run_until(shutdown_signal()).await
        }
        Command::Migrate { action } => {
            settings.check()?;
            if matches!(action, Some(MigrateAction::Status)) {
                let db = connect_database(&settings).await?;
                for (name, applied) in db.migration_status().await? {
                    println!("{} {name}", if applied { "applied" } else { "pending" });
                }
            } else {
                open_database(&settings).await?;
                println!("migrations applied");
            }
            Ok(())
        }
        Command::Admin {
            action: AdminAction::Grant { openid, role, scope },
        } => {
            let role: Role = role.parse()?;
            let scope: Scope = scope.parse()?;
            let db = open_database(&settings).await?;
            let grant = console::admin_grant(&db, &settings, &openid, role, scope).await?;
            println!("{openid} holds {role} at {scope} (grant {})", grant.id());
            Ok(())
        }
        Command::Admin {
            action: AdminAction::Reseal,
        } => {
            let db = open_database(&settings).await?;
            let report = console::admin_reseal(&db, &settings).await?;
            println!(
                "{} users and roster entries read: {} values sealed again, {} phone indexes recomputed, {} values do not open",
                report.rows, report.sealed, report.reindexed, report.unreadable
            );
            if report.unreadable > 0 {
                anyhow::bail!(
                    "{} values do not open with the configured keys (see the log); keep the old keys until they do",
                    report.unreadable
                );
            }
            Ok(())
        }
        Command::Demo => {
            console::check_demo_allowed(&settings)?;
            let db = open_database(&settings).await?;
            if contexts::load_demo(&db).await? {
                println!("loaded the demo district");
            } else {
                println!("the demo district is already loaded");
            }
            println!(
                "log in as its district admin (dev mode): POST /api/v1/auth/dev/login {{\"openid\": \"{}\"}}",
                contexts::grid::demo::DISTRICT_ADMIN_OPENID
            );
            Ok(())
        }
        Command::Openapi => {
            println!("{}", openapi_spec());
            Ok(())
        }
    }
}
