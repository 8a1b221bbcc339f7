//! Doorstep's application layer. Every write of the product is one use case here: a
//! function taking an actor (which only sign-in can build, see [`sessions`]) and a typed
//! command. It authorizes through `core::authz`, validates with `core`, owns the
//! transaction, the audit record, the outbox rows and the wake-ups, and returns an
//! outcome for its caller — the office and portal pages today, the API and background
//! jobs tomorrow — to render. Reads stay with the store; the pages call it directly.

pub mod access;
pub mod actor;
pub mod api_keys;
mod audit;
pub mod booking;
pub mod credentials;
pub mod crypto;
pub mod error;
pub mod estimates;
pub mod events;
pub mod files;
pub mod links;
pub mod mail_links;
mod notify;
pub mod requests;
pub mod sessions;
pub mod settings;
pub mod sign_in;
pub mod support;

pub mod customers;

pub mod jobs;

pub mod documents;

pub mod payments;

pub mod company;

pub mod setup;

pub mod webhooks;

// api-assets (issue 20)
pub mod assets;

use std::sync::Arc;

use doorstep_store::Store;

pub use actor::{Admin, ApiActor, ContactActor, StaffActor};
pub use crypto::PasswordCost;
pub use crypto::secret_box::SecretKey;
pub use error::AppError;
pub use events::RequestEvents;
pub use links::Links;

/// The application layer's share of the settings.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Public addresses of the portals, for links in emails.
    pub links: Links,
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
}

/// What every use case reaches: the store, the settings, the key that seals secrets, the
/// mail worker's wake-up and the request events. Cheap to clone.
#[derive(Clone)]
pub struct App {
    store: Store,
    config: Arc<AppConfig>,
    secret_key: Arc<SecretKey>,
    mail_wake: doorstep_mail::Wake,
    request_events: RequestEvents,
    processors: payments::online::Processors,
}

impl App {
    /// Assembles the application from its parts.
    pub fn new(
        store: Store,
        config: AppConfig,
        secret_key: SecretKey,
        mail_wake: doorstep_mail::Wake,
        request_events: RequestEvents,
    ) -> Self {
        App {
            store,
            config: Arc::new(config),
            secret_key: Arc::new(secret_key),
            mail_wake,
            request_events,
            processors: payments::online::Processors::default(),
        }
    }

    /// The same application speaking to Stripe at `api_base` instead of Stripe's own API
    /// (tests point it at a local server that answers as Stripe documents).
    pub fn with_stripe_api_base(mut self, api_base: &str) -> Self {
        self.processors.stripe_api_base = Some(api_base.to_owned());
        self
    }

    /// The same application with the instance's Stripe secret key and webhook signing
    /// secret (`DOORSTEP_STRIPE_SECRET_KEY`, `DOORSTEP_STRIPE_WEBHOOK_SECRET`), used by a
    /// company that chose Stripe without saving its own.
    pub fn with_stripe_defaults(
        mut self,
        secret_key: Option<&str>,
        webhook_secret: Option<&str>,
    ) -> Self {
        let given = |v: Option<&str>| {
            v.map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        self.processors.stripe_default_key = given(secret_key);
        self.processors.stripe_default_webhook = given(webhook_secret);
        self
    }

    /// The settings.
    pub fn config(&self) -> &AppConfig {
        &self.config
    }

    /// The key that seals secrets at rest.
    pub fn secret_key(&self) -> &SecretKey {
        &self.secret_key
    }

    /// The store, for reads.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Public addresses of the portals, for links in emails.
    pub fn links(&self) -> &Links {
        &self.config.links
    }

    /// The inbox's change notices.
    pub fn request_events(&self) -> &RequestEvents {
        &self.request_events
    }

    /// Tells the mail worker a committed transaction queued email.
    fn mail_queued(&self) {
        self.mail_wake.wake();
    }

    /// Commits `tx` and, when it queued email, wakes the mail worker: the tail of every
    /// write that sends something.
    async fn commit(&self, tx: doorstep_store::Tx, queued_mail: bool) -> Result<(), AppError> {
        tx.commit().await?;
        if queued_mail {
            self.mail_queued();
        }
        Ok(())
    }
}
