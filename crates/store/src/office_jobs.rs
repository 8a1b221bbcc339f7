//! The office's reads of jobs: the list (filters, search, keyset paging newest first), one
//! job with everything its page shows, its status timeline, the crew, and the status moves
//! the portal's live stream polls. Every query is scoped by company (and, for the stream,
//! by the contact's account and sites).

use doorstep_core::authz::ContactScope;
use doorstep_core::ids::{CompanyId, CustomerId, JobId};
use doorstep_core::status::JobStatus;
use time::{Date, OffsetDateTime};

use crate::insert::{Sql, bind_vals};
use crate::job_list::push_row_scope;
use crate::{Store, StoreError, on_pool};

/// Where an office list page starts: after the job with this date and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficeJobKey {
    /// The job's list date.
    pub job_date: OffsetDateTime,
    /// Its id.
    pub id: i64,
}

/// The office list's filters; empty ones do not filter.
#[derive(Debug, Clone, Default)]
pub struct OfficeJobFilter {
    /// Only these statuses (none: all).
    pub statuses: Vec<JobStatus>,
    /// Jobs dated on or after this day.
    pub from: Option<Date>,
    /// Jobs dated on or before this day.
    pub to: Option<Date>,
    /// Jobs this crew member is on.
    pub technician: Option<i64>,
    /// A job number, or words of the summary or the customer's name.
    pub search: String,
}

/// One row of the office's job list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OfficeJobRow {
    /// Id.
    pub id: i64,
    /// The company's job number.
    pub number: String,
    /// Stored status.
    pub status_text: String,
    /// One-line summary.
    pub summary: String,
    /// The list date.
    pub job_date: OffsetDateTime,
    /// Visit start.
    pub scheduled_start: Option<OffsetDateTime>,
    /// Visit end.
    pub scheduled_end: Option<OffsetDateTime>,
    /// `am`, `pm`, `all_day` or `exact`.
    pub schedule_type: Option<String>,
    /// The account's name.
    pub customer_name: String,
    /// The site's name.
    pub site_name: Option<String>,
}

impl OfficeJobRow {
    /// The job's status; an unknown stored value reads as unscheduled.
    pub fn status(&self) -> JobStatus {
        JobStatus::parse(&self.status_text).unwrap_or(JobStatus::Unscheduled)
    }

    /// The key of the next page after this row.
    pub fn key(&self) -> OfficeJobKey {
        OfficeJobKey {
            job_date: self.job_date,
            id: self.id,
        }
    }
}

/// One job as the office's page shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OfficeJob {
    /// Id.
    pub id: i64,
    /// The account.
    pub customer_id: i64,
    /// The account's number.
    pub customer_number: String,
    /// The account's name.
    pub customer_name: String,
    /// The site.
    pub site_id: Option<i64>,
    /// Site name.
    pub site_name: Option<String>,
    /// Site street.
    pub site_line1: Option<String>,
    /// Site city.
    pub site_city: Option<String>,
    /// The job type.
    pub job_type_id: Option<i64>,
    /// The job type's name.
    pub job_type: Option<String>,
    /// The company's job number.
    pub number: String,
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
    /// When finished.
    pub completed_at: Option<OffsetDateTime>,
    /// Internal notes for the crew: never shown to the customer.
    pub work_order_notes: String,
    /// Notes the customer sees.
    pub customer_notes: String,
    /// Customer's PO number.
    pub po_number: String,
    /// The job's total, minor units.
    pub total_minor: i64,
    /// Why it was cancelled, when the customer gave a reason.
    pub cancel_reason: String,
    /// When the visit reminder was queued.
    pub reminder_sent_at: Option<OffsetDateTime>,
    /// The window place the visit holds, if booked through one.
    pub availability_window_id: Option<i64>,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// The request it was made from, if any.
    pub request_number: Option<String>,
}

impl OfficeJob {
    /// The job's status; an unknown stored value reads as unscheduled.
    pub fn status(&self) -> JobStatus {
        JobStatus::parse(&self.status_text).unwrap_or(JobStatus::Unscheduled)
    }

    /// Its id.
    pub fn job_id(&self) -> JobId {
        JobId(self.id)
    }

    /// Its account.
    pub fn customer(&self) -> CustomerId {
        CustomerId(self.customer_id)
    }
}

/// One status move of a job.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatusChange {
    /// Id (the stream's order).
    pub id: i64,
    /// The status moved to.
    pub status_text: String,
    /// When.
    pub changed_at: OffsetDateTime,
    /// Who moved it (the staff member's name), when staff did.
    pub staff_name: Option<String>,
}

impl StatusChange {
    /// The status moved to.
    pub fn status(&self) -> JobStatus {
        JobStatus::parse(&self.status_text).unwrap_or(JobStatus::Unscheduled)
    }
}

