//! Creating a job from scratch: a customer of the company, one of its sites, a job type,
//! summary, description and notes. It starts unscheduled; the schedule form gives it a
//! visit.

use doorstep_core::customers::check_external_ref;
use doorstep_core::ids::{CustomerId, JobId, SiteId};
use doorstep_core::jobs::{parse_summary, parse_text};
use doorstep_core::status::{JobKind, JobStatus};
use doorstep_core::validation::Invalid;
use doorstep_store::Tx;
use doorstep_store::job_writes::JobDetails;
use doorstep_store::jobs::NewJob as JobRow;
use doorstep_store::request_inbox::Numbered;
use serde_json::json;
use time::OffsetDateTime;

use super::{Changed, check_place, parse_id};
use crate::error::FieldErrors;
use crate::{App, AppError, StaffActor};

/// The new-job form as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct NewJobForm<'a> {
    /// The customer's id.
    pub customer: &'a str,
    /// The site's id, or empty.
    pub site: &'a str,
    /// The job type's id, or empty.
    pub job_type: &'a str,
    /// One line.
    pub summary: &'a str,
    /// Longer description.
    pub description: &'a str,
    /// Internal notes for the crew.
    pub work_order_notes: &'a str,
    /// Notes the customer sees.
    pub customer_notes: &'a str,
    /// The job's id in another system (the API's), or empty.
    pub external_ref: &'a str,
}

/// A new job, checked.
#[derive(Debug, Clone)]
pub struct NewJob {
    customer: CustomerId,
    site: Option<SiteId>,
    job_type: Option<i64>,
    summary: String,
    description: String,
    work_order_notes: String,
    customer_notes: String,
    external_ref: Option<String>,
}

impl NewJob {
    /// Checks every field, refusing each wrong one.
    pub fn parse(f: &NewJobForm<'_>) -> Result<NewJob, FieldErrors> {
        let mut errors = FieldErrors::default();
        let customer = errors.check(match parse_id("customer", f.customer, "customers") {
            Ok(Some(id)) => Ok(CustomerId(id)),
            Ok(None) => Err(Invalid::new("customer", "Choose the customer.")),
            Err(e) => Err(e),
        });
        let site = errors.check(parse_id("site", f.site, "sites"));
        let job_type = errors.check(parse_id("job_type", f.job_type, "job types"));
        let summary = errors.check(parse_summary(f.summary));
        let description = errors.check(parse_text("description", f.description));
        let work_order_notes = errors.check(parse_text("work_order_notes", f.work_order_notes));
        let customer_notes = errors.check(parse_text("customer_notes", f.customer_notes));
        let external_ref = errors.check(check_external_ref(f.external_ref));
        match (
            customer,
            site,
            job_type,
            summary,
            description,
            work_order_notes,
            customer_notes,
            external_ref,
        ) {
            (
                Some(customer),
                Some(site),
                Some(job_type),
                Some(summary),
                Some(description),
                Some(work_order_notes),
                Some(customer_notes),
                Some(external_ref),
            ) => Ok(NewJob {
                customer,
                site: site.map(SiteId),
                job_type,
                summary,
                description,
                work_order_notes,
                customer_notes,
                external_ref,
            }),
            _ => Err(errors),
        }
    }

    /// The account the job is for.
    pub fn customer(&self) -> CustomerId {
        self.customer
    }

    /// The job's reference in another system, if one was given.
    pub fn external_ref(&self) -> Option<&str> {
        self.external_ref.as_deref()
    }

    /// The same job with `reference` as its reference in another system.
    pub(super) fn with_external_ref(mut self, reference: String) -> NewJob {
        self.external_ref = Some(reference);
        self
    }

    /// The fields an edit of an existing job takes from it.
    pub(crate) fn details(&self) -> JobDetails {
        JobDetails {
            summary: self.summary.clone(),
            description: self.description.clone(),
            site: self.site,
            job_type: self.job_type,
            work_order_notes: self.work_order_notes.clone(),
            customer_notes: self.customer_notes.clone(),
        }
    }
}

/// Creates the job, unscheduled, numbered as the company's jobs are. Refused with
/// `Invalid("customer")` for a customer that is not the company's, and `Invalid` on the
/// site or job type when they are not the account's or the company's.
pub async fn create(app: &App, actor: &StaffActor, job: NewJob) -> Result<Changed, AppError> {
    actor.require(doorstep_core::authz::OfficeArea::DayToDay)?;
    let company = actor.company().id;
    if app
        .store
        .job_customer(company, job.customer)
        .await?
        .is_none()
    {
        return Err(Invalid::new("customer", "Choose one of the company's customers.").into());
    }
    check_place(app, company, job.customer, job.site, job.job_type).await?;
    let at = doorstep_store::now();
    let mut tx = app.store.begin().await?;
    let (_, number) = insert_new(&mut tx, actor, &job, at).await?;
    app.commit(tx, false).await?;
    Ok(Changed {
        number,
        status: JobStatus::Unscheduled,
        emailed: false,
    })
}

/// Writes `job` in `tx` as the office creates one: numbered as the company's jobs are,
/// unscheduled, its first status recorded, audited; answers its id and number. The
/// caller has checked that its customer, site and job type are the company's (the
/// CSV import of jobs calls this inside its one transaction).
pub(crate) async fn insert_new(
    tx: &mut Tx,
    actor: &StaffActor,
    job: &NewJob,
    at: OffsetDateTime,
) -> Result<(JobId, String), AppError> {
    let company = actor.company().id;
    let number = tx.next_number(company, Numbered::Job).await?;
    let row = JobRow {
        customer: job.customer,
        site: job.site,
        asset: None,
        job_type: job.job_type,
        number: number.clone(),
        kind: JobKind::Service,
        status: JobStatus::Unscheduled,
        summary: job.summary.clone(),
        description: job.description.clone(),
        schedule_type: None,
        scheduled_start: None,
        scheduled_end: None,
        arrival_window_start: None,
        arrival_window_end: None,
        completed_at: None,
        work_order_notes: job.work_order_notes.clone(),
        customer_notes: job.customer_notes.clone(),
        external_ref: job.external_ref.clone(),
        invoice_notes: String::new(),
        po_number: String::new(),
        custom_fields: "{}".into(),
        total_minor: 0,
        created_at: at,
    };
    let id = tx.insert_job(company, &row).await?;
    tx.record_job_status(
        company,
        (job.customer, id),
        JobStatus::Unscheduled,
        at,
        Some(actor.id()),
    )
    .await?;
    let detail = json!({"number": number, "summary": job.summary, "customer_id": job.customer.0, "external_ref": job.external_ref});
    tx.audit(company, &actor.audit("job.created", ("job", id.0), detail))
        .await?;
    Ok((id, number))
}
