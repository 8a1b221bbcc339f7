//! `GET/POST /jobs/{number}/cancel`: "Are you sure?" with a required reason and an
//! explicit confirmation; cancelling gives back the window place the visit held.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::Response;
use doorstep_core::ids::JobId;
use doorstep_mail::EmailKind;
use doorstep_store::visits::Visit;
use serde::Deserialize;
use serde_json::json;

use super::{
    Finished, REASON_MAX, STALE, change_of, finish, job_href, load, refused, refused_by_rule,
    render, visit_time,
};
use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::pages::portal::estimate_answers::who;
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
        current: visit_time(visit),
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

/// Checks the reason: required, not too long, no control characters but line breaks.
fn check_reason(reason: &str) -> Result<(), String> {
    if reason.is_empty() {
        return Err("Tell the office why you are cancelling.".into());
    }
    if reason.chars().count() > REASON_MAX {
        return Err(format!("Keep the reason under {REASON_MAX} characters."));
    }
    if reason
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err("The reason holds characters that cannot be sent.".into());
    }
    Ok(())
}

/// `POST /jobs/{number}/cancel`.
pub async fn submit(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(number): Path<String>,
    Form(form): Form<CancelForm>,
) -> Result<Response, WebError> {
    let visit = load(&state, &contact, &number).await?;
    let now = doorstep_store::now();
    let change = change_of(&contact, &visit, now);
    if !change.is_allowed() {
        return refused_by_rule(&contact, &csrf, &visit, change);
    }
    let reason = form.reason.trim().to_owned();
    let reason_error = check_reason(&reason).err();
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
    let company = contact.portal.company.id;
    let who = who(&state, &contact).await?;
    let old_time = visit_time(&visit);
    let mut tx = state.store.begin().await?;
    if !tx
        .cancel_visit(company, &contact.scope, JobId(visit.id), &reason, now)
        .await?
    {
        drop(tx);
        return refused(&contact, &csrf, &visit, STALE.into(), StatusCode::CONFLICT);
    }
    let detail = json!({"number": visit.number, "visit": old_time, "reason": reason});
    let values = [("old_time", old_time.as_str()), ("reason", reason.as_str())];
    let change = Finished {
        action: "visit.cancelled",
        detail,
        email: EmailKind::VisitCancelled,
        values: &values,
        outcome: "cancelled",
    };
    finish(&state, tx, &contact, &who, peer, &visit, change).await
}

#[cfg(test)]
mod tests {
    use super::check_reason;

    #[test]
    fn a_reason_is_required_short_enough_and_printable() {
        assert!(check_reason("").is_err());
        assert!(check_reason(&"x".repeat(2001)).is_err());
        assert!(check_reason("bad\u{0}byte").is_err());
        assert!(check_reason("Moving house\non Friday").is_ok());
    }
}
