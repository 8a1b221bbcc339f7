//! Refunds the office asks a processor for: the online payment found by its receipt
//! number, with what the processor knows it as and what is left to refund.

use doorstep_core::ids::CompanyId;
use time::OffsetDateTime;

use doorstep_core::ids::InvoiceId;

use crate::{Store, StoreError, Tx, on_pool, on_tx};

/// A payment as a refund needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RefundablePayment {
    /// Row id.
    pub id: i64,
    /// The account.
    pub customer_id: i64,
    /// The receipt number.
    pub number: String,
    /// Amount, minor units.
    pub amount_minor: i64,
    /// Refunded so far, minor units.
    pub refunded_minor: i64,
    /// Stored method (`card`, `ach`, `credit`, `cash`, ...).
    pub method: String,
    /// `office` or `online`.
    pub channel: String,
    /// `test` or `stripe` for a processor's payment.
    pub processor: Option<String>,
    /// The processor's payment id (`pi_...`).
    pub processor_ref: Option<String>,
    /// When the money arrived.
    pub received_at: OffsetDateTime,
}

impl RefundablePayment {
    /// What may still be refunded, minor units.
    pub fn refundable_minor(&self) -> i64 {
        (self.amount_minor - self.refunded_minor).max(0)
    }

    /// Whether a processor took it (so a processor can give it back).
    pub fn through_processor(&self) -> bool {
        self.method != "credit" && self.processor.is_some() && self.processor_ref.is_some()
    }
}

impl Store {
    /// The company's payment `number`, as a refund reads it.
    pub async fn refundable_payment(
        &self,
        company: CompanyId,
        number: &str,
    ) -> Result<Option<RefundablePayment>, StoreError> {
        let row = on_pool!(self, p => sqlx::query_as(
            "SELECT id, customer_id, number, amount_minor, refunded_minor, method, channel, \
             processor, processor_ref, received_at FROM payments \
             WHERE company_id = $1 AND number = $2")
            .bind(company.0).bind(number).fetch_optional(p).await)?;
        Ok(row)
    }
}

impl Tx {
    /// Invoice `id`'s number, read in the transaction.
    pub async fn invoice_number_of(
        &mut self,
        company: CompanyId,
        id: InvoiceId,
    ) -> Result<Option<String>, StoreError> {
        let number = on_tx!(self, c => sqlx::query_scalar(
            "SELECT number FROM invoices WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id.0).fetch_optional(&mut *c).await)?;
        Ok(number)
    }
}
