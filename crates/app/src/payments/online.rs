//! Paying invoices online (issue 19): a company contact who may pay opens a hosted
//! checkout for one or several of the account's invoices; the money reaches the invoices
//! only from a verified webhook ([`super::online_webhook::handle_webhook`]) or a verified
//! read of the processor ([`confirm_return`]), both through the same idempotent
//! settlement. The processor is never called while a transaction or connection is held.

use std::collections::BTreeMap;

use doorstep_core::authz::PortalAction;
use doorstep_core::deposits::{self, Tip};
use doorstep_core::ids::{CompanyId, InvoiceId};
use doorstep_core::money::Currency;
use doorstep_core::payments as rules;
use doorstep_core::validation::Invalid;
use doorstep_payments::stripe::Stripe;
use doorstep_payments::{
    CheckoutLine, CheckoutRequest, CheckoutSession, MethodKinds, PaymentError, PaymentProvider,
    TestProcessor,
};
use doorstep_store::StoreError;
use doorstep_store::companies::Company;
use doorstep_store::online_payments::{CheckoutRow, NewCheckout, PaymentSettingsRow};

use super::online_webhook::settle_checkout;
use super::{currency, money, payable};
use crate::crypto::random_hex;
use crate::error::FieldErrors;
use crate::{Admin, App, AppError, ContactActor};

/// How long an open checkout holds its invoices: after this a new one may be opened
/// (the processor's page of the old one may still be paid; its money then goes where it
/// still fits, the rest to account credit).
pub const HOLD_MINUTES: i64 = 30;

/// The processors an application speaks to: the built-in test processor (shared, so a
/// page it opened reads back) and Stripe at its API base.
#[derive(Debug, Clone, Default)]
pub struct Processors {
    pub(crate) test: TestProcessor,
    pub(crate) stripe_api_base: Option<String>,
    /// The instance's Stripe secret key (`DOORSTEP_STRIPE_SECRET_KEY`), used by a company
    /// that chose Stripe without saving a key of its own.
    pub(crate) stripe_default_key: Option<String>,
    /// The instance's webhook signing secret (`DOORSTEP_STRIPE_WEBHOOK_SECRET`), likewise.
    pub(crate) stripe_default_webhook: Option<String>,
}

/// A company's processor, ready to call.
pub(crate) enum Processor {
    Test(TestProcessor),
    Stripe(Stripe),
}

impl Processor {
    async fn create_checkout(&self, r: &CheckoutRequest) -> Result<CheckoutSession, PaymentError> {
        match self {
            Processor::Test(p) => p.create_checkout(r).await,
            Processor::Stripe(p) => p.create_checkout(r).await,
        }
    }

    async fn checkout(&self, id: &str) -> Result<CheckoutSession, PaymentError> {
        match self {
            Processor::Test(p) => p.checkout(id).await,
            Processor::Stripe(p) => p.checkout(id).await,
        }
    }
}

/// A company's payment settings, secrets opened.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// `none`, `test` or `stripe`.
    pub(crate) processor: String,
    pub(crate) stripe_key: Option<String>,
    /// The webhook signing secret (derived from the instance key in test mode).
    pub(crate) webhook_secret: String,
    pub(crate) allow_partial: bool,
    pub(crate) ach: bool,
}

fn seal_context(company: CompanyId, what: &str) -> String {
    format!("payment_settings:{}:{what}", company.0)
}

/// The company's settings with its secrets opened.
pub(crate) async fn settings(app: &App, company: CompanyId) -> Result<Settings, AppError> {
    let row = app.store.payment_settings(company).await?;
    let open = |sealed: &Option<String>, what: &str| {
        sealed
            .as_deref()
            .and_then(|s| app.secret_key().open(s, &seal_context(company, what)))
    };
    let webhook_secret = if row.processor == "test" {
        test_webhook_secret(app, company)
    } else {
        open(&row.webhook_secret_sealed, "webhook_secret")
            .or_else(|| app.processors.stripe_default_webhook.clone())
            .unwrap_or_default()
    };
    Ok(Settings {
        stripe_key: open(&row.stripe_secret_sealed, "stripe_secret")
            .or_else(|| app.processors.stripe_default_key.clone()),
        processor: row.processor,
        webhook_secret,
        allow_partial: row.allow_partial,
        ach: row.ach_enabled,
    })
}

