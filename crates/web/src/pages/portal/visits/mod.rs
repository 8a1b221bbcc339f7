//! A customer moving or cancelling a scheduled visit from the job page, before the
//! company's cut-off: `/jobs/{number}/reschedule` and `/jobs/{number}/cancel`. Each POST
//! calls its use case in `doorstep_app::booking::visits`, which re-checks authz, the rule
//! and the visit's state and writes the change, the audit record and the office's notice
//! in one transaction, or changes nothing.

pub mod cancel;
pub mod reschedule;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::booking::visits;
use doorstep_core::visits::VisitChange;
use doorstep_store::visits::Visit;
use time::OffsetDateTime;

use crate::auth::session::SignedInContact;
use crate::kit::urls::path_segment;
use crate::views::PortalChrome;
use crate::{AppState, WebError};

pub(crate) use doorstep_core::visits::REASON_MAX;

/// The account's visit numbered `number` (site contacts: of their sites); 404 otherwise.
pub(crate) async fn load(
    state: &AppState,
    contact: &SignedInContact,
    number: &str,
) -> Result<Visit, WebError> {
    Ok(visits::load(&state.app, &contact.actor, number).await?)
}

/// Whether this contact may change `visit` now, and if not, why.
pub(crate) fn change_of(
    contact: &SignedInContact,
    visit: &Visit,
    now: OffsetDateTime,
) -> VisitChange {
    visits::change_of(&contact.actor, visit, now)
}

/// When a visit is, on the company's clock: `Tue, Mar 4, 2025 · Morning (AM)` or with its
/// hours.
pub(crate) fn visit_time(company: &doorstep_store::companies::Company, visit: &Visit) -> String {
    visits::visit_time(&company.time_zone, visit)
}

/// The job page's address.
pub(crate) fn job_href(visit: &Visit) -> String {
    format!("/jobs/{}", path_segment(&visit.number))
}

/// Back to the job page, telling it what was done.
pub(crate) fn done(visit: &Visit, what: &str) -> Response {
    Redirect::to(&format!("{}?changed={what}", job_href(visit))).into_response()
}

#[derive(Template)]
#[template(path = "portal/visits/refused.html")]
struct RefusedPage {
    chrome: PortalChrome,
    number: String,
    href: String,
    message: String,
}

/// The answer when the visit cannot be changed: the reason, nothing changed.
pub(crate) fn refused(
    contact: &SignedInContact,
    csrf: &str,
    visit: &Visit,
    message: String,
    status: StatusCode,
) -> Result<Response, WebError> {
    let page = RefusedPage {
        chrome: PortalChrome::of(contact, csrf).at("/jobs"),
        number: visit.number.clone(),
        href: job_href(visit),
        message,
    };
    render(&page, status)
}

/// The refusal for a rule that says no: 403 when the company does not allow changes,
/// 409 when this visit is too close or no longer scheduled.
pub(crate) fn refused_by_rule(
    contact: &SignedInContact,
    csrf: &str,
    visit: &Visit,
    change: VisitChange,
) -> Result<Response, WebError> {
    let status = if change == VisitChange::Disabled {
        StatusCode::FORBIDDEN
    } else {
        StatusCode::CONFLICT
    };
    refused(
        contact,
        csrf,
        visit,
        change.refusal().unwrap_or_default(),
        status,
    )
}

/// Renders `page` with `status`.
pub(crate) fn render(page: &impl Template, status: StatusCode) -> Result<Response, WebError> {
    crate::kit::render::page_with(status, &page)
}

/// The page for a use case's refusal of a visit change: the rule's refusal (403 when the
/// company does not allow changes, 409 otherwise) or the visit changed meanwhile (409).
pub(crate) fn refused_by_app(
    contact: &SignedInContact,
    csrf: &str,
    visit: &Visit,
    err: AppError,
) -> Result<Response, WebError> {
    match err {
        AppError::Conflict { reason, message } => {
            let status = if reason == "disabled" {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::CONFLICT
            };
            refused(contact, csrf, visit, message, status)
        }
        other => Err(other.into()),
    }
}
