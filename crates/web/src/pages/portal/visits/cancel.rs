//! `GET/POST /jobs/{number}/cancel`: "Are you sure?" with a required reason and an
//! explicit confirmation; cancelling gives back the window place the visit held.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use doorstep_app::AppError;
use doorstep_app::booking::visits;
use doorstep_core::visits::check_cancel_reason;
use doorstep_store::visits::Visit;
use serde::Deserialize;

use super::{
    REASON_MAX, change_of, done, job_href, load, refused_by_app, refused_by_rule, render,
    visit_time,
};
use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::views::PortalChrome;
use crate::{AppState, WebError};

/// The form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CancelForm {
    reason: String,
    confirm: String,
}

#[derive(Template)]
#[template(path = "portal/visits/cancel.html")]
struct CancelPage {
    chrome: PortalChrome,
    number: String,
    summary: String,
    site: String,
    href: String,
    action: String,
    current: String,
    reason: String,
    reason_max: usize,
    reason_error: Option<String>,
    confirm_error: Option<&'static str>,
}

fn show_page(
    contact: &SignedInContact,
    csrf: &str,
    visit: &Visit,
    reason: String,
    reason_error: Option<String>,
    confirm_error: Option<&'static str>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let page = CancelPage {
        chrome: PortalChrome::of(contact, csrf).at("/jobs"),
        number: visit.number.clone(),
        summary: visit.summary.clone(),
        site: visit.site_name.clone().unwrap_or_default(),
        href: job_href(visit),
        action: format!("{}/cancel", job_href(visit)),
        current: visit_time(&contact.portal.company, visit),
        reason,
        reason_max: REASON_MAX,
        reason_error,
        confirm_error,
    };
    render(&page, status)
}

/// `GET /jobs/{number}/cancel`.
pub async fn form(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    let visit = load(&state, &contact, &number).await?;
    let change = change_of(&contact, &visit, doorstep_store::now());
    if !change.is_allowed() {
        return refused_by_rule(&contact, &csrf, &visit, change);
    }
    show_page(
        &contact,
        &csrf,
        &visit,
        String::new(),
        None,
        None,
        StatusCode::OK,
    )
}

/// `POST /jobs/{number}/cancel`.
pub async fn submit(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(form): Form<CancelForm>,
) -> Result<Response, WebError> {
    let visit = load(&state, &contact, &number).await?;
    let change = change_of(&contact, &visit, doorstep_store::now());
    if !change.is_allowed() {
        return refused_by_rule(&contact, &csrf, &visit, change);
    }
    let reason = form.reason.trim().to_owned();
    let reason_error = check_cancel_reason(&reason).err().map(|e| e.message);
    let confirm_error = (form.confirm != "yes")
        .then_some("Tick the box to confirm that you want to cancel this visit.");
    if reason_error.is_some() || confirm_error.is_some() {
        return show_page(
            &contact,
            &csrf,
            &visit,
            reason,
            reason_error,
            confirm_error,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    match visits::cancel(&state.app, &contact.actor, &number, &reason).await {
        Ok(()) => Ok(done(&visit, "cancelled")),
        Err(AppError::Invalid(e)) => show_page(
            &contact,
            &csrf,
            &visit,
            reason,
            Some(e.message),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => refused_by_app(&contact, &csrf, &visit, e),
    }
}
