//! The customer's answers to an estimate: approve (typed full name as signature, with the
//! exact amounts shown), decline (optional reason), request changes (a message; the
//! estimate stays pending). Each is one use case of `doorstep_app::estimates`; these
//! handlers parse the form, call it and show the page again with what it refused.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::estimates::{self, Approval, ChangeRequest, Decline};
use doorstep_core::authz::PortalAction;
use doorstep_store::estimates::EstimateDetail;

use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path, field};
use crate::kit::dates::today;
use crate::kit::urls::path_segment;
use crate::pages::portal::billing::require;
use crate::pages::portal::estimates::{Answers, chosen_lines, render};
use crate::views::{PortalChrome, money};
use crate::{AppState, WebError};

/// Loads the estimate for an answer: authz first (404), then the account's own estimate (404).
async fn load(
    state: &AppState,
    contact: &SignedInContact,
    number: &str,
) -> Result<EstimateDetail, WebError> {
    require(contact, PortalAction::AnswerEstimates)?;
    state
        .store
        .estimate_document(contact.portal.company.id, &contact.scope, number)
        .await?
        .ok_or(WebError::NotFound)
}

/// Shows the page again with `answers` and `status`, keeping the visitor's ticks.
async fn again(
    state: &AppState,
    contact: &SignedInContact,
    csrf: &str,
    e: EstimateDetail,
    chosen: Vec<i64>,
    answers: Answers,
    status: StatusCode,
) -> Result<Response, WebError> {
    render(state, contact, csrf, e, chosen, answers, None, status).await
}

/// A refused answer: a conflict (already answered, expired, the total changed) shows the
/// page again with its message at the top and `keep` of what was typed, as a 409 with
/// nothing changed; anything else is an error page.
async fn refused(
    state: &AppState,
    contact: &SignedInContact,
    csrf: &str,
    (e, chosen): (EstimateDetail, Vec<i64>),
    err: AppError,
    keep: Answers,
) -> Result<Response, WebError> {
    let AppError::Conflict { message, .. } = err else {
        return Err(err.into());
    };
    let answers = Answers {
        refusal: Some(message),
        ..keep
    };
    again(
        state,
        contact,
        csrf,
        e,
        chosen,
        answers,
        StatusCode::CONFLICT,
    )
    .await
}

fn back(number: &str, done: &str) -> Response {
    Redirect::to(&format!("/estimates/{}?done={done}", path_segment(number))).into_response()
}

/// `POST /estimates/{number}/approve`.
pub async fn approve(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let e = load(&state, &contact, &number).await?;
    let mut with_choice = pairs.clone();
    with_choice.push(("choose".into(), "1".into()));
    let chosen = chosen_lines(&e, &with_choice);
    // Checked before the fields: their errors would sit next to forms the page no longer
    // offers once the estimate stopped awaiting an answer.
    if !e
        .status
        .is_answerable(e.expires_on, today(&contact.portal.company.time_zone))
    {
        let err = AppError::conflict("not_open", estimates::NOT_OPEN);
        return refused(
            &state,
            &contact,
            &csrf,
            (e, chosen),
            err,
            Answers::default(),
        )
        .await;
    }
    let signed_name = field(&pairs, "signed_name").trim().to_owned();
    let approval = match Approval::parse(&signed_name, chosen.clone(), field(&pairs, "shown_total"))
    {
        Ok(approval) => approval,
        Err(err) => {
            let answers = Answers {
                signed_name: (signed_name, Some(err.message)),
                ..Answers::default()
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return again(&state, &contact, &csrf, e, chosen, answers, status).await;
        }
    };
    match estimates::approve(&state.app, &contact.actor, &number, approval).await {
        Ok(done) if done.deposit_due_minor > 0 => Ok(back(&done.number, "approved_deposit")),
        Ok(done) => Ok(back(&done.number, "approved")),
        Err(err) => {
            // A changed total keeps the signature typed, to sign again after checking.
            let keep = match err.conflict_reason() {
                Some("total_changed") => Answers {
                    signed_name: (signed_name, None),
                    ..Answers::default()
                },
                _ => Answers::default(),
            };
            refused(&state, &contact, &csrf, (e, chosen), err, keep).await
        }
    }
}

#[derive(Template)]
#[template(path = "portal/estimate_decline.html")]
struct DeclinePage {
    chrome: PortalChrome,
    number: String,
    title: String,
    total: String,
    answerable: bool,
    reason: String,
    error: Option<String>,
}

/// The step that asks before an estimate is declined: its number, title and total, the
/// optional reason, and a way back that changes nothing.
async fn decline_page(
    contact: &SignedInContact,
    csrf: &str,
    e: &EstimateDetail,
    (reason, error): (String, Option<String>),
    status: StatusCode,
) -> Result<Response, WebError> {
    let company = &contact.portal.company;
    let answerable = e
        .status
        .is_answerable(e.expires_on, today(&company.time_zone));
    crate::kit::render::page_with(
        status,
        &DeclinePage {
            chrome: PortalChrome::of(contact, csrf).at("/estimates"),
            number: e.number.clone(),
            title: e.title.clone(),
            total: money(company, e.totals_with(&chosen_lines(e, &[])).total_minor),
            answerable,
            reason,
            error,
        },
    )
}

/// `GET /estimates/{number}/decline`: asks before declining.
pub async fn decline_form(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    let e = load(&state, &contact, &number).await?;
    decline_page(&contact, &csrf, &e, (String::new(), None), StatusCode::OK).await
}

/// `POST /estimates/{number}/decline`.
pub async fn decline(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let e = load(&state, &contact, &number).await?;
    let chosen = chosen_lines(&e, &[]);
    let reason = field(&pairs, "reason").trim().to_owned();
    let decline = match Decline::parse(&reason) {
        Ok(decline) => decline,
        Err(err) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return decline_page(&contact, &csrf, &e, (reason, Some(err.message)), status).await;
        }
    };
    match estimates::decline(&state.app, &contact.actor, &number, decline).await {
        Ok(done) => Ok(back(&done.number, "declined")),
        Err(err) => {
            refused(
                &state,
                &contact,
                &csrf,
                (e, chosen),
                err,
                Answers::default(),
            )
            .await
        }
    }
}

/// `POST /estimates/{number}/changes`.
pub async fn request_changes(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let e = load(&state, &contact, &number).await?;
    let chosen = chosen_lines(&e, &[]);
    let message = field(&pairs, "message").trim().to_owned();
    let request = match ChangeRequest::parse(&message) {
        Ok(request) => request,
        Err(err) => {
            let answers = Answers {
                changes: (message, Some(err.message)),
                ..Answers::default()
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return again(&state, &contact, &csrf, e, chosen, answers, status).await;
        }
    };
    match estimates::request_changes(&state.app, &contact.actor, &number, request).await {
        Ok(done) => Ok(back(&done.number, "changes")),
        Err(err) => {
            refused(
                &state,
                &contact,
                &csrf,
                (e, chosen),
                err,
                Answers::default(),
            )
            .await
        }
    }
}
