//! The office's requests inbox: the list, one request (opening it marks it Read), its
//! photos, converting it to a job, an estimate or a rental, declining it, and the live New
//! count.

pub mod answers;
pub mod detail;
pub mod events;
pub mod list;
pub mod propose;
pub mod rental;

use std::net::SocketAddr;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use doorstep_core::authz::{OfficeArea, staff_may};
use doorstep_store::audit::NewAuditEvent;
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

/// The audit record of a staff member's action on a request.
fn audit_event(
    staff: &SignedInStaff,
    peer: SocketAddr,
    action: &'static str,
    request: &RequestDetail,
    detail: serde_json::Value,
) -> NewAuditEvent {
    NewAuditEvent {
        actor_kind: "staff",
        actor_id: Some(staff.staff.id.0),
        actor_label: staff.staff.email.clone(),
        action,
        subject_kind: "service_request",
        subject_id: Some(request.id),
        ip: peer.ip().to_string(),
        detail: detail.to_string(),
        at: doorstep_store::now(),
    }
}

/// What a conversion form says next to its fields: (field, message) pairs.
type FieldErrors = Vec<(&'static str, String)>;

/// The message for `field` among `errors`, if any.
fn field_error<'a>(errors: &'a [(&'static str, String)], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, m)| m.as_str())
}

/// Renders `page` with `status`.
fn html(page: impl Template, status: StatusCode) -> Result<Response, WebError> {
    let body = page.render().map_err(WebError::internal)?;
    Ok((status, Html(body)).into_response())
}

/// A request's page address.
fn request_path(number: &str) -> String {
    format!(
        "/office/requests/{}",
        crate::kit::urls::path_segment(number)
    )
}
