//! Estimates, invoices and priced lines as the office reads and writes them: lists with
//! filters, search and keyset paging, one document by number (drafts included), the
//! lines of a job, an estimate or an invoice replaced at once, and the state moves
//! (sent, converted, void), each compare-and-set on the status its caller read. The
//! company's tax rates live here too.

use doorstep_core::ids::{CompanyId, CustomerId, EstimateId, InvoiceId, JobId, SiteId};
use doorstep_core::status::{EstimateStatus, InvoiceStatus};
use time::{Date, OffsetDateTime};

use crate::doc_lines::{DocLine, DocOwner, totals_of};
use crate::estimates::{ApprovalRecord, EstimateDetail};
use crate::invoices::{InvoiceDetail, InvoiceRow};
use crate::jobs::{LineOwner, NewLine};
use crate::{Store, StoreError, Tx, db_time, now, on_pool, on_tx};

/// An estimate in the office's list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OfficeEstimateRow {
    /// Row id (the keyset's tie-breaker).
    pub id: i64,
    /// Number.
    pub number: String,
    /// Title.
    pub title: String,
    /// Stored status.
    pub status: String,
    /// Issued.
    pub issued_on: Date,
    /// Valid until.
    pub expires_on: Option<Date>,
    /// Total, minor units.
    pub total_minor: i64,
    /// The account's name.
    pub customer_name: String,
}

/// An invoice in the office's list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OfficeInvoiceRow {
    /// The invoice as the portal lists it (state and balance come from it).
    #[sqlx(flatten)]
    pub row: InvoiceRow,
    /// The account's name.
    pub customer_name: String,
}

/// What the office's lists narrow to.
#[derive(Debug, Clone, Default)]
pub struct DocFilter {
    /// A stored status (`draft`, `pending`, ...), or `overdue` for invoices.
    pub status: Option<String>,
    /// Part of the number or of the customer's name.
    pub search: Option<String>,
}

/// One estimate as the office sees it, draft or not.
#[derive(Debug, Clone)]
pub struct OfficeEstimate {
    /// What the portal shows of it.
    pub detail: EstimateDetail,
    /// The account.
    pub customer: CustomerId,
    /// The account's number.
    pub customer_number: String,
    /// The site.
    pub site: Option<SiteId>,
    /// When it was last sent.
    pub sent_at: Option<OffsetDateTime>,
    /// The number of the job it became.
    pub converted_job: Option<String>,
}

/// One invoice as the office sees it, draft or not.
#[derive(Debug, Clone)]
pub struct OfficeInvoice {
    /// What the portal shows of it.
    pub detail: InvoiceDetail,
    /// The account.
    pub customer: CustomerId,
    /// The account's number.
    pub customer_number: String,
    /// The site.
    pub site: Option<SiteId>,
    /// When it was sent.
    pub sent_at: Option<OffsetDateTime>,
    /// When and why it was voided.
    pub void: Option<(OffsetDateTime, String)>,
}

impl OfficeInvoice {
    /// The stored status.
    pub fn status(&self) -> InvoiceStatus {
        InvoiceStatus::parse(&self.detail.row.status).unwrap_or(InvoiceStatus::Draft)
    }
}

/// A job whose lines the office edits, or which it invoices.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobForLines {
    /// Row id.
    pub id: i64,
    /// Number.
    pub number: String,
    /// Summary.
    pub summary: String,
    /// The account.
    pub customer_id: i64,
    /// The account's number.
    pub customer_number: String,
    /// The account's name.
    pub customer_name: String,
    /// The site.
    pub site_id: Option<i64>,
    /// Discount, minor units.
    pub discount_minor: i64,
    /// Notes printed on the invoice.
    pub invoice_notes: String,
}

/// One message of an estimate's conversation.
#[derive(Debug, Clone)]
pub struct EstimateMessage {
    /// Written by the customer (else by the office).
    pub from_customer: bool,
    /// The writer's name.
    pub author: String,
    /// What was written.
    pub body: String,
    /// When.
    pub at: OffsetDateTime,
}

