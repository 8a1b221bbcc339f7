//! `GET/POST /requests/{number}/proposal`: a time the office proposed for a request,
//! accepted or declined (with an optional reason) by the customer. Answering is final:
//! a second or stale answer changes nothing. The office is emailed and the answer audited.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_core::authz::PortalAction;
use doorstep_core::ids::ServiceRequestId;
use doorstep_mail::EmailKind;
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::visits::RequestProposal;
use serde::Deserialize;
use serde_json::json;

use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::kit::schedule::{proposed_time, time_text};
use crate::kit::urls::path_segment;
use crate::kit::urls::proposal_href;
use crate::pages::portal::billing::require;
use crate::pages::portal::estimate_answers::who;
use crate::pages::portal::visits::{REASON_MAX, notify_office, render};
use crate::views::PortalChrome;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "portal/requests/proposal.html")]
struct ProposalPage {
    chrome: PortalChrome,
    number: String,
    request_href: String,
    action: String,
    proposed: String,
    preferred: String,
    description: String,
    state: &'static str,
    awaits: bool,
    alert: Option<&'static str>,
    reason: String,
    reason_error: Option<String>,
}

/// The request's proposal if `contact` may see it; 404 otherwise.
async fn load(
    state: &AppState,
    contact: &SignedInContact,
    number: &str,
) -> Result<RequestProposal, WebError> {
    require(contact, PortalAction::AnswerProposals)?;
    state
        .store
        .request_proposal_for_contact(contact.portal.company.id, &contact.scope, number)
        .await?
        .ok_or(WebError::NotFound)
}

fn show_page(
    contact: &SignedInContact,
    csrf: &str,
    r: &RequestProposal,
    alert: Option<&'static str>,
    reason: String,
    reason_error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let state = match (r.proposal_status.as_deref(), r.is_open()) {
        (Some("proposed"), true) => "awaiting your answer",
        (Some("proposed"), false) => "no longer open: the request was answered",
        (Some("accepted"), _) => "accepted",
        (Some("declined"), _) => "declined",
        _ => "none",
    };
    let page = ProposalPage {
        chrome: PortalChrome::of(contact, csrf).at("/requests"),
        number: r.number.clone(),
        request_href: format!("/requests/{}", path_segment(&r.number)),
        action: proposal_href(&r.number),
        proposed: proposed_time(r),
        preferred: time_text(r.preferred_date, r.schedule_type.as_deref()),
        description: r.description.clone(),
        state,
        awaits: r.awaits_answer(),
        alert,
        reason,
        reason_error,
    };
    render(&page, status)
}

/// `GET /requests/{number}/proposal`.
pub async fn show(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    let r = load(&state, &contact, &number).await?;
    show_page(
        &contact,
        &csrf,
        &r,
        None,
        String::new(),
        None,
        StatusCode::OK,
    )
}

/// The answer as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    answer: String,
    reason: String,
}

const ANSWERED: &str = "This proposal is no longer awaiting an answer (already answered, or the request was answered). Nothing was changed.";

/// `POST /requests/{number}/proposal`.
pub async fn answer(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(number): Path<String>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, WebError> {
    let r = load(&state, &contact, &number).await?;
    let reason = form.reason.trim().to_owned();
    if !r.awaits_answer() {
        return show_page(
            &contact,
            &csrf,
            &r,
            Some(ANSWERED),
            reason,
            None,
            StatusCode::CONFLICT,
        );
    }
    let accept = match form.answer.as_str() {
        "accept" => true,
        "decline" => false,
        _ => {
            let alert = Some("Choose Accept or Decline.");
            return show_page(
                &contact,
                &csrf,
                &r,
                alert,
                reason,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    if !accept && reason.chars().count() > REASON_MAX {
        let error = Some(format!("Keep the reason under {REASON_MAX} characters."));
        return show_page(
            &contact,
            &csrf,
            &r,
            None,
            reason,
            error,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let company = contact.portal.company.id;
    let who = who(&state, &contact).await?;
    let now = doorstep_store::now();
    let mut tx = state.store.begin().await?;
    if !tx
        .answer_request_proposal(company, &contact.scope, ServiceRequestId(r.id), accept, now)
        .await?
    {
        drop(tx);
        return show_page(
            &contact,
            &csrf,
            &r,
            Some(ANSWERED),
            reason,
            None,
            StatusCode::CONFLICT,
        );
    }
    let (action, answer) = if accept {
        ("request.proposal_accepted", "accepted")
    } else {
        ("request.proposal_declined", "declined")
    };
    let proposed = proposed_time(&r);
    let shown_reason = if accept || reason.is_empty() {
        "(none given)"
    } else {
        reason.as_str()
    };
    tx.audit(
        company,
        &NewAuditEvent {
            actor_kind: "contact",
            actor_id: Some(contact.active.contact.0),
            actor_label: who.email.clone(),
            action,
            subject_kind: "service_request",
            subject_id: Some(r.id),
            ip: peer.ip().to_string(),
            detail: json!({"number": r.number, "proposed": proposed, "reason": reason}).to_string(),
            at: now,
        },
    )
    .await?;
    notify_office(
        &mut tx,
        &contact,
        EmailKind::ProposalAnswered,
        &[
            ("request_number", &r.number),
            ("answer", answer),
            ("proposed_time", &proposed),
            ("reason", shown_reason),
            ("contact_name", &who.name),
            ("contact_email", &who.email),
        ],
    )
    .await?;
    tx.commit().await?;
    state.mail_wake.wake();
    Ok(Redirect::to(&proposal_href(&r.number)).into_response())
}
