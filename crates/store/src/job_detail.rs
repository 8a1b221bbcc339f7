//! One job as its customer sees it: the job, its crew, lines, forms and files. Every
//! query here is reached through [`Store::job_for_contact`], which applies the scope.

use doorstep_core::authz::ContactScope;
use doorstep_core::ids::{AttachmentId, CompanyId, CustomerId, JobId, SiteId};
use doorstep_core::status::{JobKind, JobStatus};
use doorstep_core::totals::PricedLine;
use time::OffsetDateTime;

use crate::insert::{Sql, bind_vals};
use crate::job_list::{push_row_scope, push_scope_and_number};
use crate::{Store, StoreError, on_pool};

/// A job with everything its page shows about it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobDetail {
    /// Id.
    pub id: i64,
    /// The account.
    pub customer_id: i64,
    /// The site.
    pub site_id: Option<i64>,
    /// The company's job number.
    pub number: String,
    /// `service` or `sale`.
    pub kind_text: String,
    /// Stored status.
    pub status_text: String,
    /// One-line summary.
    pub summary: String,
    /// Longer description.
    pub description: String,
    /// `am`, `pm`, `all_day` or `exact`.
    pub schedule_type: Option<String>,
    /// Visit start.
    pub scheduled_start: Option<OffsetDateTime>,
    /// Visit end.
    pub scheduled_end: Option<OffsetDateTime>,
    /// Promised arrival from.
    pub arrival_window_start: Option<OffsetDateTime>,
    /// Promised arrival until.
    pub arrival_window_end: Option<OffsetDateTime>,
    /// The list date.
    pub job_date: OffsetDateTime,
    /// When finished.
    pub completed_at: Option<OffsetDateTime>,
    /// Notes for the technicians: internal, never shown to the customer (the portal
    /// shows [`JobDetail::customer_notes`]).
    pub work_order_notes: String,
    /// Notes the customer sees.
    pub customer_notes: String,
    /// Notes printed on the invoice.
    pub invoice_notes: String,
    /// Customer's PO number.
    pub po_number: String,
    /// The job's total, minor units.
    pub total_minor: i64,
    /// Job type's name.
    pub job_type: Option<String>,
    /// Site name.
    pub site_name: Option<String>,
    /// Site street.
    pub site_line1: Option<String>,
    /// Site city.
    pub site_city: Option<String>,
    /// Site region.
    pub site_region: Option<String>,
    /// Site postal code.
    pub site_postal_code: Option<String>,
}

impl JobDetail {
    /// The job's status; an unknown stored value reads as unscheduled.
    pub fn status(&self) -> JobStatus {
        JobStatus::parse(&self.status_text).unwrap_or(JobStatus::Unscheduled)
    }

    /// Service visit or sale.
    pub fn kind(&self) -> JobKind {
        JobKind::parse(&self.kind_text).unwrap_or(JobKind::Service)
    }

    /// The account and site, for the authorization rules.
    pub fn place(&self) -> (CustomerId, Option<SiteId>) {
        (CustomerId(self.customer_id), self.site_id.map(SiteId))
    }
}

/// One priced line of a job.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobLine {
    /// `service`, `product`, `labour`, `material` or `fee`.
    pub kind: String,
    /// What was done or sold.
    pub description: String,
    /// Quantity in thousandths.
    pub quantity_milli: i64,
    /// Unit price, minor units.
    pub unit_price_minor: i64,
    /// Tax name, if taxed.
    pub tax_name: Option<String>,
    /// Tax rate, basis points.
    pub tax_rate_bp: i64,
}

impl JobLine {
    /// The line as the totals need it.
    pub fn priced(&self) -> PricedLine {
        PricedLine {
            quantity_milli: self.quantity_milli,
            unit_price_minor: self.unit_price_minor,
            tax_name: self.tax_name.clone(),
            tax_rate_bp: self.tax_rate_bp,
        }
    }
}

/// A completed job form (checklist) with its answers.
#[derive(Debug, Clone)]
pub struct JobForm {
    /// The form's title.
    pub title: String,
    /// Each question and its answer.
    pub answers: Vec<(String, String)>,
    /// The office's note on it.
    pub note: String,
    /// When it was completed.
    pub completed_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct FormRow {
    title: String,
    answers: String,
    note: String,
    completed_at: Option<OffsetDateTime>,
}

#[derive(serde::Deserialize)]
struct Answer {
    label: String,
    #[serde(default)]
    value: serde_json::Value,
}

/// A stored file of a job, with the account and site it belongs to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobFile {
    /// Id.
    pub id: i64,
    /// `photo` or `document`.
    pub kind: String,
    /// The name offered on download.
    pub filename: String,
    /// Its type, decided from the content at upload.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// Where its bytes are.
    pub storage_key: String,
    /// Where its thumbnail is, for photos.
    pub thumb_key: Option<String>,
    /// Pixel width of photos.
    pub width: Option<i64>,
    /// Pixel height of photos.
    pub height: Option<i64>,
    /// The job's account.
    pub customer_id: i64,
    /// The job's site.
    pub site_id: Option<i64>,
}

impl JobFile {
    /// The account and site, for the authorization rules.
    pub fn place(&self) -> (CustomerId, Option<SiteId>) {
        (CustomerId(self.customer_id), self.site_id.map(SiteId))
    }
}

