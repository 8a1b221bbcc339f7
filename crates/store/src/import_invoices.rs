//! What the CSV import of invoices reads (issue 18) — the company's invoices with their
//! lines, jobs, payment terms and tax rates, each read once per file — and the
//! keyset-paged read the invoices export streams, one row per line.

use std::collections::HashMap;

use doorstep_core::ids::{CompanyId, CustomerId, JobId};
use time::Date;

use crate::{Store, StoreError, Tx, on_pool, on_tx};

/// An invoice as a re-import compares it and its export writes it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredInvoice {
    /// Id.
    pub id: i64,
    /// The office's number.
    pub number: String,
    /// Its id in the other system.
    pub external_ref: Option<String>,
    /// `draft`, `unpaid`, `paid` or `void`.
    pub status: String,
    /// Paid so far, minor units.
    pub paid_minor: i64,
    /// The customer billed.
    pub customer_id: i64,
    /// The customer's external reference, or its number.
    pub customer: String,
    /// The job it bills.
    pub job_id: Option<i64>,
    /// The job's external reference, or its number.
    pub job: Option<String>,
    /// The site, kept as it is by an import (the file has no site).
    pub site_id: Option<i64>,
    /// Issued.
    pub issued_on: Date,
    /// Due.
    pub due_on: Date,
    /// Notes printed on it.
    pub notes: String,
    /// Discount, minor units.
    pub discount_minor: i64,
}

/// One line of an invoice, in its order.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredLine {
    /// The invoice's id.
    pub invoice_id: i64,
    /// What was done or sold.
    pub description: String,
    /// Quantity in thousandths.
    pub quantity_milli: i64,
    /// Unit price, minor units.
    pub unit_price_minor: i64,
    /// Tax name, if taxed.
    pub tax_name: Option<String>,
    /// Tax rate in basis points.
    pub tax_rate_bp: i64,
}

/// What an invoices file's rows default to: the company's currency, time zone and
/// payment terms.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvoiceDefaults {
    /// ISO 4217 code.
    pub currency: String,
    /// IANA time zone (the company's "today").
    pub time_zone: String,
    /// Payment terms in days.
    pub payment_terms_days: i64,
}

/// A page of the invoices export.
#[derive(Debug, Clone)]
pub struct ExportPage {
    /// The invoices, by id.
    pub invoices: Vec<StoredInvoice>,
    /// Their lines, by invoice and position.
    pub lines: Vec<StoredLine>,
    /// The company's currency code.
    pub currency: String,
}

const INVOICES: &str = "SELECT i.id, i.number, i.external_ref, i.status, i.paid_minor, \
     i.customer_id, COALESCE(c.external_ref, c.number) AS customer, i.job_id, \
     COALESCE(j.external_ref, j.number) AS job, i.site_id, i.issued_on, i.due_on, i.notes, \
     i.discount_minor FROM invoices i \
     JOIN customers c ON c.company_id = i.company_id AND c.id = i.customer_id \
     LEFT JOIN jobs j ON j.company_id = i.company_id AND j.id = i.job_id \
     WHERE i.company_id = $1 AND i.id > $2 AND i.id <= $3 ORDER BY i.id";

const LINES: &str = "SELECT invoice_id, description, quantity_milli, unit_price_minor, \
     tax_name, tax_rate_bp FROM line_items \
     WHERE company_id = $1 AND invoice_id > $2 AND invoice_id <= $3 \
     ORDER BY invoice_id, position, id";

