//! Customers moving or cancelling their scheduled visits, and times the office proposes
//! for a service request. Every write is conditional on the state it was offered in
//! (`status = 'scheduled'`, `proposal_status = 'proposed'`), so a stale page or a second
//! tab changes nothing.

use doorstep_core::authz::ContactScope;
use doorstep_core::ids::{CompanyId, CustomerId, JobId, ServiceRequestId, SiteId};
use doorstep_core::status::ScheduleType;
use time::{Date, OffsetDateTime};

use crate::insert::{Sql, bind_vals};
use crate::job_list::push_scope_and_number;
use crate::scope::site_condition;
use crate::{Store, StoreError, Tx, db_time, on_pool, on_tx};

/// A visit as the reschedule and cancel pages need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Visit {
    /// Job id.
    pub id: i64,
    /// The company's job number.
    pub number: String,
    /// One-line summary.
    pub summary: String,
    /// Stored status.
    pub status: String,
    /// `am`, `pm`, `all_day` or `exact`.
    pub schedule_type: Option<String>,
    /// Visit start.
    pub scheduled_start: Option<OffsetDateTime>,
    /// Visit end.
    pub scheduled_end: Option<OffsetDateTime>,
    /// The window the visit holds a place in.
    pub availability_window_id: Option<i64>,
    /// A date the customer asked to move to, awaiting the office.
    pub reschedule_requested_date: Option<Date>,
    /// The schedule type asked for with it.
    pub reschedule_requested_schedule_type: Option<String>,
    /// Site name.
    pub site_name: Option<String>,
    /// The account it is for.
    pub customer_id: i64,
    /// Its site, if any.
    pub site_id: Option<i64>,
}

impl Visit {
    /// The account and site, for asking the authorization rules.
    pub fn place(&self) -> (CustomerId, Option<SiteId>) {
        (CustomerId(self.customer_id), self.site_id.map(SiteId))
    }
}

/// Where a visit moves: a published window, with the hours it covers.
#[derive(Debug, Clone)]
pub struct VisitMove {
    /// The window taken.
    pub window: i64,
    /// Its schedule type.
    pub slot: ScheduleType,
    /// Start of its hours.
    pub start: OffsetDateTime,
    /// End of its hours.
    pub end: OffsetDateTime,
    /// Today: past windows cannot be taken.
    pub today: Date,
}

/// What became of a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveOutcome {
    /// The visit is in the new window, and the old window's place is given back.
    Moved,
    /// The window filled up (or is past): nothing changed.
    WindowFull,
    /// The visit changed meanwhile (cancelled, started, moved in another tab): nothing changed.
    Stale,
}

/// A service request with its proposal, as the proposal pages need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestProposal {
    /// Id.
    pub id: i64,
    /// The company's number.
    pub number: String,
    /// Inbox status.
    pub status: String,
    /// The account's name.
    pub customer_name: String,
    /// What needs doing.
    pub description: String,
    /// The customer's preferred date.
    pub preferred_date: Option<Date>,
    /// Its schedule type.
    pub schedule_type: Option<String>,
    /// The office's proposed date.
    pub proposed_date: Option<Date>,
    /// The office's proposed schedule type.
    pub proposed_schedule_type: Option<String>,
    /// `proposed`, `accepted`, `declined`, or none.
    pub proposal_status: Option<String>,
    /// The office's note with its proposal (empty when none).
    pub proposal_note: String,
    /// Who to email about it: the request's contact, else whoever sent it.
    pub contact_email: Option<String>,
    /// Their name.
    pub contact_name: Option<String>,
}

/// What a customer did to a job's visit, as the office reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VisitChanges {
    /// Stored status.
    pub status: String,
    /// A date the customer asked to move to, awaiting the office.
    pub reschedule_requested_date: Option<Date>,
    /// The schedule type asked for with it.
    pub reschedule_requested_schedule_type: Option<String>,
    /// Why the customer cancelled; empty when they did not.
    pub cancel_reason: String,
    /// When the customer cancelled.
    pub cancelled_at: Option<OffsetDateTime>,
}

impl RequestProposal {
    /// Whether the request is still open (new or read), so a time may be proposed.
    pub fn is_open(&self) -> bool {
        matches!(self.status.as_str(), "new" | "read")
    }

    /// Whether a proposal awaits the customer's answer.
    pub fn awaits_answer(&self) -> bool {
        self.is_open() && self.proposal_status.as_deref() == Some("proposed")
    }
}

