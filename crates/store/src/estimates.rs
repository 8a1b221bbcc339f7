//! Estimates as the portal shows them, and the customer's answers: approve (signed),
//! decline, request changes. Each answer is compare-and-set on the status its caller read
//! (which `core` judged may take it), so two answers racing each other cannot both win.

use doorstep_core::authz::ContactScope;
use doorstep_core::ids::{CompanyId, ContactId, EstimateId};
use doorstep_core::status::EstimateStatus;
use doorstep_core::totals::Totals;
use time::{Date, OffsetDateTime};

use crate::doc_lines::{DocLine, DocOwner, totals_of};
use crate::scope::site_condition;
use crate::{Store, StoreError, Tx, db_time, on_pool, on_tx};

/// An estimate in the portal's list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EstimateRow {
    /// Row id (the keyset's tie-breaker).
    pub id: i64,
    /// The company's number.
    pub number: String,
    /// Short title.
    pub title: String,
    /// Stored status; see [`EstimateRow::status_seen`].
    pub status: String,
    /// Date issued.
    pub issued_on: Date,
    /// Last day it may be approved.
    pub expires_on: Option<Date>,
    /// Total of the selected lines, minor units.
    pub total_minor: i64,
}

impl EstimateRow {
    /// The status the customer sees on `today` (pending past expiry reads as expired).
    pub fn status_seen(&self, today: Date) -> EstimateStatus {
        EstimateStatus::parse(&self.status)
            .unwrap_or(EstimateStatus::Draft)
            .as_seen(self.expires_on, today)
    }
}

/// A signed approval as recorded.
#[derive(Debug, Clone)]
pub struct ApprovalRecord {
    /// The full name typed as signature.
    pub signed_name: String,
    /// When.
    pub at: OffsetDateTime,
    /// From which address.
    pub ip: String,
    /// Subtotal approved, minor units.
    pub subtotal_minor: Option<i64>,
    /// Tax approved, minor units.
    pub tax_minor: Option<i64>,
    /// Total approved, minor units.
    pub total_minor: Option<i64>,
    /// The optional lines chosen, as JSON.
    pub options_json: String,
}

/// Everything a page or PDF shows of one estimate.
#[derive(Debug, Clone)]
pub struct EstimateDetail {
    /// Row id.
    pub id: EstimateId,
    /// The company's number.
    pub number: String,
    /// Short title.
    pub title: String,
    /// The scope of work.
    pub scope: String,
    /// Stored status.
    pub status: EstimateStatus,
    /// Date issued.
    pub issued_on: Date,
    /// Last day it may be approved.
    pub expires_on: Option<Date>,
    /// Deposit asked on approval, minor units.
    pub deposit_minor: i64,
    /// The document's discount, minor units, taken off before tax.
    pub discount_minor: i64,
    /// The office's notes for the customer.
    pub notes: String,
    /// The account's name.
    pub customer_name: String,
    /// Where the work would happen: site name and street, if any.
    pub site: Option<(String, String)>,
    /// Priced lines, in order.
    pub lines: Vec<DocLine>,
    /// The approval, once approved.
    pub approval: Option<ApprovalRecord>,
    /// The decline, once declined: when and why.
    pub decline: Option<(OffsetDateTime, String)>,
}

impl EstimateDetail {
    /// The status the customer sees on `today`.
    pub fn status_seen(&self, today: Date) -> EstimateStatus {
        self.status.as_seen(self.expires_on, today)
    }

    /// Totals with the optional lines whose ids are in `chosen` ticked.
    pub fn totals_with(&self, chosen: &[i64]) -> Totals {
        totals_of(&self.lines, |l| chosen.contains(&l.id), self.discount_minor)
    }

    /// Totals as stored: optional lines as the office (or the approval) left them.
    pub fn totals(&self) -> Totals {
        totals_of(&self.lines, |l| l.is_selected, self.discount_minor)
    }

    /// Ids of the optional lines, so a posted choice can be checked against them.
    pub fn optional_ids(&self) -> Vec<i64> {
        self.lines
            .iter()
            .filter(|l| l.is_optional)
            .map(|l| l.id)
            .collect()
    }
}

#[derive(sqlx::FromRow)]
struct DetailRow {
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
    customer_name: String,
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
}