/// A status move as the portal's live stream sends it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StreamedChange {
    /// Id of the move.
    pub id: i64,
    /// The job's number.
    pub number: String,
    /// The status moved to.
    pub status_text: String,
    /// When.
    pub changed_at: OffsetDateTime,
}

/// A crew member.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Technician {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Phone.
    pub phone: String,
}

/// A customer offered when creating a job.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CustomerChoice {
    /// Id.
    pub id: i64,
    /// The account's number.
    pub number: String,
    /// Name.
    pub name: String,
}

const SELECT_JOB: &str = "SELECT j.id, j.customer_id, c.number AS customer_number, \
     c.name AS customer_name, j.site_id, s.name AS site_name, s.line1 AS site_line1, \
     s.city AS site_city, j.job_type_id, t.name AS job_type, j.number, j.status AS status_text, \
     j.summary, j.description, j.schedule_type, j.scheduled_start, j.scheduled_end, \
     j.completed_at, j.work_order_notes, j.customer_notes, j.po_number, j.total_minor, \
     j.cancel_reason, j.reminder_sent_at, j.availability_window_id, j.created_at, \
     (SELECT r.number FROM service_requests r WHERE r.company_id = j.company_id \
        AND r.converted_job_id = j.id ORDER BY r.id LIMIT 1) AS request_number \
     FROM jobs j \
     JOIN customers c ON c.company_id = j.company_id AND c.id = j.customer_id \
     LEFT JOIN sites s ON s.company_id = j.company_id AND s.id = j.site_id \
     LEFT JOIN job_types t ON t.company_id = j.company_id AND t.id = j.job_type_id ";

