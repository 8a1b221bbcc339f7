//! `GET/POST /office/settings/payments` (administrators): which processor takes the
//! company's online payments (none, the built-in test mode, Stripe), Stripe's secret key
//! and webhook signing secret (write-only: shown as "set, ends in …", never echoed), ACH
//! and part payments; the webhook address to give Stripe; and
//! `POST /office/settings/payments/test`, which asks the processor with the saved key.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::error::FieldErrors;
use doorstep_app::payments::online::{self, PaymentSettingsForm};
use doorstep_app::payments::processor::{self, ProcessorSettings, SecretSource};
use serde::Deserialize;

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Query};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

struct Choice {
    value: &'static str,
    label: &'static str,
    hint: &'static str,
}

const CHOICES: [Choice; 3] = [
    Choice {
        value: "none",
        label: "No online payments",
        hint: "Customers see their invoices and pay the office as before.",
    },
    Choice {
        value: "test",
        label: "Test mode",
        hint: "A built-in practice checkout marked TEST MODE: the card 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined. No money moves.",
    },
    Choice {
        value: "stripe",
        label: "Stripe",
        hint: "Customers pay by card (and bank account, if turned on below) on Stripe's own page; card numbers never reach Doorstep.",
    },
];

#[derive(Template)]
#[template(path = "office/procs/payment_settings.html")]
struct SettingsPage {
    chrome: OfficeChrome,
    choices: &'static [Choice],
    processor: String,
    key_state: String,
    webhook_state: String,
    allow_partial: bool,
    ach_enabled: bool,
    webhook_url: String,
    errors: FieldErrors,
    saved: bool,
    tested: Option<(bool, String)>,
}

impl SettingsPage {
    fn error(&self, field: &str) -> Option<String> {
        self.errors.get(field)
    }
}

fn state_text(s: &SecretSource) -> String {
    match s {
        SecretSource::Missing => "Not set.".to_owned(),
        SecretSource::Saved { ends_in } => format!("Set, ends in {ends_in}. Leave empty to keep it."),
        SecretSource::Instance => {
            "Not set here: the server's own (from its configuration) is used. Paste one to use this company's own.".to_owned()
        }
    }
}

fn page(staff: &SignedInStaff, csrf: &str, saved: &ProcessorSettings) -> SettingsPage {
    SettingsPage {
        chrome: OfficeChrome::of(staff, csrf),
        choices: &CHOICES,
        processor: saved.processor.clone(),
        key_state: state_text(&saved.stripe_secret_key),
        webhook_state: state_text(&saved.webhook_secret),
        allow_partial: saved.allow_partial,
        ach_enabled: saved.ach_enabled,
        webhook_url: saved.webhook_url.clone(),
        errors: FieldErrors::default(),
        saved: false,
        tested: None,
    }
}

/// The page's query string.
#[derive(Debug, Deserialize, Default)]
pub struct SettingsQuery {
    saved: Option<String>,
}

/// `GET /office/settings/payments`.
pub async fn show(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<SettingsQuery>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    let saved = processor::processor_settings(&state.app, admin).await?;
    let mut p = page(&staff, &csrf, &saved);
    p.saved = query.saved.is_some();
    crate::kit::render::page_with(StatusCode::OK, &p)
}

/// The form as posted. The secrets are never sent back to the browser.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PostedSettings {
    processor: String,
    stripe_secret_key: String,
    webhook_secret: String,
    allow_partial: Option<String>,
    ach_enabled: Option<String>,
}

/// `POST /office/settings/payments`.
pub async fn save(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Form(posted): Form<PostedSettings>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    let form = PaymentSettingsForm {
        processor: posted.processor.clone(),
        stripe_secret_key: posted.stripe_secret_key,
        webhook_secret: posted.webhook_secret,
        allow_partial: posted.allow_partial.is_some(),
        ach_enabled: posted.ach_enabled.is_some(),
    };
    let errors = match form.check() {
        Err(errors) => errors,
        Ok(()) => match online::configure(&state.app, admin, &form).await {
            Ok(()) => return Ok(Redirect::to("/office/settings/payments?saved=1").into_response()),
            Err(AppError::Invalid(e)) => FieldErrors(vec![e]),
            Err(e) => return Err(e.into()),
        },
    };
    let saved = processor::processor_settings(&state.app, admin).await?;
    let mut p = page(&staff, &csrf, &saved);
    // What was chosen stays chosen; the secrets typed are not echoed back.
    p.processor = posted.processor;
    p.allow_partial = form.allow_partial;
    p.ach_enabled = form.ach_enabled;
    p.errors = errors;
    crate::kit::render::page_with(StatusCode::UNPROCESSABLE_ENTITY, &p)
}

/// `POST /office/settings/payments/test`: asks the processor with the saved settings
/// and shows its answer on the page.
pub async fn test(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    let outcome = processor::test_connection(&state.app, admin).await;
    let saved = processor::processor_settings(&state.app, admin).await?;
    let mut p = page(&staff, &csrf, &saved);
    let status = match outcome {
        Ok(ok) => {
            p.tested = Some((true, ok.message));
            StatusCode::OK
        }
        Err(AppError::Conflict { message, .. }) => {
            p.tested = Some((false, message));
            StatusCode::OK
        }
        Err(e) => return Err(e.into()),
    };
    crate::kit::render::page_with(status, &p)
}