/// A tax rate of the company.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TaxRate {
    /// Id.
    pub id: i64,
    /// Name, e.g. "Sales tax".
    pub name: String,
    /// Rate in basis points.
    pub rate_bp: i64,
    /// Offered by the line editor.
    pub active: bool,
}

/// An estimate's fields the office types.
#[derive(Debug, Clone)]
pub struct EstimateFields {
    /// The account.
    pub customer: CustomerId,
    /// Where the work would happen.
    pub site: Option<SiteId>,
    /// Title.
    pub title: String,
    /// Scope of work.
    pub scope: String,
    /// Issued.
    pub issued_on: Date,
    /// Valid until.
    pub expires_on: Option<Date>,
    /// Deposit asked on approval, minor units.
    pub deposit_minor: i64,
    /// Notes for the customer.
    pub notes: String,
}

/// An invoice's fields the office types.
#[derive(Debug, Clone)]
pub struct InvoiceFields {
    /// The account.
    pub customer: CustomerId,
    /// The service location.
    pub site: Option<SiteId>,
    /// Issued.
    pub issued_on: Date,
    /// Due.
    pub due_on: Date,
    /// Notes printed on the invoice.
    pub notes: String,
}

fn like(search: &Option<String>) -> Option<String> {
    search
        .as_deref()
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
        .map(|s| {
            format!(
                "%{}%",
                s.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            )
        })
}