/// The test processor's webhook signing secret for `company`.
pub fn test_webhook_secret(app: &App, company: CompanyId) -> String {
    format!(
        "whsec_test_{}",
        app.secret_key()
            .derive(&format!("test-webhook:{}", company.0))
    )
}

/// The processor the settings name; `NotFound` when the company takes no payments online.
pub(crate) fn processor(app: &App, s: &Settings) -> Result<Processor, AppError> {
    match s.processor.as_str() {
        "test" => Ok(Processor::Test(app.processors.test.clone())),
        "stripe" => {
            let key = s.stripe_key.as_deref().ok_or_else(|| {
                AppError::conflict(
                    "not_configured",
                    "Online payment is not set up yet: the company has no processor key.",
                )
            })?;
            Stripe::new(key, app.processors.stripe_api_base.as_deref())
                .map(Processor::Stripe)
                .map_err(|e| AppError::conflict("not_configured", e.to_string()))
        }
        _ => Err(AppError::conflict(
            "not_configured",
            "This company does not take payments online. Contact the office to pay.",
        )),
    }
}

/// Payment settings as an administrator sets them.
#[derive(Debug, Clone, Default)]
pub struct PaymentSettingsForm {
    /// `none`, `test` or `stripe`.
    pub processor: String,
    /// The Stripe secret key (empty: keep the one saved).
    pub stripe_secret_key: String,
    /// The webhook signing secret (empty: keep the one saved).
    pub webhook_secret: String,
    /// Customers may pay part of an invoice.
    pub allow_partial: bool,
    /// Offer US bank accounts (ACH).
    pub ach_enabled: bool,
}

impl PaymentSettingsForm {
    /// Checks what can be checked without the saved settings: a known processor and
    /// secrets shaped as Stripe's (each message next to its field).
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if !matches!(self.processor.trim(), "none" | "test" | "stripe") {
            errors.0.push(Invalid::new(
                "processor",
                "Choose no online payments, test mode or Stripe.",
            ));
        }
        errors.check(check_secret(&self.stripe_secret_key, "stripe_secret_key"));
        errors.check(check_secret(&self.webhook_secret, "webhook_secret"));
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Sets the company's payment settings, secrets sealed under the instance key; audited
/// (without the secrets).
pub async fn configure(
    app: &App,
    admin: Admin<'_>,
    form: &PaymentSettingsForm,
) -> Result<(), AppError> {
    let actor = admin.staff();
    let company = actor.company().id;
    if let Some(first) = form.check().err().and_then(|e| e.0.into_iter().next()) {
        return Err(first.into());
    }
    let processor = form.processor.trim().to_owned();
    let old = app.store.payment_settings(company).await?;
    let seal =
        |plain: &str, what: &str, kept: Option<String>| -> Result<Option<String>, AppError> {
            let plain = plain.trim();
            if plain.is_empty() {
                return Ok(kept);
            }
            app.secret_key()
                .seal(plain, &seal_context(company, what))
                .map(Some)
                .map_err(AppError::Internal)
        };
    let row = PaymentSettingsRow {
        stripe_secret_sealed: seal(
            &form.stripe_secret_key,
            "stripe_secret",
            old.stripe_secret_sealed,
        )?,
        webhook_secret_sealed: seal(
            &form.webhook_secret,
            "webhook_secret",
            old.webhook_secret_sealed,
        )?,
        allow_partial: form.allow_partial,
        ach_enabled: form.ach_enabled,
        processor: processor.clone(),
    };
    if processor == "stripe" {
        if row.stripe_secret_sealed.is_none() && app.processors.stripe_default_key.is_none() {
            return Err(Invalid::new(
                "stripe_secret_key",
                "Stripe needs its secret key: paste it from Stripe's dashboard (Developers, API keys).",
            )
            .into());
        }
        if row.webhook_secret_sealed.is_none() && app.processors.stripe_default_webhook.is_none() {
            return Err(Invalid::new(
                "webhook_secret",
                "Stripe needs the webhook signing secret: add the endpoint shown on this page in Stripe's dashboard (Developers, Webhooks) and paste its signing secret.",
            )
            .into());
        }
    }
    let mut tx = app.store.begin().await?;
    tx.set_payment_settings(company, &row).await?;
    let detail = serde_json::json!({
        "processor": processor, "allow_partial": form.allow_partial, "ach_enabled": form.ach_enabled,
    });
    tx.audit(
        company,
        &actor.audit("payments.configured", ("company", company.0), detail),
    )
    .await?;
    app.commit(tx, false).await
}

/// Checks a typed secret: empty (keep the saved one), else Stripe's shape (`sk_`/`rk_`
/// for a secret or restricted key, `whsec_` for a webhook signing secret).
fn check_secret(typed: &str, field: &'static str) -> Result<(), Invalid> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(());
    }
    if typed.len() > 255 || typed.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Invalid::new(
            field,
            "That is not a key: paste it again without spaces.",
        ));
    }
    match field {
        "webhook_secret" if !typed.starts_with("whsec_") => Err(Invalid::new(
            field,
            "A webhook signing secret starts with whsec_.",
        )),
        "stripe_secret_key" if !(typed.starts_with("sk_") || typed.starts_with("rk_")) => {
            Err(Invalid::new(
                field,
                "A Stripe secret key starts with sk_ (or rk_ for a restricted key); the publishable pk_ key is not the one.",
            ))
        }
        _ => Ok(()),
    }
}

