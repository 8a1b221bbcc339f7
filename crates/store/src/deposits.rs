//! Deposits paid on approving an estimate (issue 19): what an estimate asks and what was
//! paid (the payment is held on the estimate, with no invoice, until the office sends an
//! invoice of the job made from it), and the compare-and-set writes that record the
//! payment once and apply it to the job's invoices once.

use doorstep_core::deposits::Deposit;
use doorstep_core::ids::{CompanyId, EstimateId, InvoiceId, JobId, PaymentId};
use time::OffsetDateTime;

use crate::{Store, StoreError, Tx, db_time, on_pool, on_tx};

/// An estimate's deposit: what it asks and what was paid.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DepositState {
    /// The estimate's id.
    pub estimate_id: i64,
    /// Its number.
    pub number: String,
    /// Its account.
    pub customer_id: i64,
    /// Its stored status.
    pub status: String,
    /// A fixed deposit, minor units.
    pub deposit_minor: i64,
    /// A percentage of the approved total, basis points.
    pub deposit_percent_bp: i64,
    /// The approved total, once approved.
    pub approved_total_minor: Option<i64>,
    /// What was paid, minor units (0: not paid).
    pub deposit_paid_minor: i64,
    /// When it was paid.
    pub deposit_paid_at: Option<OffsetDateTime>,
    /// The receipt number of the deposit's payment.
    pub payment_number: Option<String>,
    /// The deposit's payment id.
    pub deposit_payment_id: Option<i64>,
    /// What of it went to the job's invoices so far.
    pub deposit_applied_minor: i64,
}

impl DepositState {
    /// The rule the office set.
    pub fn rule(&self) -> Deposit {
        Deposit::from_stored(self.deposit_minor, self.deposit_percent_bp)
    }

    /// What is due for the approved total (0 before approval or without a deposit).
    pub fn due_minor(&self) -> i64 {
        self.approved_total_minor
            .map_or(0, |total| self.rule().due(total))
    }

    /// Whether it was paid.
    pub fn is_paid(&self) -> bool {
        self.deposit_payment_id.is_some() && self.deposit_paid_minor > 0
    }
}

const COLUMNS: &str = "e.id AS estimate_id, e.number, e.customer_id, e.status, e.deposit_minor, \
     e.deposit_percent_bp, e.approved_total_minor, e.deposit_paid_minor, e.deposit_paid_at, \
     p.number AS payment_number, e.deposit_payment_id, e.deposit_applied_minor";

impl Store {
    /// The number of the company's estimate `id`.
    pub async fn estimate_number_of(
        &self,
        company: CompanyId,
        id: i64,
    ) -> Result<Option<String>, StoreError> {
        let n = on_pool!(self, p => sqlx::query_scalar(
            "SELECT number FROM estimates WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id).fetch_optional(p).await)?;
        Ok(n)
    }

    /// Whether the account's invoice `number` is for a completed job (the payment page
    /// offers a tip then).
    pub async fn invoice_of_completed_job(
        &self,
        company: CompanyId,
        customer: doorstep_core::ids::CustomerId,
        number: &str,
    ) -> Result<bool, StoreError> {
        let n: Option<i64> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT i.id FROM invoices i JOIN jobs j ON j.id = i.job_id AND j.company_id = i.company_id \
             WHERE i.company_id = $1 AND i.customer_id = $2 AND i.number = $3 AND j.status = 'completed'")
            .bind(company.0).bind(customer.0).bind(number).fetch_optional(p).await)?;
        Ok(n.is_some())
    }

    /// The deposit of the company's estimate `number`.
    pub async fn estimate_deposit(
        &self,
        company: CompanyId,
        number: &str,
    ) -> Result<Option<DepositState>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM estimates e LEFT JOIN payments p ON p.id = e.deposit_payment_id \
             WHERE e.company_id = $1 AND e.number = $2"
        );
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(number).fetch_optional(p).await)?;
        Ok(row)
    }
}

