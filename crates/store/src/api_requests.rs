//! The JSON API's service and support requests and webhook deliveries (issue 20): a
//! company's requests and tickets by change time, filtered by status and customer,
//! keyset on `(updated_at, id)` over migration 0042's indexes (and 0002's for tickets);
//! one of each by id; one webhook delivery by id.

use doorstep_core::ids::{CompanyId, ServiceRequestId, SupportRequestId};
use time::{Date, OffsetDateTime};

use crate::insert::{Sql, bind_vals};
use crate::webhooks::Delivery;
use crate::{Store, StoreError, on_pool};

/// A service request as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiServiceRequest {
    /// Id.
    pub id: i64,
    /// Number (`R-1001`).
    pub number: String,
    /// `new`, `read`, `completed` or `declined`.
    pub status: String,
    /// The account's id.
    pub customer_id: i64,
    /// The site's id.
    pub site_id: Option<i64>,
    /// The contact it is for.
    pub contact_id: Option<i64>,
    /// The contact who sent it.
    pub submitted_by_contact_id: Option<i64>,
    /// What the customer wrote.
    pub description: String,
    /// The day the customer would like.
    pub preferred_date: Option<Date>,
    /// `am`, `pm`, `all_day` or `exact`.
    pub schedule_type: Option<String>,
    /// The time the customer would like, as typed.
    pub preferred_time: String,
    /// The job type asked for.
    pub job_type_id: Option<i64>,
    /// The customer's purchase order number.
    pub po_number: String,
    /// The job it became.
    pub converted_job_id: Option<i64>,
    /// The estimate it became.
    pub converted_estimate_id: Option<i64>,
    /// The office's reason, when declined.
    pub decline_reason: String,
    /// When the office first opened it.
    pub read_at: Option<OffsetDateTime>,
    /// When it was declined.
    pub declined_at: Option<OffsetDateTime>,
    /// When it was converted.
    pub completed_at: Option<OffsetDateTime>,
    /// When it was sent.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
}

const REQUEST_COLUMNS: &str = "SELECT r.id, r.number, r.status, r.customer_id, r.site_id, \
    r.contact_id, r.submitted_by_contact_id, r.description, r.preferred_date, r.schedule_type, \
    r.preferred_time, r.job_type_id, r.po_number, r.converted_job_id, r.converted_estimate_id, \
    r.decline_reason, r.read_at, r.declined_at, r.completed_at, r.created_at, r.updated_at \
    FROM service_requests r WHERE r.company_id = ";

/// A support ticket as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiSupportRequest {
    /// Id.
    pub id: i64,
    /// Number (`S-1001`).
    pub number: String,
    /// The account's id.
    pub customer_id: i64,
    /// The contact who opened it.
    pub contact_id: Option<i64>,
    /// Subject.
    pub subject: String,
    /// What the contact wrote first.
    pub description: String,
    /// `open`, `in_progress`, `waiting_on_customer`, `resolved` or `closed`.
    pub status: String,
    /// When it was opened.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
}

const TICKET_COLUMNS: &str = "SELECT r.id, r.number, r.customer_id, r.contact_id, r.subject, \
    r.description, r.status, r.created_at, r.updated_at FROM support_requests r \
    WHERE r.company_id = ";

/// What a list of requests or tickets is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// Only this account's.
    pub customer: Option<i64>,
    /// Only in this stored status.
    pub status: Option<String>,
    /// Changed at or after this.
    pub since: Option<OffsetDateTime>,
    /// After this `(updated_at, id)`.
    pub after: Option<(OffsetDateTime, i64)>,
}

impl RequestFilter {
    /// `sql` (a `... WHERE r.company_id = $1` select) narrowed and ordered, `limit` rows.
    fn apply(&self, sql: &mut Sql, limit: i64) {
        sql.and_eq("r.customer_id", self.customer)
            .and_eq("r.status", self.status.as_deref())
            .keyset_page(("r.", "updated_at"), self.since, self.after, limit);
    }
}

impl Store {
    /// A page of the company's service requests by change time, `limit` rows.
    pub async fn api_service_requests(
        &self,
        company: CompanyId,
        filter: &RequestFilter,
        limit: i64,
    ) -> Result<Vec<ApiServiceRequest>, StoreError> {
        let mut sql = Sql::default();
        sql.push(REQUEST_COLUMNS).val(company.0);
        filter.apply(&mut sql, limit);
        let rows = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_all(p).await)?;
        Ok(rows)
    }

    /// Service request `id` of the company.
    pub async fn api_service_request(
        &self,
        company: CompanyId,
        id: ServiceRequestId,
    ) -> Result<Option<ApiServiceRequest>, StoreError> {
        let sql = format!("{REQUEST_COLUMNS}$1 AND r.id = $2");
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(id.0).fetch_optional(p).await)?;
        Ok(row)
    }

    /// A page of the company's support tickets by change time, `limit` rows.
    pub async fn api_support_requests(
        &self,
        company: CompanyId,
        filter: &RequestFilter,
        limit: i64,
    ) -> Result<Vec<ApiSupportRequest>, StoreError> {
        let mut sql = Sql::default();
        sql.push(TICKET_COLUMNS).val(company.0);
        filter.apply(&mut sql, limit);
        let rows = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_all(p).await)?;
        Ok(rows)
    }

    /// Support ticket `id` of the company.
    pub async fn api_support_request(
        &self,
        company: CompanyId,
        id: SupportRequestId,
    ) -> Result<Option<ApiSupportRequest>, StoreError> {
        let sql = format!("{TICKET_COLUMNS}$1 AND r.id = $2");
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(id.0).fetch_optional(p).await)?;
        Ok(row)
    }

    /// The number of estimate `id` of the company.
    pub async fn api_estimate_number(
        &self,
        company: CompanyId,
        id: i64,
    ) -> Result<Option<String>, StoreError> {
        let row = on_pool!(self, p => sqlx::query_scalar(
            "SELECT number FROM estimates WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id).fetch_optional(p).await)?;
        Ok(row)
    }

    /// Webhook delivery `id` of the company.
    pub async fn api_webhook_delivery(
        &self,
        company: CompanyId,
        id: i64,
    ) -> Result<Option<Delivery>, StoreError> {
        let row = on_pool!(self, p => sqlx::query_as(
            "SELECT id, company_id, endpoint_id, event_id, event_type, payload, status, \
             attempts, next_attempt_at, response_status, last_error, response_excerpt, \
             last_attempt_at, delivered_at, created_at FROM webhook_deliveries \
             WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id).fetch_optional(p).await)?;
        Ok(row)
    }
}
