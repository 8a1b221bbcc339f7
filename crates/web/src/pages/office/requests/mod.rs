//! The office's requests inbox: the list, one request (opening it marks it Read), its
//! photos, converting it to a job, an estimate or a rental, declining it, and the live New
//! count.

pub mod answers;
pub mod detail;
pub mod events;
pub mod list;
pub mod propose;
pub mod rental;

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use doorstep_app::error::FieldErrors;
use doorstep_core::authz::{OfficeArea, staff_may};
use doorstep_store::request_inbox::RequestDetail;

use crate::auth::session::SignedInStaff;
use crate::{AppState, WebError};

/// The inbox is day-to-day office work; anyone else is answered 404.
fn require(staff: &SignedInStaff) -> Result<(), WebError> {
    if staff_may(staff.staff.role, OfficeArea::DayToDay) {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

/// One of the company's requests by number, after the access check; 404 otherwise.
async fn load(
    state: &AppState,
    staff: &SignedInStaff,
    number: &str,
) -> Result<RequestDetail, WebError> {
    require(staff)?;
    state
        .store
        .request_detail(staff.company.id, number)
        .await?
        .ok_or(WebError::NotFound)
}

/// Renders `page` with `status`.
fn html(page: impl Template, status: StatusCode) -> Result<Response, WebError> {
    crate::kit::render::page_with(status, &page)
}

/// A request's page address.
fn request_path(number: &str) -> String {
    format!(
        "/office/requests/{}",
        crate::kit::urls::path_segment(number)
    )
}