impl Store {
    /// Up to `limit` of the company's invoices after id `after`, by id, with their lines
    /// and the company's currency (their amounts' decimals); `None` when there are no more.
    pub async fn export_invoices(
        &self,
        company: CompanyId,
        after: i64,
        limit: i64,
    ) -> Result<Option<ExportPage>, StoreError> {
        let ids: Vec<i64> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT id FROM invoices WHERE company_id = $1 AND id > $2 ORDER BY id LIMIT $3")
            .bind(company.0).bind(after).bind(limit).fetch_all(p).await)?;
        let Some(last) = ids.last().copied() else {
            return Ok(None);
        };
        let invoices = on_pool!(self, p => sqlx::query_as(INVOICES)
            .bind(company.0).bind(after).bind(last).fetch_all(p).await)?;
        let lines = on_pool!(self, p => sqlx::query_as(LINES)
            .bind(company.0).bind(after).bind(last).fetch_all(p).await)?;
        let currency: String = on_pool!(self, p => sqlx::query_scalar(
            "SELECT currency FROM companies WHERE id = $1")
            .bind(company.0).fetch_one(p).await)?;
        Ok(Some(ExportPage {
            invoices,
            lines,
            currency,
        }))
    }
}

impl Tx {
    /// Every invoice of the company with its lines (what a re-import matches and
    /// compares with).
    pub async fn invoice_import_invoices(
        &mut self,
        company: CompanyId,
    ) -> Result<(Vec<StoredInvoice>, Vec<StoredLine>), StoreError> {
        let invoices = on_tx!(self, x => sqlx::query_as(INVOICES)
            .bind(company.0).bind(0_i64).bind(i64::MAX).fetch_all(&mut *x).await)?;
        let lines = on_tx!(self, x => sqlx::query_as(LINES)
            .bind(company.0).bind(0_i64).bind(i64::MAX).fetch_all(&mut *x).await)?;
        Ok((invoices, lines))
    }

    /// The company's jobs by external reference and by number, with their customer.
    pub async fn invoice_import_jobs(
        &mut self,
        company: CompanyId,
    ) -> Result<HashMap<String, (JobId, CustomerId)>, StoreError> {
        let rows: Vec<(i64, i64, String, Option<String>)> = on_tx!(self, x => sqlx::query_as(
            "SELECT id, customer_id, number, external_ref FROM jobs WHERE company_id = $1")
            .bind(company.0).fetch_all(&mut *x).await)?;
        let mut keys = HashMap::with_capacity(rows.len() * 2);
        for (id, customer, number, reference) in rows {
            let value = (JobId(id), CustomerId(customer));
            keys.insert(number, value);
            if let Some(r) = reference {
                keys.insert(r, value);
            }
        }
        Ok(keys)
    }

    /// The company's currency, time zone and payment terms.
    pub async fn invoice_import_defaults(
        &mut self,
        company: CompanyId,
    ) -> Result<Option<InvoiceDefaults>, StoreError> {
        let row = on_tx!(self, x => sqlx::query_as(
            "SELECT currency, timezone AS time_zone, CAST(payment_terms_days AS BIGINT) AS payment_terms_days \
             FROM companies WHERE id = $1")
            .bind(company.0).fetch_optional(&mut *x).await)?;
        Ok(row)
    }

    /// The payment terms of the company's customers that have their own.
    pub async fn invoice_import_terms(
        &mut self,
        company: CompanyId,
    ) -> Result<HashMap<CustomerId, i64>, StoreError> {
        let rows: Vec<(i64, i64)> = on_tx!(self, x => sqlx::query_as(
            "SELECT id, CAST(payment_terms_days AS BIGINT) FROM customers \
             WHERE company_id = $1 AND payment_terms_days IS NOT NULL")
            .bind(company.0).fetch_all(&mut *x).await)?;
        Ok(rows
            .into_iter()
            .map(|(id, days)| (CustomerId(id), days))
            .collect())
    }

    /// The company's tax rates by name: (rate in basis points, active), active first.
    pub async fn invoice_import_tax_rates(
        &mut self,
        company: CompanyId,
    ) -> Result<Vec<(String, i64, bool)>, StoreError> {
        let rows = on_tx!(self, x => sqlx::query_as(
            "SELECT name, rate_bp, active FROM tax_rates WHERE company_id = $1 \
             ORDER BY active DESC, name, id")
            .bind(company.0).fetch_all(&mut *x).await)?;
        Ok(rows)
    }
}
