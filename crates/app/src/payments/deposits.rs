//! Deposits on approval (issue 19). Approving an estimate that asks for a deposit records
//! the signature at once: the estimate is **approved, deposit due** (the office sees it
//! so, and the customer's estimate page offers "Pay deposit"). The deposit is paid through
//! the processor's hosted checkout, a checkout of kind `deposit` opened by
//! [`start_deposit`]; it is recorded as paid only from the verified webhook (or the
//! verified read of the processor on the return page), both through
//! [`settle_deposit`], never from the browser's return URL. The payment is held on the
//! estimate with no invoice; when the office sends an invoice of the job made from the
//! estimate, [`apply_to_invoice`] credits it there (a payment line on the invoice,
//! its balance reduced). A deposit paid twice (two pages of an old and a new checkout)
//! keeps the second as account credit.

use std::net::IpAddr;

use doorstep_core::authz::PortalAction;
use doorstep_core::ids::{CompanyId, CustomerId, EstimateId, InvoiceId, JobId, PaymentId};
use doorstep_core::status::EstimateStatus;
use doorstep_payments::CheckoutLine;
use doorstep_store::StoreError;
use doorstep_store::Tx;
use doorstep_store::companies::Company;
use doorstep_store::deposits::DepositState;
use doorstep_store::online_payments::{CheckoutRow, NewCheckout, OnlinePayment};
use doorstep_store::request_inbox::Numbered;

use super::online::{
    CheckoutStarted, HOLD_MINUTES, open_page, processor, processor_request, settings,
};
use super::receipt::Receipt;
use super::{currency, money, settle};
use crate::crypto::random_hex;
use crate::{App, AppError, ContactActor};

/// The deposit of estimate `number` of the contact's account, as the portal shows it:
/// `None` when the contact may not see it or it asks for none.
pub async fn deposit_of(
    app: &App,
    actor: &ContactActor,
    number: &str,
) -> Result<Option<DepositState>, AppError> {
    let company = actor.company();
    if app
        .store
        .estimate_document(company.id, actor.scope(), number)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    Ok(app
        .store
        .estimate_deposit(company.id, number)
        .await?
        .filter(|d| d.customer_id == actor.customer().0))
}

/// Opens the processor's checkout for the deposit of approved estimate `number` of the
/// contact's account. Refused with `NotFound` for a contact who may not pay (a site
/// contact, payments switched off) or an estimate that is not the account's; a conflict
/// when the estimate is not approved (`not_approved`), asks for no deposit
/// (`no_deposit`), is paid already (`deposit_paid`), is being paid in another tab
/// (`open_checkout`), or the company takes no payments online (`not_configured`).
pub async fn start_deposit(
    app: &App,
    actor: &ContactActor,
    number: &str,
) -> Result<CheckoutStarted, AppError> {
    actor.require(PortalAction::Pay)?;
    let company = actor.company();
    let e = app
        .store
        .estimate_document(company.id, actor.scope(), number)
        .await?
        .ok_or(AppError::NotFound)?;
    let settings = settings(app, company.id).await?;
    let provider = processor(app, &settings)?;
    let who = actor.who(app).await?;
    let cur = currency(company);
    let mut tx = app.store.begin().await?;
    let now = doorstep_store::now();
    tx.expire_stale_checkouts(company.id, now - time::Duration::minutes(HOLD_MINUTES))
        .await?;
    let d = tx
        .estimate_deposit_by_id(company.id, e.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let status = EstimateStatus::parse(&d.status).unwrap_or(EstimateStatus::Draft);
    if !matches!(status, EstimateStatus::Approved | EstimateStatus::Converted) {
        return Err(AppError::conflict(
            "not_approved",
            format!(
                "Estimate {} is not approved, so no deposit is due. Nothing was charged.",
                d.number
            ),
        ));
    }
    if d.is_paid() {
        return Err(AppError::conflict(
            "deposit_paid",
            format!(
                "The deposit on estimate {} is already paid. Nothing was charged.",
                d.number
            ),
        ));
    }
    let due = d.due_minor();
    if due <= 0 {
        return Err(AppError::conflict(
            "no_deposit",
            format!(
                "Estimate {} asks for no deposit. Nothing was charged.",
                d.number
            ),
        ));
    }
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
        amount_minor: due,
        credit_minor: 0,
        currency: cur.code().to_lowercase(),
        invoices: Vec::new(),
        kind: "deposit",
        estimate: Some(d.estimate_id),
        tip_minor: 0,
    };
    let id = match tx.insert_checkout(company.id, &new).await {
        Ok(id) => id,
        Err(StoreError::Conflict(_)) => return Err(in_another_tab(&d.number)),
        Err(e) => return Err(e.into()),
    };
    let detail = serde_json::json!({
        "reference": reference, "processor": new.processor, "amount_minor": due,
        "estimate": d.number, "kind": "deposit",
    });
    tx.audit(
        company.id,
        &actor.audit(
            &who.email,
            "payment.checkout_opened",
            ("estimate", d.estimate_id),
            detail,
        ),
    )
    .await?;
    app.commit(tx, false).await?;

    // The processor is called with no transaction or connection held.
    let cancel = format!("/estimates/{}", crate::links::path_segment(&d.number));
    let request = processor_request(
        app,
        (company, &settings),
        &reference,
        vec![CheckoutLine {
            name: format!("Deposit for estimate {}", d.number),
            amount_minor: due,
        }],
        ("estimate", &d.number),
        (&cancel, cur),
    );
    open_page(app, company, &provider, (id, reference), &request).await
}

