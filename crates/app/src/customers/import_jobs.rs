//! The rows of a jobs CSV file (issue 18), for the one import pipeline of
//! [`super::import`]: each row read by the office's new-job form ([`NewJob::parse`], the
//! same parse the API's upsert uses), its customer found by external reference or
//! number, its site by the site's external reference or name among the customer's
//! sites, then written by the office's own create and edit ([`insert_new`],
//! [`update_in`]) inside the import's one transaction.
//!
//! A job is found again by its external reference, or — what the export writes for a job
//! without one — its number, so importing an export changes nothing. A job stays with
//! its customer (as the API's upsert says). A new job starts unscheduled, completed or
//! cancelled (`core::jobs::check_imported_status`); a job already there keeps its
//! status, so a row giving it another is refused rather than moving it silently.
//! Visits are not imported: the schedule form gives them, with the company's time
//! zone, its windows and reminders.
//!
//! An import sends no email and no webhook, per job or at all: a file of past or
//! planned work is history brought over, not news — a 10,000-row file must not write to
//! every customer, and the other system the file came from already knows its jobs. Each
//! job's create, edit and start status are audited as the office's are, and the import
//! itself is audited once.

use std::collections::HashMap;

use doorstep_core::customer_import::{CsvRow, RowError};
use doorstep_core::ids::{CompanyId, CustomerId, SiteId};
use doorstep_core::import_kinds::ImportKind;
use doorstep_core::jobs::{check_imported_status, check_move};
use doorstep_core::status::JobStatus;
use doorstep_core::validation::Invalid;
use doorstep_store::Tx;
use doorstep_store::import_jobs::KnownJob;
use serde_json::json;

use super::import_rows::{KindRow, Known, row_error};
use crate::jobs::{Edited, NO_MOVE, NewJob, NewJobForm, insert_new, update_in};
use crate::{AppError, StaffActor};

/// A checked row of a jobs file.
#[derive(Debug, Clone)]
pub(super) struct JobRow {
    /// The job as the office's form reads it.
    job: NewJob,
    /// The reference (or number) the job is found again by.
    reference: String,
    /// The status a new job starts in (a job already there keeps its own).
    status: JobStatus,
}

impl JobRow {
    /// The reference (or number) the job is found again by.
    pub(super) fn reference(&self) -> &str {
        &self.reference
    }
}

/// The jobs and sites the rows of a jobs file are matched with.
#[derive(Debug, Default)]
pub(super) struct KnownJobs {
    jobs: Vec<KnownJob>,
    /// Index into `jobs` by external reference, and by number for a job without one.
    by_key: HashMap<String, usize>,
    /// Sites by their customer and external reference.
    site_refs: HashMap<(CustomerId, String), SiteId>,
    /// Sites by their customer and lower-case name; `None` when two active sites share it.
    site_names: HashMap<(CustomerId, String), Option<SiteId>>,
}

impl KnownJobs {
    /// Reads the company's jobs and sites in `tx`.
    pub(super) async fn read(tx: &mut Tx, company: CompanyId) -> Result<KnownJobs, AppError> {
        let jobs = tx.known_jobs(company).await?;
        let mut by_key = HashMap::with_capacity(jobs.len() * 2);
        for (i, j) in jobs.iter().enumerate() {
            if let Some(r) = &j.external_ref {
                by_key.insert(r.clone(), i);
            }
        }
        // A number finds a job only where no reference claims it first.
        for (i, j) in jobs.iter().enumerate() {
            by_key.entry(j.number.clone()).or_insert(i);
        }
        let sites = tx.job_sites(company).await?;
        let mut site_refs = HashMap::new();
        let mut site_names = HashMap::new();
        for (id, customer, name, reference, active) in &sites {
            if let Some(r) = reference {
                site_refs.insert((*customer, r.clone()), *id);
            }
            if *active {
                site_names
                    .entry((*customer, name.to_lowercase()))
                    .and_modify(|s| *s = None)
                    .or_insert(Some(*id));
            }
        }
        // An inactive site is named only where no active one has its name (a job of
        // the past may still be at it).
        for (id, customer, name, _, active) in &sites {
            if !*active {
                site_names
                    .entry((*customer, name.to_lowercase()))
                    .or_insert(Some(*id));
            }
        }
        Ok(KnownJobs {
            jobs,
            by_key,
            site_refs,
            site_names,
        })
    }

    /// The job `reference` (an external reference or a number) finds.
    pub(super) fn find(&self, reference: &str) -> Option<&KnownJob> {
        self.by_key.get(reference).and_then(|i| self.jobs.get(*i))
    }

    /// The site of `customer` a cell names: its external reference, else its name.
    fn site(&self, customer: CustomerId, raw: &str) -> Result<Option<SiteId>, Invalid> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        if let Some(id) = self.site_refs.get(&(customer, raw.to_owned())) {
            return Ok(Some(*id));
        }
        match self.site_names.get(&(customer, raw.to_lowercase())) {
            Some(Some(id)) => Ok(Some(*id)),
            Some(None) => Err(Invalid::new(
                "site",
                "Two of the customer's sites have this name: give the site's external reference.",
            )),
            None => Err(Invalid::new(
                "site",
                "The customer has no site with this external reference or name.",
            )),
        }
    }
}

