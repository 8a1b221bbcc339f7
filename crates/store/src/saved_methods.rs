//! Saved payment methods and autopay (issue 19): the processor's customer of each
//! account, the hosted setup pages opened for saving a method, the methods themselves
//! (the processor's id and what the portal shows, never card data) and the autopay
//! charges, one per invoice and due date — the unique key is the claim, so two server
//! processes sweeping at once charge an invoice once.

use doorstep_core::ids::{CompanyId, CustomerId, PaymentId};
use time::{Date, OffsetDateTime};

use crate::billing::NewPaymentMethod;
use crate::{Store, StoreError, Tx, db_time, now, on_pool, on_tx};

/// A saved method as the portal lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SavedMethodRow {
    /// Row id.
    pub id: i64,
    /// `test` or `stripe` (the processor that holds it).
    pub processor: String,
    /// The processor's id (`pm_...`).
    pub processor_ref: String,
    /// `card` or `bank`.
    pub kind: String,
    /// Card brand or bank name.
    pub brand: String,
    /// Last four digits.
    pub last4: String,
    /// Expiry month (cards).
    pub exp_month: Option<i64>,
    /// Expiry year (cards).
    pub exp_year: Option<i64>,
    /// The default method.
    pub is_default: bool,
    /// Autopay charges this method (only ever set on the default).
    pub autopay: bool,
}

/// A setup page as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MethodSetupRow {
    /// Row id.
    pub id: i64,
    /// The account.
    pub customer_id: i64,
    /// `test` or `stripe`.
    pub processor: String,
    /// Doorstep's reference.
    pub reference: String,
    /// The processor's customer the method is saved to.
    pub processor_customer_id: String,
    /// The processor's session, once it answered.
    pub processor_session_id: Option<String>,
    /// `open`, `complete` or `failed`.
    pub status: String,
}

/// A setup page to record.
#[derive(Debug, Clone)]
pub struct NewMethodSetup {
    /// The account.
    pub customer: CustomerId,
    /// The contact who opened it.
    pub contact: i64,
    /// `test` or `stripe`.
    pub processor: String,
    /// Doorstep's reference.
    pub reference: String,
    /// The processor's customer.
    pub processor_customer_id: String,
}

/// An autopay charge claimed by this sweep, with what charging it needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimedCharge {
    /// Row id.
    pub id: i64,
    /// The company.
    pub company_id: i64,
    /// The account.
    pub customer_id: i64,
    /// The invoice.
    pub invoice_id: i64,
    /// Its due date.
    pub due_on: Date,
    /// The method charged.
    pub payment_method_id: Option<i64>,
    /// What is charged, minor units.
    pub amount_minor: i64,
}

/// What charging a claimed autopay charge needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChargeContext {
    /// The invoice's number.
    pub number: String,
    /// The processor that holds the method.
    pub processor: String,
    /// The method's processor id.
    pub processor_ref: String,
    /// The processor's customer.
    pub processor_customer_id: Option<String>,
    /// "Visa ending 4242".
    pub method_label: String,
}

/// A failed autopay charge, as the office's follow-up list shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AutopayFailureRow {
    /// Row id.
    pub id: i64,
    /// The invoice's number.
    pub invoice_number: String,
    /// Its status now (`unpaid`, or `paid` once settled another way).
    pub invoice_status: String,
    /// The account's number.
    pub customer_number: String,
    /// The account's name.
    pub customer_name: String,
    /// The due date charged.
    pub due_on: Date,
    /// What was tried, minor units.
    pub amount_minor: i64,
    /// "Visa ending 4242".
    pub method_label: String,
    /// The processor's words.
    pub failure: String,
    /// When it failed.
    pub updated_at: OffsetDateTime,
}

const METHOD_COLUMNS: &str =
    "id, processor, processor_ref, kind, brand, last4, exp_month, exp_year, is_default, autopay";
const SETUP_COLUMNS: &str =
    "id, customer_id, processor, reference, processor_customer_id, processor_session_id, status";

