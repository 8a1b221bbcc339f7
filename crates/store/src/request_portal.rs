//! The portal's side of service requests: the server-side drafts of the guided form (so a
//! reload or the back button loses nothing), what a customer may pick from, submitting a
//! draft exactly once, and the account's own requests.
//!
//! Every read takes the company and the contact's scope; a draft is found only by its
//! random key together with the login and account that started it.

use doorstep_core::authz::ContactScope;
use doorstep_core::ids::{
    CompanyId, ContactId, CustomerId, EstimateId, LoginId, ServiceRequestId, SiteId,
};
use doorstep_core::status::ScheduleType;
use time::{Date, OffsetDateTime};

use crate::insert::Val;
use crate::scope::site_condition;
use crate::{Store, StoreError, Tx, now, on_pool, on_tx};

/// A draft of the guided form as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestDraft {
    /// Row id.
    pub id: i64,
    /// The random key in the URL, also the submit's idempotency key.
    pub draft_key: String,
    /// The contact who started it.
    pub contact_id: i64,
    /// The answers, as JSON.
    pub answers: String,
    /// The request it became, once submitted.
    pub request_number: Option<String>,
    /// Set once a submit claimed it.
    pub submitted_at: Option<OffsetDateTime>,
}

/// A photo added to a draft (or, once submitted, to a request).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DraftPhoto {
    /// Row id.
    pub id: i64,
    /// The name shown.
    pub filename: String,
    /// Type decided from the content.
    pub content_type: String,
    /// Stored size.
    pub size_bytes: i64,
    /// Random key of the bytes.
    pub storage_key: String,
    /// Random key of the thumbnail.
    pub thumb_key: Option<String>,
    /// Pixel width.
    pub width: Option<i64>,
    /// Pixel height.
    pub height: Option<i64>,
}

/// Something a customer may pick: a job type or a catalogue item.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Choice {
    /// Id.
    pub id: i64,
    /// `job_type`, `product` or `service`.
    pub kind: String,
    /// Name.
    pub name: String,
}

/// A submitted request as it is written.
#[derive(Debug, Clone)]
pub struct PortalRequest {
    /// The account.
    pub customer: CustomerId,
    /// The address.
    pub site: Option<SiteId>,
    /// The contact for the visit.
    pub contact: Option<ContactId>,
    /// Who sent it.
    pub submitted_by: ContactId,
    /// The company's request number.
    pub number: String,
    /// Preferred date.
    pub preferred_date: Option<Date>,
    /// AM / PM / all day / exact.
    pub schedule_type: Option<ScheduleType>,
    /// `HH:MM` for an exact time.
    pub preferred_time: String,
    /// The booked window.
    pub window: Option<i64>,
    /// Job type asked for.
    pub job_type: Option<i64>,
    /// Catalogue item asked for.
    pub item: Option<i64>,
    /// What needs doing.
    pub description: String,
    /// Purchase order number.
    pub po_number: String,
    /// For a sub-customer.
    pub sub_customer: bool,
    /// The open estimate created with it.
    pub estimate: EstimateId,
    /// The draft key: a second submit of the same draft is refused by the database.
    pub idempotency_key: String,
}

/// A row of "My requests".
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MyRequestRow {
    /// Row id (the keyset).
    pub id: i64,
    /// Number.
    pub number: String,
    /// Status.
    pub status: String,
    /// Preferred date.
    pub preferred_date: Option<Date>,
    /// What needs doing.
    pub description: String,
    /// Site name.
    pub site_name: Option<String>,
    /// When sent.
    pub created_at: OffsetDateTime,
}