const SELECT_REQUEST: &str = "SELECT r.id, r.number, r.status, cu.name AS customer_name, \
     r.description, r.preferred_date, r.schedule_type, r.proposed_date, r.proposed_schedule_type, \
     r.proposal_status, r.proposal_note, COALESCE(ct.email, sb.email) AS contact_email, \
     CASE WHEN ct.id IS NOT NULL THEN ct.first_name || ' ' || ct.last_name \
          WHEN sb.id IS NOT NULL THEN sb.first_name || ' ' || sb.last_name END AS contact_name \
     FROM service_requests r \
     JOIN customers cu ON cu.company_id = r.company_id AND cu.id = r.customer_id \
     LEFT JOIN contacts ct ON ct.company_id = r.company_id AND ct.id = r.contact_id \
     LEFT JOIN contacts sb ON sb.company_id = r.company_id AND sb.id = r.submitted_by_contact_id ";

impl Store {
    /// The job numbered `number` if `scope` may see it, with what changing its visit needs.
    pub async fn visit_for_contact(
        &self,
        company: CompanyId,
        scope: &ContactScope,
        number: &str,
    ) -> Result<Option<Visit>, StoreError> {
        let mut sql = Sql::default();
        sql.push(
            "SELECT j.id, j.number, j.summary, j.status, j.schedule_type, j.scheduled_start, \
             j.scheduled_end, j.availability_window_id, j.reschedule_requested_date, \
             j.reschedule_requested_schedule_type, s.name AS site_name, j.customer_id, j.site_id \
             FROM jobs j \
             LEFT JOIN sites s ON s.company_id = j.company_id AND s.id = j.site_id WHERE ",
        );
        push_scope_and_number(&mut sql, company, scope, number);
        let row = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals)
            .fetch_optional(p).await)?;
        Ok(row)
    }

    /// The visit changes of the company's job numbered `number`, for the office.
    pub async fn office_visit_changes(
        &self,
        company: CompanyId,
        number: &str,
    ) -> Result<Option<VisitChanges>, StoreError> {
        let row = on_pool!(self, p => sqlx::query_as(
            "SELECT status, reschedule_requested_date, reschedule_requested_schedule_type, \
             cancel_reason, cancelled_at FROM jobs WHERE company_id = $1 AND number = $2")
            .bind(company.0).bind(number).fetch_optional(p).await)?;
        Ok(row)
    }

    /// The service request numbered `number` of the company, for the office.
    pub async fn request_proposal_for_office(
        &self,
        company: CompanyId,
        number: &str,
    ) -> Result<Option<RequestProposal>, StoreError> {
        let sql = format!("{SELECT_REQUEST}WHERE r.company_id = $1 AND r.number = $2");
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(number).fetch_optional(p).await)?;
        Ok(row)
    }

    /// The service request numbered `number` if `scope` may see it: of its account and,
    /// for site contacts, of one of their sites.
    pub async fn request_proposal_for_contact(
        &self,
        company: CompanyId,
        scope: &ContactScope,
        number: &str,
    ) -> Result<Option<RequestProposal>, StoreError> {
        let (sites_sql, sites) = site_condition(scope, "r.site_id", 4);
        let sql = format!(
            "{SELECT_REQUEST}WHERE r.company_id = $1 AND r.customer_id = $2 AND r.number = $3{sites_sql}"
        );
        let row = on_pool!(self, p => {
            let mut q = sqlx::query_as(&sql).bind(company.0).bind(scope.customer.0).bind(number);
            for s in &sites { q = q.bind(*s); }
            q.fetch_optional(p).await
        })?;
        Ok(row)
    }
}

