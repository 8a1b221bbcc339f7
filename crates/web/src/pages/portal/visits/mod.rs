//! A customer moving or cancelling a scheduled visit from the job page, before the
//! company's cut-off: `/jobs/{number}/reschedule` and `/jobs/{number}/cancel`. Each POST
//! re-checks authz, the rule and the visit's state, then writes the change, the audit
//! event and the office's email in one transaction, or changes nothing.

pub mod cancel;
pub mod reschedule;

use std::net::SocketAddr;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use doorstep_core::authz::{PortalAction, contact_may, contact_may_see_site};
use doorstep_core::status::{JobStatus, ScheduleType};
use doorstep_core::visits::{VisitChange, visit_change};
use doorstep_mail::EmailKind;
use doorstep_store::Tx;
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::visits::Visit;
use time::OffsetDateTime;

use crate::auth::session::SignedInContact;
use crate::display::{clock, day};
use crate::kit::urls::path_segment;
use crate::pages::portal::billing::require;
use crate::pages::portal::estimate_answers::Who;
use crate::views::PortalChrome;
use crate::{AppState, WebError};

/// Longest cancellation reason accepted.
pub(crate) const REASON_MAX: usize = 2000;

/// The account's visit numbered `number` (site contacts: of their sites); 404 otherwise.
pub(crate) async fn load(
    state: &AppState,
    contact: &SignedInContact,
    number: &str,
) -> Result<Visit, WebError> {
    require(contact, PortalAction::ViewJobs)?;
    let visit = state
        .store
        .visit_for_contact(contact.portal.company.id, &contact.scope, number)
        .await?
        .ok_or(WebError::NotFound)?;
    // The store scoped the query; the rule is asked as well, so one mistake is not a leak.
    let (customer, site) = visit.place();
    if !contact_may_see_site(&contact.scope, customer, site) {
        return Err(WebError::NotFound);
    }
    Ok(visit)
}

/// Whether this contact may change `visit` now, and if not, why.
pub(crate) fn change_of(
    contact: &SignedInContact,
    visit: &Visit,
    now: OffsetDateTime,
) -> VisitChange {
    let settings = &contact.portal.company.settings;
    if !contact_may(&contact.scope, settings, PortalAction::ChangeVisits) {
        return VisitChange::Disabled;
    }
    let status = JobStatus::parse(&visit.status).unwrap_or(JobStatus::Unscheduled);
    visit_change(settings, status, visit.scheduled_start, now)
}

/// When a visit is, as people read it: `Mar 4, 2025 · Morning (AM)` or with its hours.
pub(crate) fn visit_time(visit: &Visit) -> String {
    let Some(start) = visit.scheduled_start else {
        return "not scheduled".into();
    };
    match visit
        .schedule_type
        .as_deref()
        .and_then(|s| ScheduleType::parse(s).ok())
    {
        Some(ScheduleType::Exact) | None => match visit.scheduled_end {
            Some(end) => format!("{} · {}–{}", day(start), clock(start), clock(end)),
            None => format!("{} · {}", day(start), clock(start)),
        },
        Some(slot) => format!("{} · {}", day(start), slot.label()),
    }
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

/// The message when the visit changed between the page and the answer.
pub(crate) const STALE: &str =
    "This visit changed meanwhile (moved, cancelled or started). Nothing was changed.";

/// Renders `page` with `status`.
pub(crate) fn render(page: &impl Template, status: StatusCode) -> Result<Response, WebError> {
    let html = page.render().map_err(WebError::internal)?;
    Ok((status, Html(html)).into_response())
}

/// The audit record of a contact's change to a visit.
pub(crate) fn audit_event(
    contact: &SignedInContact,
    who: &Who,
    peer: SocketAddr,
    action: &'static str,
    visit: &Visit,
    detail: serde_json::Value,
) -> NewAuditEvent {
    NewAuditEvent {
        actor_kind: "contact",
        actor_id: Some(contact.active.contact.0),
        actor_label: who.email.clone(),
        action,
        subject_kind: "job",
        subject_id: Some(visit.id),
        ip: peer.ip().to_string(),
        detail: detail.to_string(),
        at: doorstep_store::now(),
    }
}

/// Queues the office's notice (to the company's request address, else its main one)
/// in `tx`; nothing when the company has no address.
pub(crate) async fn notify_office(
    tx: &mut Tx,
    contact: &SignedInContact,
    kind: EmailKind,
    values: &[(&str, &str)],
) -> Result<(), WebError> {
    let company = &contact.portal.company;
    // Through the open transaction: a writer never waits for a second connection.
    let to = tx.office_notice_address(company.id).await?;
    if to.trim().is_empty() {
        return Ok(());
    }
    let mut all: Vec<(&str, &str)> = vec![
        ("company_name", company.name.as_str()),
        ("customer_name", contact.active.customer_name.as_str()),
    ];
    all.extend_from_slice(values);
    doorstep_mail::enqueue(tx, company.id, kind, &to, &company.name, &all).await?;
    Ok(())
}

/// What a committed visit change records: its audit action and detail, the office's email
/// with the values beyond the job and the contact, and the outcome the job page shows.
pub(crate) struct Finished<'a> {
    /// Audit action.
    pub action: &'static str,
    /// Audit detail.
    pub detail: serde_json::Value,
    /// The office's email.
    pub email: EmailKind,
    /// Its values besides the job's number and summary and the contact's name and email.
    pub values: &'a [(&'a str, &'a str)],
    /// `?changed=` on the job page.
    pub outcome: &'a str,
}

/// Audits the change made in `tx`, queues the office's email, commits and sends the customer
/// back to the job page.
pub(crate) async fn finish(
    state: &AppState,
    mut tx: Tx,
    contact: &SignedInContact,
    who: &Who,
    peer: SocketAddr,
    visit: &Visit,
    change: Finished<'_>,
) -> Result<Response, WebError> {
    let company = contact.portal.company.id;
    tx.audit(
        company,
        &audit_event(contact, who, peer, change.action, visit, change.detail),
    )
    .await?;
    let mut values: Vec<(&str, &str)> = vec![
        ("job_number", &visit.number),
        ("job_summary", &visit.summary),
        ("contact_name", &who.name),
        ("contact_email", &who.email),
    ];
    values.extend_from_slice(change.values);
    notify_office(&mut tx, contact, change.email, &values).await?;
    tx.commit().await?;
    state.mail_wake.wake();
    Ok(done(visit, change.outcome))
}