/// A customer's signed approval, exactly as shown when signing.
#[derive(Debug, Clone)]
pub struct ApproveEstimate {
    /// The full name typed as signature.
    pub signed_name: String,
    /// Ids of the optional lines ticked (already checked to belong to the estimate).
    pub chosen: Vec<i64>,
    /// Ids of every optional line of the estimate.
    pub optional: Vec<i64>,
    /// The amounts shown.
    pub totals: Totals,
    /// The chosen optional lines, as JSON.
    pub options_json: String,
}

/// Who answered, when and from where.
#[derive(Debug, Clone)]
pub struct Answerer {
    /// The contact.
    pub contact: ContactId,
    /// The client address.
    pub ip: String,
    /// When.
    pub at: OffsetDateTime,
    /// Today in the company's calendar; an estimate past its last day cannot be answered.
    pub today: Date,
}

impl Store {
    /// A page of the account's estimates (never drafts), newest first, after the
    /// `(issued_on, id)` keyset cursor; `only_open` keeps pending, unexpired ones.
    pub async fn estimates_page(
        &self,
        company: CompanyId,
        scope: &ContactScope,
        only_open: Option<Date>,
        after: Option<(Date, i64)>,
        limit: i64,
    ) -> Result<Vec<EstimateRow>, StoreError> {
        let (sites_sql, sites) = site_condition(scope, "site_id", 9);
        let sql = format!(
            "SELECT id, number, title, status, issued_on, expires_on, total_minor FROM estimates \
             WHERE company_id = $1 AND customer_id = $2 AND status <> 'draft' \
             AND ($3 = FALSE OR (status = 'pending' AND (expires_on IS NULL OR expires_on >= $4))) \
             AND ($5 = FALSE OR issued_on < $6 OR (issued_on = $6 AND id < $7)){sites_sql} \
             ORDER BY issued_on DESC, id DESC LIMIT $8"
        );
        // Unused cursor and date parameters still need a value of the right type.
        let placeholder = time::macros::date!(1970 - 01 - 01);
        let (after_day, after_id) = after.unwrap_or((placeholder, 0));
        let rows = on_pool!(self, p => {
            let mut q = sqlx::query_as(&sql)
                .bind(company.0).bind(scope.customer.0)
                .bind(only_open.is_some()).bind(only_open.unwrap_or(placeholder))
                .bind(after.is_some()).bind(after_day).bind(after_id)
                .bind(limit);
            for s in &sites { q = q.bind(*s); }
            q.fetch_all(p).await
        })?;
        Ok(rows)
    }

    /// One estimate of the account by number, with its lines; `None` when it is not
    /// the account's (or a site contact's site's), or still a draft.
    pub async fn estimate_document(
        &self,
        company: CompanyId,
        scope: &ContactScope,
        number: &str,
    ) -> Result<Option<EstimateDetail>, StoreError> {
        let (sites_sql, sites) = site_condition(scope, "e.site_id", 4);
        let sql = format!(
            "SELECT e.id, e.number, e.title, e.scope, e.status, e.issued_on, e.expires_on, \
             e.deposit_minor, e.discount_minor, e.notes, c.name AS customer_name, s.name AS site_name, s.line1 AS site_line1, \
             e.approved_at, e.approved_by_name, e.approved_ip, e.approved_subtotal_minor, \
             e.approved_tax_minor, e.approved_total_minor, e.approved_options, e.declined_at, \
             e.decline_reason FROM estimates e JOIN customers c ON c.id = e.customer_id \
             LEFT JOIN sites s ON s.id = e.site_id \
             WHERE e.company_id = $1 AND e.customer_id = $2 AND e.number = $3 \
             AND e.status <> 'draft'{sites_sql}"
        );
        let row: Option<DetailRow> = on_pool!(self, p => {
            let mut q = sqlx::query_as(&sql).bind(company.0).bind(scope.customer.0).bind(number);
            for s in &sites { q = q.bind(*s); }
            q.fetch_optional(p).await
        })?;
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
        Ok(Some(EstimateDetail {
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
        }))
    }
}

