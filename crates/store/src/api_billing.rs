//! The JSON API's billing reads (issue 20): invoices and payments of one company by
//! change time (keyset on `(updated_at, id)` for invoices, `(created_at, id)` for payments,
//! both served by migration 0037's indexes), one by id, and an invoice by external id.

use doorstep_core::ids::{CompanyId, InvoiceId};
use time::{Date, OffsetDateTime};

use crate::insert::{Sql, bind_vals};
use crate::{Store, StoreError, Tx, db_time, now, on_pool, on_tx};

/// An invoice as the API lists it (its lines and taxes are read with `office_invoice`).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiInvoice {
    /// Row id.
    pub id: i64,
    /// The company's number, e.g. `I-1001`.
    pub number: String,
    /// The account billed.
    pub customer_id: i64,
    /// The site, if any.
    pub site_id: Option<i64>,
    /// The job it bills, if any.
    pub job_id: Option<i64>,
    /// `draft`, `unpaid`, `paid` or `void`.
    pub status: String,
    /// Date issued.
    pub issued_on: Date,
    /// Date due.
    pub due_on: Date,
    /// Total, minor units.
    pub total_minor: i64,
    /// Paid so far, minor units.
    pub paid_minor: i64,
    /// Discount taken off before tax, minor units.
    pub discount_minor: i64,
    /// Notes printed on it.
    pub notes: String,
    /// The id another system gave it.
    pub external_ref: Option<String>,
    /// When it was sent.
    pub sent_at: Option<OffsetDateTime>,
    /// When it was paid in full.
    pub paid_at: Option<OffsetDateTime>,
    /// When it was voided.
    pub voided_at: Option<OffsetDateTime>,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
}

const INVOICE_COLUMNS: &str = "SELECT id, number, customer_id, site_id, job_id, status, \
    issued_on, due_on, total_minor, paid_minor, discount_minor, notes, external_ref, sent_at, \
    paid_at, voided_at, created_at, updated_at FROM invoices";

/// Which invoices a list holds (besides the page).
#[derive(Debug, Clone, Default)]
pub struct InvoiceFilter {
    /// Only this account's.
    pub customer: Option<i64>,
    /// Only in this stored status.
    pub status: Option<String>,
}

/// A payment as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiPayment {
    /// Row id.
    pub id: i64,
    /// The receipt number, e.g. `P-1001`.
    pub number: String,
    /// The account that paid.
    pub customer_id: i64,
    /// Amount, minor units.
    pub amount_minor: i64,
    /// Tip included in the amount, minor units.
    pub tip_minor: i64,
    /// Refunded so far, minor units.
    pub refunded_minor: i64,
    /// `card`, `ach`, `cash`, `check` or `credit`.
    pub method: String,
    /// `office` or `online`.
    pub channel: String,
    /// `pending`, `succeeded`, `failed` or `refunded`.
    pub status: String,
    /// Check number or reference.
    pub reference: String,
    /// When it was received.
    pub received_at: OffsetDateTime,
    /// When it was recorded.
    pub created_at: OffsetDateTime,
}

const PAYMENT_COLUMNS: &str = "SELECT id, number, customer_id, amount_minor, tip_minor, \
    refunded_minor, method, channel, status, reference, received_at, created_at FROM payments";

/// What a payment paid on one invoice.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiAllocation {
    /// The payment.
    pub payment_id: i64,
    /// The invoice.
    pub invoice_id: i64,
    /// The invoice's number.
    pub invoice_number: String,
    /// Amount put on it, minor units.
    pub amount_minor: i64,
}

