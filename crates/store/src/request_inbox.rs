//! The office's requests inbox: list (statuses, search, keyset paging), the unread count,
//! one request with everything it holds, and the office's answers: mark read, convert to
//! a job or an estimate, decline. Every answer moves the status only from New or Read, in
//! the same UPDATE that checks it, so a declined or completed request is never converted.

use doorstep_core::ids::{
    AssetId, CatalogueItemId, CompanyId, EstimateId, JobId, ServiceRequestId,
};
use doorstep_core::status::{EstimateStatus, JobKind, JobStatus, RequestStatus, ScheduleType};
use time::{Date, OffsetDateTime};

use crate::assets::NewAsset;
use crate::billing::NewEstimate;
use crate::insert::{Sql, bind_vals};
use crate::jobs::NewJob;
use crate::{DbKind, Store, StoreError, Tx, db_time, on_pool, on_tx};

/// The statuses a request may be answered from, as SQL: the store's copy of
/// [`RequestStatus::may_convert`], checked by a unit test to agree with it.
const OPEN_STATUSES: &str = "('new', 'read')";

/// What the inbox is narrowed to; the default is every request, newest first.
#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    /// Only these statuses (empty: all).
    pub statuses: Vec<RequestStatus>,
    /// Text to find in the customer, contact, site, PO or request number.
    pub search: String,
}

/// A row's place in the inbox: newest first, id for ties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboxKey {
    /// When the request was sent.
    pub created_at: OffsetDateTime,
    /// Its id.
    pub id: i64,
}

/// One request as the inbox lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InboxRow {
    /// Id.
    pub id: i64,
    /// The company's request number.
    pub number: String,
    /// Stored status (see [`InboxRow::status`]).
    pub status_text: String,
    /// The account's name.
    pub customer_name: String,
    /// The visit contact's first name.
    pub contact_first: Option<String>,
    /// The visit contact's last name.
    pub contact_last: Option<String>,
    /// The site's name.
    pub site_name: Option<String>,
    /// The site's street.
    pub site_line1: Option<String>,
    /// Preferred date.
    pub preferred_date: Option<Date>,
    /// Purchase order number.
    pub po_number: String,
    /// What needs doing.
    pub description: String,
    /// When it was sent.
    pub created_at: OffsetDateTime,
}

impl InboxRow {
    /// The request's status; an unknown stored value reads as New, so it is looked at.
    pub fn status(&self) -> RequestStatus {
        RequestStatus::parse(&self.status_text).unwrap_or(RequestStatus::New)
    }

    /// The contact's full name, empty when there is none.
    pub fn contact_name(&self) -> String {
        full_name(self.contact_first.as_deref(), self.contact_last.as_deref())
    }

    /// Where the list continues after this row.
    pub fn key(&self) -> InboxKey {
        InboxKey {
            created_at: self.created_at,
            id: self.id,
        }
    }
}

fn full_name(first: Option<&str>, last: Option<&str>) -> String {
    format!("{} {}", first.unwrap_or(""), last.unwrap_or(""))
        .trim()
        .to_owned()
}

