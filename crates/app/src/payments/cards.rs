//! Saved payment methods (issue 19): a company contact who may pay saves a card through
//! the processor's hosted setup page, removes one (asked first, by the page), chooses
//! the default and turns autopay on or off. Doorstep keeps only the processor's method
//! id and what the portal shows (brand, last 4, expiry): never card data. A method is
//! saved only from the processor's verified webhook (`checkout.session.completed` in
//! setup mode), which the built-in test processor's TEST MODE page sends too. The
//! processor is never called while a transaction is held.

use std::collections::BTreeMap;
use std::net::IpAddr;

use doorstep_core::authz::PortalAction;
use doorstep_core::ids::CompanyId;
use doorstep_core::payments::card_brand;
use doorstep_core::validation::Invalid;
use doorstep_payments::test_processor::{self, SetupOutcome};
use doorstep_payments::webhook::{self, Event};
use doorstep_payments::{
    CheckoutSession, MethodKinds, OffSessionCharge, PaymentError, PaymentIntent, PaymentProvider,
    SavedMethod, SetupRequest,
};
use doorstep_store::billing::NewPaymentMethod;
use doorstep_store::companies::Company;
use doorstep_store::saved_methods::{MethodSetupRow, NewMethodSetup, SavedMethodRow};

use super::currency;
use super::online::{Processor, Settings, processor, settings, test_webhook_secret};
use super::online_webhook::{WebhookOutcome, handle_webhook};
use crate::crypto::random_hex;
use crate::{App, AppError, ContactActor};

/// Where the portal lists the saved methods.
pub const PAGE: &str = "/payment-methods";

impl Processor {
    pub(crate) async fn create_customer(
        &self,
        key: &str,
        email: &str,
        name: &str,
        metadata: &BTreeMap<String, String>,
    ) -> Result<String, PaymentError> {
        match self {
            Processor::Test(p) => p.create_customer(key, email, name, metadata).await,
            Processor::Stripe(p) => p.create_customer(key, email, name, metadata).await,
        }
    }

    pub(crate) async fn create_setup(
        &self,
        r: &SetupRequest,
    ) -> Result<CheckoutSession, PaymentError> {
        match self {
            Processor::Test(p) => p.create_setup(r).await,
            Processor::Stripe(p) => p.create_setup(r).await,
        }
    }

    pub(crate) async fn saved_methods(
        &self,
        customer: &str,
    ) -> Result<Vec<SavedMethod>, PaymentError> {
        match self {
            Processor::Test(p) => p.saved_methods(customer).await,
            Processor::Stripe(p) => p.saved_methods(customer).await,
        }
    }

    pub(crate) async fn remove_method(&self, key: &str, method: &str) -> Result<(), PaymentError> {
        match self {
            Processor::Test(p) => p.remove_method(key, method).await,
            Processor::Stripe(p) => p.remove_method(key, method).await,
        }
    }

    pub(crate) async fn charge_saved(
        &self,
        charge: &OffSessionCharge,
    ) -> Result<PaymentIntent, PaymentError> {
        match self {
            Processor::Test(p) => p.charge_saved(charge).await,
            Processor::Stripe(p) => p.charge_saved(charge).await,
        }
    }
}

/// How a saved method reads: "Visa ending 4242".
pub fn method_label(brand: &str, last4: &str) -> String {
    format!("{} ending {last4}", card_brand(brand))
}

/// The processor's name as stored on what it holds.
fn processor_name(s: &Settings) -> &'static str {
    if s.processor == "stripe" {
        "stripe"
    } else {
        "test"
    }
}

fn unavailable(e: &PaymentError, what: &str) -> AppError {
    tracing::warn!(error = %e, what, "a processor call failed");
    AppError::conflict(
        "processor",
        if e.is_retryable() {
            format!(
                "The card processor could not {what} just now. Nothing was changed; try again in a minute."
            )
        } else {
            format!(
                "The card processor could not {what}. Nothing was changed; please contact the office."
            )
        },
    )
}

