//! The processor's webhooks: verified before anything in them is read, each event
//! recorded in `processor_events` in the same transaction as what it changes (so a
//! repeated or concurrent delivery changes nothing twice), and the one settlement of a
//! paid checkout that the return page shares. The test processor's hosted page completes
//! through here too: it signs its event with the company's test secret.

use std::net::IpAddr;

use doorstep_core::authz::PortalAction;
use doorstep_core::ids::InvoiceId;
use doorstep_core::validation::Invalid;
use doorstep_payments::test_processor::{self, CardOutcome};
use doorstep_payments::webhook::{self, Event};
use doorstep_payments::{CheckoutSession, PaymentError, TestProcessor};
use doorstep_store::Tx;
use doorstep_store::companies::Company;
use doorstep_store::online_payments::{CheckoutRow, OnlinePayment, ProcessorPayment};
use doorstep_store::request_inbox::Numbered;

use super::online::{settings, test_webhook_secret};
use super::receipt::Receipt;
use super::{Paid, money, settle};
use crate::crypto::random_hex;
use crate::{App, AppError, ContactActor};

/// What a delivered event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookOutcome {
    /// It was handled before: nothing changed.
    Duplicate,
    /// Invoices were paid (or the checkout was settled before by its return page).
    Settled,
    /// A checkout was closed unpaid (declined, expired).
    Closed,
    /// A refund was recorded.
    Refunded,
    /// Nothing Doorstep acts on (another event type, an unknown checkout).
    Ignored,
    /// A setup page completed: the payment method it saved was recorded.
    MethodSaved,
}

/// Handles one webhook delivery to `company`: `raw` is the body as received and
/// `signature` the `Stripe-Signature` header. Refused with `Invalid` (field `signature`)
/// when the signature or its timestamp does not check out — nothing is read or written
/// then.
pub async fn handle_webhook(
    app: &App,
    company: &Company,
    raw: &[u8],
    signature: Option<&str>,
    ip: IpAddr,
) -> Result<WebhookOutcome, AppError> {
    let s = settings(app, company.id).await?;
    if s.processor == "none" || s.webhook_secret.is_empty() {
        return Err(Invalid::new("signature", "No processor is configured.").into());
    }
    let now = doorstep_store::now().unix_timestamp();
    let event = webhook::verify(raw, signature, &s.webhook_secret, now).map_err(|e| match e {
        PaymentError::BadSignature(why) => Invalid::new("signature", why),
        other => Invalid::new("signature", other.to_string()),
    })?;
    if let Some(outcome) = super::cards::setup_event(app, company, &s, &event, ip).await? {
        return Ok(outcome);
    }
    let processor = s.processor.as_str();
    let mut tx = app.store.begin().await?;
    if !tx
        .record_processor_event(company.id, processor, &event.id, &event.kind)
        .await?
    {
        return Ok(WebhookOutcome::Duplicate);
    }
    let (outcome, queued) = apply(app, &mut tx, company, processor, &event, ip).await?;
    app.commit(tx, queued).await?;
    Ok(outcome)
}