impl Store {
    /// The slug of company `company` (the autopay sweep knows companies by id).
    pub async fn company_slug_of(&self, company: CompanyId) -> Result<Option<String>, StoreError> {
        let slug = on_pool!(self, p => sqlx::query_scalar("SELECT slug FROM companies WHERE id = $1")
            .bind(company.0).fetch_optional(p).await)?;
        Ok(slug)
    }

    /// The account's saved methods, default first, then oldest first.
    pub async fn saved_methods(
        &self,
        company: CompanyId,
        customer: CustomerId,
    ) -> Result<Vec<SavedMethodRow>, StoreError> {
        let sql = format!(
            "SELECT {METHOD_COLUMNS} FROM payment_methods WHERE company_id = $1 AND customer_id = $2 \
             ORDER BY is_default DESC, id"
        );
        let rows = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(customer.0).fetch_all(p).await)?;
        Ok(rows)
    }

    /// The processor's customer of the account, at `processor`.
    pub async fn processor_customer(
        &self,
        company: CompanyId,
        customer: CustomerId,
        processor: &str,
    ) -> Result<Option<String>, StoreError> {
        let id = on_pool!(self, p => sqlx::query_scalar(
            "SELECT processor_customer_id FROM processor_customers \
             WHERE company_id = $1 AND customer_id = $2 AND processor = $3")
            .bind(company.0).bind(customer.0).bind(processor).fetch_optional(p).await)?;
        Ok(id)
    }

    /// The company's setup page whose processor session is `session` (any account: the
    /// webhook's read).
    pub async fn method_setup_by_session(
        &self,
        company: CompanyId,
        session: &str,
    ) -> Result<Option<MethodSetupRow>, StoreError> {
        let sql = format!(
            "SELECT {SETUP_COLUMNS} FROM method_setups WHERE company_id = $1 AND processor_session_id = $2"
        );
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(session).fetch_optional(p).await)?;
        Ok(row)
    }

    /// The company's failed autopay charges, newest first, after the keyset cursor
    /// `(updated_at, id)`; `limit` rows.
    pub async fn autopay_failures(
        &self,
        company: CompanyId,
        after: Option<(OffsetDateTime, i64)>,
        limit: i64,
    ) -> Result<Vec<AutopayFailureRow>, StoreError> {
        let (at, id) = after
            .map(|(t, i)| (Some(db_time(t)), i))
            .unwrap_or((None, 0));
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT a.id, i.number AS invoice_number, i.status AS invoice_status, \
             c.number AS customer_number, c.name AS customer_name, a.due_on, a.amount_minor, \
             a.method_label, a.failure, a.updated_at FROM autopay_charges a \
             JOIN invoices i ON i.id = a.invoice_id JOIN customers c ON c.id = a.customer_id \
             WHERE a.company_id = $1 AND a.status = 'failed' \
             AND ($2 IS NULL OR a.updated_at < $2 OR (a.updated_at = $2 AND a.id < $3)) \
             ORDER BY a.updated_at DESC, a.id DESC LIMIT $4")
            .bind(company.0).bind(at).bind(id).bind(limit).fetch_all(p).await)?;
        Ok(rows)
    }
}

