//! Editing a job's summary, description, site, job type and notes (internal work-order
//! notes and the notes the customer sees).

use doorstep_core::ids::{JobId, SiteId};
use doorstep_core::jobs::{parse_summary, parse_text};
use doorstep_store::Tx;
use doorstep_store::job_writes::JobDetails;
use serde_json::json;
use time::OffsetDateTime;

use super::{Changed, check_place, job, parse_id};
use crate::error::FieldErrors;
use crate::{App, AppError, StaffActor};
use doorstep_store::office_jobs::OfficeJob;

/// The edit form as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct JobEditForm<'a> {
    /// One line.
    pub summary: &'a str,
    /// Longer description.
    pub description: &'a str,
    /// The site's id, or empty.
    pub site: &'a str,
    /// The job type's id, or empty.
    pub job_type: &'a str,
    /// Internal notes for the crew.
    pub work_order_notes: &'a str,
    /// Notes the customer sees.
    pub customer_notes: &'a str,
}

/// An edit, checked.
#[derive(Debug, Clone)]
pub struct JobEdit(JobDetails);

impl JobEdit {
    /// Checks every field, refusing each wrong one.
    pub fn parse(f: &JobEditForm<'_>) -> Result<JobEdit, FieldErrors> {
        let mut errors = FieldErrors::default();
        let summary = errors.check(parse_summary(f.summary));
        let description = errors.check(parse_text("description", f.description));
        let site = errors.check(parse_id("site", f.site, "sites"));
        let job_type = errors.check(parse_id("job_type", f.job_type, "job types"));
        let work_order_notes = errors.check(parse_text("work_order_notes", f.work_order_notes));
        let customer_notes = errors.check(parse_text("customer_notes", f.customer_notes));
        match (
            summary,
            description,
            site,
            job_type,
            work_order_notes,
            customer_notes,
        ) {
            (
                Some(summary),
                Some(description),
                Some(site),
                Some(job_type),
                Some(work_order_notes),
                Some(customer_notes),
            ) => Ok(JobEdit(JobDetails {
                summary,
                description,
                site: site.map(SiteId),
                job_type,
                work_order_notes,
                customer_notes,
            })),
            _ => Err(errors),
        }
    }

    /// An edit to exactly these details.
    pub(super) fn of(details: JobDetails) -> JobEdit {
        JobEdit(details)
    }
}

/// Saves the edit of job `number`. Refused with `NotFound` for another company's job,
/// and `Invalid` on the site or job type when they are not the account's or the company's.
pub async fn edit(
    app: &App,
    actor: &StaffActor,
    number: &str,
    edit: JobEdit,
) -> Result<Changed, AppError> {
    let j = job(app, actor, number).await?;
    edit_found(app, actor, &j, edit).await
}

/// Saves the edit of job `j`, just read for `actor` (the API's upsert has read it to
/// check its customer).
pub(super) async fn edit_found(
    app: &App,
    actor: &StaffActor,
    j: &OfficeJob,
    edit: JobEdit,
) -> Result<Changed, AppError> {
    actor.require(doorstep_core::authz::OfficeArea::DayToDay)?;
    let company = actor.company().id;
    let d = edit.0;
    check_place(app, company, j.customer(), d.site, d.job_type).await?;
    let was = Edited {
        id: j.job_id(),
        number: &j.number,
        summary: &j.summary,
        work_order_notes: &j.work_order_notes,
        customer_notes: &j.customer_notes,
    };
    let mut tx = app.store.begin().await?;
    update_in(&mut tx, actor, &was, &d, doorstep_store::now()).await?;
    app.commit(tx, false).await?;
    Ok(Changed {
        number: j.number.clone(),
        status: j.status(),
        emailed: false,
    })
}

/// A job as it was before an edit: what the edit's audit record names and compares.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Edited<'a> {
    /// The job.
    pub id: JobId,
    /// Its number.
    pub number: &'a str,
    /// Its summary before.
    pub summary: &'a str,
    /// Its internal notes before.
    pub work_order_notes: &'a str,
    /// Its customer-visible notes before.
    pub customer_notes: &'a str,
}

/// Writes the edit `d` of job `was` in `tx` as the office saves one, audited; `NotFound`
/// for a job that is not the company's. The caller has checked that the site and job
/// type are the account's and the company's (the CSV import of jobs calls this inside
/// its one transaction).
pub(crate) async fn update_in(
    tx: &mut Tx,
    actor: &StaffActor,
    was: &Edited<'_>,
    d: &JobDetails,
    at: OffsetDateTime,
) -> Result<(), AppError> {
    let company = actor.company().id;
    if !tx.update_job_details(company, was.id, d, at).await? {
        return Err(AppError::NotFound);
    }
    let detail = json!({
        "number": was.number, "summary": d.summary, "old_summary": was.summary,
        "site_id": d.site.map(|s| s.0), "job_type_id": d.job_type,
        "notes_changed": d.work_order_notes != was.work_order_notes,
        "customer_notes_changed": d.customer_notes != was.customer_notes,
    });
    tx.audit(
        company,
        &actor.audit("job.edited", ("job", was.id.0), detail),
    )
    .await?;
    Ok(())
}
