//! The JSON API's job reads (issue 20): a company's jobs by change time, filtered by
//! customer and status, keyset on `(updated_at, id)` over `jobs_updated`,
//! `jobs_customer_updated` or `jobs_status_updated` (migration 0036); one job with its
//! technicians; the job an external reference names; and setting that reference. An
//! integrator's upsert reads these around every write, so they are read as the portal's
//! hot pages are (`hot_rows`).

use doorstep_core::ids::{CompanyId, CustomerId, JobId};
use time::OffsetDateTime;

use crate::insert::Sql;
use crate::sqlite_reads::id_and_text;
use crate::{Store, StoreError, Tx, on_tx};

/// A job as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiJob {
    /// Id.
    pub id: i64,
    /// Number (`J-1001`).
    pub number: String,
    /// The account's id.
    pub customer_id: i64,
    /// The site's id.
    pub site_id: Option<i64>,
    /// The job type's id.
    pub job_type_id: Option<i64>,
    /// `unscheduled`, `scheduled`, `on_the_way`, `in_progress`, `completed` or `cancelled`.
    pub status: String,
    /// One line.
    pub summary: String,
    /// Longer description.
    pub description: String,
    /// Internal notes for the crew.
    pub work_order_notes: String,
    /// Notes the customer sees.
    pub customer_notes: String,
    /// Visit start.
    pub scheduled_start: Option<OffsetDateTime>,
    /// Visit end.
    pub scheduled_end: Option<OffsetDateTime>,
    /// When it was completed.
    pub completed_at: Option<OffsetDateTime>,
    /// Total in minor units.
    pub total_minor: i64,
    /// Id in another system.
    pub external_ref: Option<String>,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
}

impl ApiJob {
    /// Reads a row of [`JOB_COLUMNS`] from a plain SQLite connection, by position.
    fn from_sqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<ApiJob> {
        use crate::sqlite_reads::{maybe_time_at, time_at};
        Ok(ApiJob {
            id: r.get(0)?,
            number: r.get(1)?,
            customer_id: r.get(2)?,
            site_id: r.get(3)?,
            job_type_id: r.get(4)?,
            status: r.get(5)?,
            summary: r.get(6)?,
            description: r.get(7)?,
            work_order_notes: r.get(8)?,
            customer_notes: r.get(9)?,
            scheduled_start: maybe_time_at(r, 10)?,
            scheduled_end: maybe_time_at(r, 11)?,
            completed_at: maybe_time_at(r, 12)?,
            total_minor: r.get(13)?,
            external_ref: r.get(14)?,
            created_at: time_at(r, 15)?,
            updated_at: time_at(r, 16)?,
        })
    }
}

/// The API's job columns; keep them in step with [`ApiJob::from_sqlite`], which reads
/// them by position.
const JOB_COLUMNS: &str = "SELECT j.id, j.number, j.customer_id, j.site_id, j.job_type_id, \
    j.status, j.summary, j.description, j.work_order_notes, j.customer_notes, \
    j.scheduled_start, j.scheduled_end, j.completed_at, j.total_minor, j.external_ref, \
    j.created_at, j.updated_at FROM jobs j WHERE j.company_id = ";

/// What the API's job list is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct ApiJobFilter {
    /// Only this account's jobs.
    pub customer: Option<CustomerId>,
    /// Only jobs in this status (as stored).
    pub status: Option<String>,
    /// Changed at or after this.
    pub since: Option<OffsetDateTime>,
    /// After this `(updated_at, id)`.
    pub after: Option<(OffsetDateTime, i64)>,
}

impl Store {
    /// A page of the company's jobs by change time, `limit` rows.
    pub async fn api_jobs(
        &self,
        company: CompanyId,
        filter: &ApiJobFilter,
        limit: i64,
    ) -> Result<Vec<ApiJob>, StoreError> {
        let mut sql = Sql::default();
        sql.push(JOB_COLUMNS).val(company.0);
        sql.and_eq("j.customer_id", filter.customer.map(|c| c.0))
            .and_eq("j.status", filter.status.as_deref())
            .keyset_page(("j.", "updated_at"), filter.since, filter.after, limit);
        // An integrator's sync walks this list page after page: it is read as the portal's
        // job list is (`hot_rows`), not row by row through sqlx's SQLite worker thread.
        self.hot_rows(&sql.text, &sql.vals, ApiJob::from_sqlite)
            .await
    }

    /// Job `id` of the company.
    pub async fn api_job(
        &self,
        company: CompanyId,
        id: JobId,
    ) -> Result<Option<ApiJob>, StoreError> {
        let sql = format!("{JOB_COLUMNS}$1 AND j.id = $2");
        let rows = self
            .hot_rows(&sql, &[company.0.into(), id.0.into()], ApiJob::from_sqlite)
            .await?;
        Ok(rows.into_iter().next())
    }

    /// Job `number` of the company (what a write answers with, read back).
    pub async fn api_job_by_number(
        &self,
        company: CompanyId,
        number: &str,
    ) -> Result<Option<ApiJob>, StoreError> {
        let sql = format!("{JOB_COLUMNS}$1 AND j.number = $2");
        let rows = self
            .hot_rows(
                &sql,
                &[company.0.into(), number.into()],
                ApiJob::from_sqlite,
            )
            .await?;
        Ok(rows.into_iter().next())
    }

    /// The technicians on job `id` of the company, by name: `(id, name)`.
    pub async fn api_job_technicians(
        &self,
        company: CompanyId,
        id: JobId,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        self.hot_rows(
            "SELECT t.id, t.name FROM job_technicians jt \
             JOIN technicians t ON t.company_id = jt.company_id AND t.id = jt.technician_id \
             WHERE jt.company_id = $1 AND jt.job_id = $2 ORDER BY t.name, t.id",
            &[company.0.into(), id.0.into()],
            id_and_text,
        )
        .await
    }

    /// The company's job whose external reference is `reference`: its id and number.
    pub async fn job_by_external_ref(
        &self,
        company: CompanyId,
        reference: &str,
    ) -> Result<Option<(JobId, String)>, StoreError> {
        let rows = self
            .hot_rows(
                "SELECT id, number FROM jobs WHERE company_id = $1 AND external_ref = $2",
                &[company.0.into(), reference.into()],
                id_and_text,
            )
            .await?;
        Ok(rows
            .into_iter()
            .next()
            .map(|(id, number)| (JobId(id), number)))
    }
}

impl Tx {
    /// Sets the external reference of the company's job `id`.
    pub async fn set_job_external_ref(
        &mut self,
        company: CompanyId,
        id: JobId,
        reference: Option<&str>,
    ) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query(
            "UPDATE jobs SET external_ref = $1 WHERE company_id = $2 AND id = $3")
            .bind(reference).bind(company.0).bind(id.0)
            .execute(&mut *c).await.map(|_| ()))?;
        Ok(())
    }
}