/// Invoices to pay, checked: their numbers and, for one invoice, the amount typed.
#[derive(Debug, Clone)]
pub struct PayInvoices {
    numbers: Vec<String>,
    amount_minor: Option<i64>,
    tip: Tip,
}

impl PayInvoices {
    /// Checks the chosen invoice numbers (at least one, each once) and `amount` (empty:
    /// the whole balance; only with one invoice).
    pub fn parse(
        numbers: &[String],
        amount: &str,
        currency: Currency,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut chosen: Vec<String> = Vec::new();
        for n in numbers {
            let n = n.trim();
            if !n.is_empty() && !chosen.iter().any(|c| c == n) {
                chosen.push(n.to_owned());
            }
        }
        if chosen.is_empty() {
            errors.0.push(Invalid::new(
                "invoices",
                "Choose at least one invoice to pay.",
            ));
        }
        let amount_minor = if amount.trim().is_empty() {
            None
        } else if chosen.len() > 1 {
            errors.0.push(Invalid::new(
                "amount",
                "An amount can be chosen only when paying one invoice.",
            ));
            None
        } else {
            errors.check(rules::parse_amount(amount, currency))
        };
        if errors.is_empty() {
            Ok(PayInvoices {
                numbers: chosen,
                amount_minor,
                tip: Tip::None,
            })
        } else {
            Err(errors)
        }
    }

    /// Adds the tip chosen (`tip`: empty, a preset percentage or `amount` with
    /// `tip_amount` typed); only with one invoice.
    pub fn with_tip(
        mut self,
        choice: &str,
        typed: &str,
        currency: Currency,
    ) -> Result<Self, FieldErrors> {
        let tip = deposits::parse_tip(choice, typed, currency).map_err(|e| FieldErrors(vec![e]))?;
        if tip != Tip::None && self.numbers.len() != 1 {
            return Err(FieldErrors(vec![Invalid::new(
                "tip",
                "A tip can be added when paying one invoice.",
            )]));
        }
        self.tip = tip;
        Ok(self)
    }
}

/// A checkout opened: where to send the browser.
#[derive(Debug, Clone)]
pub struct CheckoutStarted {
    /// Doorstep's reference (the return page's address).
    pub reference: String,
    /// The processor's page, or the return page when credit paid everything.
    pub url: String,
}

/// The return page's address for checkout `reference`.
pub fn return_path(reference: &str) -> String {
    format!("/pay/return/{reference}")
}

