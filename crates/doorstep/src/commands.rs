//! What each subcommand does.

use std::path::Path;

use doorstep_core::email::EmailAddress;
use doorstep_core::local_time::Zone;
use doorstep_core::settings::PortalSettings;
use doorstep_core::status::StaffRole;
use doorstep_core::tenancy::CompanySlug;
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::companies::NewCompany;
use doorstep_store::tokens::{TokenOwner, TokenPurpose};
use doorstep_store::{DbKind, Store, StoreError};
use doorstep_web::auth::token::{hash_token, new_token};

use crate::app::{App, connect_and_migrate, shutdown_signal};
use crate::demo;
use crate::error::CliError;
use crate::settings::Settings;

/// How long the first admin's setup link stays valid.
const SETUP_LINK_DAYS: i64 = 7;

/// `doorstep serve`.
pub async fn serve(settings: &Settings) -> Result<(), CliError> {
    let app = App::build(settings).await?;
    let shutdown = shutdown_signal()?;
    println!("Listening on http://{}", app.addr());
    app.run_until(shutdown).await
}

/// `doorstep demo`: fresh demo data, then serve it.
pub async fn demo(settings: &Settings) -> Result<(), CliError> {
    let store = connect_and_migrate(settings).await?;
    let files = doorstep_web::FileStore::new(settings.data_dir.clone());
    let cost = settings.web_config(settings.bind.port()).password_cost;
    let summary = demo::seed(&store, &files, cost)
        .await
        .map_err(|e| CliError::failed(format!("cannot create the demo data: {e:#}")))?;
    let app = App::build_with_store(settings, store).await?;
    let port = app.addr().port();
    let url = |slug: &str| {
        CompanySlug::parse(slug)
            .map(|s| settings.portal_url(&s, port))
            .unwrap_or_default()
    };
    let jobs: usize = summary.jobs.iter().map(|(_, n)| n).sum();
    println!("Doorstep demo data is ready ({jobs} jobs).");
    println!();
    println!("  Acme Plumbing & Heating   portal  {}/", url("acme"));
    println!("                            office  {}/office", url("acme"));
    println!("  Bolt Electric             portal  {}/", url("bolt"));
    println!("                            office  {}/office", url("bolt"));
    println!();
    println!("  Every demo password is \"{}\":", demo::DEMO_PASSWORD);
    println!("    office@acme.test    Acme office admin");
    println!("    dispatch@acme.test  Acme office staff");
    println!(
        "    dana@example.test   Acme customer on two accounts (household + Harbor Property Co.)"
    );
    println!("    sam@example.test    Acme site contact: Bayview Apartments only");
    println!("    office@bolt.test    Bolt office admin");
    println!("    dana@example.test   Bolt customer (a separate login at another company)");
    println!();
    let shutdown = shutdown_signal()?;
    println!("Listening on http://{}", app.addr());
    app.run_until(shutdown).await
}

/// `doorstep migrate`.
pub async fn migrate(settings: &Settings) -> Result<(), CliError> {
    let store = connect_and_migrate(settings).await?;
    let applied = store.applied_migrations().await?;
    println!(
        "Database is up to date ({} migrations applied).",
        applied.len()
    );
    store.close().await;
    Ok(())
}

/// `doorstep company create`.
pub async fn create_company(
    settings: &Settings,
    slug: &str,
    name: &str,
    admin_email: &str,
    admin_name: Option<&str>,
    time_zone: Option<&str>,
) -> Result<(), CliError> {
    let time_zone = time_zone
        .map(Zone::parse)
        .transpose()
        .map_err(|e| CliError::usage(format!("--time-zone: {}", e.message)))?
        .unwrap_or_default();
    let slug =
        CompanySlug::parse(slug).map_err(|e| CliError::usage(format!("--slug: {}", e.message)))?;
    let name = name.trim();
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(CliError::usage("--name: give the company's name"));
    }
    let email = EmailAddress::parse(admin_email)
        .map_err(|e| CliError::usage(format!("--admin-email: {}", e.message)))?;
    let admin_name = admin_name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| {
            email
                .as_str()
                .split('@')
                .next()
                .unwrap_or("Admin")
                .to_owned()
        });

    let store = connect_and_migrate(settings).await?;
    let token = new_token();
    let mut tx = store.begin().await?;
    let company = tx
        .create_company(&NewCompany {
            slug: slug.to_string(),
            name: name.to_owned(),
            email: email.to_string(),
            currency: "USD".into(),
            brand_primary: "#0b5cad".into(),
            brand_accent: "#f5a623".into(),
            request_email: email.to_string(),
            settings: PortalSettings::default(),
            time_zone,
            ..NewCompany::default()
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => {
                CliError::usage(format!("a company with slug \"{slug}\" already exists"))
            }
            other => other.into(),
        })?;
    let admin = tx
        .create_staff(company, email.as_str(), &admin_name, StaffRole::Admin, None)
        .await?;
    let expires = doorstep_store::now() + time::Duration::days(SETUP_LINK_DAYS);
    tx.create_token(
        company,
        &hash_token(&token),
        TokenPurpose::StaffSetup,
        TokenOwner::Staff(admin),
        expires,
    )
    .await?;
    tx.audit(
        company,
        &NewAuditEvent {
            actor_kind: "system",
            actor_id: None,
            actor_label: "doorstep company create".into(),
            action: "company.created",
            subject_kind: "company",
            subject_id: Some(company.0),
            ip: String::new(),
            detail: "{}".into(),
            at: doorstep_store::now(),
        },
    )
    .await?;
    tx.commit().await?;
    store.close().await;

    let base = settings.portal_url(&slug, settings.bind.port());
    println!("Created company {name:?} at {base}/");
    println!(
        "Admin {email} sets a password with this one-time link (valid {SETUP_LINK_DAYS} days):"
    );
    println!("  {base}/office/setup/{token}");
    Ok(())
}