/// The account's saved methods as the portal shows them.
#[derive(Debug, Clone)]
pub struct SavedMethods {
    /// Default first.
    pub methods: Vec<SavedMethodRow>,
    /// Whether autopay is on (the default method has it).
    pub autopay: bool,
    /// Whether a card can be added now (the company has a processor).
    pub can_add: bool,
    /// Whether the processor is the built-in test processor.
    pub test_mode: bool,
}

/// The account's saved methods; `NotFound` for a contact who may not pay.
pub async fn saved_methods(app: &App, actor: &ContactActor) -> Result<SavedMethods, AppError> {
    if !actor.may(PortalAction::Pay) {
        return Err(AppError::NotFound);
    }
    let company = actor.company().id;
    let methods = app.store.saved_methods(company, actor.customer()).await?;
    let s = settings(app, company).await?;
    Ok(SavedMethods {
        autopay: methods.iter().any(|m| m.is_default && m.autopay),
        can_add: s.processor != "none",
        test_mode: s.processor == "test",
        methods,
    })
}

/// Opens the processor's hosted page for saving a card to the contact's account (the
/// processor's customer is created the first time); where to send the browser. Refused
/// with `NotFound` for a contact who may not pay, a conflict when the company takes no
/// payments online or the processor cannot be reached.
pub async fn start_setup(app: &App, actor: &ContactActor) -> Result<String, AppError> {
    actor.require(PortalAction::Pay)?;
    let company = actor.company();
    let s = settings(app, company.id).await?;
    let provider = processor(app, &s)?;
    let name = processor_name(&s);
    let who = actor.who(app).await?;
    let customer = match app
        .store
        .processor_customer(company.id, actor.customer(), name)
        .await?
    {
        Some(id) => id,
        None => {
            let metadata = BTreeMap::from([
                ("company".to_owned(), company.slug.clone()),
                ("customer".to_owned(), actor.customer().0.to_string()),
            ]);
            // No transaction is held while the processor answers.
            let created = provider
                .create_customer(
                    &format!("customer-{}-{}", company.id.0, actor.customer().0),
                    &who.email,
                    actor.customer_name(),
                    &metadata,
                )
                .await
                .map_err(|e| unavailable(&e, "open the page for adding a card"))?;
            let mut tx = app.store.begin().await?;
            let kept = tx
                .keep_processor_customer(company.id, actor.customer(), name, &created)
                .await?;
            app.commit(tx, false).await?;
            kept
        }
    };
    let reference = random_hex(16);
    let mut tx = app.store.begin().await?;
    let id = tx
        .insert_method_setup(
            company.id,
            &NewMethodSetup {
                customer: actor.customer(),
                contact: actor.contact().0,
                processor: name.to_owned(),
                reference: reference.clone(),
                processor_customer_id: customer.clone(),
            },
        )
        .await?;
    tx.audit(
        company.id,
        &actor.audit(
            &who.email,
            "payment_method.setup_opened",
            ("customer", actor.customer().0),
            serde_json::json!({"reference": reference, "processor": name}),
        ),
    )
    .await?;
    app.commit(tx, false).await?;
    let (success_url, cancel_url) = if name == "test" {
        (PAGE.to_owned(), PAGE.to_owned())
    } else {
        let page = app.links().portal(&company.slug, PAGE);
        (page.clone(), page)
    };
    let request = SetupRequest {
        idempotency_key: format!("setup-{reference}"),
        customer,
        currency: currency(company).code().to_lowercase(),
        success_url,
        cancel_url,
        methods: MethodKinds {
            card: true,
            us_bank_account: s.ach,
        },
    };
    let opened = provider.create_setup(&request).await;
    let mut tx = app.store.begin().await?;
    match opened {
        Ok(session) => {
            tx.set_method_setup_session(company.id, id, &session.id)
                .await?;
            app.commit(tx, false).await?;
            session.url.ok_or_else(|| {
                AppError::Internal("the processor opened a page without an address".into())
            })
        }
        Err(e) => {
            tx.move_method_setup(company.id, id, "open", "failed")
                .await?;
            app.commit(tx, false).await?;
            Err(unavailable(&e, "open the page for adding a card"))
        }
    }
}