/// The status a row's cell gives: a new job's start (empty: unscheduled), or the
/// status a job already there has (empty: the same), refusing another.
fn status_of(raw: &str, found: Option<&KnownJob>) -> Result<JobStatus, Invalid> {
    let raw = raw.trim().to_lowercase();
    let unknown = || {
        Invalid::new(
            "status",
            "Write unscheduled, completed or cancelled (or the status the export wrote).",
        )
    };
    let Some(job) = found else {
        if raw.is_empty() {
            return Ok(JobStatus::Unscheduled);
        }
        let status = JobStatus::parse(&raw).map_err(|_| unknown())?;
        check_imported_status(status)?;
        return Ok(status);
    };
    let now = job.status();
    if raw.is_empty() {
        return Ok(now);
    }
    let status = JobStatus::parse(&raw).map_err(|_| unknown())?;
    if status != now {
        return Err(Invalid::new(
            "status",
            format!(
                "This job is {} now; an import does not move a job's status (its page does).",
                now.label().to_lowercase()
            ),
        ));
    }
    Ok(status)
}

/// Checks `row` of a jobs file, whose customer is `customer`, by the office's new-job
/// form; every wrong column is named.
pub(super) fn parse(
    row: &CsvRow,
    known: &Known,
    customer: CustomerId,
) -> Result<KindRow, Vec<RowError>> {
    let columns = ImportKind::Jobs.columns();
    let error = |e: &Invalid| row_error(row.row, e, columns);
    let reference = row.get("external_ref").trim();
    if reference.is_empty() {
        return Err(vec![error(&Invalid::new(
            "external_ref",
            "Give the job's id in your other system: importing the file again finds the job by it.",
        ))]);
    }
    let found = known.jobs.find(reference);
    let mut errors = Vec::new();
    if found.is_some_and(|j| j.customer() != customer) {
        errors.push(error(&Invalid::new("customer", NO_MOVE)));
    }
    let site = known
        .jobs
        .site(customer, row.get("site"))
        .map_err(|e| errors.push(error(&e)))
        .ok()
        .flatten();
    let status = status_of(row.get("status"), found)
        .map_err(|e| errors.push(error(&e)))
        .ok();
    // The form's fields as text, as the office's page and the API hand them over; a
    // file has no job type, so a job already there keeps its own.
    let customer_id = customer.0.to_string();
    let site_id = site.map(|s| s.0.to_string()).unwrap_or_default();
    let job_type = found
        .and_then(|j| j.job_type_id)
        .map(|t| t.to_string())
        .unwrap_or_default();
    let parsed = NewJob::parse(&NewJobForm {
        customer: &customer_id,
        site: &site_id,
        job_type: &job_type,
        summary: row.get("summary"),
        description: row.get("description"),
        work_order_notes: row.get("work_order_notes"),
        customer_notes: row.get("customer_notes"),
        external_ref: reference,
    });
    match (parsed, status) {
        (Ok(job), Some(status)) if errors.is_empty() => Ok(KindRow::Job(Box::new(JobRow {
            job,
            reference: reference.to_owned(),
            status,
        }))),
        (parsed, _) => {
            if let Err(fe) = parsed {
                errors.extend(fe.0.iter().map(error));
            }
            Err(errors)
        }
    }
}

/// Writes `row` in `tx` as the office's create or edit does, by `staff`; `true` when it
/// created. A job whose fields the row repeats is left as it is (no edit recorded).
pub(super) async fn write(
    tx: &mut Tx,
    staff: &StaffActor,
    row: &JobRow,
    known: &Known,
) -> Result<bool, AppError> {
    let at = doorstep_store::now();
    let d = row.job.details();
    match known.jobs.find(&row.reference) {
        Some(j) => {
            if j.customer() != row.job.customer() {
                return Err(Invalid::new("customer", NO_MOVE).into());
            }
            let same = d.summary == j.summary
                && d.description == j.description
                && d.site.map(|s| s.0) == j.site_id
                && d.job_type == j.job_type_id
                && d.work_order_notes == j.work_order_notes
                && d.customer_notes == j.customer_notes;
            if !same {
                let was = Edited {
                    id: j.job_id(),
                    number: &j.number,
                    summary: &j.summary,
                    work_order_notes: &j.work_order_notes,
                    customer_notes: &j.customer_notes,
                };
                update_in(tx, staff, &was, &d, at).await?;
            }
            Ok(false)
        }
        None => {
            let (id, number) = insert_new(tx, staff, &row.job, at).await?;
            let (from, to) = (JobStatus::Unscheduled, row.status);
            if to != from {
                check_move(from, to)?;
                let company = staff.company().id;
                if !tx.move_job_status(company, id, (from, to), at).await? {
                    return Err(AppError::Internal(
                        "an imported job's status changed in its own transaction".into(),
                    ));
                }
                tx.record_job_status(company, (row.job.customer(), id), to, at, Some(staff.id()))
                    .await?;
                // Recorded as the office's move is, but nobody is emailed and no webhook
                // goes (see the module's comment).
                let detail = json!({"number": number, "from": from.as_str(), "to": to.as_str(), "emailed": 0, "imported": true});
                tx.audit(
                    company,
                    &staff.audit("job.status_changed", ("job", id.0), detail),
                )
                .await?;
            }
            Ok(true)
        }
    }
}