impl Tx {
    /// Records the account's processor customer (unless one is already recorded: then
    /// that one stays) and returns the one recorded.
    pub async fn keep_processor_customer(
        &mut self,
        company: CompanyId,
        customer: CustomerId,
        processor: &str,
        processor_customer: &str,
    ) -> Result<String, StoreError> {
        let at = db_time(now());
        on_tx!(self, c => sqlx::query(
            "INSERT INTO processor_customers (company_id, customer_id, processor, processor_customer_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (company_id, customer_id, processor) DO NOTHING")
            .bind(company.0).bind(customer.0).bind(processor).bind(processor_customer).bind(at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        let kept: String = on_tx!(self, c => sqlx::query_scalar(
            "SELECT processor_customer_id FROM processor_customers \
             WHERE company_id = $1 AND customer_id = $2 AND processor = $3")
            .bind(company.0).bind(customer.0).bind(processor).fetch_one(&mut *c).await)?;
        Ok(kept)
    }

    /// Records a setup page opened; its id.
    pub async fn insert_method_setup(
        &mut self,
        company: CompanyId,
        s: &NewMethodSetup,
    ) -> Result<i64, StoreError> {
        let at = now();
        self.insert_row(
            "method_setups",
            company.0,
            &[
                ("customer_id", s.customer.0.into()),
                ("contact_id", s.contact.into()),
                ("processor", (&s.processor).into()),
                ("reference", (&s.reference).into()),
                ("processor_customer_id", (&s.processor_customer_id).into()),
                ("status", "open".into()),
                ("created_at", at.into()),
                ("updated_at", at.into()),
            ],
            true,
        )
        .await
    }

    /// Records the processor's session of setup `id`.
    pub async fn set_method_setup_session(
        &mut self,
        company: CompanyId,
        id: i64,
        session: &str,
    ) -> Result<(), StoreError> {
        let at = db_time(now());
        on_tx!(self, c => sqlx::query(
            "UPDATE method_setups SET processor_session_id = $3, updated_at = $4 WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id).bind(session).bind(at).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Moves setup `id` from `from` to `to`; whether it moved (false: another delivery
    /// got there first).
    pub async fn move_method_setup(
        &mut self,
        company: CompanyId,
        id: i64,
        from: &str,
        to: &str,
    ) -> Result<bool, StoreError> {
        let at = db_time(now());
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE method_setups SET status = $4, updated_at = $5 WHERE company_id = $1 AND id = $2 AND status = $3")
            .bind(company.0).bind(id).bind(from).bind(to).bind(at).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Saves a method unless the company already has it (same processor id); its id when
    /// it was added.
    pub async fn save_method(
        &mut self,
        company: CompanyId,
        m: &NewPaymentMethod,
    ) -> Result<Option<i64>, StoreError> {
        let at = db_time(now());
        let id = on_tx!(self, c => sqlx::query_scalar(
            "INSERT INTO payment_methods (company_id, customer_id, processor, processor_ref, kind, brand, \
             last4, exp_month, exp_year, is_default, autopay, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (company_id, processor, processor_ref) DO NOTHING RETURNING id")
            .bind(company.0).bind(m.customer.0).bind(&m.processor).bind(&m.processor_ref)
            .bind(&m.kind).bind(&m.brand).bind(&m.last4).bind(m.exp_month).bind(m.exp_year)
            .bind(m.is_default).bind(m.autopay).bind(at).fetch_optional(&mut *c).await)?;
        Ok(id)
    }

    /// The account's methods (in the transaction), default first.
    pub async fn methods_of(
        &mut self,
        company: CompanyId,
        customer: CustomerId,
    ) -> Result<Vec<SavedMethodRow>, StoreError> {
        let sql = format!(
            "SELECT {METHOD_COLUMNS} FROM payment_methods WHERE company_id = $1 AND customer_id = $2 \
             ORDER BY is_default DESC, id"
        );
        let rows = on_tx!(self, c => sqlx::query_as(&sql)
            .bind(company.0).bind(customer.0).fetch_all(&mut *c).await)?;
        Ok(rows)
    }

    /// Forgets the account's method `id`; whether it was there.
    pub async fn delete_method(
        &mut self,
        company: CompanyId,
        customer: CustomerId,
        id: i64,
    ) -> Result<bool, StoreError> {
        let n = on_tx!(self, c => sqlx::query(
            "DELETE FROM payment_methods WHERE company_id = $1 AND customer_id = $2 AND id = $3")
            .bind(company.0).bind(customer.0).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Makes method `id` the account's default, with autopay `autopay`; every other
    /// method of the account loses both.
    pub async fn set_default_method(
        &mut self,
        company: CompanyId,
        customer: CustomerId,
        id: i64,
        autopay: bool,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query(
            "UPDATE payment_methods SET is_default = (id = $3), \
             autopay = CASE WHEN id = $3 THEN $4 ELSE FALSE END \
             WHERE company_id = $1 AND customer_id = $2")
            .bind(company.0).bind(customer.0).bind(id).bind(autopay)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Claims the autopay charges due on `today` for the companies in zone `zone` (as
    /// stored): unpaid invoices with a balance, of accounts whose default method (held by
    /// the company's processor) has autopay on. Each invoice and due date is claimed once,
    /// ever: a second sweep (this node's or another's) finds it taken.
    pub async fn claim_autopay(
        &mut self,
        zone: &str,
        today: Date,
    ) -> Result<Vec<ClaimedCharge>, StoreError> {
        let at = db_time(now());
        let rows = on_tx!(self, c => sqlx::query_as(
            "INSERT INTO autopay_charges (company_id, customer_id, invoice_id, due_on, payment_method_id, \
             method_label, amount_minor, status, created_at, updated_at) \
             SELECT i.company_id, i.customer_id, i.id, i.due_on, m.id, m.brand || ' ending ' || m.last4, \
             i.total_minor - i.paid_minor, 'charging', $3, $3 \
             FROM invoices i JOIN companies co ON co.id = i.company_id \
             JOIN payment_settings s ON s.company_id = i.company_id \
             JOIN payment_methods m ON m.company_id = i.company_id AND m.customer_id = i.customer_id \
             AND m.processor = s.processor \
             WHERE co.timezone = $1 AND i.status = 'unpaid' AND i.due_on = $2 \
             AND i.total_minor > i.paid_minor AND s.processor <> 'none' \
             AND m.is_default = TRUE AND m.autopay = TRUE \
             ON CONFLICT (company_id, invoice_id, due_on) DO NOTHING \
             RETURNING id, company_id, customer_id, invoice_id, due_on, payment_method_id, amount_minor")
            .bind(zone).bind(today).bind(at).fetch_all(&mut *c).await)?;
        Ok(rows)
    }

    /// What charging claimed charge `id` needs.
    pub async fn autopay_context(
        &mut self,
        company: CompanyId,
        id: i64,
    ) -> Result<Option<ChargeContext>, StoreError> {
        let row = on_tx!(self, c => sqlx::query_as(
            "SELECT i.number, m.processor, m.processor_ref, pc.processor_customer_id, a.method_label \
             FROM autopay_charges a JOIN invoices i ON i.id = a.invoice_id \
             JOIN payment_methods m ON m.id = a.payment_method_id \
             LEFT JOIN processor_customers pc ON pc.company_id = a.company_id \
             AND pc.customer_id = a.customer_id AND pc.processor = m.processor \
             WHERE a.company_id = $1 AND a.id = $2")
            .bind(company.0).bind(id).fetch_optional(&mut *c).await)?;
        Ok(row)
    }

    /// Closes claimed charge `id` as `paid` or `failed` (only while it is `charging`);
    /// whether it moved.
    pub async fn finish_autopay(
        &mut self,
        company: CompanyId,
        id: i64,
        status: &str,
        (failure, processor_ref, payment): (&str, Option<&str>, Option<PaymentId>),
    ) -> Result<bool, StoreError> {
        let at = db_time(now());
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE autopay_charges SET status = $3, failure = $4, processor_ref = $5, payment_id = $6, \
             updated_at = $7 WHERE company_id = $1 AND id = $2 AND status = 'charging'")
            .bind(company.0).bind(id).bind(status).bind(failure).bind(processor_ref)
            .bind(payment.map(|p| p.0)).bind(at).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Gives claimed charge `id` back (the processor could not be reached: a later sweep
    /// tries again, with the same idempotency key).
    pub async fn release_autopay(&mut self, company: CompanyId, id: i64) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query(
            "DELETE FROM autopay_charges WHERE company_id = $1 AND id = $2 AND status = 'charging'")
            .bind(company.0).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
