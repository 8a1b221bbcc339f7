//! Online payments: each company's processor settings, the hosted checkouts opened for
//! paying invoices (an open one holds its invoices through a unique index, so a second
//! tab is refused), the processor events already handled (`UNIQUE(processor, event_id)`,
//! so a repeated or concurrent delivery changes nothing twice), the payment a processor
//! took, and refunds read back from the processor's running total.

use doorstep_core::ids::{CompanyId, CustomerId, InvoiceId, PaymentId};
use time::OffsetDateTime;

use crate::insert::Val;
use crate::{Store, StoreError, Tx, db_time, now, on_pool, on_tx};

/// A company's processor settings, as stored (secrets sealed).
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct PaymentSettingsRow {
    /// `none`, `test` or `stripe`.
    pub processor: String,
    /// The Stripe secret key, sealed.
    pub stripe_secret_sealed: Option<String>,
    /// The webhook signing secret, sealed.
    pub webhook_secret_sealed: Option<String>,
    /// Whether customers may pay part of an invoice.
    pub allow_partial: bool,
    /// Whether US bank accounts are offered besides cards.
    pub ach_enabled: bool,
}

/// A checkout as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CheckoutRow {
    /// Row id.
    pub id: i64,
    /// The paying account.
    pub customer_id: i64,
    /// `test` or `stripe`.
    pub processor: String,
    /// Doorstep's reference.
    pub reference: String,
    /// The processor's session id, once it answered.
    pub processor_session_id: Option<String>,
    /// The hosted page.
    pub url: Option<String>,
    /// What the invoices get, minor units (credit included).
    pub amount_minor: i64,
    /// Account credit applied first, minor units.
    pub credit_minor: i64,
    /// `open`, `paid`, `failed` or `expired`.
    pub status: String,
    /// Why it failed (the processor's words).
    pub failure: String,
    /// The receipt number of the payment it made.
    pub payment_number: Option<String>,
    /// When it was opened.
    pub created_at: OffsetDateTime,
    /// `invoices` or `deposit`.
    pub kind: String,
    /// The estimate whose deposit it pays.
    pub estimate_id: Option<i64>,
    /// A tip charged with it, apart from the invoices, minor units.
    pub tip_minor: i64,
}

impl CheckoutRow {
    /// The account.
    pub fn customer(&self) -> CustomerId {
        CustomerId(self.customer_id)
    }

    /// What the processor charges: the amount less the credit applied, and the tip.
    pub fn charge_minor(&self) -> i64 {
        self.amount_minor - self.credit_minor + self.tip_minor
    }

    /// Whether it pays an estimate's deposit.
    pub fn is_deposit(&self) -> bool {
        self.kind == "deposit"
    }
}

const CHECKOUT_COLUMNS: &str = "k.id, k.customer_id, k.processor, k.reference, k.processor_session_id, k.url, \
     k.amount_minor, k.credit_minor, k.status, k.failure, p.number AS payment_number, k.created_at, \
     k.kind, k.estimate_id, k.tip_minor";

/// A checkout to open.
#[derive(Debug, Clone)]
pub struct NewCheckout {
    /// The paying account.
    pub customer: CustomerId,
    /// The contact paying.
    pub contact: i64,
    /// `test` or `stripe`.
    pub processor: &'static str,
    /// Doorstep's reference (random).
    pub reference: String,
    /// The total for the invoices, minor units.
    pub amount_minor: i64,
    /// Credit applied first.
    pub credit_minor: i64,
    /// Lower-case ISO code.
    pub currency: String,
    /// Each invoice and its amount, in order (none for a deposit).
    pub invoices: Vec<(InvoiceId, i64)>,
    /// `invoices` or `deposit`.
    pub kind: &'static str,
    /// The estimate whose deposit it pays.
    pub estimate: Option<i64>,
    /// A tip charged with the invoices, minor units.
    pub tip_minor: i64,
}

