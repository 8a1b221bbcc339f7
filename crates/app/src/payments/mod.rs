//! Payments the office takes offline (cash, checks, bank transfers, cards by phone) and
//! account credit applied to invoices. Every way money reaches an invoice goes through
//! [`settle`]: the shares judged by `core::payments`, each invoice paid by a conditional
//! UPDATE on its balance inside the transaction (two payments at once can never pay an
//! invoice past its total), marked paid when what was paid reaches its total, and the
//! receipt emailed in the same transaction. The online processor (issue 19) reuses it.

pub mod autopay;
pub mod cards;
mod credit;
pub mod deposits;
pub mod online;
pub mod online_webhook;
pub mod processor;
mod receipt;
mod record;
pub mod refund;

pub use credit::{ApplyCredit, CreditApplied, apply_credit};
pub use record::{PaymentForm, RecordPayment, Recorded, record};

use doorstep_core::ids::{CompanyId, CustomerId, InvoiceId};
use doorstep_core::money::{Currency, Money};
use doorstep_core::payments::is_paid_in_full;
use doorstep_core::status::InvoiceStatus;
use doorstep_store::Tx;
use doorstep_store::companies::Company;
use time::OffsetDateTime;

use crate::AppError;

/// What a refused settlement says when an invoice changed meanwhile.
pub const CHANGED: &str = "An invoice changed while you were working (another payment was recorded, or it was voided). Check the balances and try again. Nothing was recorded.";

/// One invoice paid: its number, what went to it, and what is owed after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paid {
    /// The invoice's number.
    pub number: String,
    /// What went to it, minor units.
    pub amount_minor: i64,
    /// What is still owed on it, minor units.
    pub balance_minor: i64,
}

/// Refuses an invoice that cannot take a payment, saying why.
pub(crate) fn payable(number: &str, status: &str) -> Result<(), AppError> {
    match InvoiceStatus::parse(status) {
        Ok(InvoiceStatus::Unpaid) => Ok(()),
        Ok(InvoiceStatus::Void) => Err(AppError::conflict(
            "void",
            format!("Invoice {number} is void, so it cannot take a payment. Nothing was recorded."),
        )),
        Ok(InvoiceStatus::Paid) => Err(AppError::conflict(
            "paid",
            format!("Invoice {number} is already paid in full. Nothing was recorded."),
        )),
        _ => Err(AppError::conflict(
            "draft",
            format!(
                "Invoice {number} is a draft: send it before recording a payment. Nothing was recorded."
            ),
        )),
    }
}

/// Pays `amount` on the account's invoice inside `tx`, only while it stays within the
/// invoice's balance, and marks it paid at `at` when what was paid reaches its total;
/// what is owed after. Refused with a `changed` conflict when another payment (or a void)
/// got there first.
pub async fn settle(
    tx: &mut Tx,
    company: CompanyId,
    customer: CustomerId,
    (invoice, amount): (InvoiceId, i64),
    at: OffsetDateTime,
) -> Result<i64, AppError> {
    let Some((paid, total)) = tx
        .apply_to_invoice(company, customer, invoice, amount)
        .await?
    else {
        return Err(AppError::conflict("changed", CHANGED));
    };
    if is_paid_in_full(total, paid) {
        tx.mark_invoice_paid(company, invoice, at).await?;
        let data = serde_json::json!({"invoice_id": invoice.0, "customer_id": customer.0, "total_minor": total, "paid_minor": paid});
        crate::webhooks::emit(tx, company, "invoice.paid", data).await?;
    }
    Ok((total - paid).max(0))
}

/// The company's currency.
pub(crate) fn currency(company: &Company) -> Currency {
    Currency::parse(&company.currency).unwrap_or(Currency::USD)
}

/// An amount as the receipt shows it.
pub(crate) fn money(company: &Company, minor: i64) -> String {
    Money::new(minor, currency(company)).display()
}
