//! The office records a payment it took: the account, the amount, how it was paid (a
//! check with its number), the day it arrived, how much goes to each of the account's
//! open invoices (none, one or several), and whether the rest is kept as account credit.

use doorstep_core::authz::OfficeArea;
use doorstep_core::ids::InvoiceId;
use doorstep_core::money::Currency;
use doorstep_core::payments::{self as rules, OfficeMethod, Share};
use doorstep_core::validation::Invalid;
use doorstep_store::payments::OfficePayment;
use doorstep_store::request_inbox::Numbered;
use time::{Date, OffsetDateTime, Time};

use super::receipt::Receipt;
use super::{Paid, currency, money, payable, settle};
use crate::error::FieldErrors;
use crate::{App, AppError, StaffActor};

/// The form as typed.
#[derive(Debug, Clone, Default)]
pub struct PaymentForm {
    /// The account's number.
    pub customer: String,
    /// The amount received.
    pub amount: String,
    /// `cash`, `check`, `bank_transfer` or `card_by_phone`.
    pub method: String,
    /// The check number, or a reference.
    pub reference: String,
    /// The day received (`2025-03-04`).
    pub received_on: String,
    /// Each open invoice's number and the amount typed for it (empty: nothing).
    pub shares: Vec<(String, String)>,
    /// "Keep the rest as account credit" ticked.
    pub keep_credit: bool,
}

/// A payment to record, checked.
#[derive(Debug, Clone)]
pub struct RecordPayment {
    customer: String,
    amount_minor: i64,
    method: OfficeMethod,
    reference: String,
    received_on: Date,
    shares: Vec<(String, i64)>,
    keep_credit: bool,
}