/// `doorstep company domain add|remove SLUG DOMAIN` (`add` false: remove).
pub async fn company_domain(
    settings: &Settings,
    slug: &str,
    domain: &str,
    add: bool,
) -> Result<(), CliError> {
    use doorstep_app::AppError;
    use doorstep_app::company::domains;
    let slug =
        CompanySlug::parse(slug).map_err(|e| CliError::usage(format!("SLUG: {}", e.message)))?;
    let domain = domains::parse(domain, &settings.base_domain).map_err(|e| match e.invalid() {
        Some(invalid) => CliError::usage(format!("DOMAIN: {}", invalid.message)),
        None => CliError::usage(e.to_string()),
    })?;
    let store = connect_and_migrate(settings).await?;
    let done = if add {
        domains::add_by_operator(&store, &slug, &domain).await
    } else {
        domains::remove_by_operator(&store, &slug, &domain).await
    };
    store.close().await;
    match done {
        Ok(()) if add => {
            println!("Added {domain} to {slug}. Create this DNS record at the domain's provider:");
            println!("  {domain}. CNAME {}.", settings.base_domain);
            Ok(())
        }
        Ok(()) => {
            println!("Removed {domain} from {slug}; it no longer serves the company.");
            Ok(())
        }
        Err(AppError::NotFound) => Err(CliError::usage(format!("no company with slug \"{slug}\""))),
        Err(AppError::Conflict { message, .. }) => Err(CliError::usage(message)),
        Err(other) => Err(CliError::failed(format!(
            "cannot change the domain: {other}"
        ))),
    }
}

/// `doorstep api-key create --company SLUG --name NAME --scopes read[,write]`: the
/// secret alone on stdout, so a script can capture it.
pub async fn create_api_key(
    settings: &Settings,
    slug: &str,
    name: &str,
    scopes: &str,
) -> Result<(), CliError> {
    use doorstep_app::AppError;
    use doorstep_app::api_keys;
    let slug = CompanySlug::parse(slug)
        .map_err(|e| CliError::usage(format!("--company: {}", e.message)))?;
    let key = api_keys::NewKey::parse(name, scopes).map_err(|e| {
        let first = e.0.first();
        CliError::usage(match first {
            Some(invalid) => format!("--{}: {}", invalid.field, invalid.message),
            None => "give the key's name and scopes".to_owned(),
        })
    })?;
    let store = connect_and_migrate(settings).await?;
    let made = api_keys::create_by_operator(&store, &slug, key).await;
    store.close().await;
    match made {
        Ok(made) => {
            println!("{}", made.secret);
            Ok(())
        }
        Err(AppError::NotFound) => Err(CliError::usage(format!("no company with slug \"{slug}\""))),
        Err(AppError::Conflict { message, .. }) => Err(CliError::usage(message)),
        Err(other) => Err(CliError::failed(format!("cannot make the key: {other}"))),
    }
}

/// `doorstep backup --to FILE`.
pub async fn backup(settings: &Settings, to: &Path) -> Result<(), CliError> {
    let url = settings.database_url.expose();
    if Store::kind_of(url)? == DbKind::Postgres {
        return Err(CliError::usage(
            "backup works on SQLite only; for PostgreSQL use pg_dump (e.g. pg_dump -Fc DATABASE > doorstep.dump)",
        ));
    }
    let file = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or("");
    if file.is_empty() || file.contains(":memory:") || !Path::new(file).exists() {
        return Err(CliError::usage(format!("no SQLite database at {file:?}")));
    }
    let target = to.to_string_lossy().to_string();
    if to.exists() {
        return Err(CliError::usage(format!(
            "{target} already exists; choose a new file"
        )));
    }
    let store = Store::connect_with(url, 1).await?;
    store.backup_to(&target).await?;
    store.close().await;
    println!("Backed up {file} to {target}");
    Ok(())
}

/// `doorstep routes [--json]`: every route of the router with its access rule, from the
/// very table the router is built from (`doorstep_web::ROUTES`).
pub fn route_table(json: bool) -> String {
    let quote = |s: &str| {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    };
    let rows = doorstep_web::ROUTES
        .iter()
        .map(|r| (r.method, r.path, format!("{:?}", r.access)));
    if json {
        let items: Vec<String> = rows
            .map(|(method, path, access)| {
                format!(
                    "{{\"method\":{},\"path\":{},\"access\":{}}}",
                    quote(method),
                    quote(path),
                    quote(&access)
                )
            })
            .collect();
        format!("[\n{}\n]\n", items.join(",\n"))
    } else {
        rows.map(|(method, path, access)| format!("{method:<4} {path} {access}\n"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::route_table;

    #[test]
    fn the_route_table_lists_every_route_once_with_its_access() {
        let json = route_table(true);
        assert!(json.starts_with("[\n{"), "{json}");
        assert!(
            json.contains(
                r#"{"method":"GET","path":"/office/customers/{number}","access":"Staff"}"#
            )
        );
        assert_eq!(
            json.matches("\"method\"").count(),
            doorstep_web::ROUTES.len()
        );
        assert_eq!(
            route_table(false).lines().count(),
            doorstep_web::ROUTES.len()
        );
    }
}