impl Store {
    /// A page of the company's invoices by change time, after the `(updated_at, id)`
    /// cursor, changed at or after `since`, narrowed by `filter`.
    pub async fn api_invoices(
        &self,
        company: CompanyId,
        filter: &InvoiceFilter,
        since: Option<OffsetDateTime>,
        after: Option<(OffsetDateTime, i64)>,
        limit: i64,
    ) -> Result<Vec<ApiInvoice>, StoreError> {
        let mut sql = Sql::default();
        sql.push(&format!("{INVOICE_COLUMNS} WHERE company_id = "))
            .val(company.0);
        sql.and_eq("customer_id", filter.customer)
            .and_eq("status", filter.status.as_deref())
            .keyset_page(("", "updated_at"), since, after, limit);
        let rows = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_all(p).await)?;
        Ok(rows)
    }

    /// Invoice `id` of the company.
    pub async fn api_invoice(
        &self,
        company: CompanyId,
        id: InvoiceId,
    ) -> Result<Option<ApiInvoice>, StoreError> {
        let sql = format!("{INVOICE_COLUMNS} WHERE company_id = $1 AND id = $2");
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(id.0).fetch_optional(p).await)?;
        Ok(row)
    }

    /// The company's invoice whose external id is `external_ref`.
    pub async fn invoice_by_external_ref(
        &self,
        company: CompanyId,
        external_ref: &str,
    ) -> Result<Option<InvoiceId>, StoreError> {
        let row: Option<(i64,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT id FROM invoices WHERE company_id = $1 AND external_ref = $2")
            .bind(company.0).bind(external_ref).fetch_optional(p).await)?;
        Ok(row.map(|(id,)| InvoiceId(id)))
    }

    /// A page of the company's payments by the time they were recorded, after the
    /// `(created_at, id)` cursor, recorded at or after `since`.
    pub async fn api_payments(
        &self,
        company: CompanyId,
        since: Option<OffsetDateTime>,
        after: Option<(OffsetDateTime, i64)>,
        limit: i64,
    ) -> Result<Vec<ApiPayment>, StoreError> {
        let mut sql = Sql::default();
        sql.push(&format!("{PAYMENT_COLUMNS} WHERE company_id = "))
            .val(company.0);
        sql.keyset_page(("", "created_at"), since, after, limit);
        let rows = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_all(p).await)?;
        Ok(rows)
    }

    /// Payment `id` of the company.
    pub async fn api_payment(
        &self,
        company: CompanyId,
        id: i64,
    ) -> Result<Option<ApiPayment>, StoreError> {
        let sql = format!("{PAYMENT_COLUMNS} WHERE company_id = $1 AND id = $2");
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(id).fetch_optional(p).await)?;
        Ok(row)
    }

    /// The company's payment with receipt `number`.
    pub async fn api_payment_by_number(
        &self,
        company: CompanyId,
        number: &str,
    ) -> Result<Option<ApiPayment>, StoreError> {
        let sql = format!("{PAYMENT_COLUMNS} WHERE company_id = $1 AND number = $2");
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(number).fetch_optional(p).await)?;
        Ok(row)
    }

    /// What the company's payments with ids from `first` to `last` paid on each invoice
    /// (a page's payments: the caller keeps those it shows).
    pub async fn api_allocations(
        &self,
        company: CompanyId,
        first: i64,
        last: i64,
    ) -> Result<Vec<ApiAllocation>, StoreError> {
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT a.payment_id, a.invoice_id, i.number AS invoice_number, a.amount_minor \
             FROM payment_allocations a JOIN invoices i ON i.company_id = a.company_id AND i.id = a.invoice_id \
             WHERE a.company_id = $1 AND a.payment_id >= $2 AND a.payment_id <= $3 \
             ORDER BY a.payment_id, i.number")
            .bind(company.0).bind(first).bind(last).fetch_all(p).await)?;
        Ok(rows)
    }

    /// The payments made on the company's invoice `invoice`, oldest first.
    pub async fn api_invoice_payments(
        &self,
        company: CompanyId,
        invoice: InvoiceId,
    ) -> Result<Vec<ApiAllocation>, StoreError> {
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT a.payment_id, a.invoice_id, i.number AS invoice_number, a.amount_minor \
             FROM payment_allocations a JOIN invoices i ON i.company_id = a.company_id AND i.id = a.invoice_id \
             WHERE a.company_id = $1 AND a.invoice_id = $2 ORDER BY a.payment_id")
            .bind(company.0).bind(invoice.0).fetch_all(p).await)?;
        Ok(rows)
    }
}

impl Tx {
    /// Sets the external id of the company's invoice `invoice`; another invoice of the
    /// company with that id is [`StoreError::Conflict`].
    pub async fn set_invoice_external_ref(
        &mut self,
        company: CompanyId,
        invoice: InvoiceId,
        external_ref: &str,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query(
            "UPDATE invoices SET external_ref = $1, updated_at = $2 WHERE company_id = $3 AND id = $4")
            .bind(external_ref).bind(db_time(now())).bind(company.0).bind(invoice.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