async fn apply(
    app: &App,
    tx: &mut Tx,
    company: &Company,
    processor: &str,
    event: &Event,
    ip: IpAddr,
) -> Result<(WebhookOutcome, bool), AppError> {
    let bad = |e: PaymentError| AppError::from(Invalid::new("body", e.to_string()));
    match event.kind.as_str() {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            let session = event.checkout_session().map_err(bad)?;
            if !session.is_paid() {
                return Ok((WebhookOutcome::Ignored, false));
            }
            let Some(row) = tx.checkout_by_session(company.id, &session.id).await? else {
                return Ok((WebhookOutcome::Ignored, false));
            };
            let charged = session.amount_total.unwrap_or(row.charge_minor());
            let queued = settle_checkout(
                app,
                tx,
                company,
                &row,
                (charged, session.payment_intent),
                ip,
            )
            .await?;
            Ok((WebhookOutcome::Settled, queued))
        }
        "checkout.session.expired" | "checkout.session.async_payment_failed" => {
            let session = event.checkout_session().map_err(bad)?;
            let Some(row) = tx.checkout_by_session(company.id, &session.id).await? else {
                return Ok((WebhookOutcome::Ignored, false));
            };
            let (to, why) = if event.kind.ends_with("expired") {
                ("expired", "")
            } else {
                ("failed", "The bank payment failed.")
            };
            tx.move_checkout(company.id, row.id, &["open"], to, why)
                .await?;
            Ok((WebhookOutcome::Closed, false))
        }
        "payment_intent.payment_failed" => {
            let intent = event.payment_intent().map_err(bad)?;
            let Some(reference) = intent.metadata.get("checkout") else {
                return Ok((WebhookOutcome::Ignored, false));
            };
            let Some(row) = tx.checkout_by_reference(company.id, reference).await? else {
                return Ok((WebhookOutcome::Ignored, false));
            };
            let why = event
                .failure_message()
                .unwrap_or_else(|| "The payment was declined.".to_owned());
            if tx
                .move_checkout(company.id, row.id, &["open"], "failed", &why)
                .await?
            {
                let detail = serde_json::json!({"reference": row.reference, "reason": why});
                tx.audit(
                    company.id,
                    &processor_audit(
                        processor,
                        "payment.declined",
                        ("customer", row.customer_id),
                        ip,
                        detail,
                    ),
                )
                .await?;
            }
            Ok((WebhookOutcome::Closed, false))
        }
        "charge.refunded" => {
            let charge = event.refunded_charge().map_err(bad)?;
            let Some(intent) = charge.payment_intent.as_deref() else {
                return Ok((WebhookOutcome::Ignored, false));
            };
            let Some(payment) = tx
                .payment_by_processor_ref(company.id, processor, intent)
                .await?
            else {
                return Ok((WebhookOutcome::Ignored, false));
            };
            let Some(taken) = take_back(tx, company, &payment, charge.amount_refunded).await?
            else {
                // An older or repeated event than one already applied: nothing to do.
                return Ok((WebhookOutcome::Duplicate, false));
            };
            tx.audit(
                company.id,
                &processor_audit(
                    processor,
                    "payment.refunded",
                    ("payment", payment.id),
                    ip,
                    taken.detail(&payment.number),
                ),
            )
            .await?;
            Ok((WebhookOutcome::Refunded, false))
        }
        _ => Ok((WebhookOutcome::Ignored, false)),
    }
}

/// What a refund took back: from which invoices, and what was on none.
#[derive(Debug, Clone)]
pub(crate) struct TakenBack {
    /// Refunded by this step, minor units.
    pub(crate) delta: i64,
    /// The payment's refunded total after it.
    pub(crate) total: i64,
    /// (invoice, amount) taken back from each.
    pub(crate) invoices: Vec<(InvoiceId, i64)>,
    /// What was refunded of the part that went to account credit.
    pub(crate) not_on_invoices: i64,
}

impl TakenBack {
    pub(crate) fn detail(&self, number: &str) -> serde_json::Value {
        serde_json::json!({
            "number": number, "refunded_minor": self.delta, "refunded_total_minor": self.total,
            "invoices": self.invoices.iter().map(|(i, a)| serde_json::json!({"invoice_id": i.0, "amount_minor": a})).collect::<Vec<_>>(),
            "not_on_invoices_minor": self.not_on_invoices,
        })
    }
}

/// Raises `payment`'s refunded total to `total` (the processor's running total) inside
/// `tx`, once: a compare-and-set on the total read, so a repeated, older or concurrent
/// report of the same refund (the office's own answer and the `charge.refunded` webhook)
/// changes nothing twice. What was taken back from the invoices (last first, skipping
/// what earlier refunds took), or `None` when nothing moved.
pub(crate) async fn take_back(
    tx: &mut Tx,
    company: &Company,
    payment: &ProcessorPayment,
    total: i64,
) -> Result<Option<TakenBack>, AppError> {
    let total = total.clamp(0, payment.amount_minor);
    let delta = total - payment.refunded_minor;
    if delta <= 0
        || !tx
            .set_refunded(
                company.id,
                payment.id,
                (payment.refunded_minor, total),
                total == payment.amount_minor,
            )
            .await?
    {
        return Ok(None);
    }
    let mut skip = payment.refunded_minor;
    let mut left = delta;
    let mut invoices = Vec::new();
    for (invoice, amount) in tx.allocations_of(company.id, payment.id).await? {
        let from_this = amount - skip.min(amount);
        skip -= skip.min(amount);
        let take = from_this.min(left);
        if take > 0 {
            tx.unapply_from_invoice(company.id, invoice, take).await?;
            invoices.push((invoice, take));
            left -= take;
        }
    }
    // One event per refund step, whichever path (office or processor) recorded it first.
    let data = serde_json::json!({"number": payment.number, "refunded_minor": delta, "refunded_total_minor": total, "currency": company.currency});
    crate::webhooks::emit(tx, company.id, "payment.refunded", data).await?;
    Ok(Some(TakenBack {
        delta,
        total,
        invoices,
        not_on_invoices: left,
    }))
}

