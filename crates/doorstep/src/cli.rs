//! The command line: subcommands and every setting, each also readable from a
//! `DOORSTEP_*` environment variable (a flag wins over the variable).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Doorstep: the customer portal for field-service businesses.
#[derive(Debug, Parser)]
#[command(name = "doorstep", version, about, long_about = None)]
#[command(
    after_help = "Examples:\n  doorstep demo                                   demo data on SQLite, served on http://acme.localhost:8080/\n  doorstep serve --database-url postgres://doorstep@127.0.0.1/doorstep\n  doorstep company create --slug acme --name \"Acme Plumbing\" --admin-email office@acme.example\n  doorstep backup --to /var/backups/doorstep-2026-11-23.db"
)]
pub struct Cli {
    /// Settings shared by every subcommand.
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the customer portal, the office and the API (the default).
    Serve,
    /// (Re)create the demo data set (default database sqlite://doorstep-demo.db) and serve it.
    Demo,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage companies (tenants).
    #[command(subcommand)]
    Company(CompanyCommand),
    /// Manage a company's API keys.
    #[command(subcommand)]
    ApiKey(ApiKeyCommand),
    /// Write an online, consistent copy of a SQLite database.
    Backup {
        /// The file to write; it must not exist yet.
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Print the route table (method, path, who may use it) and exit; the browser tests
    /// read it to visit every page.
    Routes {
        /// One JSON array of {"method", "path", "access"} objects instead of text lines.
        #[arg(long)]
        json: bool,
    },
}

/// `doorstep company ...`
#[derive(Debug, Subcommand)]
pub enum CompanyCommand {
    /// Create a company and its first admin; prints a one-time link to set the admin's password.
    Create {
        /// Sub-domain of the company's portal: {slug}.{base-domain}.
        #[arg(long)]
        slug: String,
        /// The company's name as customers know it.
        #[arg(long)]
        name: String,
        /// Email of the first office admin.
        #[arg(long, value_name = "EMAIL")]
        admin_email: String,
        /// Name of the first office admin (default: the part of the email before @).
        #[arg(long)]
        admin_name: Option<String>,
        /// The company's time zone, an IANA name such as America/Chicago (default: UTC).
        /// Every date and time it shows, emails or prints is in it.
        #[arg(long, value_name = "NAME")]
        time_zone: Option<String>,
    },
    /// A company's custom domains, e.g. `doorstep company domain add acme portal.acmeplumbing.com`.
    #[command(subcommand)]
    Domain(DomainCommand),
}

/// `doorstep api-key ...`
#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Make an API key for a company; prints the secret once (only its hash is stored).
    /// The key acts as the company's first active administrator.
    Create {
        /// The company's slug.
        #[arg(long, value_name = "SLUG")]
        company: String,
        /// What the key is for, as the office's API keys page lists it.
        #[arg(long)]
        name: String,
        /// `read`, or `read,write` to create and change records too.
        #[arg(long, value_name = "read|read,write")]
        scopes: String,
    },
}

