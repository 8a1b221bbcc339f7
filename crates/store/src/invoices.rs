//! Invoices as the portal shows them, and the account statement built from open ones.

use doorstep_core::ageing::{Ageing, ageing};
use doorstep_core::authz::ContactScope;
use doorstep_core::ids::{CompanyId, InvoiceId};
use doorstep_core::status::{InvoiceState, InvoiceStatus};
use doorstep_core::totals::Totals;
use time::Date;

use crate::doc_lines::{DocLine, DocOwner, totals_of};
use crate::scope::site_condition;
use crate::{Store, StoreError, on_pool};

/// An invoice in the portal's lists.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvoiceRow {
    /// Row id (the keyset's tie-breaker).
    pub id: i64,
    /// The company's number.
    pub number: String,
    /// Stored status; see [`InvoiceRow::state`].
    pub status: String,
    /// Date issued.
    pub issued_on: Date,
    /// Date due.
    pub due_on: Date,
    /// Total, minor units.
    pub total_minor: i64,
    /// Paid so far, minor units.
    pub paid_minor: i64,
}

impl InvoiceRow {
    /// Paid, unpaid, overdue or void, as seen on `today`.
    pub fn state(&self, today: Date) -> InvoiceState {
        let status = InvoiceStatus::parse(&self.status).unwrap_or(InvoiceStatus::Draft);
        InvoiceState::of(status, self.due_on, today)
    }

    /// What is still owed, minor units (nothing on a paid or void invoice).
    pub fn balance_minor(&self) -> i64 {
        if self.status == InvoiceStatus::Unpaid.as_str() {
            (self.total_minor - self.paid_minor).max(0)
        } else {
            0
        }
    }
}

/// Everything a page or PDF shows of one invoice.
#[derive(Debug, Clone)]
pub struct InvoiceDetail {
    /// Row id.
    pub id: InvoiceId,
    /// The invoice as listed (number, status, dates, total, paid).
    pub row: InvoiceRow,
    /// Notes printed on the invoice.
    pub notes: String,
    /// The document's discount, minor units, taken off before tax.
    pub discount_minor: i64,
    /// The account's name.
    pub customer_name: String,
    /// Billing address lines of the account, non-empty ones only.
    pub billing_address: Vec<String>,
    /// The service location: site name and street, if any.
    pub site: Option<(String, String)>,
    /// The number of the job it bills, if any.
    pub job_number: Option<String>,
    /// Lines, in order.
    pub lines: Vec<DocLine>,
}

impl InvoiceDetail {
    /// Subtotal and each tax, from the lines; the total to show is `row.total_minor`.
    pub fn totals(&self) -> Totals {
        totals_of(&self.lines, |l| l.is_selected, self.discount_minor)
    }
}

#[derive(sqlx::FromRow)]
struct DetailRow {
    #[sqlx(flatten)]
    row: InvoiceRow,
    notes: String,
    discount_minor: i64,
    customer_name: String,
    billing_line1: String,
    billing_line2: String,
    billing_city: String,
    billing_region: String,
    billing_postal_code: String,
    site_name: Option<String>,
    site_line1: Option<String>,
    job_number: Option<String>,
}

/// The account statement: every open invoice, oldest due first, and their ageing.
#[derive(Debug, Clone)]
pub struct Statement {
    /// The account's name.
    pub customer_name: String,
    /// Credit on account, minor units.
    pub credit_minor: i64,
    /// Every unpaid invoice, by due date.
    pub open: Vec<InvoiceRow>,
    /// Balances per ageing bucket, and the balance due.
    pub ageing: Ageing,
    /// The day the statement is as of.
    pub as_of: Date,
}

const COLUMNS: &str =
    "i.id, i.number, i.status, i.issued_on, i.due_on, i.total_minor, i.paid_minor";