/// Opens a hosted checkout for `cmd`'s invoices of the contact's account. Refused with
/// `NotFound` for a contact who may not pay (a site contact, payments switched off) or an
/// invoice that is not the account's; a conflict for a void, draft or paid invoice, one
/// an open checkout holds (another tab: refused before the processor is called), or a
/// company without a processor; the amount's message above the balance, or below it when
/// partial payments are not allowed. Account credit is applied first.
pub async fn start_checkout(
    app: &App,
    actor: &ContactActor,
    cmd: PayInvoices,
) -> Result<CheckoutStarted, AppError> {
    actor.require(PortalAction::Pay)?;
    let company = actor.company();
    let settings = settings(app, company.id).await?;
    let provider = processor(app, &settings)?;
    let who = actor.who(app).await?;
    let cur = currency(company);
    let mut tx = app.store.begin().await?;
    let now = doorstep_store::now();
    tx.expire_stale_checkouts(company.id, now - time::Duration::minutes(HOLD_MINUTES))
        .await?;
    let mut lines: Vec<(InvoiceId, String, i64)> = Vec::new();
    for number in &cmd.numbers {
        let invoice = tx
            .invoice_to_pay(company.id, actor.customer(), number)
            .await?
            .ok_or(AppError::NotFound)?;
        payable(&invoice.number, &invoice.status)
            .map_err(|e| reword(e, "Nothing was recorded.", "Nothing was charged."))?;
        let balance = invoice.balance_minor();
        let amount = cmd.amount_minor.unwrap_or(balance);
        if amount > balance {
            return Err(Invalid::new(
                "amount",
                format!(
                    "{} is more than the balance of invoice {} ({}).",
                    money(company, amount),
                    invoice.number,
                    money(company, balance)
                ),
            )
            .into());
        }
        if amount < balance && !settings.allow_partial {
            return Err(Invalid::new(
                "amount",
                format!(
                    "Pay the whole balance of invoice {} ({}): this company does not take part payments online.",
                    invoice.number,
                    money(company, balance)
                ),
            )
            .into());
        }
        if amount <= 0 {
            return Err(AppError::conflict(
                "paid",
                format!("Invoice {} has nothing left to pay.", invoice.number),
            ));
        }
        lines.push((InvoiceId(invoice.id), invoice.number, amount));
    }
    let ids: Vec<InvoiceId> = lines.iter().map(|l| l.0).collect();
    if let Some(number) = tx.invoice_in_open_checkout(company.id, &ids).await? {
        return Err(in_another_tab(&number));
    }
    let total: i64 = lines.iter().map(|l| l.2).sum();
    let tip_minor = tip_for(&mut tx, company, &cmd, &lines).await?;
    if total + tip_minor > doorstep_payments::provider::MAX_AMOUNT_MINOR {
        return Err(Invalid::new(
            "invoices",
            "That is too much for one payment: choose fewer invoices.",
        )
        .into());
    }
    // A tipped payment is charged to the card in full: account credit stays for others.
    let credit = if tip_minor > 0 {
        0
    } else {
        tx.credit_of(company.id, actor.customer())
            .await?
            .clamp(0, total)
    };
    let reference = random_hex(16);
    let new = NewCheckout {
        customer: actor.customer(),
        contact: actor.contact().0,
        processor: if settings.processor == "stripe" {
            "stripe"
        } else {
            "test"
        },
        reference: reference.clone(),
        amount_minor: total,
        credit_minor: credit,
        currency: cur.code().to_lowercase(),
        invoices: lines.iter().map(|l| (l.0, l.2)).collect(),
        kind: "invoices",
        estimate: None,
        tip_minor,
    };
    let id = match tx.insert_checkout(company.id, &new).await {
        Ok(id) => id,
        Err(StoreError::Conflict(_)) => {
            return Err(in_another_tab(&lines[0].1));
        }
        Err(e) => return Err(e.into()),
    };
    let detail = serde_json::json!({
        "reference": reference, "processor": new.processor, "amount_minor": total,
        "credit_minor": credit, "tip_minor": tip_minor,
        "invoices": lines.iter().map(|l| serde_json::json!({"number": l.1, "amount_minor": l.2})).collect::<Vec<_>>(),
    });
    tx.audit(
        company.id,
        &actor.audit(
            &who.email,
            "payment.checkout_opened",
            ("customer", actor.customer().0),
            detail,
        ),
    )
    .await?;
    if credit == total && tip_minor == 0 {
        // Credit pays everything: no processor page, settled now.
        let row = tx
            .checkout_by_reference(company.id, &reference)
            .await?
            .ok_or(AppError::NotFound)?;
        let queued = settle_checkout(app, &mut tx, company, &row, (0, None), actor.ip()).await?;
        app.commit(tx, queued).await?;
        return Ok(CheckoutStarted {
            url: return_path(&reference),
            reference,
        });
    }
    app.commit(tx, false).await?;

    // The processor is called with no transaction or connection held.
    let request = checkout_request(
        app,
        company,
        &settings,
        &reference,
        (&lines, credit, tip_minor),
        cur,
    );
    open_page(app, company, &provider, (id, reference), &request).await
}

