//! `GET/POST /requests/{number}/proposal`: a time the office proposed for a request,
//! accepted or declined (with an optional reason) by the customer. Answering is final:
//! a second or stale answer changes nothing. The office is emailed and the answer audited.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::booking::proposals::{self, Answer};
use doorstep_store::visits::RequestProposal;
use serde::Deserialize;

use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::kit::schedule::{proposed_time, time_text};
use crate::kit::urls::path_segment;
use crate::kit::urls::proposal_href;
use crate::pages::portal::visits::render;
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
    /// The office's note with its proposal (escaped by askama; empty for none).
    note: String,
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
    Ok(proposals::load(&state.app, &contact.actor, number).await?)
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
        note: r.proposal_note.trim().to_owned(),
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
    Path(number): Path<String>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, WebError> {
    let r = load(&state, &contact, &number).await?;
    let reason = form.reason.trim().to_owned();
    let again = |r: &RequestProposal, alert, reason, error, status| {
        show_page(&contact, &csrf, r, alert, reason, error, status)
    };
    if !r.awaits_answer() {
        return again(&r, Some(ANSWERED), reason, None, StatusCode::CONFLICT);
    }
    let answer = match Answer::parse(&form.answer, &reason) {
        Ok(answer) => answer,
        Err(e) if e.field == "answer" => {
            let alert = Some("Choose Accept or Decline.");
            return again(&r, alert, reason, None, StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(e) => {
            let error = Some(e.message);
            return again(&r, None, reason, error, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    match proposals::answer(&state.app, &contact.actor, &number, answer).await {
        Ok(r) => Ok(Redirect::to(&proposal_href(&r.number)).into_response()),
        Err(AppError::Conflict { .. }) => {
            again(&r, Some(ANSWERED), reason, None, StatusCode::CONFLICT)
        }
        Err(e) => Err(e.into()),
    }
}
