//! What the CSV import of jobs reads (issue 18) and the keyset-paged read its export
//! streams. The job itself is written by the office's own job writes
//! ([`Tx::insert_job`], [`Tx::update_job_details`]).

use doorstep_core::ids::{CompanyId, CustomerId, JobId, SiteId};
use doorstep_core::status::JobStatus;

use crate::{Store, StoreError, Tx, on_pool, on_tx};

/// A job as its export row writes it (the jobs import's columns).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JobExport {
    /// Id (the page's key).
    pub id: i64,
    /// The id in the other system, or the job's number when it has none.
    pub external_ref: String,
    /// Its customer's external reference, or its number when it has none.
    pub customer: String,
    /// Its site's external reference, or its name when it has none.
    pub site: Option<String>,
    /// One line.
    pub summary: String,
    /// Longer description.
    pub description: String,
    /// Status as stored.
    pub status: String,
    /// Internal notes for the crew.
    pub work_order_notes: String,
    /// Notes the customer sees.
    pub customer_notes: String,
}

/// A job a row of the file may update: what the update keeps and what its audit
/// record compares.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KnownJob {
    /// Id.
    pub id: i64,
    /// Its account.
    pub customer_id: i64,
    /// Its number.
    pub number: String,
    /// Its reference in the other system.
    pub external_ref: Option<String>,
    /// Status as stored.
    pub status: String,
    /// Job type, which a file does not carry (an update keeps it).
    pub job_type_id: Option<i64>,
    /// Its site.
    pub site_id: Option<i64>,
    /// One line.
    pub summary: String,
    /// Longer description.
    pub description: String,
    /// Internal notes for the crew.
    pub work_order_notes: String,
    /// Notes the customer sees.
    pub customer_notes: String,
}

impl KnownJob {
    /// The job's id.
    pub fn job_id(&self) -> JobId {
        JobId(self.id)
    }

    /// Its account.
    pub fn customer(&self) -> CustomerId {
        CustomerId(self.customer_id)
    }

    /// Its status; an unknown stored value reads as unscheduled, as the office's does.
    pub fn status(&self) -> JobStatus {
        JobStatus::parse(&self.status).unwrap_or(JobStatus::Unscheduled)
    }
}

/// A site a row may name: id, customer, name, external reference, and whether it is
/// active.
pub type JobSite = (SiteId, CustomerId, String, Option<String>, bool);

impl Store {
    /// Up to `limit` of the company's jobs of active customers after id `after`, by id.
    pub async fn export_jobs(
        &self,
        company: CompanyId,
        after: i64,
        limit: i64,
    ) -> Result<Vec<JobExport>, StoreError> {
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT j.id, COALESCE(j.external_ref, j.number) AS external_ref, \
             COALESCE(c.external_ref, c.number) AS customer, \
             COALESCE(s.external_ref, s.name) AS site, j.summary, j.description, j.status, \
             j.work_order_notes, j.customer_notes FROM jobs j \
             JOIN customers c ON c.company_id = j.company_id AND c.id = j.customer_id \
             LEFT JOIN sites s ON s.company_id = j.company_id AND s.id = j.site_id \
             WHERE j.company_id = $1 AND j.id > $2 AND c.deactivated_at IS NULL \
             ORDER BY j.id LIMIT $3")
            .bind(company.0).bind(after).bind(limit).fetch_all(p).await)?;
        Ok(rows)
    }
}

impl Tx {
    /// The company's jobs, each of which a row may update.
    pub async fn known_jobs(&mut self, company: CompanyId) -> Result<Vec<KnownJob>, StoreError> {
        let rows = on_tx!(self, x => sqlx::query_as(
            "SELECT id, customer_id, number, external_ref, status, job_type_id, site_id, \
             summary, description, work_order_notes, customer_notes FROM jobs \
             WHERE company_id = $1")
            .bind(company.0).fetch_all(&mut *x).await)?;
        Ok(rows)
    }

    /// The company's sites, each of which a row may name.
    pub async fn job_sites(&mut self, company: CompanyId) -> Result<Vec<JobSite>, StoreError> {
        let rows: Vec<(i64, i64, String, Option<String>, bool)> = on_tx!(self, x => sqlx::query_as(
            "SELECT id, customer_id, name, external_ref, active FROM sites WHERE company_id = $1")
            .bind(company.0).fetch_all(&mut *x).await)?;
        Ok(rows
            .into_iter()
            .map(|(id, customer, name, reference, active)| {
                (SiteId(id), CustomerId(customer), name, reference, active)
            })
            .collect())
    }
}