fn address(parts: [String; 5]) -> Vec<String> {
    let [line1, line2, city, region, postal] = parts;
    let city = [city.as_str(), region.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let city_line = format!("{city} {postal}").trim().to_owned();
    [line1, line2, city_line]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect()
}

#[derive(sqlx::FromRow)]
struct EstimateRowFull {
    id: i64,
    number: String,
    title: String,
    scope: String,
    status: String,
    issued_on: Date,
    expires_on: Option<Date>,
    deposit_minor: i64,
    discount_minor: i64,
    notes: String,
    customer_id: i64,
    customer_number: String,
    customer_name: String,
    site_id: Option<i64>,
    site_name: Option<String>,
    site_line1: Option<String>,
    approved_at: Option<OffsetDateTime>,
    approved_by_name: Option<String>,
    approved_ip: Option<String>,
    approved_subtotal_minor: Option<i64>,
    approved_tax_minor: Option<i64>,
    approved_total_minor: Option<i64>,
    approved_options: String,
    declined_at: Option<OffsetDateTime>,
    decline_reason: String,
    sent_at: Option<OffsetDateTime>,
    job_number: Option<String>,
}

#[derive(sqlx::FromRow)]
struct InvoiceRowFull {
    #[sqlx(flatten)]
    row: InvoiceRow,
    notes: String,
    discount_minor: i64,
    customer_id: i64,
    customer_number: String,
    customer_name: String,
    billing_line1: String,
    billing_line2: String,
    billing_city: String,
    billing_region: String,
    billing_postal_code: String,
    site_id: Option<i64>,
    site_name: Option<String>,
    site_line1: Option<String>,
    job_number: Option<String>,
    sent_at: Option<OffsetDateTime>,
    voided_at: Option<OffsetDateTime>,
    void_reason: String,
}

impl Store {
    /// A page of the company's estimates as `filter` narrows them, newest first, after
    /// the `(issued_on, id)` keyset cursor.
    pub async fn office_estimates_page(
        &self,
        company: CompanyId,
        filter: &DocFilter,
        after: Option<(Date, i64)>,
        limit: i64,
    ) -> Result<Vec<OfficeEstimateRow>, StoreError> {
        let placeholder = time::macros::date!(1970 - 01 - 01);
        let (after_day, after_id) = after.unwrap_or((placeholder, 0));
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT e.id, e.number, e.title, e.status, e.issued_on, e.expires_on, e.total_minor, \
             c.name AS customer_name FROM estimates e \
             JOIN customers c ON c.company_id = e.company_id AND c.id = e.customer_id \
             WHERE e.company_id = $1 AND ($2 IS NULL OR e.status = $2) \
             AND ($3 IS NULL OR lower(e.number) LIKE $3 ESCAPE '\\' OR lower(c.name) LIKE $3 ESCAPE '\\') \
             AND ($4 = FALSE OR e.issued_on < $5 OR (e.issued_on = $5 AND e.id < $6)) \
             ORDER BY e.issued_on DESC, e.id DESC LIMIT $7")
            .bind(company.0).bind(filter.status.clone()).bind(like(&filter.search))
            .bind(after.is_some()).bind(after_day).bind(after_id).bind(limit)
            .fetch_all(p).await)?;
        Ok(rows)
    }

    /// A page of the company's invoices as `filter` narrows them (`overdue`: unpaid and
    /// due before `today`), newest first, after the `(issued_on, id)` keyset cursor.
    pub async fn office_invoices_page(
        &self,
        company: CompanyId,
        filter: &DocFilter,
        today: Date,
        after: Option<(Date, i64)>,
        limit: i64,
    ) -> Result<Vec<OfficeInvoiceRow>, StoreError> {
        let placeholder = time::macros::date!(1970 - 01 - 01);
        let (after_day, after_id) = after.unwrap_or((placeholder, 0));
        let overdue = filter.status.as_deref() == Some("overdue");
        let status = if overdue {
            Some(InvoiceStatus::Unpaid.as_str().to_owned())
        } else {
            filter.status.clone()
        };
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT i.id, i.number, i.status, i.issued_on, i.due_on, i.total_minor, i.paid_minor, \
             c.name AS customer_name FROM invoices i \
             JOIN customers c ON c.company_id = i.company_id AND c.id = i.customer_id \
             WHERE i.company_id = $1 AND ($2 IS NULL OR i.status = $2) \
             AND ($8 = FALSE OR i.due_on < $9) \
             AND ($3 IS NULL OR lower(i.number) LIKE $3 ESCAPE '\\' OR lower(c.name) LIKE $3 ESCAPE '\\') \
             AND ($4 = FALSE OR i.issued_on < $5 OR (i.issued_on = $5 AND i.id < $6)) \
             ORDER BY i.issued_on DESC, i.id DESC LIMIT $7")
            .bind(company.0).bind(status).bind(like(&filter.search))
            .bind(after.is_some()).bind(after_day).bind(after_id).bind(limit)
            .bind(overdue).bind(today)
            .fetch_all(p).await)?;
        Ok(rows)
    }

    /// The company's estimate `number`, draft or not, with its lines.
    pub async fn office_estimate(
        &self,
        company: CompanyId,
        number: &str,
    ) -> Result<Option<OfficeEstimate>, StoreError> {
        let row: Option<EstimateRowFull> = on_pool!(self, p => sqlx::query_as(
            "SELECT e.id, e.number, e.title, e.scope, e.status, e.issued_on, e.expires_on, \
             e.deposit_minor, e.discount_minor, e.notes, e.customer_id, c.number AS customer_number, \
             c.name AS customer_name, e.site_id, s.name AS site_name, s.line1 AS site_line1, \
             e.approved_at, e.approved_by_name, e.approved_ip, e.approved_subtotal_minor, \
             e.approved_tax_minor, e.approved_total_minor, e.approved_options, e.declined_at, \
             e.decline_reason, e.sent_at, j.number AS job_number FROM estimates e \
             JOIN customers c ON c.company_id = e.company_id AND c.id = e.customer_id \
             LEFT JOIN sites s ON s.company_id = e.company_id AND s.id = e.site_id \
             LEFT JOIN jobs j ON j.company_id = e.company_id AND j.id = e.converted_job_id \
             WHERE e.company_id = $1 AND e.number = $2")
            .bind(company.0).bind(number).fetch_optional(p).await)?;
        let Some(r) = row else { return Ok(None) };
        let lines = self.doc_lines(company, DocOwner::Estimate(r.id)).await?;
        let approval = r.approved_at.map(|at| ApprovalRecord {
            signed_name: r.approved_by_name.clone().unwrap_or_default(),
            at,
            ip: r.approved_ip.clone().unwrap_or_default(),
            subtotal_minor: r.approved_subtotal_minor,
            tax_minor: r.approved_tax_minor,
            total_minor: r.approved_total_minor,
            options_json: r.approved_options.clone(),
        });
        Ok(Some(OfficeEstimate {
            detail: EstimateDetail {
                id: EstimateId(r.id),
                number: r.number,
                title: r.title,
                scope: r.scope,
                status: EstimateStatus::parse(&r.status).unwrap_or(EstimateStatus::Draft),
                issued_on: r.issued_on,
                expires_on: r.expires_on,
                deposit_minor: r.deposit_minor,
                discount_minor: r.discount_minor,
                notes: r.notes,
                customer_name: r.customer_name,
                site: r.site_name.map(|n| (n, r.site_line1.unwrap_or_default())),
                lines,
                approval,
                decline: r.declined_at.map(|at| (at, r.decline_reason)),
            },
            customer: CustomerId(r.customer_id),
            customer_number: r.customer_number,
            site: r.site_id.map(SiteId),
            sent_at: r.sent_at,
            converted_job: r.job_number,
        }))
    }

    /// The company's invoice `number`, draft or not, with its lines.
    pub async fn office_invoice(
        &self,
        company: CompanyId,
        number: &str,
    ) -> Result<Option<OfficeInvoice>, StoreError> {
        let row: Option<InvoiceRowFull> = on_pool!(self, p => sqlx::query_as(
            "SELECT i.id, i.number, i.status, i.issued_on, i.due_on, i.total_minor, i.paid_minor, \
             i.notes, i.discount_minor, i.customer_id, c.number AS customer_number, \
             c.name AS customer_name, c.billing_line1, c.billing_line2, c.billing_city, \
             c.billing_region, c.billing_postal_code, i.site_id, s.name AS site_name, \
             s.line1 AS site_line1, j.number AS job_number, i.sent_at, i.voided_at, i.void_reason \
             FROM invoices i JOIN customers c ON c.company_id = i.company_id AND c.id = i.customer_id \
             LEFT JOIN sites s ON s.company_id = i.company_id AND s.id = i.site_id \
             LEFT JOIN jobs j ON j.company_id = i.company_id AND j.id = i.job_id \
             WHERE i.company_id = $1 AND i.number = $2")
            .bind(company.0).bind(number).fetch_optional(p).await)?;
        let Some(r) = row else { return Ok(None) };
        let lines = self.doc_lines(company, DocOwner::Invoice(r.row.id)).await?;
        Ok(Some(OfficeInvoice {
            detail: InvoiceDetail {
                id: InvoiceId(r.row.id),
                row: r.row,
                notes: r.notes,
                discount_minor: r.discount_minor,
                customer_name: r.customer_name,
                billing_address: address([
                    r.billing_line1,
                    r.billing_line2,
                    r.billing_city,
                    r.billing_region,
                    r.billing_postal_code,
                ]),
                site: r.site_name.map(|n| (n, r.site_line1.unwrap_or_default())),
                job_number: r.job_number,
                lines,
            },
            customer: CustomerId(r.customer_id),
            customer_number: r.customer_number,
            site: r.site_id.map(SiteId),
            sent_at: r.sent_at,
            void: r.voided_at.map(|at| (at, r.void_reason)),
        }))
    }

    /// The company's job `number` as the line editor and invoicing read it, with its lines.
    pub async fn job_for_lines(
        &self,
        company: CompanyId,
        number: &str,
    ) -> Result<Option<(JobForLines, Vec<DocLine>)>, StoreError> {
        let row: Option<JobForLines> = on_pool!(self, p => sqlx::query_as(
            "SELECT j.id, j.number, j.summary, j.customer_id, c.number AS customer_number, \
             c.name AS customer_name, j.site_id, j.discount_minor, j.invoice_notes FROM jobs j \
             JOIN customers c ON c.company_id = j.company_id AND c.id = j.customer_id \
             WHERE j.company_id = $1 AND j.number = $2")
            .bind(company.0).bind(number).fetch_optional(p).await)?;
        let Some(job) = row else { return Ok(None) };
        let lines = self.doc_lines(company, DocOwner::Job(job.id)).await?;
        Ok(Some((job, lines)))
    }

    /// The conversation about an estimate, oldest first: the customer's change requests
    /// and anything the office wrote.
    pub async fn office_estimate_messages(
        &self,
        company: CompanyId,
        estimate: EstimateId,
    ) -> Result<Vec<EstimateMessage>, StoreError> {
        type Row = (
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
            OffsetDateTime,
        );
        let rows: Vec<Row> = on_pool!(self, p => sqlx::query_as(
            "SELECT m.author_contact_id, co.first_name, co.last_name, su.name, m.body, m.created_at \
             FROM messages m \
             LEFT JOIN contacts co ON co.company_id = m.company_id AND co.id = m.author_contact_id \
             LEFT JOIN staff_users su ON su.company_id = m.company_id AND su.id = m.author_staff_id \
             WHERE m.company_id = $1 AND m.estimate_id = $2 ORDER BY m.created_at, m.id")
            .bind(company.0).bind(estimate.0).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|(contact, first, last, staff, body, at)| {
                let author = match contact {
                    Some(_) => {
                        format!("{} {}", first.unwrap_or_default(), last.unwrap_or_default())
                            .trim()
                            .to_owned()
                    }
                    None => staff.unwrap_or_else(|| "Office".to_owned()),
                };
                EstimateMessage {
                    from_customer: contact.is_some(),
                    author,
                    body,
                    at,
                }
            })
            .collect())
    }

    /// The company's tax rates by name; only active ones when `active_only`.
    pub async fn tax_rates(
        &self,
        company: CompanyId,
        active_only: bool,
    ) -> Result<Vec<TaxRate>, StoreError> {
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT id, name, rate_bp, active FROM tax_rates WHERE company_id = $1 \
             AND ($2 = FALSE OR active = TRUE) ORDER BY name, id")
            .bind(company.0).bind(active_only).fetch_all(p).await)?;
        Ok(rows)
    }

    /// One tax rate of the company.
    pub async fn tax_rate(
        &self,
        company: CompanyId,
        id: i64,
    ) -> Result<Option<TaxRate>, StoreError> {
        let row = on_pool!(self, p => sqlx::query_as(
            "SELECT id, name, rate_bp, active FROM tax_rates WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id).fetch_optional(p).await)?;
        Ok(row)
    }
}

/// The stored total of `lines` (selected ones) less `discount_minor`.
pub fn stored_total(lines: &[NewLine], discount_minor: i64) -> i64 {
    let doc: Vec<DocLine> = (0_i64..)
        .zip(lines)
        .map(|(i, l)| DocLine {
            id: i,
            kind: l.kind.clone(),
            description: l.description.clone(),
            quantity_milli: l.quantity_milli,
            unit_price_minor: l.unit_price_minor,
            tax_name: l.tax_name.clone(),
            tax_rate_bp: l.tax_rate_bp,
            is_optional: l.is_optional,
            is_selected: l.is_selected,
        })
        .collect();
    totals_of(&doc, |l| l.is_selected, discount_minor).total_minor
}

impl Tx {
    /// Replaces every line of `owner` with `lines` and sets its discount and total, if the
    /// owner is still in an editable state (a job always; an estimate draft or pending;
    /// an invoice draft); `false` (nothing changed) otherwise.
    pub async fn replace_lines(
        &mut self,
        company: CompanyId,
        owner: LineOwner,
        lines: &[NewLine],
        discount_minor: i64,
    ) -> Result<bool, StoreError> {
        let total = stored_total(lines, discount_minor);
        let at = db_time(now());
        let (sql, id) = match owner {
            LineOwner::Job(id) => (
                "UPDATE jobs SET discount_minor = $1, total_minor = $2, updated_at = $3 \
                 WHERE company_id = $4 AND id = $5",
                id.0,
            ),
            LineOwner::Estimate(id) => (
                "UPDATE estimates SET discount_minor = $1, total_minor = $2, updated_at = $3 \
                 WHERE company_id = $4 AND id = $5 AND status IN ('draft', 'pending')",
                id.0,
            ),
            LineOwner::Invoice(id) => (
                "UPDATE invoices SET discount_minor = $1, total_minor = $2, updated_at = $3 \
                 WHERE company_id = $4 AND id = $5 AND status = 'draft'",
                id.0,
            ),
        };
        let done = on_tx!(self, c => sqlx::query(sql)
            .bind(discount_minor).bind(total).bind(at).bind(company.0).bind(id)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if done != 1 {
            return Ok(false);
        }
        let column = match owner {
            LineOwner::Job(_) => "job_id",
            LineOwner::Estimate(_) => "estimate_id",
            LineOwner::Invoice(_) => "invoice_id",
        };
        let delete = format!("DELETE FROM line_items WHERE company_id = $1 AND {column} = $2");
        on_tx!(self, c => sqlx::query(&delete).bind(company.0).bind(id)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        self.insert_lines(company, owner, lines).await?;
        Ok(true)
    }

    /// Sets an estimate's notes and discount after it was inserted.
    pub async fn set_estimate_extras(
        &mut self,
        company: CompanyId,
        estimate: EstimateId,
        notes: &str,
        discount_minor: i64,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query(
            "UPDATE estimates SET notes = $1, discount_minor = $2 WHERE company_id = $3 AND id = $4")
            .bind(notes).bind(discount_minor).bind(company.0).bind(estimate.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Sets an invoice's discount after it was inserted.
    pub async fn set_invoice_discount(
        &mut self,
        company: CompanyId,
        invoice: InvoiceId,
        discount_minor: i64,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query(
            "UPDATE invoices SET discount_minor = $1 WHERE company_id = $2 AND id = $3")
            .bind(discount_minor).bind(company.0).bind(invoice.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Sets a job's discount after it was inserted.
    pub async fn set_job_discount(
        &mut self,
        company: CompanyId,
        job: JobId,
        discount_minor: i64,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query(
            "UPDATE jobs SET discount_minor = $1 WHERE company_id = $2 AND id = $3")
            .bind(discount_minor).bind(company.0).bind(job.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Edits an estimate still draft or pending; `false` (nothing changed) otherwise.
    pub async fn update_estimate(
        &mut self,
        company: CompanyId,
        estimate: EstimateId,
        f: &EstimateFields,
    ) -> Result<bool, StoreError> {
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE estimates SET customer_id = $1, site_id = $2, title = $3, scope = $4, \
             issued_on = $5, expires_on = $6, deposit_minor = $7, notes = $8, updated_at = $9 \
             WHERE company_id = $10 AND id = $11 AND status IN ('draft', 'pending')")
            .bind(f.customer.0).bind(f.site.map(|s| s.0)).bind(&f.title).bind(&f.scope)
            .bind(f.issued_on).bind(f.expires_on).bind(f.deposit_minor).bind(&f.notes)
            .bind(db_time(now())).bind(company.0).bind(estimate.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Marks an estimate still `from` (draft, or pending when revised) sent and pending;
    /// `false` (nothing changed) when its status changed meanwhile.
    pub async fn mark_estimate_sent(
        &mut self,
        company: CompanyId,
        (estimate, from): (EstimateId, EstimateStatus),
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE estimates SET status = 'pending', sent_at = $1, updated_at = $1 \
             WHERE company_id = $2 AND id = $3 AND status = $4")
            .bind(db_time(at)).bind(company.0).bind(estimate.0).bind(from.as_str())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Marks an approved estimate converted into `job`; `false` when it is no longer approved.
    pub async fn mark_estimate_converted(
        &mut self,
        company: CompanyId,
        estimate: EstimateId,
        job: JobId,
    ) -> Result<bool, StoreError> {
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE estimates SET status = 'converted', converted_job_id = $1, updated_at = $2 \
             WHERE company_id = $3 AND id = $4 AND status = 'approved'")
            .bind(job.0).bind(db_time(now())).bind(company.0).bind(estimate.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Edits a draft invoice; `false` (nothing changed) when it is no longer a draft.
    pub async fn update_invoice(
        &mut self,
        company: CompanyId,
        invoice: InvoiceId,
        f: &InvoiceFields,
    ) -> Result<bool, StoreError> {
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE invoices SET customer_id = $1, site_id = $2, issued_on = $3, due_on = $4, \
             notes = $5, updated_at = $6 WHERE company_id = $7 AND id = $8 AND status = 'draft'")
            .bind(f.customer.0).bind(f.site.map(|s| s.0)).bind(f.issued_on).bind(f.due_on)
            .bind(&f.notes).bind(db_time(now())).bind(company.0).bind(invoice.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Marks a draft invoice sent (unpaid); `false` when it is no longer a draft.
    pub async fn mark_invoice_sent(
        &mut self,
        company: CompanyId,
        invoice: InvoiceId,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE invoices SET status = 'unpaid', sent_at = $1, updated_at = $1 \
             WHERE company_id = $2 AND id = $3 AND status = 'draft'")
            .bind(db_time(at)).bind(company.0).bind(invoice.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Voids a draft or unpaid invoice with nothing paid on it; `false` otherwise.
    pub async fn void_invoice(
        &mut self,
        company: CompanyId,
        invoice: InvoiceId,
        reason: &str,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE invoices SET status = 'void', voided_at = $1, void_reason = $2, updated_at = $1 \
             WHERE company_id = $3 AND id = $4 AND status IN ('draft', 'unpaid') AND paid_minor = 0")
            .bind(db_time(at)).bind(reason).bind(company.0).bind(invoice.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Adds a tax rate; a name the company already has is [`StoreError::Conflict`].
    pub async fn add_tax_rate(
        &mut self,
        company: CompanyId,
        name: &str,
        rate_bp: i64,
    ) -> Result<i64, StoreError> {
        let at = db_time(now());
        let id: i64 = on_tx!(self, c => sqlx::query_scalar(
            "INSERT INTO tax_rates (company_id, name, rate_bp, active, created_at, updated_at) \
             VALUES ($1, $2, $3, TRUE, $4, $4) RETURNING id")
            .bind(company.0).bind(name).bind(rate_bp).bind(at).fetch_one(&mut *c).await)?;
        Ok(id)
    }

    /// Edits a tax rate of the company; `false` when it is not theirs.
    pub async fn update_tax_rate(
        &mut self,
        company: CompanyId,
        id: i64,
        (name, rate_bp, active): (&str, i64, bool),
    ) -> Result<bool, StoreError> {
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE tax_rates SET name = $1, rate_bp = $2, active = $3, updated_at = $4 \
             WHERE company_id = $5 AND id = $6")
            .bind(name).bind(rate_bp).bind(active).bind(db_time(now())).bind(company.0).bind(id)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }
}