/// Escapes LIKE's wildcards and lower-cases, so typed text matches only as itself.
pub(crate) fn like_pattern(search: &str) -> String {
    let escaped = search
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// One request with everything the office sees on its page.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestDetail {
    /// Id.
    pub id: i64,
    /// The company's request number.
    pub number: String,
    /// Stored status.
    pub status_text: String,
    /// The account.
    pub customer_id: i64,
    /// The account's number.
    pub customer_number: String,
    /// The account's name.
    pub customer_name: String,
    /// The site.
    pub site_id: Option<i64>,
    /// The site's name.
    pub site_name: Option<String>,
    /// Street.
    pub site_line1: Option<String>,
    /// Second line.
    pub site_line2: Option<String>,
    /// City.
    pub site_city: Option<String>,
    /// Region.
    pub site_region: Option<String>,
    /// Postal code.
    pub site_postal_code: Option<String>,
    /// The visit contact's first name.
    pub contact_first: Option<String>,
    /// The visit contact's last name.
    pub contact_last: Option<String>,
    /// The visit contact's email.
    pub contact_email: Option<String>,
    /// The visit contact's phone.
    pub contact_phone: Option<String>,
    /// The sender's first name.
    pub submitter_first: Option<String>,
    /// The sender's last name.
    pub submitter_last: Option<String>,
    /// The sender's email.
    pub submitter_email: Option<String>,
    /// Preferred date.
    pub preferred_date: Option<Date>,
    /// `am`, `pm`, `all_day` or `exact`.
    pub schedule_type: Option<String>,
    /// The exact time asked for, as typed.
    pub preferred_time: String,
    /// The job type asked for.
    pub job_type_id: Option<i64>,
    /// Its name.
    pub job_type_name: Option<String>,
    /// The catalogue item asked for.
    pub catalogue_item_id: Option<i64>,
    /// Its name.
    pub catalogue_item_name: Option<String>,
    /// The rental or equipment it concerns.
    pub asset_name: Option<String>,
    /// What needs doing.
    pub description: String,
    /// Purchase order number.
    pub po_number: String,
    /// Whether it is for a sub-customer.
    pub is_sub_customer: bool,
    /// The open estimate made with it.
    pub estimate_number: Option<String>,
    /// The job it became.
    pub converted_job_number: Option<String>,
    /// The estimate it became.
    pub converted_estimate_number: Option<String>,
    /// The rental it became.
    pub converted_rental_name: Option<String>,
    /// Why the office declined it.
    pub decline_reason: String,
    /// When it was sent.
    pub created_at: OffsetDateTime,
    /// When the office first opened it.
    pub read_at: Option<OffsetDateTime>,
    /// When it was declined.
    pub declined_at: Option<OffsetDateTime>,
    /// When it was converted.
    pub completed_at: Option<OffsetDateTime>,
}

impl RequestDetail {
    /// The request's status; an unknown stored value reads as Declined, so nothing converts it.
    pub fn status(&self) -> RequestStatus {
        RequestStatus::parse(&self.status_text).unwrap_or(RequestStatus::Declined)
    }

    /// How precisely the visit is wanted.
    pub fn schedule(&self) -> Option<ScheduleType> {
        self.schedule_type
            .as_deref()
            .and_then(|s| ScheduleType::parse(s).ok())
    }

    /// The visit contact's full name.
    pub fn contact_name(&self) -> String {
        full_name(self.contact_first.as_deref(), self.contact_last.as_deref())
    }

    /// Who to tell about the request: the visit contact when it has an email, else the
    /// sender: `(email, name)`.
    pub fn customer_recipient(&self) -> Option<(String, String)> {
        fn usable(e: &Option<String>) -> Option<&str> {
            e.as_deref().map(str::trim).filter(|e| !e.is_empty())
        }
        if let Some(email) = usable(&self.contact_email) {
            return Some((email.to_owned(), self.contact_name()));
        }
        usable(&self.submitter_email).map(|email| {
            (
                email.to_owned(),
                full_name(
                    self.submitter_first.as_deref(),
                    self.submitter_last.as_deref(),
                ),
            )
        })
    }
}

/// A photo sent with a request.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestPhoto {
    /// The attachment's id.
    pub id: i64,
    /// The name it was sent under.
    pub filename: String,
    /// The stored file's type.
    pub content_type: String,
    /// The stored file's key.
    pub storage_key: String,
    /// The thumbnail's key.
    pub thumb_key: Option<String>,
}

/// The job the office makes from a request; customer and site always come from the request.
#[derive(Debug, Clone)]
pub struct JobFromRequest {
    /// One line people see in lists.
    pub summary: String,
    /// Longer description.
    pub description: String,
    /// The job type (already checked to be the company's).
    pub job_type: Option<i64>,
    /// How precise the schedule is.
    pub schedule_type: Option<ScheduleType>,
    /// Visit start and end, when scheduled.
    pub visit: Option<(OffsetDateTime, OffsetDateTime)>,
    /// Customer's purchase order number.
    pub po_number: String,
}