fn in_another_tab(number: &str) -> AppError {
    AppError::conflict(
        "open_checkout",
        format!(
            "The deposit on estimate {number} is already being paid in another tab or window. Finish or close that payment first (or try again in {HOLD_MINUTES} minutes). Nothing was charged."
        ),
    )
}

/// Settles paid deposit checkout `row` inside `tx` (its status already moved to paid by
/// the caller's compare-and-set): the payment, held on the estimate (or kept as account
/// credit when the deposit was paid before), audited, with a receipt. Whether a receipt
/// was queued.
pub(crate) async fn settle_deposit(
    app: &App,
    tx: &mut Tx,
    company: &Company,
    row: &CheckoutRow,
    (charged, processor_ref): (i64, Option<String>),
    ip: IpAddr,
) -> Result<bool, AppError> {
    if charged <= 0 {
        return Ok(false);
    }
    let customer = row.customer();
    let at = doorstep_store::now();
    let estimate = match row.estimate_id {
        Some(id) => {
            tx.estimate_deposit_by_id(company.id, EstimateId(id))
                .await?
        }
        None => None,
    };
    let number = tx.next_number(company.id, Numbered::Payment).await?;
    let label = estimate.as_ref().map_or_else(String::new, |d| {
        format!("Deposit for estimate {}", d.number)
    });
    let payment = tx
        .insert_online_payment(
            company.id,
            &OnlinePayment {
                customer,
                number: number.clone(),
                amount_minor: charged,
                method: "card",
                processor: Some(row.processor.clone()),
                processor_ref: processor_ref.clone(),
                reference: label.clone(),
                received_at: at,
                allocations: Vec::new(),
                tip_minor: 0,
            },
        )
        .await?;
    tx.set_checkout_payment(company.id, row.id, payment).await?;
    let held = match &estimate {
        Some(d) => {
            tx.mark_deposit_paid(company.id, EstimateId(d.estimate_id), payment, charged, at)
                .await?
        }
        None => false,
    };
    if !held {
        tx.change_credit(company.id, customer, charged)
            .await?
            .ok_or(AppError::NotFound)?;
    }
    let processor_label = if row.processor == "stripe" {
        "Stripe"
    } else {
        "Test processor"
    };
    let detail = serde_json::json!({
        "number": number, "reference": row.reference, "processor": row.processor,
        "processor_ref": processor_ref, "charged_minor": charged,
        "estimate": estimate.as_ref().map(|d| d.number.clone()),
        "held_for_invoice": held, "to_credit_minor": if held { 0 } else { charged },
    });
    let subject = match &estimate {
        Some(d) if held => ("estimate", d.estimate_id),
        _ => ("payment", payment.0),
    };
    tx.audit(
        company.id,
        &crate::audit::record(
            ("system", None, processor_label),
            "estimate.deposit_paid",
            subject,
            ip,
            detail,
        ),
    )
    .await?;
    let note = match (&estimate, held) {
        (Some(d), true) => format!(
            "Deposit for estimate {}: {} (it will be credited to the job's invoice)",
            d.number,
            money(company, charged)
        ),
        (Some(d), false) => format!(
            "The deposit for estimate {} was paid before: {} kept as account credit",
            d.number,
            money(company, charged)
        ),
        (None, _) => format!("Kept as account credit: {}", money(company, charged)),
    };
    let receipt = Receipt {
        number: &number,
        amount_minor: charged,
        method: if row.processor == "stripe" {
            "Card"
        } else {
            "Card (test mode)"
        },
        reference: &label,
        received_on: at.date(),
        paid: &[],
        credit_line: Some(note),
    };
    receipt.send(app, tx, company, customer).await
}

/// What a deposit credited to an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepositApplied {
    /// The estimate whose deposit it was.
    pub estimate: String,
    /// The deposit's receipt number.
    pub payment: String,
    /// What went to the invoice, minor units.
    pub amount_minor: i64,
}

/// Credits the unapplied part of the paid deposit of the estimate converted into `job`
/// to invoice `invoice` (just sent, so unpaid), inside `tx`: at most its balance, the
/// rest kept for the job's next invoice. What was applied, if anything.
pub(crate) async fn apply_to_invoice(
    tx: &mut Tx,
    (company, customer): (CompanyId, CustomerId),
    job: JobId,
    invoice: InvoiceId,
) -> Result<Option<DepositApplied>, AppError> {
    let Some(d) = tx.unapplied_deposit_of_job(company, job).await? else {
        return Ok(None);
    };
    let (Some(payment), Some(receipt)) = (d.deposit_payment_id, d.payment_number.clone()) else {
        return Ok(None);
    };
    if d.customer_id != customer.0 {
        return Ok(None);
    }
    let Some(current) = tx.invoice_to_pay_by_id(company, customer, invoice).await? else {
        return Ok(None);
    };
    let amount = (d.deposit_paid_minor - d.deposit_applied_minor).min(current.balance_minor());
    if amount <= 0 {
        return Ok(None);
    }
    if !tx
        .apply_deposit(
            company,
            (EstimateId(d.estimate_id), PaymentId(payment)),
            d.deposit_applied_minor,
            (invoice, amount),
        )
        .await?
    {
        return Err(AppError::changed());
    }
    settle(
        tx,
        company,
        customer,
        (invoice, amount),
        doorstep_store::now(),
    )
    .await?;
    Ok(Some(DepositApplied {
        estimate: d.number,
        payment: receipt,
        amount_minor: amount,
    }))
}