impl Tx {
    /// Approves an unexpired estimate of `scope`'s account that is still `from` (the
    /// status the caller read), recording the signature and the amounts; `false`
    /// (nothing changed) when its status changed meanwhile.
    pub async fn approve_estimate(
        &mut self,
        company: CompanyId,
        scope: &ContactScope,
        (estimate, from): (EstimateId, EstimateStatus),
        approval: &ApproveEstimate,
        by: &Answerer,
    ) -> Result<bool, StoreError> {
        let tax: i64 = approval.totals.taxes.iter().map(|(_, _, t)| t).sum();
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE estimates SET status = $13, approved_at = $1, approved_by_name = $2, \
             approved_by_contact_id = $3, approved_ip = $4, approved_subtotal_minor = $5, \
             approved_tax_minor = $6, approved_total_minor = $7, approved_options = $8, \
             total_minor = $7, updated_at = $1 \
             WHERE company_id = $9 AND customer_id = $10 AND id = $11 AND status = $14 \
             AND (expires_on IS NULL OR expires_on >= $12)")
            .bind(db_time(by.at)).bind(&approval.signed_name).bind(by.contact.0).bind(&by.ip)
            .bind(approval.totals.subtotal_minor).bind(tax).bind(approval.totals.total_minor)
            .bind(&approval.options_json).bind(company.0).bind(scope.customer.0).bind(estimate.0)
            .bind(by.today).bind(EstimateStatus::Approved.as_str()).bind(from.as_str())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?
            == 1;
        if !done {
            return Ok(false);
        }
        // The lines keep the choice, so the estimate (and the job it becomes) reads as signed.
        for id in &approval.optional {
            let ticked = approval.chosen.contains(id);
            on_tx!(self, c => sqlx::query(
                "UPDATE line_items SET is_selected = $1 WHERE company_id = $2 AND estimate_id = $3 \
                 AND id = $4 AND is_optional = TRUE")
                .bind(ticked).bind(company.0).bind(estimate.0).bind(*id)
                .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        }
        Ok(true)
    }

    /// Declines an unexpired estimate that is still `from` (the status the caller read)
    /// with an optional reason; `false` (nothing changed) when its status changed
    /// meanwhile.
    pub async fn decline_estimate(
        &mut self,
        company: CompanyId,
        scope: &ContactScope,
        (estimate, from): (EstimateId, EstimateStatus),
        reason: &str,
        by: &Answerer,
    ) -> Result<bool, StoreError> {
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE estimates SET status = $9, declined_at = $1, decline_reason = $2, \
             declined_by_contact_id = $3, declined_ip = $4, updated_at = $1 \
             WHERE company_id = $5 AND customer_id = $6 AND id = $7 AND status = $10 \
             AND (expires_on IS NULL OR expires_on >= $8)")
            .bind(db_time(by.at)).bind(reason).bind(by.contact.0).bind(&by.ip)
            .bind(company.0).bind(scope.customer.0).bind(estimate.0).bind(by.today)
            .bind(EstimateStatus::Declined.as_str()).bind(from.as_str())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Writes the customer's change request to the office as a message about the
    /// estimate, which keeps its status; `false` (nothing written) when the estimate is
    /// no longer `from` (the status the caller read) or is past its last day.
    pub async fn request_estimate_changes(
        &mut self,
        company: CompanyId,
        scope: &ContactScope,
        (estimate, from): (EstimateId, EstimateStatus),
        body: &str,
        by: &Answerer,
    ) -> Result<bool, StoreError> {
        let open: Option<i64> = on_tx!(self, c => sqlx::query_scalar(
            "SELECT id FROM estimates WHERE company_id = $1 AND customer_id = $2 AND id = $3 \
             AND status = $5 AND (expires_on IS NULL OR expires_on >= $4)")
            .bind(company.0).bind(scope.customer.0).bind(estimate.0).bind(by.today)
            .bind(from.as_str())
            .fetch_optional(&mut *c).await)?;
        if open.is_none() {
            return Ok(false);
        }
        on_tx!(self, c => sqlx::query(
            "INSERT INTO messages (company_id, customer_id, estimate_id, author_contact_id, body, \
             read_by_customer_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $6)")
            .bind(company.0).bind(scope.customer.0).bind(estimate.0).bind(by.contact.0)
            .bind(body).bind(db_time(by.at))
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(true)
    }
}

impl Store {
    /// The messages about an estimate, oldest first: `(written by the customer, body, when)`.
    pub async fn estimate_messages(
        &self,
        company: CompanyId,
        scope: &ContactScope,
        estimate: EstimateId,
    ) -> Result<Vec<(bool, String, OffsetDateTime)>, StoreError> {
        let rows: Vec<(Option<i64>, String, OffsetDateTime)> = on_pool!(self, p => sqlx::query_as(
            "SELECT author_contact_id, body, created_at FROM messages \
             WHERE company_id = $1 AND customer_id = $2 AND estimate_id = $3 ORDER BY created_at, id")
            .bind(company.0).bind(scope.customer.0).bind(estimate.0).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|(author, body, at)| (author.is_some(), body, at))
            .collect())
    }
}