/// The estimate the office makes from a request; customer and site come from the request.
#[derive(Debug, Clone)]
pub struct EstimateFromRequest {
    /// Short title.
    pub title: String,
    /// Scope of work.
    pub scope: String,
    /// Date issued.
    pub issued_on: Date,
    /// Last day it may be approved.
    pub expires_on: Option<Date>,
}

/// What a request was converted into.
#[derive(Debug, Clone, Copy)]
enum Converted {
    Job,
    Estimate,
    Rental,
}

/// The office's rental form, checked.
#[derive(Debug, Clone)]
pub struct RentalFromRequest {
    /// What the rental is called on the account.
    pub name: String,
    /// The catalogue product rented, when the request named one.
    pub catalogue_item: Option<i64>,
    /// The unit's serial number, when known.
    pub serial_number: String,
    /// First day of the rental.
    pub start_on: Date,
    /// Last day, when agreed.
    pub end_on: Option<Date>,
}

/// The documents the office numbers itself, each under its own prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbered {
    /// `J-1001`, ...
    Job,
    /// `E-1001`, ...
    Estimate,
    /// `C-1001`, ... (customer accounts, issue 17)
    Customer,
    /// `I-1001`, ...
    Invoice,
    /// `P-1001`, ... (payment receipts)
    Payment,
}

impl Numbered {
    fn table(self) -> &'static str {
        match self {
            Numbered::Job => "jobs",
            Numbered::Estimate => "estimates",
            Numbered::Customer => "customers",
            Numbered::Invoice => "invoices",
            Numbered::Payment => "payments",
        }
    }

    /// The company's column holding its own prefix for this kind, if it may set one.
    fn own_prefix_column(self) -> Option<&'static str> {
        match self {
            Numbered::Job => Some("job_prefix"),
            Numbered::Estimate => Some("estimate_prefix"),
            Numbered::Invoice => Some("invoice_prefix"),
            Numbered::Customer | Numbered::Payment => None,
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Numbered::Job => "J-",
            Numbered::Estimate => "E-",
            Numbered::Customer => "C-",
            Numbered::Invoice => "I-",
            Numbered::Payment => "P-",
        }
    }
}

/// Numbers start after this, as the demo's do (`J-1001`).
const FIRST_NUMBER_FLOOR: i64 = 1000;

const SELECT_ROW: &str = "SELECT r.id, r.number, r.status AS status_text, c.name AS customer_name, \
     ct.first_name AS contact_first, ct.last_name AS contact_last, s.name AS site_name, \
     s.line1 AS site_line1, r.preferred_date, r.po_number, r.description, r.created_at \
     FROM service_requests r \
     JOIN customers c ON c.company_id = r.company_id AND c.id = r.customer_id \
     LEFT JOIN contacts ct ON ct.company_id = r.company_id AND ct.id = r.contact_id \
     LEFT JOIN sites s ON s.company_id = r.company_id AND s.id = r.site_id ";

