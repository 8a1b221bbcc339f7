//! Typed, checked settings: what the CLI gave, with every value validated at start.

use std::net::SocketAddr;
use std::path::PathBuf;

use doorstep_core::tenancy::CompanySlug;
use doorstep_store::Store;

use crate::cli::SettingsArgs;
use crate::error::CliError;

/// A secret that never prints (Debug shows it redacted).
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The checked settings of one run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Database URL (may hold a password).
    pub database_url: Secret,
    /// Where to listen.
    pub bind: SocketAddr,
    /// Companies live at `{slug}.{base_domain}`.
    pub base_domain: String,
    /// Uploaded files.
    pub data_dir: PathBuf,
    /// Outgoing mail server, if any.
    pub smtp_url: Option<Secret>,
    /// The From address of outgoing email.
    pub mail_from: String,
    /// How long invitation links work.
    pub invite_ttl: time::Duration,
    /// How long reset links work.
    pub reset_ttl: time::Duration,
    /// Public URLs use https.
    pub https: bool,
    /// Port in public URLs; None = the bound port (or none with https).
    pub public_port: Option<u16>,
    /// Database connections.
    pub db_pool_size: u32,
    /// Inactivity after which a session ends.
    pub session_idle: time::Duration,
    /// Absolute session lifetime.
    pub session_lifetime: time::Duration,
    /// The key sealing secrets at rest; None = the data directory's key file.
    pub secret_key: Option<doorstep_web::auth::secret_box::SecretKey>,
    /// The operations listener serving `/metrics`; None serves no metrics.
    pub metrics_bind: Option<SocketAddr>,
    /// Time a client has to send a request's headers; also how long a kept-alive
    /// connection may sit idle.
    pub header_timeout: std::time::Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// Each API key's rate limit.
    pub api_rate: doorstep_web::api::auth::ApiRate,
    /// After a shutdown signal: how long `/readyz` answers 503 while requests in flight
    /// and the email being sent finish; then the process exits.
    pub shutdown_grace: std::time::Duration,
    /// The company served on the bare base domain (`--single-company`), if any.
    pub single_company: Option<CompanySlug>,
    /// Cheap password hashing, for test suites only (not settable from the CLI).
    pub insecure_fast_password_hashing: bool,
    /// The instance's Stripe key, webhook secret and API base (companies without their own).
    pub stripe: StripeDefaults,
}

/// `DOORSTEP_STRIPE_SECRET_KEY`, `DOORSTEP_STRIPE_WEBHOOK_SECRET`, `DOORSTEP_STRIPE_API_BASE`.
#[derive(Debug, Clone, Default)]
pub struct StripeDefaults {
    /// The secret key used by a company that saved none.
    pub secret_key: Option<Secret>,
    /// The webhook signing secret used by a company that saved none.
    pub webhook_secret: Option<Secret>,
    /// Stripe's API base (tests: a local server).
    pub api_base: Option<String>,
}