/// `%text%` for a LIKE with `\` as escape, lower-cased.
fn like_pattern(text: &str) -> String {
    let mut p = String::from("%");
    for ch in text.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

impl Store {
    /// One page of the company's jobs, newest first, after `after`; with the key of the
    /// next page when there is one.
    pub async fn office_job_page(
        &self,
        company: CompanyId,
        filter: &OfficeJobFilter,
        after: Option<OfficeJobKey>,
        limit: i64,
    ) -> Result<(Vec<OfficeJobRow>, Option<OfficeJobKey>), StoreError> {
        let limit = limit.clamp(1, 200);
        let mut sql = Sql::default();
        sql.push(
            "SELECT j.id, j.number, j.status AS status_text, j.summary, j.job_date, \
             j.scheduled_start, j.scheduled_end, j.schedule_type, c.name AS customer_name, \
             s.name AS site_name FROM jobs j \
             JOIN customers c ON c.company_id = j.company_id AND c.id = j.customer_id \
             LEFT JOIN sites s ON s.company_id = j.company_id AND s.id = j.site_id \
             WHERE j.company_id = ",
        )
        .val(company.0);
        if !filter.statuses.is_empty() {
            sql.push(" AND j.status IN ")
                .list(filter.statuses.iter().map(|s| s.as_str()));
        }
        if let Some(from) = filter.from {
            sql.push(" AND j.job_date >= ")
                .val(from.midnight().assume_utc());
        }
        if let Some(to) = filter.to.and_then(|d| d.next_day()) {
            sql.push(" AND j.job_date < ")
                .val(to.midnight().assume_utc());
        }
        if let Some(tech) = filter.technician {
            sql.push(
                " AND EXISTS (SELECT 1 FROM job_technicians jt WHERE jt.company_id = j.company_id \
                 AND jt.job_id = j.id AND jt.technician_id = ",
            )
            .val(tech)
            .push(")");
        }
        let search = filter.search.trim();
        if !search.is_empty() {
            let pattern = like_pattern(search);
            sql.push(" AND (j.number = ")
                .val(search.to_uppercase())
                .push(" OR lower(j.summary) LIKE ")
                .val(pattern.clone())
                .push(" ESCAPE '\\' OR lower(c.name) LIKE ")
                .val(pattern)
                .push(" ESCAPE '\\')");
        }
        if let Some(k) = after {
            sql.push(" AND (j.job_date < ")
                .val(k.job_date)
                .push(" OR (j.job_date = ")
                .val(k.job_date)
                .push(" AND j.id < ")
                .val(k.id)
                .push("))");
        }
        sql.push(" ORDER BY j.job_date DESC, j.id DESC LIMIT ")
            .val(limit + 1);
        let mut rows: Vec<OfficeJobRow> = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_all(p).await)?;
        let next = if rows.len() as i64 > limit {
            rows.truncate(limit as usize);
            rows.last().map(OfficeJobRow::key)
        } else {
            None
        };
        Ok((rows, next))
    }

    /// The company's job `number` with everything its office page shows.
    pub async fn office_job(
        &self,
        company: CompanyId,
        number: &str,
    ) -> Result<Option<OfficeJob>, StoreError> {
        let sql = format!("{SELECT_JOB} WHERE j.company_id = $1 AND j.number = $2");
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(number).fetch_optional(p).await)?;
        Ok(row)
    }

    /// A job's status moves, oldest first, with who made each.
    pub async fn job_status_history(
        &self,
        company: CompanyId,
        job: JobId,
    ) -> Result<Vec<StatusChange>, StoreError> {
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT h.id, h.status AS status_text, h.changed_at, u.name AS staff_name \
             FROM job_status_changes h \
             LEFT JOIN staff_users u ON u.company_id = h.company_id AND u.id = h.staff_user_id \
             WHERE h.company_id = $1 AND h.job_id = $2 ORDER BY h.id")
            .bind(company.0).bind(job.0).fetch_all(p).await)?;
        Ok(rows)
    }

    /// The status moves of the jobs `scope` may see made at or after `since`, oldest
    /// first: what the portal's live stream polls (one indexed range of the account).
    pub async fn job_status_changes_since(
        &self,
        company: CompanyId,
        scope: &ContactScope,
        since: OffsetDateTime,
    ) -> Result<Vec<StreamedChange>, StoreError> {
        let mut sql = Sql::default();
        sql.push(
            "SELECT h.id, j.number, h.status AS status_text, h.changed_at \
             FROM job_status_changes h JOIN jobs j ON j.company_id = h.company_id AND j.id = h.job_id \
             WHERE h.company_id = ",
        )
        .val(company.0)
        .push(" AND h.customer_id = ")
        .val(scope.customer.0)
        .push(" AND h.changed_at >= ")
        .val(since)
        .push(" AND ");
        push_row_scope(&mut sql, company, scope);
        sql.push(" ORDER BY h.id LIMIT 500");
        let rows = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_all(p).await)?;
        Ok(rows)
    }

    /// The company's active crew, by name.
    pub async fn technicians(&self, company: CompanyId) -> Result<Vec<Technician>, StoreError> {
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT id, name, phone FROM technicians WHERE company_id = $1 AND active = TRUE \
             ORDER BY name, id")
            .bind(company.0).fetch_all(p).await)?;
        Ok(rows)
    }

    /// The ids of the crew on a job.
    pub async fn job_technician_ids(
        &self,
        company: CompanyId,
        job: JobId,
    ) -> Result<Vec<i64>, StoreError> {
        let rows = on_pool!(self, p => sqlx::query_scalar(
            "SELECT technician_id FROM job_technicians WHERE company_id = $1 AND job_id = $2 \
             ORDER BY technician_id")
            .bind(company.0).bind(job.0).fetch_all(p).await)?;
        Ok(rows)
    }

    /// Up to 20 customers whose name or number matches `search` (all the first 20 by name
    /// when empty), for choosing whom a new job is for.
    pub async fn job_customer_choices(
        &self,
        company: CompanyId,
        search: &str,
    ) -> Result<Vec<CustomerChoice>, StoreError> {
        let pattern = like_pattern(search.trim());
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT id, number, name FROM customers WHERE company_id = $1 \
             AND (lower(name) LIKE $2 ESCAPE '\\' OR number = $3) ORDER BY name, id LIMIT 20")
            .bind(company.0).bind(pattern).bind(search.trim().to_uppercase())
            .fetch_all(p).await)?;
        Ok(rows)
    }

    /// The customer `id` of the company, as a choice.
    pub async fn job_customer(
        &self,
        company: CompanyId,
        id: CustomerId,
    ) -> Result<Option<CustomerChoice>, StoreError> {
        // Read before every job made, the API's upserts included: a plain read (`hot_rows`).
        let rows = self
            .hot_rows(
                "SELECT id, number, name FROM customers WHERE company_id = $1 AND id = $2",
                &[company.0.into(), id.0.into()],
                |r| {
                    Ok(CustomerChoice {
                        id: r.get(0)?,
                        number: r.get(1)?,
                        name: r.get(2)?,
                    })
                },
            )
            .await?;
        Ok(rows.into_iter().next())
    }

    /// The sites of customer `id`: `(id, name and street)`.
    pub async fn job_site_choices(
        &self,
        company: CompanyId,
        customer: CustomerId,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let rows: Vec<(i64, String, String)> = on_pool!(self, p => sqlx::query_as(
            "SELECT id, name, line1 FROM sites WHERE company_id = $1 AND customer_id = $2 \
             ORDER BY name, id")
            .bind(company.0).bind(customer.0).fetch_all(p).await)?;
        Ok(rows
            .into_iter()
            .map(|(id, name, line1)| {
                let label = if line1.is_empty() {
                    name
                } else {
                    format!("{name}, {line1}")
                };
                (id, label)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("Boiler"), "%boiler%");
        assert_eq!(like_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