/// The tip `cmd` asks for on `lines`, checked: the company takes tips, one invoice, of a
/// completed job, at most what is paid on it.
async fn tip_for(
    tx: &mut doorstep_store::Tx,
    company: &Company,
    cmd: &PayInvoices,
    lines: &[(InvoiceId, String, i64)],
) -> Result<i64, AppError> {
    if cmd.tip == Tip::None {
        return Ok(0);
    }
    if !company.settings.allow_tips {
        return Err(Invalid::new("tip", "This company does not take tips online.").into());
    }
    let [(invoice, number, amount)] = lines else {
        return Err(Invalid::new("tip", "A tip can be added when paying one invoice.").into());
    };
    if !tx.invoice_job_completed(company.id, *invoice).await? {
        return Err(Invalid::new(
            "tip",
            format!("A tip can be added only to the invoice of a completed job; invoice {number} is not one."),
        )
        .into());
    }
    Ok(deposits::check_tip(cmd.tip.amount(*amount), *amount)?)
}

/// Asks the processor for the page of checkout `id` (opened and committed before), with
/// no transaction held; records its session, or closes the checkout as failed.
pub(crate) async fn open_page(
    app: &App,
    company: &Company,
    provider: &Processor,
    (id, reference): (i64, String),
    request: &CheckoutRequest,
) -> Result<CheckoutStarted, AppError> {
    let opened = provider.create_checkout(request).await;
    let mut tx = app.store.begin().await?;
    match opened {
        Ok(session) => {
            tx.set_checkout_session(company.id, id, &session.id, session.url.as_deref())
                .await?;
            app.commit(tx, false).await?;
            let url = session.url.ok_or_else(|| {
                AppError::Internal("the processor opened a page without an address".into())
            })?;
            Ok(CheckoutStarted { reference, url })
        }
        Err(e) => {
            tx.move_checkout(company.id, id, &["open"], "failed", &e.to_string())
                .await?;
            app.commit(tx, false).await?;
            tracing::warn!(error = %e, "opening a checkout failed");
            Err(AppError::conflict(
                "processor",
                if e.is_retryable() {
                    "The payment page could not be opened just now. Nothing was charged; try again in a minute.".to_owned()
                } else {
                    "The payment page could not be opened. Nothing was charged; please contact the office.".to_owned()
                },
            ))
        }
    }
}

fn reword(e: AppError, from: &str, to: &str) -> AppError {
    match e {
        AppError::Conflict { reason, message } => AppError::Conflict {
            reason,
            message: message.replace(from, to),
        },
        other => other,
    }
}

fn in_another_tab(number: &str) -> AppError {
    AppError::conflict(
        "open_checkout",
        format!(
            "Invoice {number} is already being paid in another tab or window. Finish or close that payment first (or try again in {HOLD_MINUTES} minutes). Nothing was charged."
        ),
    )
}