/// Test setup page `session` of the contact's account; `NotFound` unless it is the
/// account's and the test processor's.
pub async fn test_setup(
    app: &App,
    actor: &ContactActor,
    session: &str,
) -> Result<MethodSetupRow, AppError> {
    actor.require(PortalAction::Pay)?;
    app.store
        .method_setup_by_session(actor.company().id, session)
        .await?
        .filter(|r| r.customer_id == actor.customer().0 && r.processor == "test")
        .ok_or(AppError::NotFound)
}

/// The contact completes test setup page `session` with the typed `card`: the test
/// processor saves it and makes its `checkout.session.completed` event, signed with the
/// company's test webhook secret and handed to [`handle_webhook`] — the same path a real
/// processor's delivery takes. The card's message (field `card`) for a declined card or
/// anything but the test cards; nothing is saved then.
pub async fn complete_test_setup(
    app: &App,
    actor: &ContactActor,
    session: &str,
    card: &str,
) -> Result<(), AppError> {
    let row = test_setup(app, actor, session).await?;
    let company = actor.company();
    if settings(app, company.id).await?.processor != "test" {
        return Err(AppError::NotFound);
    }
    if row.status != "open" {
        return Ok(());
    }
    let last4 = match test_processor::setup_outcome(card).map_err(|m| Invalid::new("card", m))? {
        SetupOutcome::Saved { last4 } => last4,
        SetupOutcome::Declined => {
            return Err(Invalid::new(
                "card",
                format!(
                    "{} Nothing was saved: try another card.",
                    test_processor::DECLINE_MESSAGE
                ),
            )
            .into());
        }
    };
    let page = CheckoutSession {
        id: session.to_owned(),
        url: None,
        status: "open".into(),
        payment_status: "no_payment_required".into(),
        amount_total: None,
        currency: Some(currency(company).code().to_lowercase()),
        payment_intent: None,
        setup_intent: None,
        customer: Some(row.processor_customer_id.clone()),
        client_reference_id: None,
        metadata: BTreeMap::new(),
    };
    let now = doorstep_store::now();
    let body = app.processors.test.setup_completion_event(
        &page,
        last4,
        now.year() + 3,
        &format!("evt_test_{}", random_hex(12)),
        now.unix_timestamp(),
    );
    let secret = test_webhook_secret(app, company.id);
    let header = webhook::sign(&body, &secret, now.unix_timestamp());
    handle_webhook(app, company, &body, Some(&header), actor.ip()).await?;
    Ok(())
}

/// A verified `checkout.session.completed` event of a setup page: the processor's
/// methods of its customer are read (before any transaction), then, with the event
/// recorded once in `processor_events`, the page is completed and each method the
/// account does not have yet is saved (the first one the default). `None` when the
/// event is not about a setup page (the payment path handles it).
pub(crate) async fn setup_event(
    app: &App,
    company: &Company,
    s: &Settings,
    event: &Event,
    ip: IpAddr,
) -> Result<Option<WebhookOutcome>, AppError> {
    if event.kind != "checkout.session.completed" {
        return Ok(None);
    }
    let Ok(session) = event.checkout_session() else {
        return Ok(None);
    };
    let Some(setup) = app
        .store
        .method_setup_by_session(company.id, &session.id)
        .await?
    else {
        return Ok(None);
    };
    let provider = processor(app, s)?;
    let listed = provider
        .saved_methods(&setup.processor_customer_id)
        .await
        .map_err(|e| unavailable(&e, "list the saved cards"))?;
    let mut tx = app.store.begin().await?;
    if !tx
        .record_processor_event(company.id, &setup.processor, &event.id, &event.kind)
        .await?
    {
        return Ok(Some(WebhookOutcome::Duplicate));
    }
    if !tx
        .move_method_setup(company.id, setup.id, "open", "complete")
        .await?
    {
        app.commit(tx, false).await?;
        return Ok(Some(WebhookOutcome::Duplicate));
    }
    let customer = doorstep_core::ids::CustomerId(setup.customer_id);
    let known = tx.methods_of(company.id, customer).await?;
    let mut has_default = known.iter().any(|m| m.is_default);
    let mut added = Vec::new();
    for m in listed {
        if known
            .iter()
            .any(|k| k.processor == setup.processor && k.processor_ref == m.id)
        {
            continue;
        }
        let new = NewPaymentMethod {
            customer,
            processor: setup.processor.clone(),
            processor_ref: m.id.clone(),
            kind: if m.kind == "us_bank_account" {
                "bank".into()
            } else {
                "card".into()
            },
            brand: card_brand(&m.brand),
            last4: m.last4.clone(),
            exp_month: m.exp_month.map(i64::from),
            exp_year: m.exp_year.map(i64::from),
            is_default: !has_default,
            autopay: false,
        };
        if let Some(id) = tx.save_method(company.id, &new).await? {
            has_default = true;
            added.push(serde_json::json!({
                "id": id, "brand": new.brand, "last4": new.last4, "default": new.is_default,
            }));
        }
    }
    let label = if setup.processor == "stripe" {
        "Stripe"
    } else {
        "Test processor"
    };
    tx.audit(
        company.id,
        &crate::audit::record(
            ("system", None, label),
            "payment_method.added",
            ("customer", setup.customer_id),
            ip,
            serde_json::json!({"reference": setup.reference, "methods": added}),
        ),
    )
    .await?;
    app.commit(tx, false).await?;
    Ok(Some(WebhookOutcome::MethodSaved))
}

