//! The Doorstep binary as a library, so the integration tests can build and run the
//! real application in-process.

pub mod app;
pub mod cli;
pub mod commands;
pub mod demo;
pub mod error;
pub mod secret_key;
pub mod settings;
pub mod telemetry;

use cli::{ApiKeyCommand, Cli, Command, CompanyCommand, DomainCommand};
use error::CliError;
use settings::Settings;

/// Runs the command line `cli`.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Routes { json } = command {
        // No settings, no database: the table is compiled in.
        print!("{}", commands::route_table(json));
        return Ok(());
    }
    let default_db = match command {
        Command::Demo => "sqlite://doorstep-demo.db",
        _ => "sqlite://doorstep.db",
    };
    let mut settings = Settings::from_args(&cli.settings, default_db)?;
    if matches!(command, Command::Demo) && cli.settings.shutdown_grace_secs.is_none() {
        // No load balancer drains a demo on one machine: Ctrl-C should stop it promptly.
        settings.shutdown_grace = std::time::Duration::from_secs(1);
    }
    match command {
        Command::Serve => commands::serve(&settings).await,
        Command::Demo => commands::demo(&settings).await,
        Command::Migrate => commands::migrate(&settings).await,
        Command::Company(CompanyCommand::Create {
            slug,
            name,
            admin_email,
            admin_name,
            time_zone,
        }) => {
            commands::create_company(
                &settings,
                &slug,
                &name,
                &admin_email,
                admin_name.as_deref(),
                time_zone.as_deref(),
            )
            .await
        }
        Command::Company(CompanyCommand::Domain(DomainCommand::Add { slug, domain })) => {
            commands::company_domain(&settings, &slug, &domain, true).await
        }
        Command::Company(CompanyCommand::Domain(DomainCommand::Remove { slug, domain })) => {
            commands::company_domain(&settings, &slug, &domain, false).await
        }
        Command::ApiKey(ApiKeyCommand::Create {
            company,
            name,
            scopes,
        }) => commands::create_api_key(&settings, &company, &name, &scopes).await,
        Command::Backup { to } => commands::backup(&settings, &to).await,
        Command::Routes { .. } => Ok(()),
    }
}
