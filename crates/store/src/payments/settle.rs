//! The writes of a settlement, each in the caller's transaction: the payer and invoice as
//! read there, paying an invoice only while it stays within its total and marking it paid,
//! changing credit only while it stays at or above zero (conditional UPDATEs, so two
//! payments at once can never over-pay an invoice or spend credit twice), the payment row
//! with its allocations, and who its receipt goes to.

use doorstep_core::ids::{CompanyId, CustomerId, InvoiceId, PaymentId, StaffUserId};
use doorstep_core::status::PaymentMethodKind;
use time::OffsetDateTime;

use super::Payer;
use crate::insert::Val;
use crate::{StoreError, Tx, db_time, now, on_tx};

/// A payment the office records.
#[derive(Debug, Clone)]
pub struct OfficePayment {
    /// The paying account.
    pub customer: CustomerId,
    /// The receipt number.
    pub number: String,
    /// Amount, minor units, positive.
    pub amount_minor: i64,
    /// Stored method.
    pub method: PaymentMethodKind,
    /// Check number or other reference.
    pub reference: String,
    /// When the money arrived.
    pub received_at: OffsetDateTime,
    /// Who recorded it.
    pub recorded_by: StaffUserId,
    /// The invoices it pays and how much of each (already applied with
    /// [`Tx::apply_to_invoice`]).
    pub allocations: Vec<(InvoiceId, i64)>,
}

/// An invoice as a settlement reads it inside its transaction.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvoiceToPay {
    /// Row id.
    pub id: i64,
    /// Number.
    pub number: String,
    /// Stored status.
    pub status: String,
    /// Total, minor units.
    pub total_minor: i64,
    /// Paid so far, minor units.
    pub paid_minor: i64,
}

impl InvoiceToPay {
    /// What is still owed.
    pub fn balance_minor(&self) -> i64 {
        (self.total_minor - self.paid_minor).max(0)
    }
}

impl Tx {
    /// The account numbered `number`, read in the transaction.
    pub async fn payer(
        &mut self,
        company: CompanyId,
        number: &str,
    ) -> Result<Option<Payer>, StoreError> {
        let row = on_tx!(self, c => sqlx::query_as(
            "SELECT id, number, name, credit_minor FROM customers WHERE company_id = $1 AND number = $2")
            .bind(company.0).bind(number.trim()).fetch_optional(&mut *c).await)?;
        Ok(row)
    }

    /// Invoice `number` of the account, whatever its status.
    pub async fn invoice_to_pay(
        &mut self,
        company: CompanyId,
        customer: CustomerId,
        number: &str,
    ) -> Result<Option<InvoiceToPay>, StoreError> {
        let row = on_tx!(self, c => sqlx::query_as(
            "SELECT id, number, status, total_minor, paid_minor FROM invoices \
             WHERE company_id = $1 AND customer_id = $2 AND number = $3")
            .bind(company.0).bind(customer.0).bind(number).fetch_optional(&mut *c).await)?;
        Ok(row)
    }

    /// Adds `amount` to what was paid on the account's unpaid invoice, only while it stays
    /// within the total (a conditional UPDATE: a second payment racing this one sees the
    /// first's amount and is refused). The invoice's `(paid, total)` after, or `None` when
    /// it is no longer unpaid or `amount` is more than its balance now.
    pub async fn apply_to_invoice(
        &mut self,
        company: CompanyId,
        customer: CustomerId,
        invoice: InvoiceId,
        amount: i64,
    ) -> Result<Option<(i64, i64)>, StoreError> {
        let at = db_time(now());
        let row = on_tx!(self, c => sqlx::query_as(
            "UPDATE invoices SET paid_minor = paid_minor + $4, updated_at = $5 \
             WHERE company_id = $1 AND customer_id = $2 AND id = $3 AND status = 'unpaid' \
             AND paid_minor + $4 <= total_minor RETURNING paid_minor, total_minor")
            .bind(company.0).bind(customer.0).bind(invoice.0).bind(amount).bind(at)
            .fetch_optional(&mut *c).await)?;
        Ok(row)
    }

