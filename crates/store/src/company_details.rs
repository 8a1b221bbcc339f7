//! The company's own details as its administrators edit them: name, addresses, phone,
//! email, website, the office notice address, time zone, currency and payment terms.

use doorstep_core::ids::CompanyId;

use crate::{Store, StoreError, Tx, db_time, now, on_pool, on_tx};

/// The company's details as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default, sqlx::FromRow)]
pub struct CompanyDetails {
    /// Name as customers know it.
    pub name: String,
    /// Public contact email.
    pub email: String,
    /// Public phone.
    pub phone: String,
    /// Street address.
    pub address_line1: String,
    /// Second address line.
    pub address_line2: String,
    /// City.
    pub city: String,
    /// State or region.
    pub region: String,
    /// Postal code.
    pub postal_code: String,
    /// Country.
    pub country: String,
    /// Website (`http(s)://` or empty).
    pub website: String,
    /// Where office notices go (empty: the main email).
    pub request_email: String,
    /// IANA time zone name.
    pub timezone: String,
    /// ISO 4217 code amounts are in.
    pub currency: String,
    /// Days after issue an invoice is due by default.
    pub payment_terms_days: i64,
    /// What new estimate numbers start with (`E-`).
    pub estimate_prefix: String,
    /// What new invoice numbers start with (`I-`).
    pub invoice_prefix: String,
    /// What new job numbers start with (`J-`).
    pub job_prefix: String,
}

const SELECT: &str = "SELECT name, email, phone, address_line1, address_line2, city, region, \
    postal_code, country, website, request_email, timezone, currency, \
    CAST(payment_terms_days AS BIGINT) AS payment_terms_days, estimate_prefix, invoice_prefix, \
    job_prefix FROM companies WHERE id = $1";

impl Store {
    /// The details of `company`.
    pub async fn company_details(
        &self,
        company: CompanyId,
    ) -> Result<Option<CompanyDetails>, StoreError> {
        let row: Option<CompanyDetails> = on_pool!(self, p => sqlx::query_as(SELECT)
            .bind(company.0).fetch_optional(p).await)?;
        Ok(row)
    }
}

impl Tx {
    /// Changes the company's details as `change` says, applied to the row as it is now
    /// (never a cached copy) with the row locked until the transaction ends, so two
    /// administrators changing different fields both keep theirs. Answers the details
    /// before and after.
    pub async fn change_company_details(
        &mut self,
        company: CompanyId,
        change: impl FnOnce(&mut CompanyDetails),
    ) -> Result<(CompanyDetails, CompanyDetails), StoreError> {
        // A no-op write takes the row lock on both engines before the read.
        on_tx!(self, c => sqlx::query("UPDATE companies SET updated_at = updated_at WHERE id = $1")
            .bind(company.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        let old: Option<CompanyDetails> = on_tx!(self, c => sqlx::query_as(SELECT)
            .bind(company.0).fetch_optional(&mut *c).await)?;
        let old = old.ok_or(StoreError::NotFound)?;
        let mut new = old.clone();
        change(&mut new);
        if new != old {
            self.companies_changed();
            let d = &new;
            on_tx!(self, c => sqlx::query(
                "UPDATE companies SET name = $2, email = $3, phone = $4, address_line1 = $5, \
                 address_line2 = $6, city = $7, region = $8, postal_code = $9, country = $10, \
                 website = $11, request_email = $12, timezone = $13, currency = $14, \
                 payment_terms_days = $15, updated_at = $16, estimate_prefix = $17, \
                 invoice_prefix = $18, job_prefix = $19 WHERE id = $1")
                .bind(company.0).bind(&d.name).bind(&d.email).bind(&d.phone)
                .bind(&d.address_line1).bind(&d.address_line2).bind(&d.city).bind(&d.region)
                .bind(&d.postal_code).bind(&d.country).bind(&d.website).bind(&d.request_email)
                .bind(&d.timezone).bind(&d.currency).bind(d.payment_terms_days)
                .bind(db_time(now()))
                .bind(&d.estimate_prefix).bind(&d.invoice_prefix).bind(&d.job_prefix)
                .execute(&mut *c).await.map(|_| ()))?;
        }
        Ok((old, new))
    }

    /// Whether the company has recorded any amount (an estimate, an invoice or a payment),
    /// read in this transaction: its currency then stays as it is.
    pub async fn company_has_amounts(&mut self, company: CompanyId) -> Result<bool, StoreError> {
        let n: i64 = on_tx!(self, c => sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM estimates WHERE company_id = $1 LIMIT 1) e) \
             + (SELECT COUNT(*) FROM (SELECT 1 FROM invoices WHERE company_id = $1 LIMIT 1) i) \
             + (SELECT COUNT(*) FROM (SELECT 1 FROM payments WHERE company_id = $1 LIMIT 1) p)")
            .bind(company.0).fetch_one(&mut *c).await)?;
        Ok(n > 0)
    }
}