/// A saved method chosen on the page, by its row id.
#[derive(Debug, Clone, Copy)]
pub struct MethodChoice(i64);

impl MethodChoice {
    /// Reads the `method` field; a bad one is `Invalid`.
    pub fn parse(typed: &str) -> Result<Self, Invalid> {
        typed
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(MethodChoice)
            .ok_or_else(|| Invalid::new("method", "Choose one of your saved cards."))
    }

    /// The method's row id.
    pub fn id(self) -> i64 {
        self.0
    }
}

/// What removing a method did.
#[derive(Debug, Clone)]
pub struct Removed {
    /// "Visa ending 4242".
    pub label: String,
    /// Whether autopay was on it (and so is now off).
    pub autopay_stopped: bool,
}

/// The account's method `choice`, read before the processor is called.
async fn method_of(
    app: &App,
    actor: &ContactActor,
    choice: MethodChoice,
) -> Result<SavedMethodRow, AppError> {
    app.store
        .saved_methods(actor.company().id, actor.customer())
        .await?
        .into_iter()
        .find(|m| m.id == choice.0)
        .ok_or(AppError::NotFound)
}

/// Removes the account's method `choice`: detached at the processor first (when the
/// company's processor holds it), then forgotten; removing the default leaves no
/// default and stops autopay. `NotFound` for a method that is not the account's.
pub async fn remove_method(
    app: &App,
    actor: &ContactActor,
    choice: MethodChoice,
) -> Result<Removed, AppError> {
    actor.require(PortalAction::Pay)?;
    let company = actor.company();
    let method = method_of(app, actor, choice).await?;
    let s = settings(app, company.id).await?;
    let who = actor.who(app).await?;
    if method.processor == processor_name(&s)
        && s.processor != "none"
        && let Ok(provider) = processor(app, &s)
    {
        match provider
            .remove_method(
                &format!("detach-{}", method.processor_ref),
                &method.processor_ref,
            )
            .await
        {
            Ok(()) => {}
            // Already gone at the processor: forget it here too.
            Err(PaymentError::Refused { status: 404, .. }) => {}
            Err(e) => return Err(unavailable(&e, "remove the card")),
        }
    }
    let mut tx = app.store.begin().await?;
    if !tx
        .delete_method(company.id, actor.customer(), method.id)
        .await?
    {
        return Err(AppError::NotFound);
    }
    let label = method_label(&method.brand, &method.last4);
    let autopay_stopped = method.is_default && method.autopay;
    tx.audit(
        company.id,
        &actor.audit(
            &who.email,
            "payment_method.removed",
            ("customer", actor.customer().0),
            serde_json::json!({
                "method": label, "was_default": method.is_default, "autopay_stopped": autopay_stopped,
            }),
        ),
    )
    .await?;
    app.commit(tx, false).await?;
    Ok(Removed {
        label,
        autopay_stopped,
    })
}

