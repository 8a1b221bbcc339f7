//! The office's processor settings page (issue 19): what is saved, told without the
//! secrets (only "set, ends in …"), the address Stripe's webhook goes to, and "test
//! connection", which asks the processor itself with the saved key (or the instance's,
//! `DOORSTEP_STRIPE_SECRET_KEY`) and says what it answered.

use doorstep_payments::PaymentError;
use doorstep_payments::stripe::Stripe;

use super::online::settings;
use crate::{Admin, App, AppError};

/// Where a secret comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// None: neither the company nor the instance has one.
    Missing,
    /// The company's own, told by its last four characters only.
    Saved {
        /// The last four characters.
        ends_in: String,
    },
    /// The instance's, from its environment.
    Instance,
}

/// The settings as the page shows them: never a secret itself.
#[derive(Debug, Clone)]
pub struct ProcessorSettings {
    /// `none`, `test` or `stripe`.
    pub processor: String,
    /// The Stripe secret key.
    pub stripe_secret_key: SecretSource,
    /// The webhook signing secret.
    pub webhook_secret: SecretSource,
    /// Customers may pay part of an invoice.
    pub allow_partial: bool,
    /// US bank accounts (ACH) are offered.
    pub ach_enabled: bool,
    /// The address to give Stripe for webhooks (the company's own host).
    pub webhook_url: String,
}

fn ends_in(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

/// The company's processor settings for its administrator.
pub async fn processor_settings(
    app: &App,
    admin: Admin<'_>,
) -> Result<ProcessorSettings, AppError> {
    let company = admin.staff().company();
    let row = app.store.payment_settings(company.id).await?;
    let source = |sealed: &Option<String>, what: &str, instance: bool| match sealed
        .as_deref()
        .and_then(|s| {
            app.secret_key()
                .open(s, &format!("payment_settings:{}:{what}", company.id.0))
        }) {
        Some(plain) => SecretSource::Saved {
            ends_in: ends_in(&plain),
        },
        None if instance => SecretSource::Instance,
        None => SecretSource::Missing,
    };
    Ok(ProcessorSettings {
        stripe_secret_key: source(
            &row.stripe_secret_sealed,
            "stripe_secret",
            app.processors.stripe_default_key.is_some(),
        ),
        webhook_secret: source(
            &row.webhook_secret_sealed,
            "webhook_secret",
            app.processors.stripe_default_webhook.is_some(),
        ),
        processor: row.processor,
        allow_partial: row.allow_partial,
        ach_enabled: row.ach_enabled,
        webhook_url: app.links().portal(&company.slug, "/webhooks/stripe"),
    })
}

/// What "test connection" found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionOk {
    /// What to tell the administrator.
    pub message: String,
}

/// Asks the company's processor whether it answers to the saved key: Stripe's balance
/// is read (it moves nothing). Refused with a `processor` conflict carrying the
/// processor's own explanation (a wrong key, Stripe unreachable), and a
/// `not_configured` one when there is nothing to test.
pub async fn test_connection(app: &App, admin: Admin<'_>) -> Result<ConnectionOk, AppError> {
    let company = admin.staff().company();
    let s = settings(app, company.id).await?;
    match s.processor.as_str() {
        "test" => Ok(ConnectionOk {
            message: "Test mode works: the built-in test processor needs no connection. Customers pay with the test card 4242 4242 4242 4242 and no money moves.".into(),
        }),
        "stripe" => {
            let key = s.stripe_key.as_deref().ok_or_else(|| {
                AppError::conflict("not_configured", "There is no Stripe secret key to test: save one first.")
            })?;
            let stripe = Stripe::new(key, app.processors.stripe_api_base.as_deref())
                .map_err(|e| AppError::conflict("processor", e.to_string()))?;
            match stripe.balance().await {
                Ok(balance) => {
                    let mode = if balance.livemode {
                        "live mode: real payments"
                    } else {
                        "test mode: no real money moves"
                    };
                    Ok(ConnectionOk {
                        message: format!("Connected to Stripe ({mode}). The key works."),
                    })
                }
                Err(e) => Err(AppError::conflict("processor", refused(&e))),
            }
        }
        _ => Err(AppError::conflict(
            "not_configured",
            "No processor is chosen: choose test mode or Stripe and save first.",
        )),
    }
}

/// A processor's refusal in words for the office.
pub(crate) fn refused(e: &PaymentError) -> String {
    match e {
        PaymentError::Refused {
            status, message, ..
        } => format!("Stripe refused ({status}): {message}"),
        PaymentError::Declined { message, .. } => format!("Declined: {message}"),
        PaymentError::Unavailable(why) => {
            format!("Stripe could not be reached ({why}). Try again in a minute.")
        }
        other => other.to_string(),
    }
}