impl RecordPayment {
    /// Checks each field of `form` in `currency`, with the company's `today` (a payment
    /// is never received in the future). A share's message starts with its invoice's
    /// number (`I-1046: ...`), so the page can show it beside that invoice.
    pub fn parse(form: &PaymentForm, currency: Currency, today: Date) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let amount = errors.check(rules::parse_amount(&form.amount, currency));
        let method = errors.check(OfficeMethod::parse(&form.method));
        let reference =
            method.and_then(|m| errors.check(rules::parse_reference(&form.reference, m)));
        let received_on = errors.check(rules::parse_received_on(&form.received_on, today));
        let mut shares: Vec<(String, i64)> = Vec::new();
        for (number, raw) in &form.shares {
            let number = number.trim();
            if shares.iter().any(|(n, _)| n == number) {
                continue;
            }
            match rules::parse_share(raw, currency) {
                Ok(minor) => shares.push((number.to_owned(), minor)),
                Err(e) => errors
                    .0
                    .push(Invalid::new(e.field, format!("{number}: {}", e.message))),
            }
        }
        if form.customer.trim().is_empty() {
            errors
                .0
                .push(Invalid::new("customer", "Choose the customer who paid."));
        }
        match (amount, method, reference, received_on) {
            (Some(amount_minor), Some(method), Some(reference), Some(received_on))
                if errors.is_empty() =>
            {
                Ok(RecordPayment {
                    customer: form.customer.trim().to_owned(),
                    amount_minor,
                    method,
                    reference,
                    received_on,
                    shares: shares.into_iter().filter(|(_, m)| *m != 0).collect(),
                    keep_credit: form.keep_credit,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A payment recorded.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Its receipt number.
    pub number: String,
    /// Each invoice it paid.
    pub paid: Vec<Paid>,
    /// What went to account credit, minor units.
    pub to_credit: i64,
    /// Whether a receipt was queued.
    pub receipt_queued: bool,
}

/// When a payment received on `day` is recorded as received: now when that is today,
/// else midday of that day (UTC).
fn received_at(day: Date) -> OffsetDateTime {
    let now = doorstep_store::now();
    if day == now.date() {
        now
    } else {
        day.with_time(Time::from_hms(12, 0, 0).unwrap_or(Time::MIDNIGHT))
            .assume_utc()
    }
}

/// Records payment `cmd` for its account: each share paid on its invoice (see
/// [`super::settle`]), the rest to credit when asked, audited, a receipt queued to the
/// account's billing contacts. Refused with `NotFound` for an account or invoice that is
/// not the company's (or not the account's), a conflict for an invoice that cannot take
/// a payment (void, draft, paid) or changed meanwhile, and the field's message for a
/// share above its balance or a payment above what it pays without credit.
pub async fn record(
    app: &App,
    actor: &StaffActor,
    cmd: RecordPayment,
) -> Result<Recorded, AppError> {
    actor.require(OfficeArea::DayToDay)?;
    let company = actor.company();
    let cur = currency(company);
    let mut tx = app.store.begin().await?;
    let payer = tx
        .payer(company.id, &cmd.customer)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut invoices = Vec::new();
    for (number, minor) in &cmd.shares {
        let invoice = tx
            .invoice_to_pay(company.id, payer.customer(), number)
            .await?
            .ok_or(AppError::NotFound)?;
        payable(&invoice.number, &invoice.status)?;
        invoices.push((invoice, *minor));
    }
    let shares: Vec<Share> = invoices
        .iter()
        .map(|(i, minor)| Share {
            balance_minor: i.balance_minor(),
            amount_minor: *minor,
        })
        .collect();
    let settlement =
        rules::settle(cmd.amount_minor, &shares, cmd.keep_credit, cur).map_err(|errors| {
            let (at, e) = errors
                .into_iter()
                .next()
                .unwrap_or((None, Invalid::new("amount", "Check the amount.")));
            match at.and_then(|i| invoices.get(i)) {
                Some((invoice, _)) => {
                    Invalid::new(e.field, format!("{}: {}", invoice.number, e.message))
                }
                None => e,
            }
        })?;
    let number = tx.next_number(company.id, Numbered::Payment).await?;
    let at = received_at(cmd.received_on);
    let mut paid = Vec::new();
    let mut allocations = Vec::new();
    for ((invoice, _), minor) in invoices.iter().zip(&settlement.applied) {
        let id = InvoiceId(invoice.id);
        let balance_minor = settle(&mut tx, company.id, payer.customer(), (id, *minor), at).await?;
        allocations.push((id, *minor));
        paid.push(Paid {
            number: invoice.number.clone(),
            amount_minor: *minor,
            balance_minor,
        });
    }
    if settlement.to_credit > 0 {
        tx.change_credit(company.id, payer.customer(), settlement.to_credit)
            .await?
            .ok_or(AppError::NotFound)?;
    }
    let method = cmd.method.stored();
    let id = tx
        .insert_office_payment(
            company.id,
            &OfficePayment {
                customer: payer.customer(),
                number: number.clone(),
                amount_minor: cmd.amount_minor,
                method,
                reference: cmd.reference.clone(),
                received_at: at,
                recorded_by: actor.id(),
                allocations,
            },
        )
        .await?;
    let detail = serde_json::json!({
        "number": number, "customer": payer.number, "amount_minor": cmd.amount_minor,
        "method": cmd.method.as_str(), "reference": cmd.reference,
        "received_on": cmd.received_on.to_string(),
        "invoices": paid.iter().map(|p| serde_json::json!({"number": p.number, "amount_minor": p.amount_minor})).collect::<Vec<_>>(),
        "to_credit_minor": settlement.to_credit,
    });
    tx.audit(
        company.id,
        &actor.audit("payment.recorded", ("payment", id.0), detail),
    )
    .await?;
    let data = serde_json::json!({"number": number, "customer_id": payer.customer().0, "amount_minor": cmd.amount_minor, "method": method, "currency": company.currency, "online": false});
    crate::webhooks::emit(&mut tx, company.id, "payment.succeeded", data).await?;
    let receipt = Receipt {
        number: &number,
        amount_minor: cmd.amount_minor,
        method: cmd.method.label(),
        reference: &cmd.reference,
        received_on: cmd.received_on,
        paid: &paid,
        credit_line: (settlement.to_credit > 0).then(|| {
            format!(
                "Kept as account credit: {}",
                money(company, settlement.to_credit)
            )
        }),
    };
    let queued = receipt
        .send(app, &mut tx, company, payer.customer())
        .await?;
    app.commit(tx, queued).await?;
    Ok(Recorded {
        number,
        paid,
        to_credit: settlement.to_credit,
        receipt_queued: queued,
    })
}