impl Settings {
    /// Checks the CLI's values; `default_database` is the subcommand's default database.
    pub fn from_args(args: &SettingsArgs, default_database: &str) -> Result<Settings, CliError> {
        let database_url = args
            .database_url
            .clone()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| default_database.to_owned());
        Store::kind_of(&database_url).map_err(|_| {
            CliError::usage(format!(
                "invalid database URL {:?}: use sqlite://FILE or postgres://USER:PASSWORD@HOST/DB",
                redact(&database_url)
            ))
        })?;
        let bind: SocketAddr = args.bind.parse().map_err(|_| {
            CliError::usage(format!(
                "invalid --bind {:?}: use ADDRESS:PORT, e.g. 127.0.0.1:8080",
                args.bind
            ))
        })?;
        let metrics_bind = match args.metrics_bind.trim() {
            "off" => None,
            text => Some(text.parse::<SocketAddr>().map_err(|_| {
                CliError::usage(format!(
                    "invalid --metrics-bind {:?}: use ADDRESS:PORT, e.g. 127.0.0.1:9464, or off",
                    args.metrics_bind
                ))
            })?),
        };
        let base_domain = args
            .base_domain
            .trim()
            .trim_end_matches('.')
            .to_ascii_lowercase();
        let domain_ok = !base_domain.is_empty()
            && base_domain
                .split('.')
                .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        if !domain_ok {
            return Err(CliError::usage(format!(
                "invalid base domain {:?}: use a domain such as localhost or portal.example.com",
                args.base_domain
            )));
        }
        let mail_from = args
            .mail_from
            .clone()
            .filter(|m| !m.trim().is_empty())
            .unwrap_or_else(|| format!("no-reply@{base_domain}"));
        if let Some(smtp) = &args.smtp_url {
            doorstep_mail::SmtpConfig::parse(smtp, &mail_from)
                .map_err(|e| CliError::usage(e.to_string()))?;
        }
        let secret_key = match args.secret_key.as_deref().map(str::trim) {
            Some(hex) if !hex.is_empty() => Some(
                doorstep_web::auth::secret_box::SecretKey::from_hex(hex).map_err(|why| {
                    CliError::usage(format!("invalid DOORSTEP_SECRET_KEY: {why}"))
                })?,
            ),
            _ => None,
        };
        let single_company = match args.single_company.as_deref().map(str::trim) {
            Some(slug) if !slug.is_empty() => Some(
                CompanySlug::parse(slug)
                    .map_err(|e| CliError::usage(format!("--single-company: {}", e.message)))?,
            ),
            _ => None,
        };
        Ok(Settings {
            single_company,
            database_url: Secret(database_url),
            bind,
            base_domain,
            data_dir: args.data_dir.clone(),
            smtp_url: args.smtp_url.clone().map(Secret),
            mail_from,
            invite_ttl: time::Duration::days(i64::from(args.invite_days.clamp(1, 60))),
            reset_ttl: time::Duration::minutes(i64::from(args.reset_minutes.clamp(5, 24 * 60))),
            https: args.https,
            public_port: args.public_port,
            db_pool_size: args.db_pool_size.clamp(1, 256),
            session_idle: time::Duration::minutes(i64::from(args.session_idle_minutes.max(1))),
            session_lifetime: time::Duration::days(i64::from(args.session_max_days.max(1))),
            secret_key,
            metrics_bind,
            header_timeout: std::time::Duration::from_secs(u64::from(
                args.header_timeout_secs.clamp(1, 3600),
            )),
            max_connections: args.max_connections.clamp(1, 1_000_000) as usize,
            api_rate: doorstep_web::api::auth::ApiRate {
                burst: f64::from(args.api_rate_burst.clamp(1, 1_000_000)),
                per_second: f64::from(args.api_rate_per_second.clamp(1, 1_000_000)),
            },
            shutdown_grace: std::time::Duration::from_secs(u64::from(
                args.shutdown_grace_secs.unwrap_or(10).min(3600),
            )),
            insecure_fast_password_hashing: false,
            stripe: stripe_defaults(args)?,
        })
    }

    /// The portal URL of `slug` given the port actually bound.
    pub fn portal_url(&self, slug: &CompanySlug, bound_port: u16) -> String {
        self.web_config(bound_port).portal_url(slug.as_str())
    }

    /// The web layer's settings, once the port is known.
    pub fn web_config(&self, bound_port: u16) -> doorstep_web::WebConfig {
        let public_port = match (self.public_port, self.https) {
            (Some(p), _) => Some(p),
            (None, true) => None,
            (None, false) => Some(bound_port),
        };
        doorstep_web::WebConfig {
            single_company: self.single_company.as_ref().map(|s| s.to_string()),
            base_domain: self.base_domain.clone(),
            public_port,
            https: self.https,
            data_dir: self.data_dir.clone(),
            session_idle: self.session_idle,
            session_lifetime: self.session_lifetime,
            invite_ttl: self.invite_ttl,
            reset_ttl: self.reset_ttl,
            api_rate: self.api_rate,
            password_cost: if self.insecure_fast_password_hashing {
                doorstep_web::PasswordCost::TestOnly
            } else {
                doorstep_web::PasswordCost::Standard
            },
        }
    }
}

fn stripe_defaults(args: &SettingsArgs) -> Result<StripeDefaults, CliError> {
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let secret_key = given(&args.stripe_secret_key);
    if let Some(key) = &secret_key
        && !(key.starts_with("sk_") || key.starts_with("rk_"))
    {
        return Err(CliError::usage(
            "invalid DOORSTEP_STRIPE_SECRET_KEY: a Stripe secret key starts with sk_ (or rk_ for a restricted key)",
        ));
    }
    let webhook_secret = given(&args.stripe_webhook_secret);
    if let Some(secret) = &webhook_secret
        && !secret.starts_with("whsec_")
    {
        return Err(CliError::usage(
            "invalid DOORSTEP_STRIPE_WEBHOOK_SECRET: a webhook signing secret starts with whsec_",
        ));
    }
    let api_base = given(&args.stripe_api_base);
    if let Some(base) = &api_base
        && url::Url::parse(base)
            .map(|u| !matches!(u.scheme(), "http" | "https"))
            .unwrap_or(true)
    {
        return Err(CliError::usage(format!(
            "invalid DOORSTEP_STRIPE_API_BASE {base:?}: use an http(s) URL"
        )));
    }
    Ok(StripeDefaults {
        secret_key: secret_key.map(Secret),
        webhook_secret: webhook_secret.map(Secret),
        api_base,
    })
}

/// A database URL with its password replaced, fit for messages and logs.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}
