//! The customer's answers to an estimate: approve (typed full name as signature, with the
//! exact amounts shown), decline (optional reason), request changes (a message; the
//! estimate stays pending). Each re-checks authz, the account and the status, writes the
//! change, the audit event and the office's email in one transaction, or changes nothing.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_core::authz::PortalAction;
use doorstep_mail::EmailKind;
use doorstep_store::Tx;
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::estimates::{Answerer, ApproveEstimate, EstimateDetail};

use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::kit::dates::today;
use crate::kit::urls::path_segment;
use crate::pages::portal::billing::require;
use crate::pages::portal::estimates::{Answers, chosen_lines, render};
use crate::views::money;
use crate::{AppState, WebError};

/// Longest typed signature, reason or message accepted.
const NAME_MAX: usize = 120;
const TEXT_MAX: usize = 2000;

/// Who is answering, as the office's email and the audit log name them.
pub(crate) struct Who {
    /// The contact's full name.
    pub(crate) name: String,
    /// The login's email.
    pub(crate) email: String,
}

/// The signed-in contact's name and email, for the office's emails and the audit log.
pub(crate) async fn who(state: &AppState, contact: &SignedInContact) -> Result<Who, WebError> {
    let company = contact.portal.company.id;
    let access = state
        .store
        .contact_access(company, contact.active.contact)
        .await?;
    let name = access
        .map(|a| {
            format!("{} {}", a.first_name, a.last_name)
                .trim()
                .to_owned()
        })
        .unwrap_or_default();
    let email = state
        .store
        .login_email(company, contact.portal.login)
        .await?
        .unwrap_or_default();
    Ok(Who { name, email })
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

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

const NOT_OPEN: &str = "This estimate is no longer awaiting an answer (already answered, or expired). Nothing was changed.";

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

/// The answer came after the estimate stopped awaiting one (answered in another tab, or
/// expired): the page again, with nothing changed.
async fn not_open(
    state: &AppState,
    contact: &SignedInContact,
    csrf: &str,
    e: EstimateDetail,
    chosen: Vec<i64>,
) -> Result<Response, WebError> {
    let answers = Answers {
        refusal: Some(NOT_OPEN.into()),
        ..Answers::default()
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

fn answerer(contact: &SignedInContact, peer: SocketAddr) -> Answerer {
    Answerer {
        contact: contact.active.contact,
        ip: peer.ip().to_string(),
        at: doorstep_store::now(),
        today: today(),
    }
}

fn audit_event(
    contact: &SignedInContact,
    who: &Who,
    action: &'static str,
    e: &EstimateDetail,
    by: &Answerer,
    detail: serde_json::Value,
) -> NewAuditEvent {
    NewAuditEvent {
        actor_kind: "contact",
        actor_id: Some(contact.active.contact.0),
        actor_label: who.email.clone(),
        action,
        subject_kind: "estimate",
        subject_id: Some(e.id.0),
        ip: by.ip.clone(),
        detail: detail.to_string(),
        at: by.at,
    }
}

/// Queues the office's copy when the company has an address to send it to.
async fn notify_office(
    tx: &mut Tx,
    contact: &SignedInContact,
    kind: EmailKind,
    values: &[(&str, &str)],
) -> Result<(), WebError> {
    let company = &contact.portal.company;
    if company.email.trim().is_empty() {
        return Ok(());
    }
    let mut all: Vec<(&str, &str)> = vec![
        ("company_name", company.name.as_str()),
        ("customer_name", contact.active.customer_name.as_str()),
    ];
    all.extend_from_slice(values);
    doorstep_mail::enqueue(tx, company.id, kind, &company.email, &company.name, &all).await?;
    Ok(())
}

fn back(e: &EstimateDetail, done: &str) -> Response {
    Redirect::to(&format!(
        "/estimates/{}?done={done}",
        path_segment(&e.number)
    ))
    .into_response()
}

/// `POST /estimates/{number}/approve`.
pub async fn approve(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(number): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let e = load(&state, &contact, &number).await?;
    let mut with_choice = pairs.clone();
    with_choice.push(("choose".into(), "1".into()));
    let chosen = chosen_lines(&e, &with_choice);
    let today = today();
    if !e.status.is_answerable(e.expires_on, today) {
        let answers = Answers {
            refusal: Some(NOT_OPEN.into()),
            ..Answers::default()
        };
        return again(
            &state,
            &contact,
            &csrf,
            e,
            chosen,
            answers,
            StatusCode::CONFLICT,
        )
        .await;
    }
    let signed_name = field(&pairs, "signed_name").trim().to_owned();
    let name_error = if signed_name.is_empty() {
        Some("Type your full name to sign.")
    } else if signed_name.chars().count() > NAME_MAX || signed_name.chars().any(char::is_control) {
        Some("That name is too long or holds characters a name cannot have.")
    } else {
        None
    };
    if let Some(message) = name_error {
        let answers = Answers {
            signed_name: (signed_name, Some(message.into())),
            ..Answers::default()
        };
        return again(
            &state,
            &contact,
            &csrf,
            e,
            chosen,
            answers,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let totals = e.totals_with(&chosen);
    // The signer approves the amount on the screen: a total that no longer matches (the
    // office edited the estimate, or the form was tampered with) is refused.
    if field(&pairs, "shown_total").parse::<i64>().ok() != Some(totals.total_minor) {
        let answers = Answers {
            refusal: Some("The total changed since the page was shown. Check the amounts and sign again. Nothing was changed.".into()),
            signed_name: (signed_name, None),
            ..Answers::default()
        };
        return again(
            &state,
            &contact,
            &csrf,
            e,
            chosen,
            answers,
            StatusCode::CONFLICT,
        )
        .await;
    }
    let company = &contact.portal.company;
    let options: Vec<serde_json::Value> = e
        .lines
        .iter()
        .filter(|l| chosen.contains(&l.id))
        .map(|l| serde_json::json!({"id": l.id, "description": l.description, "amount_minor": l.amount_minor()}))
        .collect();
    let tax: i64 = totals.taxes.iter().map(|(_, _, t)| t).sum();
    let approval = ApproveEstimate {
        signed_name: signed_name.clone(),
        chosen: chosen.clone(),
        optional: e.optional_ids(),
        totals: totals.clone(),
        options_json: serde_json::Value::Array(options.clone()).to_string(),
    };
    let by = answerer(&contact, peer);
    let who = who(&state, &contact).await?;
    let mut tx = state.store.begin().await?;
    if !tx
        .approve_estimate(company.id, &contact.scope, e.id, &approval, &by)
        .await?
    {
        drop(tx);
        return not_open(&state, &contact, &csrf, e, chosen).await;
    }
    let detail = serde_json::json!({
        "number": e.number, "signed_name": signed_name, "subtotal_minor": totals.subtotal_minor,
        "tax_minor": tax, "total_minor": totals.total_minor, "options": options,
    });
    tx.audit(
        company.id,
        &audit_event(&contact, &who, "estimate.approved", &e, &by, detail),
    )
    .await?;
    let option_names: Vec<&str> = e
        .lines
        .iter()
        .filter(|l| chosen.contains(&l.id))
        .map(|l| l.description.as_str())
        .collect();
    let options_text = if option_names.is_empty() {
        "none".to_owned()
    } else {
        option_names.join(", ")
    };
    let at = by.at.to_string();
    let (subtotal, tax, total) = (
        money(company, totals.subtotal_minor),
        money(company, tax),
        money(company, totals.total_minor),
    );
    notify_office(
        &mut tx,
        &contact,
        EmailKind::EstimateApproved,
        &[
            ("estimate_number", &e.number),
            ("estimate_title", &e.title),
            ("signed_name", &signed_name),
            ("contact_email", &who.email),
            ("approved_at", &at),
            ("ip", &by.ip),
            ("subtotal", &subtotal),
            ("tax", &tax),
            ("total", &total),
            ("options", &options_text),
        ],
    )
    .await?;
    tx.commit().await?;
    state.mail_wake.wake();
    Ok(back(&e, "approved"))
}

/// `POST /estimates/{number}/decline`.
pub async fn decline(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(number): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let e = load(&state, &contact, &number).await?;
    let chosen = chosen_lines(&e, &[]);
    let reason = field(&pairs, "reason").trim().to_owned();
    if reason.chars().count() > TEXT_MAX {
        let answers = Answers {
            reason: (
                reason,
                Some(format!("Keep the reason under {TEXT_MAX} characters.")),
            ),
            ..Answers::default()
        };
        return again(
            &state,
            &contact,
            &csrf,
            e,
            chosen,
            answers,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let company = &contact.portal.company;
    let by = answerer(&contact, peer);
    let who = who(&state, &contact).await?;
    let mut tx = state.store.begin().await?;
    if !tx
        .decline_estimate(company.id, &contact.scope, e.id, &reason, &by)
        .await?
    {
        drop(tx);
        return not_open(&state, &contact, &csrf, e, chosen).await;
    }
    let detail = serde_json::json!({"number": e.number, "reason": reason});
    tx.audit(
        company.id,
        &audit_event(&contact, &who, "estimate.declined", &e, &by, detail),
    )
    .await?;
    let shown_reason = if reason.is_empty() {
        "(none given)"
    } else {
        reason.as_str()
    };
    notify_office(
        &mut tx,
        &contact,
        EmailKind::EstimateDeclined,
        &[
            ("estimate_number", &e.number),
            ("estimate_title", &e.title),
            ("contact_name", &who.name),
            ("contact_email", &who.email),
            ("reason", shown_reason),
        ],
    )
    .await?;
    tx.commit().await?;
    state.mail_wake.wake();
    Ok(back(&e, "declined"))
}

/// `POST /estimates/{number}/changes`.
pub async fn request_changes(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(number): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let e = load(&state, &contact, &number).await?;
    let chosen = chosen_lines(&e, &[]);
    let message = field(&pairs, "message").trim().to_owned();
    let error = if message.is_empty() {
        Some("Write what you would like changed.".to_owned())
    } else if message.chars().count() > TEXT_MAX {
        Some(format!("Keep the message under {TEXT_MAX} characters."))
    } else {
        None
    };
    if error.is_some() {
        let answers = Answers {
            changes: (message, error),
            ..Answers::default()
        };
        return again(
            &state,
            &contact,
            &csrf,
            e,
            chosen,
            answers,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let company = &contact.portal.company;
    let by = answerer(&contact, peer);
    let who = who(&state, &contact).await?;
    let mut tx = state.store.begin().await?;
    if !tx
        .request_estimate_changes(company.id, &contact.scope, e.id, &message, &by)
        .await?
    {
        drop(tx);
        return not_open(&state, &contact, &csrf, e, chosen).await;
    }
    let detail = serde_json::json!({"number": e.number});
    tx.audit(
        company.id,
        &audit_event(
            &contact,
            &who,
            "estimate.changes_requested",
            &e,
            &by,
            detail,
        ),
    )
    .await?;
    notify_office(
        &mut tx,
        &contact,
        EmailKind::EstimateChangesRequested,
        &[
            ("estimate_number", &e.number),
            ("estimate_title", &e.title),
            ("contact_name", &who.name),
            ("contact_email", &who.email),
            ("message", &message),
        ],
    )
    .await?;
    tx.commit().await?;
    state.mail_wake.wake();
    Ok(back(&e, "changes"))
}