impl Tx {
    /// Moves a scheduled visit of `scope`'s account into a window: moves the visit, then
    /// takes a place in the new window (only if one is left) and gives the held one back.
    /// Moving into the window it already holds changes no count, so `booked` always equals
    /// the bookings that exist. `held` is the window the visit held when the page was read;
    /// if that changed, nothing does.
    ///
    /// Locks are taken in one order — the visit's row, then the windows by id — so moves
    /// crossing between two windows, and a cancellation racing a move, cannot deadlock on
    /// PostgreSQL. On any outcome but [`MoveOutcome::Moved`] the caller drops the
    /// transaction, which undoes what was done so far.
    pub async fn move_visit(
        &mut self,
        company: CompanyId,
        scope: &ContactScope,
        job: JobId,
        held: Option<i64>,
        to: &VisitMove,
    ) -> Result<MoveOutcome, StoreError> {
        let start = db_time(to.start);
        let end = db_time(to.end);
        let moved = on_tx!(self, c => sqlx::query(
            "UPDATE jobs SET availability_window_id = $1, schedule_type = $2, scheduled_start = $3, \
             scheduled_end = $4, arrival_window_start = $3, arrival_window_end = $4, job_date = $3, \
             reschedule_requested_date = NULL, reschedule_requested_schedule_type = NULL, \
             reschedule_requested_at = NULL, updated_at = $5 \
             WHERE company_id = $6 AND customer_id = $7 AND id = $8 AND status = 'scheduled' \
             AND COALESCE(availability_window_id, 0) = $9")
            .bind(to.window).bind(to.slot.as_str()).bind(start).bind(end).bind(db_time(crate::now()))
            .bind(company.0).bind(scope.customer.0).bind(job.0).bind(held.unwrap_or(0))
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if moved != 1 {
            return Ok(MoveOutcome::Stale);
        }
        if held == Some(to.window) {
            // Same window, same place: nothing to take or give back.
            return Ok(MoveOutcome::Moved);
        }
        let mut changes = vec![(to.window, true)];
        changes.extend(held.map(|old| (old, false)));
        changes.sort_unstable();
        for (window, take) in changes {
            if take {
                if !self
                    .take_window_place_checked(company, window, to.today)
                    .await?
                {
                    return Ok(MoveOutcome::WindowFull);
                }
            } else {
                self.release_window_place(company, window).await?;
            }
        }
        Ok(MoveOutcome::Moved)
    }

    /// Records that the customer asks to move a scheduled visit to `date` (no window
    /// published): the visit stays as it is until the office confirms. `false` when the
    /// visit is no longer scheduled.
    pub async fn ask_visit_date(
        &mut self,
        company: CompanyId,
        scope: &ContactScope,
        job: JobId,
        date: Date,
        schedule_type: ScheduleType,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE jobs SET reschedule_requested_date = $1, reschedule_requested_schedule_type = $2, \
             reschedule_requested_at = $3, updated_at = $3 \
             WHERE company_id = $4 AND customer_id = $5 AND id = $6 AND status = 'scheduled'")
            .bind(date).bind(schedule_type.as_str()).bind(db_time(at))
            .bind(company.0).bind(scope.customer.0).bind(job.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Cancels a scheduled visit of `scope`'s account with the customer's reason and gives
    /// back the window place it held; `false` (nothing changed) when no longer scheduled.
    pub async fn cancel_visit(
        &mut self,
        company: CompanyId,
        scope: &ContactScope,
        job: JobId,
        reason: &str,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let held: Option<Option<i64>> = on_tx!(self, c => sqlx::query_scalar(
            "UPDATE jobs SET status = 'cancelled', cancel_reason = $1, cancelled_at = $2, updated_at = $2 \
             WHERE company_id = $3 AND customer_id = $4 AND id = $5 AND status = 'scheduled' \
             RETURNING availability_window_id")
            .bind(reason).bind(db_time(at)).bind(company.0).bind(scope.customer.0).bind(job.0)
            .fetch_optional(&mut *c).await)?;
        let Some(held) = held else { return Ok(false) };
        if let Some(window) = held {
            self.release_window_place(company, window).await?;
        }
        Ok(true)
    }

    /// The office proposes another time for an open (new or read) request, with its
    /// note for the customer (empty for none); `false` when it is completed, declined or
    /// not the company's.
    pub async fn propose_request_time(
        &mut self,
        company: CompanyId,
        request: ServiceRequestId,
        (date, schedule_type): (Date, ScheduleType),
        note: &str,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE service_requests SET proposed_date = $1, proposed_schedule_type = $2, \
             proposal_status = 'proposed', proposal_note = $6, updated_at = $3 \
             WHERE company_id = $4 AND id = $5 AND status IN ('new', 'read')")
            .bind(date).bind(schedule_type.as_str()).bind(db_time(at))
            .bind(company.0).bind(request.0).bind(note)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// The customer accepts (the proposed time becomes the preferred one) or declines the
    /// office's proposal; `false` when none awaits an answer.
    pub async fn answer_request_proposal(
        &mut self,
        company: CompanyId,
        scope: &ContactScope,
        request: ServiceRequestId,
        accept: bool,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let sql = if accept {
            "UPDATE service_requests SET preferred_date = proposed_date, \
             schedule_type = proposed_schedule_type, proposal_status = 'accepted', updated_at = $1 \
             WHERE company_id = $2 AND customer_id = $3 AND id = $4 AND proposal_status = 'proposed' \
             AND status IN ('new', 'read')"
        } else {
            "UPDATE service_requests SET proposal_status = 'declined', updated_at = $1 \
             WHERE company_id = $2 AND customer_id = $3 AND id = $4 AND proposal_status = 'proposed' \
             AND status IN ('new', 'read')"
        };
        let done = on_tx!(self, c => sqlx::query(sql)
            .bind(db_time(at)).bind(company.0).bind(scope.customer.0).bind(request.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }
}
