//! The office's writes to jobs: details, schedule, status moves (each recorded with its
//! time and who), crew, and the visit reminder's claim. Status changes are
//! compare-and-set on the status the office saw, so a second tab's move is refused, not
//! applied twice.

use doorstep_core::ids::{CompanyId, CustomerId, JobId, SiteId, StaffUserId, TechnicianId};
use doorstep_core::status::{JobStatus, ScheduleType};
use time::OffsetDateTime;

use crate::{Store, StoreError, Tx, db_time, on_pool, on_tx};

/// The fields of a job the office edits on its form.
#[derive(Debug, Clone)]
pub struct JobDetails {
    /// One line people see in lists.
    pub summary: String,
    /// Longer description.
    pub description: String,
    /// The site (already checked to be the account's).
    pub site: Option<SiteId>,
    /// The job type (already checked to be the company's).
    pub job_type: Option<i64>,
    /// Internal notes for the crew.
    pub work_order_notes: String,
    /// Notes the customer sees.
    pub customer_notes: String,
}

/// A visit time to set.
#[derive(Debug, Clone, Copy)]
pub struct VisitTime {
    /// How precise.
    pub slot: ScheduleType,
    /// Start.
    pub start: OffsetDateTime,
    /// End.
    pub end: OffsetDateTime,
}

/// A visit whose reminder a sweep claimed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueReminder {
    /// The job.
    pub id: i64,
    /// Its company.
    pub company_id: i64,
    /// Its account.
    pub customer_id: i64,
    /// Its site.
    pub site_id: Option<i64>,
    /// Its number.
    pub number: String,
    /// Its summary.
    pub summary: String,
    /// `am`, `pm`, `all_day` or `exact`.
    pub schedule_type: Option<String>,
    /// Visit start.
    pub scheduled_start: Option<OffsetDateTime>,
    /// Visit end.
    pub scheduled_end: Option<OffsetDateTime>,
}

/// Which wish of a contact an email answers.
#[derive(Debug, Clone, Copy)]
pub enum Wish {
    /// `notify_request_updates`: requests and the jobs they became.
    RequestUpdates,
    /// `notify_visit_reminders`.
    VisitReminders,
}

/// A contact who wants an email: name and address.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Recipient {
    /// Full name.
    pub name: String,
    /// Email (the contact's own, else their login's).
    pub email: Option<String>,
}

impl Tx {
    /// Records that job `job` of `customer` moved to `status` at `at`, by `staff` when a
    /// staff member moved it.
    pub async fn record_job_status(
        &mut self,
        company: CompanyId,
        (customer, job): (CustomerId, JobId),
        status: JobStatus,
        at: OffsetDateTime,
        staff: Option<StaffUserId>,
    ) -> Result<(), StoreError> {
        self.insert_row(
            "job_status_changes",
            company.0,
            &[
                ("customer_id", customer.0.into()),
                ("job_id", job.0.into()),
                ("status", status.as_str().into()),
                ("changed_at", at.into()),
                ("staff_user_id", staff.map(|s| s.0).into()),
            ],
            true,
        )
        .await
        .map(|_| ())
    }