/// Makes the account's method `choice` the default; autopay, when on, moves with it.
/// `NotFound` for a method that is not the account's. The new default's label.
pub async fn set_default(
    app: &App,
    actor: &ContactActor,
    choice: MethodChoice,
) -> Result<String, AppError> {
    actor.require(PortalAction::Pay)?;
    let company = actor.company();
    let who = actor.who(app).await?;
    let mut tx = app.store.begin().await?;
    let methods = tx.methods_of(company.id, actor.customer()).await?;
    let method = methods
        .iter()
        .find(|m| m.id == choice.0)
        .ok_or(AppError::NotFound)?;
    let autopay = methods.iter().any(|m| m.is_default && m.autopay);
    if autopay && method.processor != processor_name(&settings(app, company.id).await?) {
        return Err(AppError::conflict(
            "unusable",
            "Autopay cannot charge that card: it was saved before this company's current card processor. Add the card again, or turn autopay off first.",
        ));
    }
    let label = method_label(&method.brand, &method.last4);
    tx.set_default_method(company.id, actor.customer(), method.id, autopay)
        .await?;
    tx.audit(
        company.id,
        &actor.audit(
            &who.email,
            "payment_method.default_set",
            ("customer", actor.customer().0),
            serde_json::json!({"method": label, "autopay": autopay}),
        ),
    )
    .await?;
    app.commit(tx, false).await?;
    Ok(label)
}

/// Turns autopay on (`on`) or off for the contact's account. On needs a default method
/// the company's processor holds and that has not expired; refused with a conflict
/// saying so otherwise.
pub async fn set_autopay(app: &App, actor: &ContactActor, on: bool) -> Result<(), AppError> {
    actor.require(PortalAction::Pay)?;
    let company = actor.company();
    let s = settings(app, company.id).await?;
    let who = actor.who(app).await?;
    let today = doorstep_core::local_time::today(&company.time_zone, doorstep_store::now());
    let mut tx = app.store.begin().await?;
    let methods = tx.methods_of(company.id, actor.customer()).await?;
    let default = methods.iter().find(|m| m.is_default);
    let Some(default) = default else {
        if !on {
            return Ok(());
        }
        return Err(AppError::conflict(
            "no_default",
            "Autopay needs a default card: add a card, or make one of yours the default, first.",
        ));
    };
    if on {
        if s.processor == "none" {
            return Err(AppError::conflict(
                "not_configured",
                "This company does not take payments online, so autopay cannot be turned on.",
            ));
        }
        if default.processor != processor_name(&s) {
            return Err(AppError::conflict(
                "unusable",
                "Autopay cannot charge your default card: it was saved before this company's current card processor. Add the card again and make it the default.",
            ));
        }
        if doorstep_core::payments::card_expired(default.exp_month, default.exp_year, today) {
            return Err(AppError::conflict(
                "expired",
                "Your default card has expired: add a current card and make it the default first.",
            ));
        }
    }
    if default.autopay == on {
        return Ok(());
    }
    tx.set_default_method(company.id, actor.customer(), default.id, on)
        .await?;
    tx.audit(
        company.id,
        &actor.audit(
            &who.email,
            if on {
                "autopay.enabled"
            } else {
                "autopay.disabled"
            },
            ("customer", actor.customer().0),
            serde_json::json!({"method": method_label(&default.brand, &default.last4)}),
        ),
    )
    .await?;
    app.commit(tx, false).await
}

/// The company the autopay sweep charges for, read by id.
pub(crate) async fn company_by_id(app: &App, id: CompanyId) -> Result<Option<Company>, AppError> {
    match app.store.company_slug_of(id).await? {
        Some(slug) => Ok(app.store.company_by_slug(&slug).await?),
        None => Ok(None),
    }
}