/// The processor's request: one line per invoice, credit taken off the first ones, and
/// the tip on a line of its own.
fn checkout_request(
    app: &App,
    company: &Company,
    settings: &Settings,
    reference: &str,
    (lines, credit, tip): (&[(InvoiceId, String, i64)], i64, i64),
    cur: Currency,
) -> CheckoutRequest {
    let mut credit_left = credit;
    let mut out = Vec::new();
    for (_, number, amount) in lines {
        let from_credit = credit_left.min(*amount);
        credit_left -= from_credit;
        if amount - from_credit > 0 {
            out.push(CheckoutLine {
                name: if from_credit > 0 {
                    format!(
                        "Invoice {number} (after {} account credit)",
                        money(company, from_credit)
                    )
                } else {
                    format!("Invoice {number}")
                },
                amount_minor: amount - from_credit,
            });
        }
    }
    if tip > 0 {
        out.push(CheckoutLine {
            name: "Tip".to_owned(),
            amount_minor: tip,
        });
    }
    let numbers: Vec<&str> = lines.iter().map(|l| l.1.as_str()).collect();
    processor_request(
        app,
        (company, settings),
        reference,
        out,
        ("invoices", &numbers.join(",")),
        ("/invoices", cur),
    )
}

/// A processor request for checkout `reference` with `lines`, its metadata (`key`,
/// `value`) besides the checkout's, cancelling back to `cancel_path`.
pub(crate) fn processor_request(
    app: &App,
    (company, settings): (&Company, &Settings),
    reference: &str,
    lines: Vec<CheckoutLine>,
    (key, value): (&str, &str),
    (cancel_path, cur): (&str, Currency),
) -> CheckoutRequest {
    let (success_url, cancel_url) = if settings.processor == "test" {
        (return_path(reference), cancel_path.to_owned())
    } else {
        (
            app.links().portal(&company.slug, &return_path(reference)),
            app.links().portal(&company.slug, cancel_path),
        )
    };
    CheckoutRequest {
        idempotency_key: format!("checkout-{reference}"),
        currency: cur.code().to_lowercase(),
        lines,
        customer: None,
        success_url,
        cancel_url,
        client_reference_id: reference.to_owned(),
        metadata: BTreeMap::from([
            ("checkout".to_owned(), reference.to_owned()),
            ("company".to_owned(), company.slug.clone()),
            (key.to_owned(), value.to_owned()),
        ]),
        methods: MethodKinds {
            card: true,
            us_bank_account: settings.ach,
        },
        save_method: false,
    }
}

/// A checkout as its return page shows it.
#[derive(Debug, Clone)]
pub struct CheckoutState {
    /// The checkout.
    pub checkout: CheckoutRow,
    /// Its invoices' numbers and amounts.
    pub invoices: Vec<(String, i64)>,
}

/// The return page: reads checkout `reference` of the contact's account and, while it is
/// open, the processor's own account of it (never the browser's word): a paid session is
/// settled through the same idempotent settlement as its webhook, an expired one closed.
pub async fn confirm_return(
    app: &App,
    actor: &ContactActor,
    reference: &str,
) -> Result<CheckoutState, AppError> {
    actor.require(PortalAction::Pay)?;
    let company = actor.company();
    let row = app
        .store
        .checkout_of(company.id, actor.customer(), reference)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.status == "open"
        && let Some(session_id) = row.processor_session_id.as_deref()
    {
        let settings = settings(app, company.id).await?;
        if let Ok(provider) = processor(app, &settings) {
            // No transaction is held while the processor answers.
            match provider.checkout(session_id).await {
                Ok(session) if session.is_paid() => {
                    let mut tx = app.store.begin().await?;
                    let queued = settle_checkout(
                        app,
                        &mut tx,
                        company,
                        &row,
                        (
                            session.amount_total.unwrap_or(row.charge_minor()),
                            session.payment_intent,
                        ),
                        actor.ip(),
                    )
                    .await?;
                    app.commit(tx, queued).await?;
                }
                Ok(session) if session.status == "expired" => {
                    let mut tx = app.store.begin().await?;
                    tx.move_checkout(company.id, row.id, &["open"], "expired", "")
                        .await?;
                    app.commit(tx, false).await?;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "reading a checkout back failed"),
            }
        }
    }
    let checkout = app
        .store
        .checkout_of(company.id, actor.customer(), reference)
        .await?
        .ok_or(AppError::NotFound)?;
    let invoices = app.store.checkout_invoices(company.id, checkout.id).await?;
    Ok(CheckoutState { checkout, invoices })
}