    /// Saves the office's edit of a job; `false` when the job is not the company's.
    pub async fn update_job_details(
        &mut self,
        company: CompanyId,
        job: JobId,
        d: &JobDetails,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE jobs SET summary = $1, description = $2, site_id = $3, job_type_id = $4, \
             work_order_notes = $5, customer_notes = $6, updated_at = $7 \
             WHERE company_id = $8 AND id = $9")
            .bind(&d.summary).bind(&d.description).bind(d.site.map(|s| s.0)).bind(d.job_type)
            .bind(&d.work_order_notes).bind(&d.customer_notes).bind(db_time(at))
            .bind(company.0).bind(job.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Gives job `job` the visit `visit` (or takes its visit away with `None`) and the
    /// status `to`, if its status is still `from`; a window place it held is given back
    /// and a reminder already sent is forgotten (the new time gets its own). `false` when
    /// the status changed meanwhile.
    pub async fn schedule_job(
        &mut self,
        company: CompanyId,
        job: JobId,
        (from, to): (JobStatus, JobStatus),
        visit: Option<VisitTime>,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let (slot, start, end) = match visit {
            Some(v) => (
                Some(v.slot.as_str()),
                Some(db_time(v.start)),
                Some(db_time(v.end)),
            ),
            None => (None, None, None),
        };
        let held: Option<Option<i64>> = on_tx!(self, c => sqlx::query_scalar(
            "UPDATE jobs SET status = $1, schedule_type = $2, scheduled_start = $3, \
             scheduled_end = $4, arrival_window_start = $3, arrival_window_end = $4, \
             job_date = COALESCE($3, created_at), reminder_sent_at = NULL, \
             reschedule_requested_date = NULL, reschedule_requested_schedule_type = NULL, \
             reschedule_requested_at = NULL, updated_at = $5 \
             WHERE company_id = $6 AND id = $7 AND status = $8 \
             RETURNING availability_window_id")
            .bind(to.as_str()).bind(slot).bind(start).bind(end).bind(db_time(at))
            .bind(company.0).bind(job.0).bind(from.as_str())
            .fetch_optional(&mut *c).await)?;
        let Some(held) = held else { return Ok(false) };
        if let Some(window) = held {
            self.release_job_window(company, job, window).await?;
        }
        Ok(true)
    }

    /// Moves job `job` from `from` to `to` at `at` (completed sets when; cancelled gives
    /// back a window place); `false` when its status is no longer `from`.
    pub async fn move_job_status(
        &mut self,
        company: CompanyId,
        job: JobId,
        (from, to): (JobStatus, JobStatus),
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let at = db_time(at);
        let completed = (to == JobStatus::Completed).then_some(at);
        let cancelled = (to == JobStatus::Cancelled).then_some(at);
        let held: Option<Option<i64>> = on_tx!(self, c => sqlx::query_scalar(
            "UPDATE jobs SET status = $1, completed_at = COALESCE($2, completed_at), \
             cancelled_at = COALESCE($3, cancelled_at), updated_at = $4 \
             WHERE company_id = $5 AND id = $6 AND status = $7 \
             RETURNING availability_window_id")
            .bind(to.as_str()).bind(completed).bind(cancelled).bind(at)
            .bind(company.0).bind(job.0).bind(from.as_str())
            .fetch_optional(&mut *c).await)?;
        let Some(held) = held else { return Ok(false) };
        if let (Some(window), JobStatus::Cancelled) = (held, to) {
            self.release_job_window(company, job, window).await?;
        }
        Ok(true)
    }

    /// Gives back the window place job `job` held and forgets it.
    async fn release_job_window(
        &mut self,
        company: CompanyId,
        job: JobId,
        window: i64,
    ) -> Result<(), StoreError> {
        self.release_window_place(company, window).await?;
        on_tx!(self, c => sqlx::query(
            "UPDATE jobs SET availability_window_id = NULL WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(job.0)
            .execute(&mut *c).await.map(|_| ()))?;
        Ok(())
    }

    /// Puts exactly `crew` on job `job` (ids already checked to be the company's).
    pub async fn set_job_technicians(
        &mut self,
        company: CompanyId,
        job: JobId,
        crew: &[TechnicianId],
    ) -> Result<(), StoreError> {
        on_tx!(self, c => sqlx::query(
            "DELETE FROM job_technicians WHERE company_id = $1 AND job_id = $2")
            .bind(company.0).bind(job.0)
            .execute(&mut *c).await.map(|_| ()))?;
        for t in crew {
            self.assign_technician(company, job, *t).await?;
        }
        Ok(())
    }

    /// Claims up to `limit` scheduled visits starting in `[from, to)` whose reminder was
    /// not sent, of the companies whose time zone is stored as `zone` (the range is that
    /// zone's tomorrow), marking them sent at `now` in one conditional UPDATE: of two
    /// sweeps running at once (two nodes), each visit goes to exactly one (on PostgreSQL
    /// the second waits on the row lock and then finds the reminder taken).
    pub async fn claim_due_reminders(
        &mut self,
        zone: &str,
        (from, to): (OffsetDateTime, OffsetDateTime),
        now: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<DueReminder>, StoreError> {
        let rows = on_tx!(self, c => sqlx::query_as(
            "UPDATE jobs SET reminder_sent_at = $1 \
             WHERE status = 'scheduled' AND reminder_sent_at IS NULL \
             AND scheduled_start >= $2 AND scheduled_start < $3 AND id IN ( \
               SELECT j.id FROM jobs j JOIN companies co ON co.id = j.company_id \
               WHERE co.timezone = $5 AND j.status = 'scheduled' AND j.reminder_sent_at IS NULL \
               AND j.scheduled_start >= $2 AND j.scheduled_start < $3 \
               ORDER BY j.scheduled_start, j.id LIMIT $4) \
             RETURNING id, company_id, customer_id, site_id, number, summary, schedule_type, \
             scheduled_start, scheduled_end")
            .bind(db_time(now)).bind(db_time(from)).bind(db_time(to)).bind(limit).bind(zone)
            .fetch_all(&mut *c).await)?;
        Ok(rows)
    }

    /// The contacts of `customer` who want emails of `wish` about a job at `site`: its
    /// company contacts, and site contacts of that site.
    pub async fn job_recipients(
        &mut self,
        company: CompanyId,
        customer: CustomerId,
        site: Option<SiteId>,
        wish: Wish,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let flag = match wish {
            Wish::RequestUpdates => "ct.notify_request_updates",
            Wish::VisitReminders => "ct.notify_visit_reminders",
        };
        let sql = format!(
            "SELECT TRIM(ct.first_name || ' ' || ct.last_name) AS name, \
             COALESCE(NULLIF(ct.email, ''), l.email) AS email FROM contacts ct \
             LEFT JOIN portal_logins l ON l.company_id = ct.company_id AND l.id = ct.login_id \
             WHERE ct.company_id = $1 AND ct.customer_id = $2 AND {flag} = TRUE \
             AND (ct.role = 'company' OR EXISTS (SELECT 1 FROM contact_sites cs \
               WHERE cs.company_id = ct.company_id AND cs.contact_id = ct.id AND cs.site_id = $3)) \
             ORDER BY ct.id"
        );
        let rows: Vec<Recipient> = on_tx!(self, c => sqlx::query_as(&sql)
            .bind(company.0).bind(customer.0).bind(site.map(|s| s.0).unwrap_or(0))
            .fetch_all(&mut *c).await)?;
        let mut out: Vec<(String, String)> = Vec::new();
        for r in rows {
            let Some(email) = r
                .email
                .map(|e| e.trim().to_owned())
                .filter(|e| !e.is_empty())
            else {
                continue;
            };
            if !out.iter().any(|(_, e)| e.eq_ignore_ascii_case(&email)) {
                out.push((r.name, email));
            }
        }
        Ok(out)
    }

    /// A company's name and slug, read in the transaction (for emails queued in it).
    pub async fn company_name_slug_zone(
        &mut self,
        company: CompanyId,
    ) -> Result<Option<(String, String, String)>, StoreError> {
        let row = on_tx!(self, c => sqlx::query_as(
            "SELECT name, slug, timezone FROM companies WHERE id = $1")
            .bind(company.0).fetch_optional(&mut *c).await)?;
        Ok(row)
    }
}

impl Tx {
    /// A site's name, read in the transaction.
    pub async fn site_name(
        &mut self,
        company: CompanyId,
        site: SiteId,
    ) -> Result<Option<String>, StoreError> {
        let row = on_tx!(self, c => sqlx::query_scalar(
            "SELECT name FROM sites WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(site.0).fetch_optional(&mut *c).await)?;
        Ok(row)
    }
}

impl Store {
    /// The time zones companies are in, as stored (each once): a reminder sweep works
    /// out "tomorrow" once per zone.
    pub async fn company_zones(&self) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT DISTINCT timezone FROM companies ORDER BY timezone")
            .fetch_all(p).await)?;
        Ok(rows.into_iter().map(|(z,)| z).collect())
    }
}