impl Store {
    /// A page of the account's invoices (never drafts; paid and void ones only when
    /// `include_closed`), newest first, after the `(issued_on, id)` keyset cursor.
    pub async fn invoices_page(
        &self,
        company: CompanyId,
        scope: &ContactScope,
        include_closed: bool,
        after: Option<(Date, i64)>,
        limit: i64,
    ) -> Result<Vec<InvoiceRow>, StoreError> {
        let (sites_sql, sites) = site_condition(scope, "i.site_id", 8);
        let sql = format!(
            "SELECT {COLUMNS} FROM invoices i WHERE i.company_id = $1 AND i.customer_id = $2 \
             AND i.status <> 'draft' AND ($3 = TRUE OR i.status = 'unpaid') \
             AND ($4 = FALSE OR i.issued_on < $5 OR (i.issued_on = $5 AND i.id < $6)){sites_sql} \
             ORDER BY i.issued_on DESC, i.id DESC LIMIT $7"
        );
        let (after_day, after_id) = after.unwrap_or((time::macros::date!(1970 - 01 - 01), 0));
        let rows = on_pool!(self, p => {
            let mut q = sqlx::query_as(&sql)
                .bind(company.0).bind(scope.customer.0).bind(include_closed)
                .bind(after.is_some()).bind(after_day).bind(after_id).bind(limit);
            for s in &sites { q = q.bind(*s); }
            q.fetch_all(p).await
        })?;
        Ok(rows)
    }

    /// Every unpaid invoice of the account, oldest due first.
    pub async fn open_invoices(
        &self,
        company: CompanyId,
        scope: &ContactScope,
    ) -> Result<Vec<InvoiceRow>, StoreError> {
        let (sites_sql, sites) = site_condition(scope, "i.site_id", 3);
        let sql = format!(
            "SELECT {COLUMNS} FROM invoices i WHERE i.company_id = $1 AND i.customer_id = $2 \
             AND i.status = 'unpaid'{sites_sql} ORDER BY i.due_on, i.id"
        );
        let rows = on_pool!(self, p => {
            let mut q = sqlx::query_as(&sql).bind(company.0).bind(scope.customer.0);
            for s in &sites { q = q.bind(*s); }
            q.fetch_all(p).await
        })?;
        Ok(rows)
    }

    /// One invoice of the account by number, with its lines; `None` when it is not the
    /// account's, a draft, or paid/void while `include_closed` is off.
    pub async fn invoice_document(
        &self,
        company: CompanyId,
        scope: &ContactScope,
        number: &str,
        include_closed: bool,
    ) -> Result<Option<InvoiceDetail>, StoreError> {
        let (sites_sql, sites) = site_condition(scope, "i.site_id", 5);
        let sql = format!(
            "SELECT {COLUMNS}, i.notes, i.discount_minor, c.name AS customer_name, c.billing_line1, c.billing_line2, \
             c.billing_city, c.billing_region, c.billing_postal_code, s.name AS site_name, \
             s.line1 AS site_line1, j.number AS job_number \
             FROM invoices i JOIN customers c ON c.id = i.customer_id \
             LEFT JOIN sites s ON s.id = i.site_id LEFT JOIN jobs j ON j.id = i.job_id \
             WHERE i.company_id = $1 AND i.customer_id = $2 AND i.number = $3 \
             AND i.status <> 'draft' AND ($4 = TRUE OR i.status = 'unpaid'){sites_sql}"
        );
        let row: Option<DetailRow> = on_pool!(self, p => {
            let mut q = sqlx::query_as(&sql)
                .bind(company.0).bind(scope.customer.0).bind(number).bind(include_closed);
            for s in &sites { q = q.bind(*s); }
            q.fetch_optional(p).await
        })?;
        let Some(r) = row else { return Ok(None) };
        let lines = self.doc_lines(company, DocOwner::Invoice(r.row.id)).await?;
        let city = [r.billing_city.as_str(), r.billing_region.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        let city_line = format!("{city} {}", r.billing_postal_code)
            .trim()
            .to_owned();
        let billing_address = [r.billing_line1, r.billing_line2, city_line]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        Ok(Some(InvoiceDetail {
            id: InvoiceId(r.row.id),
            row: r.row,
            notes: r.notes,
            discount_minor: r.discount_minor,
            customer_name: r.customer_name,
            billing_address,
            site: r.site_name.map(|n| (n, r.site_line1.unwrap_or_default())),
            job_number: r.job_number,
            lines,
        }))
    }

    /// The account's statement as of `today`: open invoices, ageing and credit.
    pub async fn statement(
        &self,
        company: CompanyId,
        scope: &ContactScope,
        today: Date,
    ) -> Result<Option<Statement>, StoreError> {
        let Some(customer) = self.customer_summary(company, scope.customer).await? else {
            return Ok(None);
        };
        let open = self.open_invoices(company, scope).await?;
        let ageing = ageing(open.iter().map(|i| (i.due_on, i.balance_minor())), today);
        Ok(Some(Statement {
            customer_name: customer.name,
            credit_minor: customer.credit_minor,
            open,
            ageing,
            as_of: today,
        }))
    }
}