    /// Marks the invoice paid in full at `at` (the caller judged it so).
    pub async fn mark_invoice_paid(
        &mut self,
        company: CompanyId,
        invoice: InvoiceId,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let at = db_time(at);
        on_tx!(self, c => sqlx::query(
            "UPDATE invoices SET status = 'paid', paid_at = $3, updated_at = $3 \
             WHERE company_id = $1 AND id = $2 AND status = 'unpaid'")
            .bind(company.0).bind(invoice.0).bind(at).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Changes the account's credit by `delta` unless it would go below zero (a
    /// conditional UPDATE, so credit is never spent twice); the credit after, or `None`.
    pub async fn change_credit(
        &mut self,
        company: CompanyId,
        customer: CustomerId,
        delta: i64,
    ) -> Result<Option<i64>, StoreError> {
        let at = db_time(now());
        let row = on_tx!(self, c => sqlx::query_scalar(
            "UPDATE customers SET credit_minor = credit_minor + $3, updated_at = $4 \
             WHERE company_id = $1 AND id = $2 AND credit_minor + $3 >= 0 RETURNING credit_minor")
            .bind(company.0).bind(customer.0).bind(delta).bind(at).fetch_optional(&mut *c).await)?;
        Ok(row)
    }

    /// Records a payment the office took, with its allocations.
    pub async fn insert_office_payment(
        &mut self,
        company: CompanyId,
        p: &OfficePayment,
    ) -> Result<PaymentId, StoreError> {
        let id = self
            .insert_row(
                "payments",
                company.0,
                &[
                    ("customer_id", p.customer.0.into()),
                    ("number", (&p.number).into()),
                    ("amount_minor", p.amount_minor.into()),
                    ("method", p.method.as_str().into()),
                    ("status", "succeeded".into()),
                    ("reference", (&p.reference).into()),
                    ("channel", "office".into()),
                    ("recorded_by_staff_id", Val::Int(Some(p.recorded_by.0))),
                    ("received_at", p.received_at.into()),
                    ("created_at", now().into()),
                ],
                true,
            )
            .await?;
        self.insert_allocations(company, id, &p.allocations).await?;
        Ok(PaymentId(id))
    }

    /// Records how payment `id` is spread over invoices, one row per invoice (office and
    /// online payments alike).
    pub(crate) async fn insert_allocations(
        &mut self,
        company: CompanyId,
        id: i64,
        allocations: &[(InvoiceId, i64)],
    ) -> Result<(), StoreError> {
        for (invoice, amount) in allocations {
            self.insert_row(
                "payment_allocations",
                company.0,
                &[
                    ("payment_id", id.into()),
                    ("invoice_id", invoice.0.into()),
                    ("amount_minor", (*amount).into()),
                ],
                false,
            )
            .await?;
        }
        Ok(())
    }

    /// Who a receipt for the account goes to: its active company contacts marked for
    /// billing that have an email, else its primary ones, else every one of them (an
    /// account the office made has no primary contact); `(email, name)`.
    pub async fn receipt_recipients(
        &mut self,
        company: CompanyId,
        customer: CustomerId,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let rows: Vec<(String, String, bool, bool)> = on_tx!(self, c => sqlx::query_as(
            "SELECT email, TRIM(first_name || ' ' || last_name), is_billing, is_primary FROM contacts \
             WHERE company_id = $1 AND customer_id = $2 AND role = 'company' \
             AND deactivated_at IS NULL AND email IS NOT NULL AND TRIM(email) <> '' ORDER BY id")
            .bind(company.0).bind(customer.0).fetch_all(&mut *c).await)?;
        let billing: Vec<(String, String)> = rows
            .iter()
            .filter(|r| r.2)
            .map(|r| (r.0.clone(), r.1.clone()))
            .collect();
        if !billing.is_empty() {
            return Ok(billing);
        }
        let primary: Vec<(String, String)> = rows
            .iter()
            .filter(|r| r.3)
            .map(|r| (r.0.clone(), r.1.clone()))
            .collect();
        if !primary.is_empty() {
            return Ok(primary);
        }
        Ok(rows.into_iter().map(|r| (r.0, r.1)).collect())
    }
}
