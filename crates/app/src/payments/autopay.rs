//! Autopay (issue 19): on an invoice's due date — the company's today, swept once per
//! time zone in use like the visit reminders — the account's default method is charged
//! off-session for the balance, when the account opted in. Each invoice and due date is
//! claimed once by one conditional insert (`autopay_charges`' unique key), so two server
//! processes on one database charge it once; the processor gets the same idempotency
//! key for the same invoice and due date. A success is recorded as an online payment
//! with its receipt; a decline emails the account's billing contacts and lists the
//! invoice for the office's follow-up. The processor is called with no transaction held.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

use doorstep_core::ids::{CompanyId, CustomerId, InvoiceId};
use doorstep_core::local_time::{self, Zone};
use doorstep_mail::EmailKind;
use doorstep_payments::{OffSessionCharge, PaymentError};
use doorstep_store::companies::Company;
use doorstep_store::online_payments::OnlinePayment;
use doorstep_store::request_inbox::Numbered;
use doorstep_store::saved_methods::ClaimedCharge;
use time::OffsetDateTime;

use super::cards::company_by_id;
use super::online::{processor, settings};
use super::receipt::Receipt;
use super::{Paid, currency, money, settle};
use crate::{App, AppError};

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AutopayRun {
    /// Invoices charged and paid.
    pub paid: usize,
    /// Charges declined (emailed, listed for the office).
    pub failed: usize,
    /// Charges given back for a later sweep (the processor could not be reached).
    pub retried: usize,
}

/// The audit records' address for what the sweep does (no person is behind it).
const SWEEP_IP: IpAddr = IpAddr::V4(Ipv4Addr::UNSPECIFIED);

/// Charges the autopay invoices due on each company's today at `now`, once each.
pub async fn run_autopay(app: &App, now: OffsetDateTime) -> Result<AutopayRun, AppError> {
    let mut run = AutopayRun::default();
    for stored in app.store.company_zones().await? {
        let zone = Zone::parse(&stored).unwrap_or_else(|_| Zone::utc());
        let today = local_time::today(&zone, now);
        let mut tx = app.store.begin().await?;
        let claimed = tx.claim_autopay(&stored, today).await?;
        app.commit(tx, false).await?;
        for charge in claimed {
            match charge_one(app, &charge).await {
                Ok(Outcome::Paid) => run.paid += 1,
                Ok(Outcome::Failed) => run.failed += 1,
                Ok(Outcome::Retry) => run.retried += 1,
                Err(e) => {
                    tracing::warn!(error = %e, charge = charge.id, "an autopay charge failed to record")
                }
            }
        }
    }
    Ok(run)
}

enum Outcome {
    Paid,
    Failed,
    Retry,
}

async fn charge_one(app: &App, c: &ClaimedCharge) -> Result<Outcome, AppError> {
    let company_id = CompanyId(c.company_id);
    let Some(company) = company_by_id(app, company_id).await? else {
        return Ok(Outcome::Failed);
    };
    let mut tx = app.store.begin().await?;
    let context = tx.autopay_context(company_id, c.id).await?;
    // A card is charged on what was read: only once it is durable.
    tx.rollback().await?;
    let Some(context) = context else {
        let failure = "The card was removed before it could be charged.";
        return fail(app, &company, c, ("", "", failure)).await;
    };
    let s = settings(app, company_id).await?;
    let provider = match processor(app, &s) {
        Ok(p) => p,
        Err(e) => {
            let why = match &e {
                AppError::Conflict { message, .. } => message.clone(),
                other => other.to_string(),
            };
            return fail(
                app,
                &company,
                c,
                (&context.number, &context.method_label, &why),
            )
            .await;
        }
    };
    let charge = OffSessionCharge {
        idempotency_key: format!("autopay-{}-{}-{}", c.company_id, c.invoice_id, c.due_on),
        amount_minor: c.amount_minor,
        currency: currency(&company).code().to_lowercase(),
        customer: context.processor_customer_id.clone().unwrap_or_default(),
        payment_method: context.processor_ref.clone(),
        metadata: BTreeMap::from([
            ("autopay".to_owned(), c.id.to_string()),
            ("company".to_owned(), company.slug.clone()),
            ("invoices".to_owned(), context.number.clone()),
        ]),
    };
    // No transaction is held while the processor answers.
    match provider.charge_saved(&charge).await {
        Ok(intent) if intent.status == "succeeded" => {
            paid(
                app,
                &company,
                c,
                (&context.processor, &intent.id, &context.number),
            )
            .await
        }
        Ok(intent) => {
            let why = format!(
                "The processor did not complete the payment (it is {}).",
                intent.status.replace('_', " ")
            );
            fail(
                app,
                &company,
                c,
                (&context.number, &context.method_label, &why),
            )
            .await
        }
        Err(e) if e.is_retryable() => {
            tracing::warn!(error = %e, charge = c.id, "autopay: the processor could not be reached; trying again later");
            let mut tx = app.store.begin().await?;
            tx.release_autopay(company_id, c.id).await?;
            app.commit(tx, false).await?;
            Ok(Outcome::Retry)
        }
        Err(PaymentError::Declined { message, .. }) => {
            fail(
                app,
                &company,
                c,
                (&context.number, &context.method_label, &message),
            )
            .await
        }
        Err(e) => {
            let why = e.to_string();
            fail(
                app,
                &company,
                c,
                (&context.number, &context.method_label, &why),
            )
            .await
        }
    }
}