fn processor_audit(
    processor: &str,
    action: &'static str,
    subject: (&'static str, i64),
    ip: IpAddr,
    detail: serde_json::Value,
) -> doorstep_store::audit::NewAuditEvent {
    let label = if processor == "stripe" {
        "Stripe"
    } else {
        "Test processor"
    };
    crate::audit::record(("system", None, label), action, subject, ip, detail)
}

/// Settles paid checkout `row` inside `tx`, once (a compare-and-set on its status: a
/// second delivery, or the return page after the webhook, changes nothing): the credit it
/// planned (when still there) and the `charged` money go to its invoices as far as each
/// balance still allows, the rest to account credit; the payment (and the credit's) with
/// their allocations, audit and receipt. Whether a receipt was queued.
pub(crate) async fn settle_checkout(
    app: &App,
    tx: &mut Tx,
    company: &Company,
    row: &CheckoutRow,
    (charged, processor_ref): (i64, Option<String>),
    ip: IpAddr,
) -> Result<bool, AppError> {
    if !tx
        .move_checkout(
            company.id,
            row.id,
            &["open", "expired", "failed"],
            "paid",
            "",
        )
        .await?
    {
        return Ok(false);
    }
    if row.is_deposit() {
        return super::deposits::settle_deposit(
            app,
            tx,
            company,
            row,
            (charged, processor_ref),
            ip,
        )
        .await;
    }
    // A tip is charged with the invoices but never applied to them.
    let tip = row.tip_minor.clamp(0, charged.max(0));
    let charged = charged - tip;
    let customer = row.customer();
    let credit_used = if row.credit_minor > 0
        && tx
            .change_credit(company.id, customer, -row.credit_minor)
            .await?
            .is_some()
    {
        row.credit_minor
    } else {
        0
    };
    let at = doorstep_store::now();
    let mut pool = charged.max(0) + credit_used;
    let mut paid: Vec<(InvoiceId, Paid)> = Vec::new();
    for (invoice, planned) in tx.checkout_lines(company.id, row.id).await? {
        let Some(current) = tx
            .invoice_to_pay_by_id(company.id, customer, invoice)
            .await?
        else {
            continue;
        };
        if current.status != "unpaid" {
            continue;
        }
        let amount = planned.min(current.balance_minor()).min(pool);
        if amount <= 0 {
            continue;
        }
        let balance_minor = settle(tx, company.id, customer, (invoice, amount), at).await?;
        pool -= amount;
        paid.push((
            invoice,
            Paid {
                number: current.number,
                amount_minor: amount,
                balance_minor,
            },
        ));
    }
    if pool > 0 {
        tx.change_credit(company.id, customer, pool)
            .await?
            .ok_or(AppError::NotFound)?;
    }
    // The credit's share goes to the first invoices, the processor's to the rest.
    let (mut credit_alloc, mut card_alloc) = (Vec::new(), Vec::new());
    let mut credit_left = credit_used;
    for (invoice, p) in &paid {
        let c = credit_left.min(p.amount_minor);
        credit_left -= c;
        if c > 0 {
            credit_alloc.push((*invoice, c));
        }
        if p.amount_minor - c > 0 {
            card_alloc.push((*invoice, p.amount_minor - c));
        }
    }
    let mut receipt_number = None;
    let mut main_payment = None;
    let processor_label = if row.processor == "stripe" {
        "Card"
    } else {
        "Card (test mode)"
    };
    if charged > 0 || tip > 0 {
        let number = tx.next_number(company.id, Numbered::Payment).await?;
        let id = tx
            .insert_online_payment(
                company.id,
                &OnlinePayment {
                    customer,
                    number: number.clone(),
                    amount_minor: charged,
                    method: "card",
                    processor: Some(row.processor.clone()),
                    processor_ref: processor_ref.clone(),
                    reference: String::new(),
                    received_at: at,
                    allocations: card_alloc,
                    tip_minor: tip,
                },
            )
            .await?;
        receipt_number = Some(number);
        main_payment = Some(id);
    }
    if credit_used > 0 {
        let number = tx.next_number(company.id, Numbered::Payment).await?;
        let id = tx
            .insert_online_payment(
                company.id,
                &OnlinePayment {
                    customer,
                    number: number.clone(),
                    amount_minor: credit_used,
                    method: "credit",
                    processor: None,
                    processor_ref: None,
                    reference: "Account credit applied".into(),
                    received_at: at,
                    allocations: credit_alloc,
                    tip_minor: 0,
                },
            )
            .await?;
        if main_payment.is_none() {
            receipt_number = Some(number);
            main_payment = Some(id);
        }
    }
    let (Some(number), Some(payment)) = (receipt_number, main_payment) else {
        return Ok(false);
    };
    tx.set_checkout_payment(company.id, row.id, payment).await?;
    let detail = serde_json::json!({
        "number": number, "reference": row.reference, "processor": row.processor,
        "processor_ref": processor_ref, "charged_minor": charged, "credit_applied_minor": credit_used,
        "to_credit_minor": pool, "tip_minor": tip,
        "invoices": paid.iter().map(|(_, p)| serde_json::json!({"number": p.number, "amount_minor": p.amount_minor})).collect::<Vec<_>>(),
    });
    tx.audit(
        company.id,
        &processor_audit(
            &row.processor,
            "payment.online",
            ("payment", payment.0),
            ip,
            detail,
        ),
    )
    .await?;
    let data = serde_json::json!({"number": number, "customer_id": customer.0, "amount_minor": if charged > 0 { charged } else { credit_used }, "method": if charged > 0 { "card" } else { "credit" }, "currency": company.currency, "online": true});
    crate::webhooks::emit(tx, company.id, "payment.succeeded", data).await?;
    let mut notes = Vec::new();
    if credit_used > 0 {
        notes.push(format!(
            "Account credit applied: {}",
            money(company, credit_used)
        ));
    }
    if pool > 0 {
        notes.push(format!("Kept as account credit: {}", money(company, pool)));
    }
    if tip > 0 {
        notes.push(format!(
            "Tip: {} (thank you; not applied to any invoice)",
            money(company, tip)
        ));
    }
    let paid: Vec<Paid> = paid.into_iter().map(|(_, p)| p).collect();
    let receipt = Receipt {
        number: &number,
        amount_minor: if charged + tip > 0 {
            charged + tip
        } else {
            credit_used
        },
        method: if charged + tip > 0 {
            processor_label
        } else {
            "Account credit"
        },
        reference: "",
        received_on: at.date(),
        paid: &paid,
        credit_line: (!notes.is_empty()).then(|| notes.join("\n")),
    };
    receipt.send(app, tx, company, customer).await
}

/// The test processor's hosted page: what it shows.
#[derive(Debug, Clone)]
pub struct TestCheckout {
    /// The checkout.
    pub checkout: CheckoutRow,
    /// Its invoices' numbers and amounts.
    pub invoices: Vec<(String, i64)>,
}

/// Test checkout `session` of the contact's account (for its hosted page); `NotFound`
/// unless the company is in test mode and the checkout is the account's.
pub async fn test_checkout(
    app: &App,
    actor: &ContactActor,
    session: &str,
) -> Result<TestCheckout, AppError> {
    actor.require(PortalAction::Pay)?;
    let company = actor.company();
    let reference = session.strip_prefix("cs_test_").ok_or(AppError::NotFound)?;
    let checkout = app
        .store
        .checkout_of(company.id, actor.customer(), reference)
        .await?
        .filter(|k| k.processor == "test")
        .ok_or(AppError::NotFound)?;
    let invoices = app.store.checkout_invoices(company.id, checkout.id).await?;
    Ok(TestCheckout { checkout, invoices })
}

/// The contact pays test checkout `session` with the typed `card`: the test processor
/// makes its event (paid, or declined), signs it with the company's test webhook secret
/// and hands it to [`handle_webhook`] — the same path a real processor's delivery takes.
/// The checkout's reference, for the return page. The card's message (field `card`) for
/// anything but the two test cards.
pub async fn pay_test_checkout(
    app: &App,
    actor: &ContactActor,
    session: &str,
    card: &str,
) -> Result<String, AppError> {
    let found = test_checkout(app, actor, session).await?;
    let company = actor.company();
    if settings(app, company.id).await?.processor != "test" {
        return Err(AppError::NotFound);
    }
    let k = &found.checkout;
    if k.status != "open" {
        return Ok(k.reference.clone());
    }
    let outcome: CardOutcome =
        test_processor::card_outcome(card).map_err(|m| Invalid::new("card", m))?;
    let session = CheckoutSession {
        id: TestProcessor::session_id(&k.reference),
        url: None,
        status: "open".into(),
        payment_status: "unpaid".into(),
        amount_total: Some(k.charge_minor()),
        currency: Some(super::currency(company).code().to_lowercase()),
        payment_intent: None,
        setup_intent: None,
        customer: None,
        client_reference_id: Some(k.reference.clone()),
        metadata: std::collections::BTreeMap::from([("checkout".to_owned(), k.reference.clone())]),
    };
    let now = doorstep_store::now().unix_timestamp();
    let body = app.processors.test.completion_event(
        &session,
        outcome,
        &format!("evt_test_{}", random_hex(12)),
        now,
    );
    let secret = test_webhook_secret(app, company.id);
    let header = webhook::sign(&body, &secret, now);
    handle_webhook(app, company, &body, Some(&header), actor.ip()).await?;
    Ok(k.reference.clone())
}