impl Store {
    /// A page of the company's requests as `filter` narrows them, newest first, after
    /// `after`; the second value is where the next page starts, if there is one.
    pub async fn request_inbox_page(
        &self,
        company: CompanyId,
        filter: &InboxFilter,
        after: Option<InboxKey>,
        limit: i64,
    ) -> Result<(Vec<InboxRow>, Option<InboxKey>), StoreError> {
        let limit = limit.clamp(1, 200);
        let mut sql = Sql::default();
        sql.push(SELECT_ROW)
            .push("WHERE r.company_id = ")
            .val(company.0);
        if !filter.statuses.is_empty() {
            sql.push(" AND r.status IN ")
                .list(filter.statuses.iter().map(|s| s.as_str()));
        }
        let search = filter.search.trim();
        if !search.is_empty() {
            let pattern = like_pattern(search);
            sql.push(" AND (");
            let columns = [
                "LOWER(r.number)",
                "LOWER(r.po_number)",
                "LOWER(c.name)",
                "LOWER(COALESCE(ct.first_name, '') || ' ' || COALESCE(ct.last_name, ''))",
                "LOWER(COALESCE(s.name, ''))",
                "LOWER(COALESCE(s.line1, ''))",
                "LOWER(COALESCE(s.city, ''))",
            ];
            for (i, column) in columns.iter().enumerate() {
                if i > 0 {
                    sql.push(" OR ");
                }
                sql.push(column)
                    .push(" LIKE ")
                    .val(pattern.clone())
                    .push(" ESCAPE '\\'");
            }
            sql.push(")");
        }
        if let Some(k) = after {
            // The plain range first gives both engines an index range; the OR settles ties.
            sql.push(" AND r.created_at <= ")
                .val(k.created_at)
                .push(" AND (r.created_at < ")
                .val(k.created_at)
                .push(" OR r.id < ")
                .val(k.id)
                .push(")");
        }
        sql.push(" ORDER BY r.created_at DESC, r.id DESC LIMIT ")
            .val(limit + 1);
        let mut rows: Vec<InboxRow> = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_all(p).await)?;
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let next = rows.last().map(InboxRow::key).filter(|_| more);
        Ok((rows, next))
    }

    /// How many of the company's requests nobody in the office has opened yet.
    pub async fn new_request_count(&self, company: CompanyId) -> Result<i64, StoreError> {
        let n: i64 = on_pool!(self, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM service_requests WHERE company_id = $1 AND status = 'new'")
            .bind(company.0).fetch_one(p).await)?;
        Ok(n)
    }

    /// One of the company's requests by number; `None` for any other company's.
    pub async fn request_detail(
        &self,
        company: CompanyId,
        number: &str,
    ) -> Result<Option<RequestDetail>, StoreError> {
        let row = on_pool!(self, p => sqlx::query_as(
            "SELECT r.id, r.number, r.status AS status_text, r.customer_id, \
             c.number AS customer_number, c.name AS customer_name, r.site_id, \
             s.name AS site_name, s.line1 AS site_line1, s.line2 AS site_line2, \
             s.city AS site_city, s.region AS site_region, s.postal_code AS site_postal_code, \
             ct.first_name AS contact_first, ct.last_name AS contact_last, \
             ct.email AS contact_email, ct.phone AS contact_phone, \
             sb.first_name AS submitter_first, sb.last_name AS submitter_last, \
             sb.email AS submitter_email, r.preferred_date, r.schedule_type, r.preferred_time, \
             r.job_type_id, jt.name AS job_type_name, r.catalogue_item_id, \
             ci.name AS catalogue_item_name, \
             a.name AS asset_name, r.description, r.po_number, r.is_sub_customer, \
             e.number AS estimate_number, j.number AS converted_job_number, \
             ce.number AS converted_estimate_number, ra.name AS converted_rental_name, \
             r.decline_reason, r.created_at, \
             r.read_at, r.declined_at, r.completed_at \
             FROM service_requests r \
             JOIN customers c ON c.company_id = r.company_id AND c.id = r.customer_id \
             LEFT JOIN sites s ON s.company_id = r.company_id AND s.id = r.site_id \
             LEFT JOIN contacts ct ON ct.company_id = r.company_id AND ct.id = r.contact_id \
             LEFT JOIN contacts sb ON sb.company_id = r.company_id AND sb.id = r.submitted_by_contact_id \
             LEFT JOIN job_types jt ON jt.company_id = r.company_id AND jt.id = r.job_type_id \
             LEFT JOIN catalogue_items ci ON ci.company_id = r.company_id AND ci.id = r.catalogue_item_id \
             LEFT JOIN assets a ON a.company_id = r.company_id AND a.id = r.asset_id \
             LEFT JOIN estimates e ON e.company_id = r.company_id AND e.id = r.estimate_id \
             LEFT JOIN jobs j ON j.company_id = r.company_id AND j.id = r.converted_job_id \
             LEFT JOIN estimates ce ON ce.company_id = r.company_id AND ce.id = r.converted_estimate_id \
             LEFT JOIN assets ra ON ra.company_id = r.company_id AND ra.id = r.converted_asset_id \
             WHERE r.company_id = $1 AND r.number = $2")
            .bind(company.0).bind(number).fetch_optional(p).await)?;
        Ok(row)
    }

    /// The photos sent with one of the company's requests, in the order they came.
    pub async fn request_photos(
        &self,
        company: CompanyId,
        request: ServiceRequestId,
    ) -> Result<Vec<RequestPhoto>, StoreError> {
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT id, filename, content_type, storage_key, thumb_key FROM attachments \
             WHERE company_id = $1 AND owner_kind = 'service_request' AND owner_id = $2 \
             AND kind = 'photo' ORDER BY id")
            .bind(company.0).bind(request.0).fetch_all(p).await)?;
        Ok(rows)
    }

    /// One photo of one of the company's requests; `None` when it is not that request's.
    pub async fn request_photo(
        &self,
        company: CompanyId,
        request: ServiceRequestId,
        photo: i64,
    ) -> Result<Option<RequestPhoto>, StoreError> {
        let row = on_pool!(self, p => sqlx::query_as(
            "SELECT id, filename, content_type, storage_key, thumb_key FROM attachments \
             WHERE company_id = $1 AND owner_kind = 'service_request' AND owner_id = $2 \
             AND kind = 'photo' AND id = $3")
            .bind(company.0).bind(request.0).bind(photo).fetch_optional(p).await)?;
        Ok(row)
    }

    /// The company's active job types, `(id, name)`, for the office's forms.
    pub async fn job_type_choices(
        &self,
        company: CompanyId,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT id, name FROM job_types WHERE company_id = $1 AND active = TRUE \
             ORDER BY sort_order, name, id")
            .bind(company.0).fetch_all(p).await)?;
        Ok(rows)
    }
}