/// One request with everything its page shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MyRequest {
    /// Row id.
    pub id: i64,
    /// Number.
    pub number: String,
    /// `new`, `read`, `completed` or `declined`.
    pub status: String,
    /// Preferred date.
    pub preferred_date: Option<Date>,
    /// AM / PM / all day / exact.
    pub schedule_type: Option<String>,
    /// Exact time.
    pub preferred_time: String,
    /// The booked window's date, when one was booked.
    pub window_date: Option<Date>,
    /// What needs doing.
    pub description: String,
    /// PO number.
    pub po_number: String,
    /// For a sub-customer.
    pub is_sub_customer: bool,
    /// Why the office declined it.
    pub decline_reason: String,
    /// Site name.
    pub site_name: Option<String>,
    /// Site street.
    pub site_line1: Option<String>,
    /// Site city.
    pub site_city: Option<String>,
    /// Contact's given name.
    pub contact_first: Option<String>,
    /// Contact's family name.
    pub contact_last: Option<String>,
    /// Contact's email.
    pub contact_email: Option<String>,
    /// Contact's phone.
    pub contact_phone: Option<String>,
    /// Job type name.
    pub job_type_name: Option<String>,
    /// Catalogue item name.
    pub item_name: Option<String>,
    /// The open estimate's number.
    pub estimate_number: Option<String>,
    /// Its stored status: `draft` until the office prices and sends it.
    pub estimate_status: Option<String>,
    /// The job it became.
    pub job_number: Option<String>,
    /// The estimate it became.
    pub converted_estimate_number: Option<String>,
    /// The rental it became.
    pub converted_rental_name: Option<String>,
    /// When sent.
    pub created_at: OffsetDateTime,
}

const DRAFT_SELECT: &str = "SELECT d.id, d.draft_key, d.contact_id, d.answers, r.number AS request_number, d.submitted_at \
    FROM request_drafts d LEFT JOIN service_requests r ON r.id = d.service_request_id AND r.company_id = d.company_id";

const PHOTO_COLUMNS: &str =
    "id, filename, content_type, size_bytes, storage_key, thumb_key, width, height";

