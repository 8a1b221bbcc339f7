//! What every handler can reach: the store, the configuration, metrics and files.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use doorstep_app::{App, AppConfig, RequestEvents};
use doorstep_store::Store;

use crate::auth::secret_box::SecretKey;
use crate::{FileStore, Metrics};

pub use doorstep_app::crypto::PasswordCost;

/// The web layer's share of the settings.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Companies live at `{slug}.{base_domain}`.
    pub base_domain: String,
    /// The port the public URLs carry, when not the scheme's default (e.g. `:8080`).
    pub public_port: Option<u16>,
    /// The slug of the company served on the bare base domain (`--single-company`).
    pub single_company: Option<String>,
    /// Whether public URLs use https (and cookies are `Secure`).
    pub https: bool,
    /// Where uploaded files live.
    pub data_dir: PathBuf,
    /// Password hashing cost.
    pub password_cost: PasswordCost,
    /// A session unused this long ends.
    pub session_idle: time::Duration,
    /// A session ends this long after sign-in, however active.
    pub session_lifetime: time::Duration,
    /// How long an invitation link works.
    pub invite_ttl: time::Duration,
    /// How long a password reset link works.
    pub reset_ttl: time::Duration,
    /// Each API key's rate limit.
    pub api_rate: crate::api::auth::ApiRate,
}

impl WebConfig {
    /// How the portals are reached from outside, for the application layer's links.
    pub fn links(&self) -> doorstep_app::Links {
        doorstep_app::Links {
            base_domain: self.base_domain.clone(),
            public_port: self.public_port,
            https: self.https,
            single_company: self.single_company.clone(),
        }
    }

    /// The application layer's share of the settings.
    pub fn app_config(&self) -> AppConfig {
        AppConfig {
            links: self.links(),
            password_cost: self.password_cost,
            session_idle: self.session_idle,
            session_lifetime: self.session_lifetime,
            invite_ttl: self.invite_ttl,
            reset_ttl: self.reset_ttl,
        }
    }

    /// The public base URL of a company's portal, e.g. `http://acme.localhost:8080`.
    pub fn portal_url(&self, slug: &str) -> String {
        self.links().portal_url(slug)
    }
}

/// Shared, cheaply cloned state of the application.
#[derive(Clone)]
pub struct AppState {
    /// The use cases: every write goes through them.
    pub app: App,
    /// The database, for reads.
    pub store: Store,
    /// Settings.
    pub config: Arc<WebConfig>,
    /// The key that seals secrets at rest (TOTP secrets).
    pub secret_key: Arc<SecretKey>,
    /// Request counters and timings.
    pub metrics: Arc<Metrics>,
    /// Stored files.
    pub files: FileStore,
    /// Set when shutdown begins, so `/readyz` fails before the listener closes.
    pub draining: Arc<AtomicBool>,
    /// The mail worker's wake-up, handed to the worker at start; use cases wake it.
    pub mail_wake: doorstep_mail::Wake,
    /// Where open office inbox streams learn that a company's New request count changed
    /// (use cases tell it after committing).
    pub request_events: RequestEvents,
}

impl AppState {
    /// Assembles the state from its parts.
    pub fn new(store: Store, config: WebConfig, secret_key: SecretKey) -> Self {
        let files = FileStore::new(config.data_dir.clone());
        let mail_wake = doorstep_mail::Wake::new();
        let request_events = RequestEvents::new();
        let app = App::new(
            store.clone(),
            config.app_config(),
            secret_key.clone(),
            mail_wake.clone(),
            request_events.clone(),
        );
        AppState {
            app,
            store,
            config: Arc::new(config),
            secret_key: Arc::new(secret_key),
            metrics: Arc::new(Metrics::new()),
            files,
            draining: Arc::new(AtomicBool::new(false)),
            mail_wake,
            request_events,
        }
    }
}