impl Tx {
    /// The deposit of the company's estimate `id`, read in the transaction.
    pub async fn estimate_deposit_by_id(
        &mut self,
        company: CompanyId,
        id: EstimateId,
    ) -> Result<Option<DepositState>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM estimates e LEFT JOIN payments p ON p.id = e.deposit_payment_id \
             WHERE e.company_id = $1 AND e.id = $2"
        );
        let row = on_tx!(self, c => sqlx::query_as(&sql)
            .bind(company.0).bind(id.0).fetch_optional(&mut *c).await)?;
        Ok(row)
    }

    /// Records `payment` of `amount` at `at` as estimate `id`'s deposit, once: false when
    /// a deposit was recorded before (another checkout paid it).
    pub async fn mark_deposit_paid(
        &mut self,
        company: CompanyId,
        id: EstimateId,
        payment: PaymentId,
        amount: i64,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let at = db_time(at);
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE estimates SET deposit_payment_id = $3, deposit_paid_minor = $4, deposit_paid_at = $5 \
             WHERE company_id = $1 AND id = $2 AND deposit_payment_id IS NULL")
            .bind(company.0).bind(id.0).bind(payment.0).bind(amount).bind(at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    /// The paid deposit of the estimate converted into job `job` with some of it not yet
    /// applied to an invoice.
    pub async fn unapplied_deposit_of_job(
        &mut self,
        company: CompanyId,
        job: JobId,
    ) -> Result<Option<DepositState>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM estimates e JOIN payments p ON p.id = e.deposit_payment_id \
             WHERE e.company_id = $1 AND e.converted_job_id = $2 \
             AND e.deposit_paid_minor > e.deposit_applied_minor ORDER BY e.id LIMIT 1"
        );
        let row = on_tx!(self, c => sqlx::query_as(&sql)
            .bind(company.0).bind(job.0).fetch_optional(&mut *c).await)?;
        Ok(row)
    }

    /// Applies `amount` more of estimate `id`'s deposit payment to `invoice` (its
    /// allocation row), if what was applied is still `applied_before`: false otherwise.
    pub async fn apply_deposit(
        &mut self,
        company: CompanyId,
        (id, payment): (EstimateId, PaymentId),
        applied_before: i64,
        (invoice, amount): (InvoiceId, i64),
    ) -> Result<bool, StoreError> {
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE estimates SET deposit_applied_minor = deposit_applied_minor + $4 \
             WHERE company_id = $1 AND id = $2 AND deposit_applied_minor = $3 \
             AND deposit_applied_minor + $4 <= deposit_paid_minor")
            .bind(company.0).bind(id.0).bind(applied_before).bind(amount)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Ok(false);
        }
        self.insert_allocations(company, payment.0, &[(invoice, amount)])
            .await?;
        Ok(true)
    }

    /// Whether the account's invoice `invoice` is for a job that is completed (what a
    /// tip may be added to).
    pub async fn invoice_job_completed(
        &mut self,
        company: CompanyId,
        invoice: InvoiceId,
    ) -> Result<bool, StoreError> {
        let n: Option<i64> = on_tx!(self, c => sqlx::query_scalar(
            "SELECT i.id FROM invoices i JOIN jobs j ON j.id = i.job_id AND j.company_id = i.company_id \
             WHERE i.company_id = $1 AND i.id = $2 AND j.status = 'completed'")
            .bind(company.0).bind(invoice.0).fetch_optional(&mut *c).await)?;
        Ok(n.is_some())
    }

    /// The job invoice `invoice` is for, if any.
    pub async fn invoice_job(
        &mut self,
        company: CompanyId,
        invoice: InvoiceId,
    ) -> Result<Option<JobId>, StoreError> {
        let job: Option<Option<i64>> = on_tx!(self, c => sqlx::query_scalar(
            "SELECT job_id FROM invoices WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(invoice.0).fetch_optional(&mut *c).await)?;
        Ok(job.flatten().map(JobId))
    }

    /// Sets the percentage deposit (basis points; 0 for none) of estimate `id` while it
    /// is a draft or pending.
    pub async fn set_deposit_percent(
        &mut self,
        company: CompanyId,
        id: EstimateId,
        bp: i64,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query(
            "UPDATE estimates SET deposit_percent_bp = $3 \
             WHERE company_id = $1 AND id = $2 AND status IN ('draft', 'pending')")
            .bind(company.0).bind(id.0).bind(bp)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