/// A payment a processor took.
#[derive(Debug, Clone)]
pub struct OnlinePayment {
    /// The paying account.
    pub customer: CustomerId,
    /// The receipt number.
    pub number: String,
    /// Amount, minor units.
    pub amount_minor: i64,
    /// `card`, `ach` or `credit`.
    pub method: &'static str,
    /// `test` or `stripe`; none for credit.
    pub processor: Option<String>,
    /// The processor's payment id (`pi_...`).
    pub processor_ref: Option<String>,
    /// What the receipt shows as reference.
    pub reference: String,
    /// When the money arrived.
    pub received_at: OffsetDateTime,
    /// The invoices it paid.
    pub allocations: Vec<(InvoiceId, i64)>,
    /// A tip charged with it, apart from `amount_minor`.
    pub tip_minor: i64,
}

/// An online payment found by its processor reference.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProcessorPayment {
    /// Row id.
    pub id: i64,
    /// The account.
    pub customer_id: i64,
    /// The receipt number.
    pub number: String,
    /// Amount.
    pub amount_minor: i64,
    /// Refunded so far.
    pub refunded_minor: i64,
}

impl Store {
    /// The company's processor settings (processor `none` when never set).
    pub async fn payment_settings(
        &self,
        company: CompanyId,
    ) -> Result<PaymentSettingsRow, StoreError> {
        let row: Option<PaymentSettingsRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT processor, stripe_secret_sealed, webhook_secret_sealed, allow_partial, ach_enabled \
             FROM payment_settings WHERE company_id = $1")
            .bind(company.0).fetch_optional(p).await)?;
        Ok(row.unwrap_or_else(|| PaymentSettingsRow {
            processor: "none".into(),
            ..PaymentSettingsRow::default()
        }))
    }

    /// The account's checkout `reference`.
    pub async fn checkout_of(
        &self,
        company: CompanyId,
        customer: CustomerId,
        reference: &str,
    ) -> Result<Option<CheckoutRow>, StoreError> {
        let sql = format!(
            "SELECT {CHECKOUT_COLUMNS} FROM checkout_sessions k LEFT JOIN payments p ON p.id = k.payment_id \
             WHERE k.company_id = $1 AND k.customer_id = $2 AND k.reference = $3"
        );
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(customer.0).bind(reference).fetch_optional(p).await)?;
        Ok(row)
    }

    /// The numbers of checkout `id`'s invoices and their amounts, in order.
    pub async fn checkout_invoices(
        &self,
        company: CompanyId,
        id: i64,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT i.number, l.amount_minor FROM checkout_session_invoices l \
             JOIN invoices i ON i.id = l.invoice_id WHERE l.company_id = $1 AND l.checkout_id = $2 \
             ORDER BY l.position")
            .bind(company.0).bind(id).fetch_all(p).await)?;
        Ok(rows)
    }
}

