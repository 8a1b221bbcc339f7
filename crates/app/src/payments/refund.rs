//! The office refunds (all or part of) a payment a processor took: the processor is
//! asked first (with an idempotency key made of the payment and what was refunded before,
//! so a second click or a retry never refunds twice), and the refund is recorded when it
//! answers, through the same compare-and-set as the `charge.refunded` webhook: whichever
//! comes second changes nothing. Audited, and the customer's billing contacts are told.
//! Payments taken offline are refunded outside Doorstep, as before.

use doorstep_core::payments::parse_refund;
use doorstep_mail::EmailKind;
use doorstep_payments::stripe::Stripe;
use doorstep_payments::{PaymentProvider, RefundRequest};
use doorstep_store::refunds::RefundablePayment;

use super::online::settings;
use super::online_webhook::take_back;
use super::processor::refused;
use super::{currency, money};
use crate::{Admin, App, AppError};

/// A refund to make, as typed: an amount, or empty for all that is left.
#[derive(Debug, Clone)]
pub struct RefundForm {
    /// The amount typed (empty: the whole rest).
    pub amount: String,
}

/// A refund made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refunded {
    /// The payment's receipt number.
    pub number: String,
    /// Refunded now, minor units.
    pub amount_minor: i64,
    /// Refunded of the payment in all, minor units.
    pub refunded_total_minor: i64,
    /// Whether the customer's contacts were emailed.
    pub emailed: bool,
}

/// The company's payment `number` as a refund sees it: `NotFound` for another company's
/// or an unknown number; a `offline` conflict for a payment no processor took.
pub async fn refundable(
    app: &App,
    admin: Admin<'_>,
    number: &str,
) -> Result<RefundablePayment, AppError> {
    let company = admin.staff().company();
    let p = app
        .store
        .refundable_payment(company.id, number)
        .await?
        .ok_or(AppError::NotFound)?;
    if !p.through_processor() {
        return Err(AppError::conflict(
            "offline",
            format!(
                "Payment {} was not taken online, so Doorstep cannot send it back: refund it the way it was paid (cash, check, transfer). Nothing was refunded.",
                p.number
            ),
        ));
    }
    Ok(p)
}

/// Refunds `form`'s amount of payment `number` through the processor that took it.
/// Refused: `NotFound` (another company's, unknown); `offline` conflict (not a
/// processor's payment); the amount's message (none, more than is left); a `processor`
/// conflict with the processor's words when it refuses or cannot be reached (nothing
/// recorded then).
pub async fn refund(
    app: &App,
    admin: Admin<'_>,
    number: &str,
    form: &RefundForm,
) -> Result<Refunded, AppError> {
    let actor = admin.staff();
    let company = actor.company();
    let cur = currency(company);
    let payment = refundable(app, admin, number).await?;
    let before = payment.refunded_minor;
    let amount = parse_refund(&form.amount, payment.refundable_minor(), cur)?;
    let (Some(processor), Some(intent)) =
        (payment.processor.clone(), payment.processor_ref.clone())
    else {
        return Err(AppError::NotFound);
    };
    let request = RefundRequest {
        idempotency_key: format!("refund-{}-{before}-{amount}", payment.id),
        payment_intent: intent.clone(),
        amount_minor: Some(amount),
    };
    // The processor is asked with no transaction held.
    let answered = match processor.as_str() {
        "test" => app.processors.test.refund(&request).await,
        _ => {
            let s = settings(app, company.id).await?;
            let key = s.stripe_key.as_deref().ok_or_else(|| {
                AppError::conflict(
                    "not_configured",
                    "There is no Stripe secret key to refund with: set it under Settings, Online payments. Nothing was refunded.",
                )
            })?;
            let stripe = Stripe::new(key, app.processors.stripe_api_base.as_deref())
                .map_err(|e| AppError::conflict("not_configured", e.to_string()))?;
            stripe.refund(&request).await
        }
    };
    let answer = answered.map_err(|e| {
        tracing::warn!(error = %e, "a refund was refused");
        AppError::conflict(
            "processor",
            format!("{} Nothing was refunded.", refused(&e)),
        )
    })?;
    if matches!(answer.status.as_str(), "failed" | "canceled") {
        return Err(AppError::conflict(
            "processor",
            format!(
                "The processor did not make the refund (it says {}). Nothing was refunded.",
                answer.status
            ),
        ));
    }
    let refunded = answer.amount_minor.clamp(0, payment.refundable_minor());
    let mut tx = app.store.begin().await?;
    let current = tx
        .payment_by_processor_ref(company.id, &processor, &intent)
        .await?
        .ok_or(AppError::NotFound)?;
    // The webhook may have recorded it first: then nothing moves here.
    let taken = take_back(&mut tx, company, &current, before + refunded).await?;
    let total = taken.as_ref().map_or(current.refunded_minor, |t| t.total);
    let mut detail = match &taken {
        Some(t) => t.detail(&payment.number),
        None => serde_json::json!({"number": payment.number, "refunded_minor": refunded,
            "refunded_total_minor": total, "recorded_by_webhook": true}),
    };
    detail["processor"] = serde_json::json!(processor);
    detail["processor_refund"] = serde_json::json!(answer.id);
    tx.audit(
        company.id,
        &actor.audit("payment.refunded", ("payment", payment.id), detail),
    )
    .await?;
    let applied = match &taken {
        Some(t) if !t.invoices.is_empty() => {
            let mut lines = Vec::new();
            for (invoice, take) in &t.invoices {
                let number = tx
                    .invoice_number_of(company.id, *invoice)
                    .await?
                    .unwrap_or_default();
                lines.push(format!(
                    "Invoice {number}: {} is owed again.",
                    money(company, *take)
                ));
            }
            lines.join("\n")
        }
        _ => String::new(),
    };
    let to = tx
        .receipt_recipients(
            company.id,
            doorstep_core::ids::CustomerId(payment.customer_id),
        )
        .await?;
    let amount_text = money(company, refunded);
    let date = payment.received_at.date().to_string();
    let method = if payment.method == "ach" {
        "the bank account it came from"
    } else {
        "the card it was paid with"
    };
    let link = app.links().portal(&company.slug, "/payments");
    for (email, name) in &to {
        doorstep_mail::enqueue(
            &mut tx,
            company.id,
            EmailKind::PaymentRefunded,
            email,
            name,
            &[
                ("company_name", company.name.as_str()),
                ("contact_name", name.as_str()),
                ("amount", amount_text.as_str()),
                ("payment_number", payment.number.as_str()),
                ("payment_date", date.as_str()),
                ("method", method),
                ("applied", applied.as_str()),
                ("link", link.as_str()),
            ],
        )
        .await?;
    }
    let emailed = !to.is_empty();
    app.commit(tx, emailed).await?;
    Ok(Refunded {
        number: payment.number,
        amount_minor: refunded,
        refunded_total_minor: total,
        emailed,
    })
}