const SELECT_FILE: &str = "SELECT a.id, a.kind, a.filename, a.content_type, a.size_bytes, \
     a.storage_key, a.thumb_key, a.width, a.height, j.customer_id, j.site_id \
     FROM attachments a JOIN jobs j ON j.company_id = a.company_id AND j.id = a.owner_id ";

/// The files a customer sees: marked visible to them and not removed by the office.
const CUSTOMER_SEES: &str = "a.customer_visible = TRUE AND a.removed_at IS NULL";

impl Store {
    /// The job numbered `number` if `scope` may see it: of its account and, for site
    /// contacts, of one of their sites. Anything else is `None`, as if it did not exist.
    pub async fn job_for_contact(
        &self,
        company: CompanyId,
        scope: &ContactScope,
        number: &str,
    ) -> Result<Option<JobDetail>, StoreError> {
        let mut sql = Sql::default();
        sql.push(
            "SELECT j.id, j.customer_id, j.site_id, j.number, j.kind AS kind_text, \
             j.status AS status_text, j.summary, j.description, j.schedule_type, \
             j.scheduled_start, j.scheduled_end, j.arrival_window_start, j.arrival_window_end, \
             j.job_date, j.completed_at, j.work_order_notes, j.customer_notes, j.invoice_notes, j.po_number, \
             j.total_minor, t.name AS job_type, s.name AS site_name, s.line1 AS site_line1, \
             s.city AS site_city, s.region AS site_region, s.postal_code AS site_postal_code \
             FROM jobs j \
             LEFT JOIN sites s ON s.company_id = j.company_id AND s.id = j.site_id \
             LEFT JOIN job_types t ON t.company_id = j.company_id AND t.id = j.job_type_id \
             WHERE ",
        );
        push_scope_and_number(&mut sql, company, scope, number);
        let row = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_optional(p).await)?;
        Ok(row)
    }

    /// The names of the technicians on a job.
    pub async fn job_technicians(
        &self,
        company: CompanyId,
        job: JobId,
    ) -> Result<Vec<String>, StoreError> {
        let names = on_pool!(self, p => sqlx::query_scalar(
            "SELECT t.name FROM job_technicians jt JOIN technicians t \
             ON t.company_id = jt.company_id AND t.id = jt.technician_id \
             WHERE jt.company_id = $1 AND jt.job_id = $2 ORDER BY t.name")
            .bind(company.0).bind(job.0).fetch_all(p).await)?;
        Ok(names)
    }

    /// A job's priced lines in order.
    pub async fn job_lines(
        &self,
        company: CompanyId,
        job: JobId,
    ) -> Result<Vec<JobLine>, StoreError> {
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT kind, description, quantity_milli, unit_price_minor, tax_name, tax_rate_bp \
             FROM line_items WHERE company_id = $1 AND job_id = $2 ORDER BY position, id")
            .bind(company.0).bind(job.0).fetch_all(p).await)?;
        Ok(rows)
    }

    /// A job's completed forms, oldest first; answers that are not text are shown as JSON.
    pub async fn job_forms(
        &self,
        company: CompanyId,
        job: JobId,
    ) -> Result<Vec<JobForm>, StoreError> {
        let rows: Vec<FormRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT title, answers, note, completed_at FROM job_forms \
             WHERE company_id = $1 AND job_id = $2 AND completed_at IS NOT NULL ORDER BY completed_at, id")
            .bind(company.0).bind(job.0).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let answers: Vec<Answer> = serde_json::from_str(&r.answers).unwrap_or_default();
                JobForm {
                    title: r.title,
                    answers: answers
                        .into_iter()
                        .map(|a| {
                            let value = match a.value {
                                serde_json::Value::String(s) => s,
                                serde_json::Value::Bool(true) => "Yes".into(),
                                serde_json::Value::Bool(false) => "No".into(),
                                serde_json::Value::Null => String::new(),
                                other => other.to_string(),
                            };
                            (a.label, value)
                        })
                        .collect(),
                    note: r.note,
                    completed_at: r.completed_at,
                }
            })
            .collect())
    }

    /// A job's photos and documents the customer sees (marked visible, not removed),
    /// photos first; the office's list is [`Store::office_job_files`].
    pub async fn job_files(
        &self,
        company: CompanyId,
        job: JobId,
    ) -> Result<Vec<JobFile>, StoreError> {
        let sql = format!(
            "{SELECT_FILE} WHERE a.company_id = $1 AND a.owner_kind = 'job' AND a.owner_id = $2 \
             AND {CUSTOMER_SEES} ORDER BY a.kind DESC, a.id"
        );
        let rows = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(job.0).fetch_all(p).await)?;
        Ok(rows)
    }

    /// The job file `id` if `scope` may see its job and the file is shown to the customer
    /// (marked visible, not removed); `None` otherwise, as if it did not exist.
    pub async fn job_file_for_contact(
        &self,
        company: CompanyId,
        scope: &ContactScope,
        id: AttachmentId,
    ) -> Result<Option<JobFile>, StoreError> {
        let mut sql = Sql::default();
        sql.push(SELECT_FILE)
            .push("WHERE a.company_id = ")
            .val(company.0)
            .push(" AND a.owner_kind = 'job' AND a.id = ")
            .val(id.0)
            .push(" AND ")
            .push(CUSTOMER_SEES)
            .push(" AND ");
        push_row_scope(&mut sql, company, scope);
        let row = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_optional(p).await)?;
        Ok(row)
    }
}