/// `doorstep company domain ...`
#[derive(Debug, Subcommand)]
pub enum DomainCommand {
    /// Serve the company's portal and office on DOMAIN too; prints the DNS record to create.
    Add {
        /// The company's slug.
        slug: String,
        /// The domain, e.g. portal.acmeplumbing.com (no scheme, port or path).
        domain: String,
    },
    /// Stop serving the company on DOMAIN (at once on this database).
    Remove {
        /// The company's slug.
        slug: String,
        /// The domain to remove.
        domain: String,
    },
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Every setting; see the README's configuration table.
#[derive(Debug, Clone, Args)]
pub struct SettingsArgs {
    /// Database: sqlite://FILE or postgres://USER:PASSWORD@HOST:PORT/DB [default: sqlite://doorstep.db; for demo: sqlite://doorstep-demo.db]
    #[arg(
        long,
        env = "DOORSTEP_DATABASE_URL",
        global = true,
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    /// Address and port to listen on.
    #[arg(
        long,
        env = "DOORSTEP_BIND",
        global = true,
        default_value = "127.0.0.1:8080",
        value_name = "ADDR:PORT"
    )]
    pub bind: String,

    /// Companies are served at {slug}.{base-domain}.
    #[arg(
        long,
        env = "DOORSTEP_BASE_DOMAIN",
        global = true,
        default_value = "localhost",
        value_name = "DOMAIN"
    )]
    pub base_domain: String,

    /// Directory for uploaded files (photos, documents, logos).
    #[arg(
        long,
        env = "DOORSTEP_DATA_DIR",
        global = true,
        default_value = "./doorstep-data",
        value_name = "DIR"
    )]
    pub data_dir: PathBuf,

    /// SMTP server for outgoing email, e.g. smtp://user:pass@mail.example.com:587; unset: emails stay in the outbox, visible in the office.
    #[arg(
        long,
        env = "DOORSTEP_SMTP_URL",
        global = true,
        value_name = "URL",
        hide_env_values = true
    )]
    pub smtp_url: Option<String>,

    /// Sender of outgoing email, e.g. "Acme <no-reply@example.com>" [default: no-reply@{base-domain}]; each company's name is shown as the sender's name.
    #[arg(
        long,
        env = "DOORSTEP_MAIL_FROM",
        global = true,
        value_name = "ADDRESS"
    )]
    pub mail_from: Option<String>,

    /// Days an invitation link stays valid.
    #[arg(
        long,
        env = "DOORSTEP_INVITE_DAYS",
        global = true,
        default_value_t = 7,
        value_name = "DAYS"
    )]
    pub invite_days: u32,

    /// Minutes a password reset link stays valid.
    #[arg(
        long,
        env = "DOORSTEP_RESET_MINUTES",
        global = true,
        default_value_t = 60,
        value_name = "MINUTES"
    )]
    pub reset_minutes: u32,

    /// Public links use https (set this behind a TLS-terminating proxy); also makes cookies Secure.
    #[arg(long, env = "DOORSTEP_HTTPS", global = true)]
    pub https: bool,

    /// Port shown in public links [default: the port listened on; none with --https].
    #[arg(long, env = "DOORSTEP_PUBLIC_PORT", global = true, value_name = "PORT")]
    pub public_port: Option<u16>,

    /// Minutes of inactivity after which a session ends.
    #[arg(
        long,
        env = "DOORSTEP_SESSION_IDLE_MINUTES",
        global = true,
        default_value_t = 480,
        value_name = "MINUTES"
    )]
    pub session_idle_minutes: u32,

    /// Days after sign-in after which a session ends, however active.
    #[arg(
        long,
        env = "DOORSTEP_SESSION_MAX_DAYS",
        global = true,
        default_value_t = 30,
        value_name = "DAYS"
    )]
    pub session_max_days: u32,

    /// Key that encrypts TOTP secrets at rest: 64 hex characters (32 random bytes, e.g. from `openssl rand -hex 32`); every node of one database needs the same key [default: generated into {data-dir}/secret.key on first start].
    #[arg(
        long,
        env = "DOORSTEP_SECRET_KEY",
        global = true,
        value_name = "HEX",
        hide_env_values = true
    )]
    pub secret_key: Option<String>,

    /// Stripe secret key used by a company that chose Stripe without saving its own key on its payments settings page.
    #[arg(
        long,
        env = "DOORSTEP_STRIPE_SECRET_KEY",
        global = true,
        value_name = "KEY",
        hide_env_values = true
    )]
    pub stripe_secret_key: Option<String>,

    /// Stripe webhook signing secret (whsec_...) used by a company that chose Stripe without saving its own.
    #[arg(
        long,
        env = "DOORSTEP_STRIPE_WEBHOOK_SECRET",
        global = true,
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub stripe_webhook_secret: Option<String>,

    /// Base URL of Stripe's API, for tests against a local server that answers as Stripe does [default: https://api.stripe.com].
    #[arg(
        long,
        env = "DOORSTEP_STRIPE_API_BASE",
        global = true,
        value_name = "URL"
    )]
    pub stripe_api_base: Option<String>,

    /// Database connections per node.
    #[arg(
        long,
        env = "DOORSTEP_DB_POOL_SIZE",
        global = true,
        default_value_t = 4,
        value_name = "N"
    )]
    pub db_pool_size: u32,

    /// Address and port of the operations listener serving /metrics (never served on company hosts); "off" serves no metrics.
    #[arg(
        long,
        env = "DOORSTEP_METRICS_BIND",
        global = true,
        default_value = "127.0.0.1:9464",
        value_name = "ADDR:PORT|off"
    )]
    pub metrics_bind: String,

    /// Seconds a client has to send a request's headers, and that a kept-alive connection may sit idle.
    #[arg(
        long,
        env = "DOORSTEP_HEADER_TIMEOUT_SECS",
        global = true,
        default_value_t = 10,
        value_name = "SECONDS"
    )]
    pub header_timeout_secs: u32,

    /// Connections served at once; more wait in the listen queue. Keep it well below the open-file limit (ulimit -n).
    #[arg(
        long,
        env = "DOORSTEP_MAX_CONNECTIONS",
        global = true,
        default_value_t = 512,
        value_name = "N"
    )]
    pub max_connections: u32,

    /// Requests each API key may make at once before it is answered 429.
    #[arg(
        long,
        env = "DOORSTEP_API_RATE_BURST",
        global = true,
        default_value_t = 300,
        value_name = "N"
    )]
    pub api_rate_burst: u32,

    /// Requests each API key gains back each second (its sustained rate).
    #[arg(
        long,
        env = "DOORSTEP_API_RATE_PER_SECOND",
        global = true,
        default_value_t = 5,
        value_name = "N"
    )]
    pub api_rate_per_second: u32,

    /// Seconds after SIGTERM during which /readyz answers 503 and requests in flight (and the email being sent) finish; then the process exits [default: 10; for demo: 1]
    #[arg(
        long,
        env = "DOORSTEP_SHUTDOWN_GRACE_SECS",
        global = true,
        value_name = "SECONDS"
    )]
    pub shutdown_grace_secs: Option<u32>,

    /// Serve this company (its slug) on the bare base domain too, for a deployment of one company.
    #[arg(
        long,
        env = "DOORSTEP_SINGLE_COMPANY",
        global = true,
        value_name = "SLUG"
    )]
    pub single_company: Option<String>,

    /// Log format.
    #[arg(long, env = "DOORSTEP_LOG_FORMAT", global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Log filter, e.g. info or doorstep_web=debug.
    #[arg(
        long,
        env = "DOORSTEP_LOG",
        global = true,
        default_value = "info",
        value_name = "FILTER"
    )]
    pub log: String,
}
