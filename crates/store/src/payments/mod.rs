//! Payments as the office records and lists them and the portal shows them: the payer
//! and its open invoices, the settlement writes (each guarded by a conditional UPDATE,
//! so two payments at once can never pay an invoice past its total or spend credit
//! twice), the office's list and receipt, an invoice's payments and an account's history.

use doorstep_core::ids::{CompanyId, CustomerId, InvoiceId};
use doorstep_core::status::PaymentMethodKind;
use time::{Date, OffsetDateTime};

use crate::insert::{Sql, bind_vals};
use crate::invoices::InvoiceRow;
use crate::request_inbox::like_pattern;

mod settle;

use crate::{Store, StoreError, on_pool};
pub use settle::{InvoiceToPay, OfficePayment};

/// A list cursor: `(received_at, id)` of the last row shown.
pub type PaymentCursor = (OffsetDateTime, i64);

/// The account a payment is recorded for.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Payer {
    /// Row id.
    pub id: i64,
    /// The company's customer number.
    pub number: String,
    /// The account's name.
    pub name: String,
    /// Credit on account, minor units.
    pub credit_minor: i64,
}

impl Payer {
    /// The typed id.
    pub fn customer(&self) -> CustomerId {
        CustomerId(self.id)
    }
}

/// A payment in a list (the office's, or an account's history).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PaymentRow {
    /// Row id (the keyset's tie-breaker).
    pub id: i64,
    /// The company's receipt number (`P-1042`).
    pub number: String,
    /// The account's number.
    pub customer_number: String,
    /// The account's name.
    pub customer_name: String,
    /// Amount, minor units.
    pub amount_minor: i64,
    /// Stored method (`cash`, `check`, `ach`, `card`, `credit`).
    pub method: String,
    /// `office` or `online`.
    pub channel: String,
    /// Check number or other reference.
    pub reference: String,
    /// `pending`, `succeeded`, `failed` or `refunded`.
    pub status: String,
    /// When the money arrived.
    pub received_at: OffsetDateTime,
    /// A tip charged with it, apart from the amount (issue 19).
    pub tip_minor: i64,
    /// The estimate whose deposit it is, if it is one (issue 19).
    pub deposit_estimate: Option<String>,
    /// The invoices it paid and how much of each, filled after the page is read.
    #[sqlx(skip)]
    pub invoices: Vec<(String, i64)>,
}

/// One invoice a payment paid, as its receipt shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReceiptLine {
    /// The invoice's number.
    pub invoice_number: String,
    /// What of the payment went to it, minor units.
    pub amount_minor: i64,
    /// The invoice's total.
    pub total_minor: i64,
    /// Paid on it so far (this and every other payment).
    pub paid_minor: i64,
    /// Its status now.
    pub status: String,
}

/// A payment with everything its receipt shows.
#[derive(Debug, Clone)]
pub struct PaymentDetail {
    /// The payment as listed.
    pub row: PaymentRow,
    /// The staff member who recorded it, when the office did.
    pub recorded_by: Option<String>,
    /// When it was recorded.
    pub created_at: OffsetDateTime,
    /// The invoices it paid.
    pub lines: Vec<ReceiptLine>,
}

impl PaymentDetail {
    /// What of the payment went to no invoice (account credit), minor units.
    pub fn unapplied_minor(&self) -> i64 {
        self.row.amount_minor - self.lines.iter().map(|l| l.amount_minor).sum::<i64>()
    }
}

#[derive(sqlx::FromRow)]
struct DetailExtra {
    recorded_by: Option<String>,
    created_at: OffsetDateTime,
}

/// One payment of an invoice, as the invoice pages show it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvoicePayment {
    /// The receipt number.
    pub number: String,
    /// When the money arrived.
    pub received_at: OffsetDateTime,
    /// Stored method.
    pub method: String,
    /// `office` or `online`.
    pub channel: String,
    /// Check number or other reference.
    pub reference: String,
    /// `succeeded`, `refunded`, ...
    pub status: String,
    /// What of the payment went to this invoice, minor units.
    pub amount_minor: i64,
}

/// What the office's payments list is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct PaymentFilter {
    /// One stored method, and on which channel when it matters (`ach` on `office` is a
    /// bank transfer; `card` on `office` a card taken by phone).
    pub method: Option<(PaymentMethodKind, Option<&'static str>)>,
    /// Received on or after this day (UTC).
    pub from: Option<Date>,
    /// Received on or before this day (UTC).
    pub to: Option<Date>,
    /// A receipt, invoice or customer number, or part of the customer's name.
    pub search: String,
}

const ROW_COLUMNS: &str = "p.id, p.number, c.number AS customer_number, c.name AS customer_name, \
     p.amount_minor, p.method, p.channel, p.reference, p.status, p.received_at, p.tip_minor, \
     (SELECT e.number FROM estimates e WHERE e.deposit_payment_id = p.id) AS deposit_estimate";