impl Store {
    /// Starts a draft for `login` acting as `contact` for `customer`.
    pub async fn create_request_draft(
        &self,
        company: CompanyId,
        key: &str,
        login: LoginId,
        contact: ContactId,
        customer: CustomerId,
        answers: &str,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let at = now();
        let id = tx
            .insert_row(
                "request_drafts",
                company.0,
                &[
                    ("draft_key", key.into()),
                    ("login_id", login.0.into()),
                    ("contact_id", contact.0.into()),
                    ("customer_id", customer.0.into()),
                    ("answers", answers.into()),
                    ("created_at", at.into()),
                    ("updated_at", at.into()),
                ],
                true,
            )
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The draft `key` of this login and account; anyone else's is not found.
    pub async fn request_draft(
        &self,
        company: CompanyId,
        key: &str,
        login: LoginId,
        customer: CustomerId,
    ) -> Result<Option<RequestDraft>, StoreError> {
        let sql = format!(
            "{DRAFT_SELECT} WHERE d.company_id = $1 AND d.draft_key = $2 AND d.login_id = $3 AND d.customer_id = $4"
        );
        let row = on_pool!(self, p => sqlx::query_as(&sql).bind(company.0).bind(key).bind(login.0).bind(customer.0).fetch_optional(p).await)?;
        Ok(row)
    }

    /// Saves the answers of a draft not yet submitted; `false` once it was.
    pub async fn save_request_draft(
        &self,
        company: CompanyId,
        draft: i64,
        answers: &str,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE request_drafts SET answers = $1, updated_at = $2 \
                   WHERE company_id = $3 AND id = $4 AND submitted_at IS NULL";
        let done = on_pool!(self, p => sqlx::query(sql).bind(answers).bind(crate::db_time(now())).bind(company.0).bind(draft).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// The photos of a draft, in the order added.
    pub async fn draft_photos(
        &self,
        company: CompanyId,
        draft: i64,
    ) -> Result<Vec<DraftPhoto>, StoreError> {
        let sql = format!(
            "SELECT {PHOTO_COLUMNS} FROM request_draft_photos WHERE company_id = $1 AND draft_id = $2 ORDER BY id"
        );
        let rows = on_pool!(self, p => sqlx::query_as(&sql).bind(company.0).bind(draft).fetch_all(p).await)?;
        Ok(rows)
    }

    /// One photo of a draft.
    pub async fn draft_photo(
        &self,
        company: CompanyId,
        draft: i64,
        photo: i64,
    ) -> Result<Option<DraftPhoto>, StoreError> {
        let sql = format!(
            "SELECT {PHOTO_COLUMNS} FROM request_draft_photos WHERE company_id = $1 AND draft_id = $2 AND id = $3"
        );
        let row = on_pool!(self, p => sqlx::query_as(&sql).bind(company.0).bind(draft).bind(photo).fetch_optional(p).await)?;
        Ok(row)
    }

    /// Removes a photo from a draft not yet submitted; `false` when there was none.
    pub async fn remove_draft_photo(
        &self,
        company: CompanyId,
        draft: i64,
        photo: i64,
    ) -> Result<bool, StoreError> {
        let sql = "DELETE FROM request_draft_photos WHERE company_id = $1 AND draft_id = $2 AND id = $3 \
                   AND draft_id IN (SELECT id FROM request_drafts WHERE company_id = $1 AND submitted_at IS NULL)";
        let done = on_pool!(self, p => sqlx::query(sql).bind(company.0).bind(draft).bind(photo).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// The job types customers may ask for, in the company's order.
    pub async fn requestable_job_types(
        &self,
        company: CompanyId,
    ) -> Result<Vec<Choice>, StoreError> {
        let sql = "SELECT id, 'job_type' AS kind, name FROM job_types \
                   WHERE company_id = $1 AND requestable = TRUE AND active = TRUE ORDER BY sort_order, name, id";
        let rows = on_pool!(self, p => sqlx::query_as(sql).bind(company.0).fetch_all(p).await)?;
        Ok(rows)
    }

    /// The requestable catalogue: products and services shown in the portal.
    pub async fn requestable_items(&self, company: CompanyId) -> Result<Vec<Choice>, StoreError> {
        let sql = "SELECT id, kind, name FROM catalogue_items \
                   WHERE company_id = $1 AND show_in_portal = TRUE ORDER BY kind, sort_order, name, id";
        let rows = on_pool!(self, p => sqlx::query_as(sql).bind(company.0).fetch_all(p).await)?;
        Ok(rows)
    }

    /// The number of the request a draft `key` became, if it was submitted.
    pub async fn request_by_idempotency_key(
        &self,
        company: CompanyId,
        customer: CustomerId,
        key: &str,
    ) -> Result<Option<String>, StoreError> {
        let sql = "SELECT number FROM service_requests WHERE company_id = $1 AND customer_id = $2 AND idempotency_key = $3";
        let row = on_pool!(self, p => sqlx::query_scalar(sql).bind(company.0).bind(customer.0).bind(key).fetch_optional(p).await)?;
        Ok(row)
    }

    /// A page of the account's requests, newest first, after the row `after` (keyset by
    /// id); site contacts see only their sites' requests.
    pub async fn my_requests(
        &self,
        company: CompanyId,
        scope: &ContactScope,
        after: Option<i64>,
        limit: i64,
    ) -> Result<Vec<MyRequestRow>, StoreError> {
        let (sites, site_ids) = site_condition(scope, "r.site_id", 5);
        let sql = format!(
            "SELECT r.id, r.number, r.status, r.preferred_date, r.description, s.name AS site_name, r.created_at \
             FROM service_requests r LEFT JOIN sites s ON s.id = r.site_id AND s.company_id = r.company_id \
             WHERE r.company_id = $1 AND r.customer_id = $2 AND r.id < $3{sites} ORDER BY r.id DESC LIMIT $4"
        );
        let rows = on_pool!(self, p => {
            let mut q = sqlx::query_as(&sql).bind(company.0).bind(scope.customer.0).bind(after.unwrap_or(i64::MAX)).bind(limit);
            for id in &site_ids { q = q.bind(*id); }
            q.fetch_all(p).await
        })?;
        Ok(rows)
    }

    /// One request of the account by number (site contacts: of their sites).
    pub async fn my_request(
        &self,
        company: CompanyId,
        scope: &ContactScope,
        number: &str,
    ) -> Result<Option<MyRequest>, StoreError> {
        let (sites, site_ids) = site_condition(scope, "r.site_id", 4);
        let sql = format!(
            "SELECT r.id, r.number, r.status, r.preferred_date, r.schedule_type, r.preferred_time, \
             w.window_date, r.description, r.po_number, r.is_sub_customer, r.decline_reason, \
             s.name AS site_name, s.line1 AS site_line1, s.city AS site_city, \
             c.first_name AS contact_first, c.last_name AS contact_last, c.email AS contact_email, c.phone AS contact_phone, \
             jt.name AS job_type_name, ci.name AS item_name, e.number AS estimate_number, e.status AS estimate_status, \
             j.number AS job_number, ce.number AS converted_estimate_number, \
             ra.name AS converted_rental_name, r.created_at \
             FROM service_requests r \
             LEFT JOIN sites s ON s.id = r.site_id AND s.company_id = r.company_id \
             LEFT JOIN contacts c ON c.id = r.contact_id AND c.company_id = r.company_id \
             LEFT JOIN availability_windows w ON w.id = r.availability_window_id AND w.company_id = r.company_id \
             LEFT JOIN job_types jt ON jt.id = r.job_type_id AND jt.company_id = r.company_id \
             LEFT JOIN catalogue_items ci ON ci.id = r.catalogue_item_id AND ci.company_id = r.company_id \
             LEFT JOIN estimates e ON e.id = r.estimate_id AND e.company_id = r.company_id \
             LEFT JOIN jobs j ON j.id = r.converted_job_id AND j.company_id = r.company_id \
             LEFT JOIN estimates ce ON ce.id = r.converted_estimate_id AND ce.company_id = r.company_id \
             LEFT JOIN assets ra ON ra.id = r.converted_asset_id AND ra.company_id = r.company_id \
             WHERE r.company_id = $1 AND r.customer_id = $2 AND r.number = $3{sites}"
        );
        let row = on_pool!(self, p => {
            let mut q = sqlx::query_as(&sql).bind(company.0).bind(scope.customer.0).bind(number);
            for id in &site_ids { q = q.bind(*id); }
            q.fetch_optional(p).await
        })?;
        Ok(row)
    }

    /// The photos of a request (its attachments of kind photo), as the portal lists them.
    pub async fn portal_request_photos(
        &self,
        company: CompanyId,
        request: ServiceRequestId,
    ) -> Result<Vec<DraftPhoto>, StoreError> {
        let sql = format!(
            "SELECT {PHOTO_COLUMNS} FROM attachments WHERE company_id = $1 AND owner_kind = 'service_request' \
             AND owner_id = $2 AND kind = 'photo' ORDER BY id"
        );
        let rows = on_pool!(self, p => sqlx::query_as(&sql).bind(company.0).bind(request.0).fetch_all(p).await)?;
        Ok(rows)
    }
}

impl Tx {
    /// Claims draft `id` for submitting: `true` for the one submit that may go on, `false`
    /// when it was already submitted. Written first in the submit so concurrent submits of
    /// one draft wait for each other instead of both going on.
    pub async fn claim_request_draft(
        &mut self,
        company: CompanyId,
        draft: i64,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE request_drafts SET submitted_at = $1 WHERE company_id = $2 AND id = $3 AND submitted_at IS NULL";
        let done = on_tx!(self, c => sqlx::query(sql).bind(crate::db_time(now())).bind(company.0).bind(draft).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// The next free number `PREFIX-n` of `kind` ('R' requests, 'E' estimates) for the company.
    pub async fn next_document_number(
        &mut self,
        company: CompanyId,
        kind: DocumentKind,
    ) -> Result<String, StoreError> {
        let (prefix, table) = match kind {
            DocumentKind::Request => ("R", "service_requests"),
            // Estimates are also numbered by the office; one sequence hands out every E-.
            DocumentKind::Estimate => {
                return self
                    .next_number(company, crate::request_inbox::Numbered::Estimate)
                    .await;
            }
        };
        // The counter starts after the rows already there; numbers written another way
        // (imports, the demo) are skipped over below.
        let first = format!(
            "INSERT INTO number_counters (company_id, kind, last_value) \
             VALUES ($1, $2, (SELECT 1001 + COUNT(*) FROM {table} WHERE company_id = $1)) \
             ON CONFLICT (company_id, kind) DO UPDATE SET last_value = number_counters.last_value + 1 \
             RETURNING last_value"
        );
        let mut value: i64 = on_tx!(self, c => sqlx::query_scalar(&first).bind(company.0).bind(prefix).fetch_one(c).await)?;
        let taken = format!("SELECT COUNT(*) FROM {table} WHERE company_id = $1 AND number = $2");
        let bump = "UPDATE number_counters SET last_value = last_value + 1 WHERE company_id = $1 AND kind = $2 RETURNING last_value";
        loop {
            let number = format!("{prefix}-{value}");
            let used: i64 = on_tx!(self, c => sqlx::query_scalar(&taken).bind(company.0).bind(&number).fetch_one(c).await)?;
            if used == 0 {
                return Ok(number);
            }
            value = on_tx!(self, c => sqlx::query_scalar(bump).bind(company.0).bind(prefix).fetch_one(c).await)?;
        }
    }

    /// Writes a submitted request in status New.
    pub async fn insert_portal_request(
        &mut self,
        company: CompanyId,
        r: &PortalRequest,
    ) -> Result<ServiceRequestId, StoreError> {
        let at = now();
        self.insert_row(
            "service_requests",
            company.0,
            &[
                ("customer_id", r.customer.0.into()),
                ("site_id", Val::Int(r.site.map(|s| s.0))),
                ("contact_id", Val::Int(r.contact.map(|c| c.0))),
                ("submitted_by_contact_id", r.submitted_by.0.into()),
                ("number", (&r.number).into()),
                ("status", "new".into()),
                ("preferred_date", r.preferred_date.into()),
                (
                    "schedule_type",
                    Val::Text(r.schedule_type.map(|s| s.as_str().to_owned())),
                ),
                ("preferred_time", (&r.preferred_time).into()),
                ("availability_window_id", Val::Int(r.window)),
                ("job_type_id", Val::Int(r.job_type)),
                ("catalogue_item_id", Val::Int(r.item)),
                ("description", (&r.description).into()),
                ("po_number", (&r.po_number).into()),
                ("is_sub_customer", r.sub_customer.into()),
                ("estimate_id", r.estimate.0.into()),
                ("idempotency_key", (&r.idempotency_key).into()),
                ("created_at", at.into()),
                ("updated_at", at.into()),
            ],
            true,
        )
        .await
        .map(ServiceRequestId)
    }

    /// Links a claimed draft to the request it became and moves its photos to the request.
    pub async fn finish_request_draft(
        &mut self,
        company: CompanyId,
        draft: i64,
        request: ServiceRequestId,
        customer: CustomerId,
    ) -> Result<(), StoreError> {
        let link =
            "UPDATE request_drafts SET service_request_id = $1 WHERE company_id = $2 AND id = $3";
        on_tx!(self, c => sqlx::query(link).bind(request.0).bind(company.0).bind(draft).execute(c).await.map(|r| r.rows_affected()))?;
        let copy = "INSERT INTO attachments (company_id, customer_id, owner_kind, owner_id, kind, filename, \
                    content_type, size_bytes, storage_key, thumb_key, width, height, created_at) \
                    SELECT company_id, $1, 'service_request', $2, 'photo', filename, content_type, size_bytes, \
                    storage_key, thumb_key, width, height, created_at FROM request_draft_photos \
                    WHERE company_id = $3 AND draft_id = $4 ORDER BY id";
        on_tx!(self, c => sqlx::query(copy).bind(customer.0).bind(request.0).bind(company.0).bind(draft).execute(c).await.map(|r| r.rows_affected()))?;
        let clear = "DELETE FROM request_draft_photos WHERE company_id = $1 AND draft_id = $2";
        on_tx!(self, c => sqlx::query(clear).bind(company.0).bind(draft).execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Adds a stored photo to a draft not yet submitted, unless it already holds `limit`;
    /// `false` (nothing written) when full or submitted.
    pub async fn add_draft_photo(
        &mut self,
        company: CompanyId,
        draft: i64,
        limit: i64,
        photo: &DraftPhoto,
    ) -> Result<bool, StoreError> {
        // Written first: the draft row's lock makes two uploads at once count one after the other.
        let touch = "UPDATE request_drafts SET updated_at = $1 WHERE company_id = $2 AND id = $3 AND submitted_at IS NULL";
        let open = on_tx!(self, c => sqlx::query(touch).bind(crate::db_time(now())).bind(company.0).bind(draft).execute(c).await.map(|r| r.rows_affected()))?;
        if open != 1 {
            return Ok(false);
        }
        let count =
            "SELECT COUNT(*) FROM request_draft_photos WHERE company_id = $1 AND draft_id = $2";
        let held: i64 = on_tx!(self, c => sqlx::query_scalar(count).bind(company.0).bind(draft).fetch_one(c).await)?;
        if held >= limit {
            return Ok(false);
        }
        self.insert_row(
            "request_draft_photos",
            company.0,
            &[
                ("draft_id", draft.into()),
                ("filename", (&photo.filename).into()),
                ("content_type", (&photo.content_type).into()),
                ("size_bytes", photo.size_bytes.into()),
                ("storage_key", (&photo.storage_key).into()),
                ("thumb_key", (&photo.thumb_key).into()),
                ("width", photo.width.into()),
                ("height", photo.height.into()),
                ("created_at", now().into()),
            ],
            true,
        )
        .await?;
        Ok(true)
    }
}

/// Which numbered document to number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// A service request (`R-`).
    Request,
    /// An estimate (`E-`).
    Estimate,
}