impl Tx {
    /// Marks a New request Read; `false` when it was not New (someone opened it first).
    pub async fn mark_request_read(
        &mut self,
        company: CompanyId,
        request: ServiceRequestId,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE service_requests SET status = 'read', read_at = $1, updated_at = $1 \
             WHERE company_id = $2 AND id = $3 AND status = 'new'")
            .bind(db_time(at)).bind(company.0).bind(request.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Claims a New or Read request for an answer, moving it to `to`: the one check that
    /// keeps a declined or completed request from ever being converted. `false` (nothing
    /// changed) when it was no longer open; the caller then rolls back.
    async fn close_request(
        &mut self,
        company: CompanyId,
        request: ServiceRequestId,
        to: RequestStatus,
        reason: &str,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let (completed, declined) = match to {
            RequestStatus::Completed => (Some(db_time(at)), None),
            _ => (None, Some(db_time(at))),
        };
        let sql = format!(
            "UPDATE service_requests SET status = $1, read_at = COALESCE(read_at, $2), \
             completed_at = $3, declined_at = $4, decline_reason = $5, updated_at = $2 \
             WHERE company_id = $6 AND id = $7 AND status IN {OPEN_STATUSES}"
        );
        let n = on_tx!(self, c => sqlx::query(&sql)
            .bind(to.as_str()).bind(db_time(at)).bind(completed).bind(declined).bind(reason)
            .bind(company.0).bind(request.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Records on the request what it became.
    async fn link_request(
        &mut self,
        company: CompanyId,
        request: ServiceRequestId,
        to: Converted,
        id: i64,
    ) -> Result<(), StoreError> {
        let column = match to {
            Converted::Job => "converted_job_id",
            Converted::Estimate => "converted_estimate_id",
            Converted::Rental => "converted_asset_id",
        };
        let sql =
            format!("UPDATE service_requests SET {column} = $1 WHERE company_id = $2 AND id = $3");
        on_tx!(self, c => sqlx::query(&sql).bind(id).bind(company.0).bind(request.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The published window the request booked a place in, if any.
    async fn request_window(
        &mut self,
        company: CompanyId,
        request: ServiceRequestId,
    ) -> Result<Option<i64>, StoreError> {
        let window: Option<Option<i64>> = on_tx!(self, c => sqlx::query_scalar(
            "SELECT availability_window_id FROM service_requests WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(request.0).fetch_optional(&mut *c).await)?;
        Ok(window.flatten())
    }

    /// Gives back the window place a request held when it ends without a visit.
    async fn release_request_window(
        &mut self,
        company: CompanyId,
        request: ServiceRequestId,
    ) -> Result<(), StoreError> {
        match self.request_window(company, request).await? {
            Some(window) => self.release_window_place(company, window).await,
            None => Ok(()),
        }
    }

    /// The request's account and site, read inside the transaction that answers it.
    async fn request_place(
        &mut self,
        company: CompanyId,
        request: ServiceRequestId,
    ) -> Result<(i64, Option<i64>, Option<i64>), StoreError> {
        let row: Option<(i64, Option<i64>, Option<i64>)> = on_tx!(self, c => sqlx::query_as(
            "SELECT customer_id, site_id, estimate_id FROM service_requests \
             WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(request.0).fetch_optional(&mut *c).await)?;
        row.ok_or(StoreError::NotFound)
    }

    /// Turns an open request into a job and marks it Completed, linked both ways; `None`
    /// (nothing created, the caller rolls back) when the request is declined or already
    /// completed.
    pub async fn convert_request_to_job(
        &mut self,
        company: CompanyId,
        request: ServiceRequestId,
        job: &JobFromRequest,
        at: OffsetDateTime,
    ) -> Result<Option<(JobId, String)>, StoreError> {
        if !self
            .close_request(company, request, RequestStatus::Completed, "", at)
            .await?
        {
            return Ok(None);
        }
        let (customer, site, _) = self.request_place(company, request).await?;
        let number = self.next_number(company, Numbered::Job).await?;
        let id = self
            .insert_job(
                company,
                &NewJob {
                    customer: doorstep_core::ids::CustomerId(customer),
                    site: site.map(doorstep_core::ids::SiteId),
                    asset: None,
                    job_type: job.job_type,
                    number: number.clone(),
                    kind: JobKind::Service,
                    status: if job.visit.is_some() {
                        JobStatus::Scheduled
                    } else {
                        JobStatus::Unscheduled
                    },
                    summary: job.summary.clone(),
                    description: job.description.clone(),
                    schedule_type: job.schedule_type,
                    scheduled_start: job.visit.map(|v| v.0),
                    scheduled_end: job.visit.map(|v| v.1),
                    arrival_window_start: job.visit.map(|v| v.0),
                    arrival_window_end: job.visit.map(|v| v.1),
                    completed_at: None,
                    work_order_notes: String::new(),
                    customer_notes: String::new(),
                    external_ref: None,
                    invoice_notes: String::new(),
                    po_number: job.po_number.clone(),
                    custom_fields: "{}".into(),
                    total_minor: 0,
                    created_at: at,
                },
            )
            .await?;
        self.link_request(company, request, Converted::Job, id.0)
            .await?;
        // The job holds the window place the request booked, so moving or cancelling the
        // visit later gives it back.
        let window = self.request_window(company, request).await?;
        on_tx!(self, c => sqlx::query(
            "UPDATE jobs SET availability_window_id = $1 WHERE company_id = $2 AND id = $3")
            .bind(window).bind(company.0).bind(id.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(Some((id, number)))
    }

    /// Turns an open request into an estimate and marks it Completed, linked both ways.
    /// The open estimate made when the request was sent (seed 000) is that estimate when
    /// it is still a draft or pending, so the number the customer was given stays true;
    /// otherwise a new draft is made. `None` as for [`Tx::convert_request_to_job`].
    pub async fn convert_request_to_estimate(
        &mut self,
        company: CompanyId,
        request: ServiceRequestId,
        estimate: &EstimateFromRequest,
        at: OffsetDateTime,
    ) -> Result<Option<(EstimateId, String)>, StoreError> {
        if !self
            .close_request(company, request, RequestStatus::Completed, "", at)
            .await?
        {
            return Ok(None);
        }
        // An estimate is not a visit: the place the request booked is free again.
        self.release_request_window(company, request).await?;
        let (customer, site, open) = self.request_place(company, request).await?;
        let reused: Option<(i64, String)> = match open {
            Some(open) => on_tx!(self, c => sqlx::query_as(
                "UPDATE estimates SET title = $1, scope = $2, site_id = $3, expires_on = $4, \
                 updated_at = $5 WHERE company_id = $6 AND id = $7 AND status IN ('draft', 'pending') \
                 RETURNING id, number")
                .bind(&estimate.title).bind(&estimate.scope).bind(site).bind(estimate.expires_on)
                .bind(db_time(at)).bind(company.0).bind(open)
                .fetch_optional(&mut *c).await)?,
            None => None,
        };
        let (id, number) = match reused {
            Some((id, number)) => (EstimateId(id), number),
            None => {
                let number = self.next_number(company, Numbered::Estimate).await?;
                let id = self
                    .insert_estimate(
                        company,
                        &NewEstimate {
                            customer: doorstep_core::ids::CustomerId(customer),
                            site: site.map(doorstep_core::ids::SiteId),
                            number: number.clone(),
                            title: estimate.title.clone(),
                            scope: estimate.scope.clone(),
                            status: EstimateStatus::Draft,
                            issued_on: estimate.issued_on,
                            expires_on: estimate.expires_on,
                            deposit_minor: 0,
                            total_minor: 0,
                            approval: None,
                            decline: None,
                            converted_job: None,
                        },
                    )
                    .await?;
                (id, number)
            }
        };
        self.link_request(company, request, Converted::Estimate, id.0)
            .await?;
        Ok(Some((id, number)))
    }

    /// Turns an open request into a rental of the account (seed 004: the yard rents the
    /// product asked for) and marks it Completed, linked both ways; a rental is not a visit,
    /// so a window place the request booked is given back. `None` as for
    /// [`Tx::convert_request_to_job`].
    pub async fn convert_request_to_rental(
        &mut self,
        company: CompanyId,
        request: ServiceRequestId,
        rental: &RentalFromRequest,
        at: OffsetDateTime,
    ) -> Result<Option<AssetId>, StoreError> {
        if !self
            .close_request(company, request, RequestStatus::Completed, "", at)
            .await?
        {
            return Ok(None);
        }
        self.release_request_window(company, request).await?;
        let (customer, site, _) = self.request_place(company, request).await?;
        let id = self
            .insert_asset(
                company,
                &NewAsset {
                    customer: doorstep_core::ids::CustomerId(customer),
                    site: site.map(doorstep_core::ids::SiteId),
                    catalogue_item: rental.catalogue_item.map(CatalogueItemId),
                    kind: "rental".into(),
                    name: rental.name.clone(),
                    make: String::new(),
                    model: String::new(),
                    serial_number: rental.serial_number.clone(),
                    installed_on: None,
                    rental_start_on: Some(rental.start_on),
                    rental_end_on: rental.end_on,
                },
            )
            .await?;
        self.link_request(company, request, Converted::Rental, id.0)
            .await?;
        Ok(Some(id))
    }

    /// Declines an open request with the office's reason, giving back any window place it
    /// booked; `false` (nothing changed) when it was already declined or completed.
    pub async fn decline_request(
        &mut self,
        company: CompanyId,
        request: ServiceRequestId,
        reason: &str,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        if !self
            .close_request(company, request, RequestStatus::Declined, reason, at)
            .await?
        {
            return Ok(false);
        }
        self.release_request_window(company, request).await?;
        Ok(true)
    }

    /// The next free number for a document of the company (`J-1043`), from a per-company
    /// counter locked for the rest of the transaction, so two offices converting at once
    /// get different numbers. The counter starts from the highest number already used;
    /// numbers written by imports since are skipped.
    pub async fn next_number(
        &mut self,
        company: CompanyId,
        doc: Numbered,
    ) -> Result<String, StoreError> {
        // The counter is the document kind's (keyed by its original prefix), so a company
        // that changes its prefix carries on from the number it had reached.
        let prefix = doc.prefix();
        let shown = match doc.own_prefix_column() {
            Some(column) => {
                format!("(SELECT COALESCE(NULLIF({column}, ''), $2) FROM companies WHERE id = $1)")
            }
            None => "$2".to_owned(),
        };
        // One statement per try (this runs inside every numbered write, under SQLite's one
        // write lock): the counter bumped, the prefix shown, and whether that number is
        // already taken (written by an import).
        let sql = format!(
            "UPDATE number_sequences SET last_value = last_value + 1 \
             WHERE company_id = $1 AND prefix = $2 \
             RETURNING last_value, {shown}, (SELECT t.id FROM {table} t \
             WHERE t.company_id = $1 AND t.number = {shown} || CAST(number_sequences.last_value AS TEXT))",
            table = doc.table()
        );
        let mut shown = prefix.to_owned();
        for _ in 0..1000 {
            let bumped: Option<(i64, String, Option<i64>)> = on_tx!(self, c => sqlx::query_as(&sql)
                .bind(company.0).bind(prefix).fetch_optional(&mut *c).await)?;
            let Some((value, own, taken)) = bumped else {
                let highest = self.highest_number(company, doc).await?;
                on_tx!(self, c => sqlx::query(
                    "INSERT INTO number_sequences (company_id, prefix, last_value) VALUES ($1, $2, $3) \
                     ON CONFLICT (company_id, prefix) DO NOTHING")
                    .bind(company.0).bind(prefix).bind(highest.max(FIRST_NUMBER_FLOOR))
                    .execute(&mut *c).await.map(|r| r.rows_affected()))?;
                continue;
            };
            shown = own;
            if taken.is_none() {
                return Ok(format!("{shown}{value}"));
            }
        }
        Err(StoreError::Conflict(format!("no free {shown} number")))
    }

    /// The highest numeric `J-n` (or `E-n`) the company has used; read once per counter.
    async fn highest_number(
        &mut self,
        company: CompanyId,
        doc: Numbered,
    ) -> Result<i64, StoreError> {
        let sqlite = matches!(self.inner(), crate::TxInner::Sqlite(_));
        let digits_only = match if sqlite {
            DbKind::Sqlite
        } else {
            DbKind::Postgres
        } {
            DbKind::Sqlite => {
                "SUBSTR(number, 3) <> '' AND SUBSTR(number, 3) NOT GLOB '*[^0-9]*' \
                               AND LENGTH(number) < 20"
            }
            DbKind::Postgres => "SUBSTR(number, 3) ~ '^[0-9]{1,17}$'",
        };
        let sql = format!(
            "SELECT MAX(CAST(SUBSTR(number, 3) AS BIGINT)) FROM {} \
             WHERE company_id = $1 AND SUBSTR(number, 1, 2) = $2 AND {digits_only}",
            doc.table()
        );
        let highest: Option<i64> = on_tx!(self, c => sqlx::query_scalar(&sql)
            .bind(company.0).bind(doc.prefix()).fetch_one(&mut *c).await)?;
        Ok(highest.unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::{OPEN_STATUSES, like_pattern};
    use doorstep_core::status::RequestStatus;

    #[test]
    fn the_sql_open_statuses_are_exactly_those_the_domain_lets_convert() {
        let open: Vec<String> = RequestStatus::ALL
            .iter()
            .filter(|s| s.may_convert())
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        assert_eq!(OPEN_STATUSES, format!("({})", open.join(", ")));
        for s in RequestStatus::ALL {
            assert_eq!(s.may_convert(), s.may_decline());
        }
    }

    #[test]
    fn search_text_matches_only_as_itself() {
        assert_eq!(like_pattern(" PO_1% "), "%po\\_1\\%%");
    }
}