fn push_after(sql: &mut Sql, after: Option<PaymentCursor>) {
    if let Some((at, id)) = after {
        sql.push(" AND (p.received_at < ")
            .val(at)
            .push(" OR (p.received_at = ")
            .val(at)
            .push(" AND p.id < ")
            .val(id)
            .push("))");
    }
}

fn push_days(sql: &mut Sql, from: Option<Date>, to: Option<Date>) {
    if let Some(from) = from {
        sql.push(" AND p.received_at >= ")
            .val(from.midnight().assume_utc());
    }
    if let Some(to) = to.and_then(|d| d.next_day()) {
        sql.push(" AND p.received_at < ")
            .val(to.midnight().assume_utc());
    }
}

impl Store {
    /// The company's account numbered `number`.
    pub async fn payer(
        &self,
        company: CompanyId,
        number: &str,
    ) -> Result<Option<Payer>, StoreError> {
        let row = on_pool!(self, p => sqlx::query_as(
            "SELECT id, number, name, credit_minor FROM customers WHERE company_id = $1 AND number = $2")
            .bind(company.0).bind(number.trim()).fetch_optional(p).await)?;
        Ok(row)
    }

    /// Accounts whose number is `search` or whose name contains it, by name: at most `limit`.
    pub async fn payers_matching(
        &self,
        company: CompanyId,
        search: &str,
        limit: i64,
    ) -> Result<Vec<Payer>, StoreError> {
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT id, number, name, credit_minor FROM customers WHERE company_id = $1 \
             AND (number = $2 OR LOWER(name) LIKE $3 ESCAPE '\\') ORDER BY name, id LIMIT $4")
            .bind(company.0).bind(search.trim()).bind(like_pattern(search)).bind(limit)
            .fetch_all(p).await)?;
        Ok(rows)
    }

    /// The account's unpaid invoices (never drafts or void ones), oldest due first.
    pub async fn open_invoices_of_payer(
        &self,
        company: CompanyId,
        customer: CustomerId,
    ) -> Result<Vec<InvoiceRow>, StoreError> {
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT i.id, i.number, i.status, i.issued_on, i.due_on, i.total_minor, i.paid_minor \
             FROM invoices i WHERE i.company_id = $1 AND i.customer_id = $2 AND i.status = 'unpaid' \
             ORDER BY i.due_on, i.id")
            .bind(company.0).bind(customer.0).fetch_all(p).await)?;
        Ok(rows)
    }

    /// The number of the account that invoice `number` bills.
    pub async fn payer_of_invoice(
        &self,
        company: CompanyId,
        number: &str,
    ) -> Result<Option<String>, StoreError> {
        let row = on_pool!(self, p => sqlx::query_scalar(
            "SELECT c.number FROM invoices i JOIN customers c ON c.id = i.customer_id \
             WHERE i.company_id = $1 AND i.number = $2")
            .bind(company.0).bind(number.trim()).fetch_optional(p).await)?;
        Ok(row)
    }

    /// A page of the company's payments, newest received first, after the cursor.
    pub async fn office_payments_page(
        &self,
        company: CompanyId,
        filter: &PaymentFilter,
        after: Option<PaymentCursor>,
        limit: i64,
    ) -> Result<Vec<PaymentRow>, StoreError> {
        let mut sql = Sql::default();
        sql.push(&format!(
            "SELECT {ROW_COLUMNS} FROM payments p JOIN customers c ON c.id = p.customer_id \
             WHERE p.company_id = "
        ))
        .val(company.0);
        if let Some((method, channel)) = filter.method {
            sql.push(" AND p.method = ").val(method.as_str());
            if let Some(channel) = channel {
                sql.push(" AND p.channel = ").val(channel);
            }
        }
        push_days(&mut sql, filter.from, filter.to);
        let search = filter.search.trim();
        if !search.is_empty() {
            let exact = search.to_uppercase();
            sql.push(" AND (p.number = ")
                .val(exact.clone())
                .push(" OR c.number = ")
                .val(exact.clone())
                .push(" OR LOWER(c.name) LIKE ")
                .val(like_pattern(search))
                .push(
                    " ESCAPE '\\' OR EXISTS (SELECT 1 FROM payment_allocations a \
                       JOIN invoices i ON i.id = a.invoice_id \
                       WHERE a.company_id = p.company_id AND a.payment_id = p.id AND i.number = ",
                )
                .val(exact)
                .push("))");
        }
        push_after(&mut sql, after);
        sql.push(" ORDER BY p.received_at DESC, p.id DESC LIMIT ")
            .val(limit);
        let mut rows: Vec<PaymentRow> = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_all(p).await)?;
        self.fill_invoices(company, &mut rows).await?;
        Ok(rows)
    }

    /// A page of the account's payments (succeeded or refunded), newest received first,
    /// between the days given, after the cursor: the portal's payment history.
    pub async fn payment_history_page(
        &self,
        company: CompanyId,
        customer: CustomerId,
        (from, to): (Option<Date>, Option<Date>),
        after: Option<PaymentCursor>,
        limit: i64,
    ) -> Result<Vec<PaymentRow>, StoreError> {
        let mut sql = Sql::default();
        sql.push(&format!(
            "SELECT {ROW_COLUMNS} FROM payments p JOIN customers c ON c.id = p.customer_id \
             WHERE p.company_id = "
        ))
        .val(company.0)
        .push(" AND p.customer_id = ")
        .val(customer.0)
        .push(" AND p.status IN ('succeeded', 'refunded')");
        push_days(&mut sql, from, to);
        push_after(&mut sql, after);
        sql.push(" ORDER BY p.received_at DESC, p.id DESC LIMIT ")
            .val(limit);
        let mut rows: Vec<PaymentRow> = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_all(p).await)?;
        self.fill_invoices(company, &mut rows).await?;
        Ok(rows)
    }

    /// Fills each row's invoices with one query for the page.
    async fn fill_invoices(
        &self,
        company: CompanyId,
        rows: &mut [PaymentRow],
    ) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut sql = Sql::default();
        sql.push(
            "SELECT a.payment_id, i.number, a.amount_minor FROM payment_allocations a \
             JOIN invoices i ON i.id = a.invoice_id WHERE a.company_id = ",
        )
        .val(company.0)
        .push(" AND a.payment_id IN ")
        .list(rows.iter().map(|r| r.id))
        .push(" ORDER BY a.payment_id, i.number");
        let found: Vec<(i64, String, i64)> = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_all(p).await)?;
        for (payment, number, amount) in found {
            if let Some(r) = rows.iter_mut().find(|r| r.id == payment) {
                r.invoices.push((number, amount));
            }
        }
        Ok(())
    }

    /// The company's payment numbered `number` with its receipt lines; with `customer`,
    /// only when it is that account's.
    pub async fn payment_receipt(
        &self,
        company: CompanyId,
        customer: Option<CustomerId>,
        number: &str,
    ) -> Result<Option<PaymentDetail>, StoreError> {
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM payments p JOIN customers c ON c.id = p.customer_id \
             WHERE p.company_id = $1 AND p.number = $2 AND ($3 = 0 OR p.customer_id = $3)"
        );
        let row: Option<PaymentRow> = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(number).bind(customer.map_or(0, |c| c.0)).fetch_optional(p).await)?;
        let Some(row) = row else { return Ok(None) };
        let extra: DetailExtra = on_pool!(self, p => sqlx::query_as(
            "SELECT s.name AS recorded_by, p.created_at FROM payments p \
             LEFT JOIN staff_users s ON s.id = p.recorded_by_staff_id \
             WHERE p.company_id = $1 AND p.id = $2")
            .bind(company.0).bind(row.id).fetch_one(p).await)?;
        let lines = on_pool!(self, p => sqlx::query_as(
            "SELECT i.number AS invoice_number, a.amount_minor, i.total_minor, i.paid_minor, i.status \
             FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id \
             WHERE a.company_id = $1 AND a.payment_id = $2 ORDER BY i.number")
            .bind(company.0).bind(row.id).fetch_all(p).await)?;
        Ok(Some(PaymentDetail {
            row,
            recorded_by: extra.recorded_by,
            created_at: extra.created_at,
            lines,
        }))
    }

    /// The payments of invoice `invoice` of `company`, oldest received first. Callers
    /// have found the invoice in their own scope (the office's company, a contact's account).
    pub async fn payments_of_invoice(
        &self,
        company: CompanyId,
        invoice: InvoiceId,
    ) -> Result<Vec<InvoicePayment>, StoreError> {
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT p.number, p.received_at, p.method, p.channel, p.reference, p.status, a.amount_minor \
             FROM payment_allocations a JOIN payments p ON p.id = a.payment_id \
             WHERE a.company_id = $1 AND a.invoice_id = $2 AND p.company_id = $1 \
             ORDER BY p.received_at, p.id")
            .bind(company.0).bind(invoice.0).fetch_all(p).await)?;
        Ok(rows)
    }

    /// The id of the company's invoice numbered `number` (the office's invoice page).
    pub async fn invoice_id_by_number(
        &self,
        company: CompanyId,
        number: &str,
    ) -> Result<Option<InvoiceId>, StoreError> {
        let id: Option<i64> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT id FROM invoices WHERE company_id = $1 AND number = $2")
            .bind(company.0).bind(number).fetch_optional(p).await)?;
        Ok(id.map(InvoiceId))
    }
}