/// Records the money charged: to the invoice as far as its balance still allows (the
/// rest to account credit), the payment, the audit record and the receipt — once (the
/// charge moves from `charging` in the same transaction).
async fn paid(
    app: &App,
    company: &Company,
    c: &ClaimedCharge,
    (processor_name, intent, number): (&str, &str, &str),
) -> Result<Outcome, AppError> {
    let company_id = company.id;
    let customer = CustomerId(c.customer_id);
    let invoice = InvoiceId(c.invoice_id);
    let at = doorstep_store::now();
    let mut tx = app.store.begin().await?;
    let mut paid = Vec::new();
    let mut allocations = Vec::new();
    let mut rest = c.amount_minor;
    if let Some(current) = tx
        .invoice_to_pay_by_id(company_id, customer, invoice)
        .await?
        && current.status == "unpaid"
    {
        let amount = c.amount_minor.min(current.balance_minor());
        if amount > 0 {
            let balance_minor =
                settle(&mut tx, company_id, customer, (invoice, amount), at).await?;
            rest -= amount;
            allocations.push((invoice, amount));
            paid.push(Paid {
                number: current.number,
                amount_minor: amount,
                balance_minor,
            });
        }
    }
    if rest > 0 {
        tx.change_credit(company_id, customer, rest)
            .await?
            .ok_or(AppError::NotFound)?;
    }
    let receipt_number = tx.next_number(company_id, Numbered::Payment).await?;
    let payment = tx
        .insert_online_payment(
            company_id,
            &OnlinePayment {
                customer,
                number: receipt_number.clone(),
                amount_minor: c.amount_minor,
                method: "card",
                processor: Some(processor_name.to_owned()),
                processor_ref: Some(intent.to_owned()),
                reference: "Autopay".into(),
                received_at: at,
                allocations,
                tip_minor: 0,
            },
        )
        .await?;
    if !tx
        .finish_autopay(company_id, c.id, "paid", ("", Some(intent), Some(payment)))
        .await?
    {
        // Recorded by another process meanwhile: nothing here is kept.
        return Ok(Outcome::Paid);
    }
    let detail = serde_json::json!({
        "number": receipt_number, "invoice": number, "due_on": c.due_on.to_string(),
        "processor": processor_name, "processor_ref": intent, "charged_minor": c.amount_minor,
        "to_credit_minor": rest,
    });
    tx.audit(
        company_id,
        &crate::audit::record(
            ("system", None, "Autopay"),
            "payment.autopay",
            ("payment", payment.0),
            SWEEP_IP,
            detail,
        ),
    )
    .await?;
    let data = serde_json::json!({"number": receipt_number, "customer_id": customer.0, "amount_minor": c.amount_minor, "method": "card", "currency": company.currency, "online": true, "autopay": true});
    crate::webhooks::emit(&mut tx, company_id, "payment.succeeded", data).await?;
    let credit_line =
        (rest > 0).then(|| format!("Kept as account credit: {}", money(company, rest)));
    let receipt = Receipt {
        number: &receipt_number,
        amount_minor: c.amount_minor,
        method: if processor_name == "stripe" {
            "Card (autopay)"
        } else {
            "Card (autopay, test mode)"
        },
        reference: "",
        received_on: local_time::today(&company.time_zone, at),
        paid: &paid,
        credit_line,
    };
    let queued = receipt.send(app, &mut tx, company, customer).await?;
    app.commit(tx, queued).await?;
    Ok(Outcome::Paid)
}

/// Records a declined (or impossible) charge: listed for the office's follow-up, audited,
/// and the account's billing contacts told why and where to pay — once.
async fn fail(
    app: &App,
    company: &Company,
    c: &ClaimedCharge,
    (number, method, why): (&str, &str, &str),
) -> Result<Outcome, AppError> {
    let company_id = company.id;
    let mut tx = app.store.begin().await?;
    if !tx
        .finish_autopay(company_id, c.id, "failed", (why, None, None))
        .await?
    {
        return Ok(Outcome::Failed);
    }
    tx.audit(
        company_id,
        &crate::audit::record(
            ("system", None, "Autopay"),
            "payment.autopay_failed",
            ("customer", c.customer_id),
            SWEEP_IP,
            serde_json::json!({
                "invoice": number, "due_on": c.due_on.to_string(), "amount_minor": c.amount_minor,
                "method": method, "reason": why,
            }),
        ),
    )
    .await?;
    let to = tx
        .receipt_recipients(company_id, CustomerId(c.customer_id))
        .await?;
    let amount = money(company, c.amount_minor);
    let due = c.due_on.to_string();
    let link = app.links().portal(&company.slug, "/invoices");
    let method = if method.is_empty() {
        "saved card"
    } else {
        method
    };
    for (email, name) in &to {
        doorstep_mail::enqueue(
            &mut tx,
            company_id,
            EmailKind::AutopayFailed,
            email,
            name,
            &[
                ("company_name", company.name.as_str()),
                ("contact_name", name.as_str()),
                ("amount", amount.as_str()),
                ("invoice_number", number),
                ("due_date", due.as_str()),
                ("method", method),
                ("reason", why),
                ("link", link.as_str()),
            ],
        )
        .await?;
    }
    app.commit(tx, !to.is_empty()).await?;
    Ok(Outcome::Failed)
}