impl Tx {
    /// Sets the company's processor settings.
    pub async fn set_payment_settings(
        &mut self,
        company: CompanyId,
        s: &PaymentSettingsRow,
    ) -> Result<(), StoreError> {
        let at = db_time(now());
        on_tx!(self, c => sqlx::query(
            "INSERT INTO payment_settings (company_id, processor, stripe_secret_sealed, webhook_secret_sealed, \
             allow_partial, ach_enabled, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (company_id) DO UPDATE SET processor = $2, stripe_secret_sealed = $3, \
             webhook_secret_sealed = $4, allow_partial = $5, ach_enabled = $6, updated_at = $7")
            .bind(company.0).bind(&s.processor).bind(&s.stripe_secret_sealed)
            .bind(&s.webhook_secret_sealed).bind(s.allow_partial).bind(s.ach_enabled).bind(at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Marks the company's open checkouts opened before `before` expired and frees their
    /// invoices (an abandoned tab does not hold an invoice for ever).
    pub async fn expire_stale_checkouts(
        &mut self,
        company: CompanyId,
        before: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let (before, at) = (db_time(before), db_time(now()));
        on_tx!(self, c => sqlx::query(
            "UPDATE checkout_session_invoices SET open_invoice_id = NULL WHERE company_id = $1 \
             AND open_invoice_id IS NOT NULL AND checkout_id IN (SELECT id FROM checkout_sessions \
             WHERE company_id = $1 AND status = 'open' AND created_at < $2)")
            .bind(company.0).bind(before).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        on_tx!(self, c => sqlx::query(
            "UPDATE checkout_sessions SET status = 'expired', updated_at = $3 \
             WHERE company_id = $1 AND status = 'open' AND created_at < $2")
            .bind(company.0).bind(before).bind(at).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The number of the first of `invoices` an open checkout holds.
    pub async fn invoice_in_open_checkout(
        &mut self,
        company: CompanyId,
        invoices: &[InvoiceId],
    ) -> Result<Option<String>, StoreError> {
        for invoice in invoices {
            let found: Option<String> = on_tx!(self, c => sqlx::query_scalar(
                "SELECT i.number FROM checkout_session_invoices l JOIN invoices i ON i.id = l.invoice_id \
                 WHERE l.company_id = $1 AND l.open_invoice_id = $2")
                .bind(company.0).bind(invoice.0).fetch_optional(&mut *c).await)?;
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    /// Opens checkout `k` holding its invoices; its id. A unique violation (another tab
    /// got there first) is `StoreError::Conflict`.
    pub async fn insert_checkout(
        &mut self,
        company: CompanyId,
        k: &NewCheckout,
    ) -> Result<i64, StoreError> {
        let at = now();
        let id = self
            .insert_row(
                "checkout_sessions",
                company.0,
                &[
                    ("customer_id", k.customer.0.into()),
                    ("contact_id", k.contact.into()),
                    ("processor", k.processor.into()),
                    ("reference", (&k.reference).into()),
                    ("amount_minor", k.amount_minor.into()),
                    ("credit_minor", k.credit_minor.into()),
                    ("currency", (&k.currency).into()),
                    ("status", "open".into()),
                    ("kind", k.kind.into()),
                    ("estimate_id", Val::Int(k.estimate)),
                    ("tip_minor", k.tip_minor.into()),
                    ("created_at", at.into()),
                    ("updated_at", at.into()),
                ],
                true,
            )
            .await?;
        for (position, (invoice, amount)) in k.invoices.iter().enumerate() {
            self.insert_row(
                "checkout_session_invoices",
                company.0,
                &[
                    ("checkout_id", id.into()),
                    ("invoice_id", invoice.0.into()),
                    ("amount_minor", (*amount).into()),
                    ("position", (position as i64).into()),
                    ("open_invoice_id", invoice.0.into()),
                ],
                false,
            )
            .await?;
        }
        Ok(id)
    }

    /// Records the processor's session id and page for checkout `id`.
    pub async fn set_checkout_session(
        &mut self,
        company: CompanyId,
        id: i64,
        session: &str,
        url: Option<&str>,
    ) -> Result<(), StoreError> {
        let at = db_time(now());
        on_tx!(self, c => sqlx::query(
            "UPDATE checkout_sessions SET processor_session_id = $3, url = $4, updated_at = $5 \
             WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id).bind(session).bind(url).bind(at).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The company's checkout whose processor session is `session`.
    pub async fn checkout_by_session(
        &mut self,
        company: CompanyId,
        session: &str,
    ) -> Result<Option<CheckoutRow>, StoreError> {
        let sql = format!(
            "SELECT {CHECKOUT_COLUMNS} FROM checkout_sessions k LEFT JOIN payments p ON p.id = k.payment_id \
             WHERE k.company_id = $1 AND k.processor_session_id = $2"
        );
        let row = on_tx!(self, c => sqlx::query_as(&sql)
            .bind(company.0).bind(session).fetch_optional(&mut *c).await)?;
        Ok(row)
    }

    /// The company's checkout with reference `reference`.
    pub async fn checkout_by_reference(
        &mut self,
        company: CompanyId,
        reference: &str,
    ) -> Result<Option<CheckoutRow>, StoreError> {
        let sql = format!(
            "SELECT {CHECKOUT_COLUMNS} FROM checkout_sessions k LEFT JOIN payments p ON p.id = k.payment_id \
             WHERE k.company_id = $1 AND k.reference = $2"
        );
        let row = on_tx!(self, c => sqlx::query_as(&sql)
            .bind(company.0).bind(reference).fetch_optional(&mut *c).await)?;
        Ok(row)
    }

    /// Moves checkout `id` from one of `from` to `to` (with `failure`), freeing its
    /// invoices: whether this call moved it (a compare-and-set, so of two deliveries at
    /// once only one settles).
    pub async fn move_checkout(
        &mut self,
        company: CompanyId,
        id: i64,
        from: &[&str],
        to: &str,
        failure: &str,
    ) -> Result<bool, StoreError> {
        let at = db_time(now());
        let from = from
            .iter()
            .map(|s| format!("'{s}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "UPDATE checkout_sessions SET status = $3, failure = $4, updated_at = $5 \
             WHERE company_id = $1 AND id = $2 AND status IN ({from})"
        );
        let moved = on_tx!(self, c => sqlx::query(&sql)
            .bind(company.0).bind(id).bind(to).bind(failure).bind(at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if moved > 0 {
            on_tx!(self, c => sqlx::query(
                "UPDATE checkout_session_invoices SET open_invoice_id = NULL WHERE company_id = $1 AND checkout_id = $2")
                .bind(company.0).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        }
        Ok(moved > 0)
    }

    /// Links checkout `id` to the payment it made.
    pub async fn set_checkout_payment(
        &mut self,
        company: CompanyId,
        id: i64,
        payment: PaymentId,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query(
            "UPDATE checkout_sessions SET payment_id = $3 WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id).bind(payment.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Checkout `id`'s invoices and amounts, in order.
    pub async fn checkout_lines(
        &mut self,
        company: CompanyId,
        id: i64,
    ) -> Result<Vec<(InvoiceId, i64)>, StoreError> {
        let rows: Vec<(i64, i64)> = on_tx!(self, c => sqlx::query_as(
            "SELECT invoice_id, amount_minor FROM checkout_session_invoices \
             WHERE company_id = $1 AND checkout_id = $2 ORDER BY position")
            .bind(company.0).bind(id).fetch_all(&mut *c).await)?;
        Ok(rows.into_iter().map(|(i, a)| (InvoiceId(i), a)).collect())
    }

    /// Records that event `event_id` of `processor` is handled, in the transaction that
    /// handles it: false when it already was (or another delivery is handling it now:
    /// the unique index makes this one wait, then see it).
    pub async fn record_processor_event(
        &mut self,
        company: CompanyId,
        processor: &str,
        event_id: &str,
        event_type: &str,
    ) -> Result<bool, StoreError> {
        let at = db_time(now());
        let id: Option<i64> = on_tx!(self, c => sqlx::query_scalar(
            "INSERT INTO processor_events (company_id, processor, event_id, event_type, received_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (processor, event_id) DO NOTHING RETURNING id")
            .bind(company.0).bind(processor).bind(event_id).bind(event_type).bind(at)
            .fetch_optional(&mut *c).await)?;
        Ok(id.is_some())
    }

    /// Records a payment a processor took (or the credit a checkout applied), with its
    /// allocations (already applied).
    pub async fn insert_online_payment(
        &mut self,
        company: CompanyId,
        p: &OnlinePayment,
    ) -> Result<PaymentId, StoreError> {
        let id = self
            .insert_row(
                "payments",
                company.0,
                &[
                    ("customer_id", p.customer.0.into()),
                    ("number", (&p.number).into()),
                    ("amount_minor", p.amount_minor.into()),
                    ("method", p.method.into()),
                    ("status", "succeeded".into()),
                    ("processor", Val::Text(p.processor.clone())),
                    ("processor_ref", Val::Text(p.processor_ref.clone())),
                    ("reference", (&p.reference).into()),
                    ("channel", "online".into()),
                    ("tip_minor", p.tip_minor.into()),
                    ("received_at", p.received_at.into()),
                    ("created_at", now().into()),
                ],
                true,
            )
            .await?;
        self.insert_allocations(company, id, &p.allocations).await?;
        Ok(PaymentId(id))
    }

    /// The company's online payment that `processor` knows as `processor_ref`.
    pub async fn payment_by_processor_ref(
        &mut self,
        company: CompanyId,
        processor: &str,
        processor_ref: &str,
    ) -> Result<Option<ProcessorPayment>, StoreError> {
        let row = on_tx!(self, c => sqlx::query_as(
            "SELECT id, customer_id, number, amount_minor, refunded_minor FROM payments \
             WHERE company_id = $1 AND processor = $2 AND processor_ref = $3 AND method <> 'credit'")
            .bind(company.0).bind(processor).bind(processor_ref).fetch_optional(&mut *c).await)?;
        Ok(row)
    }

    /// Sets payment `id`'s refunded total from `old` to `new` (a compare-and-set: a
    /// repeated refund event changes nothing); whether it moved.
    pub async fn set_refunded(
        &mut self,
        company: CompanyId,
        id: i64,
        (old, new): (i64, i64),
        fully: bool,
    ) -> Result<bool, StoreError> {
        let status = if fully { "refunded" } else { "succeeded" };
        let moved = on_tx!(self, c => sqlx::query(
            "UPDATE payments SET refunded_minor = $4, status = $5 \
             WHERE company_id = $1 AND id = $2 AND refunded_minor = $3")
            .bind(company.0).bind(id).bind(old).bind(new).bind(status)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(moved > 0)
    }

    /// Payment `id`'s allocations, last invoice first (a refund takes back from the end).
    pub async fn allocations_of(
        &mut self,
        company: CompanyId,
        id: i64,
    ) -> Result<Vec<(InvoiceId, i64)>, StoreError> {
        let rows: Vec<(i64, i64)> = on_tx!(self, c => sqlx::query_as(
            "SELECT invoice_id, amount_minor FROM payment_allocations \
             WHERE company_id = $1 AND payment_id = $2 ORDER BY invoice_id DESC")
            .bind(company.0).bind(id).fetch_all(&mut *c).await)?;
        Ok(rows.into_iter().map(|(i, a)| (InvoiceId(i), a)).collect())
    }

    /// Takes `amount` back from what was paid on the invoice (a refund): a paid invoice
    /// is unpaid again. Whether it changed (never below zero).
    pub async fn unapply_from_invoice(
        &mut self,
        company: CompanyId,
        invoice: InvoiceId,
        amount: i64,
    ) -> Result<bool, StoreError> {
        let at = db_time(now());
        let moved = on_tx!(self, c => sqlx::query(
            "UPDATE invoices SET paid_minor = paid_minor - $3, updated_at = $4, \
             status = CASE WHEN status = 'paid' THEN 'unpaid' ELSE status END, \
             paid_at = CASE WHEN status = 'paid' THEN NULL ELSE paid_at END \
             WHERE company_id = $1 AND id = $2 AND paid_minor >= $3")
            .bind(company.0).bind(invoice.0).bind(amount).bind(at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(moved > 0)
    }

    /// The account's credit, read in the transaction.
    pub async fn credit_of(
        &mut self,
        company: CompanyId,
        customer: CustomerId,
    ) -> Result<i64, StoreError> {
        let credit: Option<i64> = on_tx!(self, c => sqlx::query_scalar(
            "SELECT credit_minor FROM customers WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(customer.0).fetch_optional(&mut *c).await)?;
        Ok(credit.unwrap_or(0))
    }

    /// Invoice `id` of the account, whatever its status.
    pub async fn invoice_to_pay_by_id(
        &mut self,
        company: CompanyId,
        customer: CustomerId,
        id: InvoiceId,
    ) -> Result<Option<crate::payments::InvoiceToPay>, StoreError> {
        let row = on_tx!(self, c => sqlx::query_as(
            "SELECT id, number, status, total_minor, paid_minor FROM invoices \
             WHERE company_id = $1 AND customer_id = $2 AND id = $3")
            .bind(company.0).bind(customer.0).bind(id.0).fetch_optional(&mut *c).await)?;
        Ok(row)
    }
}
