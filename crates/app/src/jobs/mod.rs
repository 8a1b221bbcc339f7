//! The office's use cases for jobs: create (from scratch; from a request see
//! [`crate::requests::to_job`]), edit, schedule and unschedule, crew, status moves (each
//! recorded with its time and who, and emailed to the customer when it is news to them),
//! and the visit reminder sweep. Any office staff member may do all of it; the status
//! rules live in `core::jobs`.

mod create;
mod crew;
mod edit;
mod emails;
mod external;
mod files;
mod forms;
mod reminders;
mod schedule;
mod status;

pub(crate) use create::insert_new;
pub use create::{NewJob, NewJobForm, create};
pub use crew::{NewTechnician, add_technician, set_crew};
pub(crate) use edit::{Edited, update_in};
pub use edit::{JobEdit, JobEditForm, edit};
pub(crate) use external::NO_MOVE;
pub use external::upsert_by_external_ref;
pub use files::{FilesAdded, add_files, parse_visibility, remove_file, set_file_visibility};
pub use forms::{ChecklistAnswers, ChecklistSaved, NewChecklist, add_checklist, save_checklist};
pub use reminders::{REMINDER_BATCH, send_visit_reminders};
pub use schedule::{ScheduleOrder, schedule, unschedule};
pub use status::move_status;

use doorstep_core::authz::OfficeArea;
use doorstep_core::ids::{CompanyId, CustomerId, SiteId};
use doorstep_core::validation::Invalid;
use doorstep_store::office_jobs::OfficeJob;

use crate::{App, AppError, StaffActor};

/// A job changed: its number and status now.
#[derive(Debug, Clone)]
pub struct Changed {
    /// The job's number.
    pub number: String,
    /// Its status now.
    pub status: doorstep_core::status::JobStatus,
    /// Whether the customer was emailed.
    pub emailed: bool,
}

/// The company's job `number` when the actor does day-to-day office work; `NotFound`
/// otherwise (another company's number included).
async fn job(app: &App, actor: &StaffActor, number: &str) -> Result<OfficeJob, AppError> {
    actor.require(OfficeArea::DayToDay)?;
    app.store
        .office_job(actor.company().id, number)
        .await?
        .ok_or(AppError::NotFound)
}

/// An id typed in a form field: empty is none, anything else must be a number.
fn parse_id(field: &'static str, raw: &str, what: &str) -> Result<Option<i64>, Invalid> {
    match raw.trim() {
        "" => Ok(None),
        s => s
            .parse::<i64>()
            .map(Some)
            .map_err(|_| Invalid::new(field, format!("Choose one of the {what} listed."))),
    }
}

/// Refuses a job type that is not the company's and a site that is not the account's.
async fn check_place(
    app: &App,
    company: CompanyId,
    customer: CustomerId,
    site: Option<SiteId>,
    job_type: Option<i64>,
) -> Result<(), AppError> {
    if let Some(id) = job_type {
        let choices = app.store.job_type_choices(company).await?;
        if !choices.iter().any(|(c, _)| *c == id) {
            return Err(Invalid::new("job_type", "Choose one of the job types listed.").into());
        }
    }
    if let Some(site) = site {
        let sites = app.store.job_site_choices(company, customer).await?;
        if !sites.iter().any(|(s, _)| *s == site.0) {
            return Err(Invalid::new("site", "Choose one of the customer's sites.").into());
        }
    }
    Ok(())
}
