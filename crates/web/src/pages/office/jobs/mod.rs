//! The office's jobs: the list, a new job, one job with its timeline and buttons, the
//! edit and schedule forms, the crew, and status moves. Every write is a use case of
//! `doorstep_app::jobs`; a wrong number is 404.

pub mod crew;
pub mod edit;
pub mod files;
pub mod forms;
pub mod list;
pub mod new;
pub mod schedule;
pub mod show;
pub mod status;

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use doorstep_core::authz::{OfficeArea, staff_may};
use doorstep_core::status::JobStatus;
use doorstep_store::office_jobs::OfficeJob;

use crate::auth::session::SignedInStaff;
use crate::kit::urls::path_segment;
use crate::{AppState, WebError};

/// Jobs are day-to-day office work; anyone else is answered 404.
fn require(staff: &SignedInStaff) -> Result<(), WebError> {
    if staff_may(staff.staff.role, OfficeArea::DayToDay) {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

/// One of the company's jobs by number, after the access check; 404 otherwise.
async fn load(
    state: &AppState,
    staff: &SignedInStaff,
    number: &str,
) -> Result<OfficeJob, WebError> {
    require(staff)?;
    state
        .store
        .office_job(staff.company.id, number)
        .await?
        .ok_or(WebError::NotFound)
}

/// A job's office page address.
pub(crate) fn job_path(number: &str) -> String {
    format!("/office/jobs/{}", path_segment(number))
}

/// The badge class of a job status.
pub(crate) fn status_class(status: JobStatus) -> &'static str {
    match status {
        JobStatus::Completed => "badge success",
        JobStatus::Cancelled => "badge danger",
        JobStatus::OnTheWay | JobStatus::InProgress => "badge info",
        JobStatus::Scheduled => "badge warning",
        JobStatus::Unscheduled => "badge",
    }
}

/// Renders `page` with `status`.
fn html(page: impl Template, status: StatusCode) -> Result<Response, WebError> {
    crate::kit::render::page_with(status, &page)
}

/// A choice in a select.
pub(crate) struct Choice {
    value: String,
    label: String,
    selected: bool,
}

impl Choice {
    fn of(value: impl ToString, label: impl Into<String>, chosen: &str) -> Choice {
        let value = value.to_string();
        Choice {
            selected: value == chosen,
            value,
            label: label.into(),
        }
    }
}

/// The company's job types as choices, `chosen` selected.
async fn job_type_choices(
    state: &AppState,
    staff: &SignedInStaff,
    chosen: &str,
) -> Result<Vec<Choice>, WebError> {
    Ok(state
        .store
        .job_type_choices(staff.company.id)
        .await?
        .into_iter()
        .map(|(id, name)| Choice::of(id, name, chosen))
        .collect())
}

/// The account's sites as choices, `chosen` selected.
async fn site_choices(
    state: &AppState,
    staff: &SignedInStaff,
    customer: doorstep_core::ids::CustomerId,
    chosen: &str,
) -> Result<Vec<Choice>, WebError> {
    Ok(state
        .store
        .job_site_choices(staff.company.id, customer)
        .await?
        .into_iter()
        .map(|(id, label)| Choice::of(id, label, chosen))
        .collect())
}
