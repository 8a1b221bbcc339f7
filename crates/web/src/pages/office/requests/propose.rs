//! `POST /office/requests/{number}/propose`: the office proposes another date and time
//! of day for an open request; the customer is emailed a link to accept or decline it.
//! Declined and completed requests are refused with a message, nothing changed.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_core::authz::{OfficeWork, area_of, staff_may};
use doorstep_core::ids::ServiceRequestId;
use doorstep_core::request_form::{check_date, check_schedule};
use doorstep_core::status::ScheduleType;
use doorstep_mail::EmailKind;
use serde::Deserialize;
use serde_json::json;

use super::detail::{DeclineForm, ProposeForm, page};
use super::{audit_event, html, load, request_path};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::kit::dates::today;
use crate::kit::schedule::proposed_time;
use crate::kit::urls::proposal_href;
use crate::{AppState, WebError};

/// Longest note accepted.
const NOTE_MAX: usize = 2000;

/// The form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProposeFields {
    date: String,
    schedule_type: String,
    note: String,
}

const CLOSED: &str =
    "This request is declined or already converted: no time can be proposed for it.";

/// Checks the form; the form with its messages otherwise.
fn check(f: &ProposeFields) -> Result<(time::Date, ScheduleType), Box<ProposeForm>> {
    let mut form = ProposeForm {
        date: f.date.clone(),
        schedule_type: f.schedule_type.clone(),
        note: f.note.clone(),
        ..ProposeForm::default()
    };
    let date = check_date(&f.date, today(), 0)
        .map_err(|e| form.date_error = Some(e))
        .ok();
    let slot = match check_schedule(&f.schedule_type) {
        Ok(ScheduleType::Exact) | Err(_) => {
            form.schedule_error = Some("Choose morning, afternoon or all day.".into());
            None
        }
        Ok(s) => Some(s),
    };
    let note = f.note.trim();
    if note.chars().count() > NOTE_MAX {
        form.note_error = Some(format!("Keep the note under {NOTE_MAX} characters."));
    } else if note
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        form.note_error = Some("The note holds characters that cannot be sent.".into());
    }
    match (date, slot, &form.note_error) {
        (Some(d), Some(s), None) => Ok((d, s)),
        _ => Err(Box::new(form)),
    }
}

/// `POST /office/requests/{number}/propose`.
pub async fn propose(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(number): Path<String>,
    Form(fields): Form<ProposeFields>,
) -> Result<Response, WebError> {
    if !staff_may(staff.staff.role, area_of(OfficeWork::ProposeTime)) {
        return Err(WebError::NotFound);
    }
    let r = load(&state, &staff, &number).await?;
    let company = &staff.company;
    if !r.status().may_convert() {
        let p = page(
            &state,
            &staff,
            &csrf,
            r,
            Some(CLOSED),
            DeclineForm::default(),
        )
        .await?;
        return html(p, StatusCode::CONFLICT);
    }
    let (date, slot) = match check(&fields) {
        Ok(v) => v,
        Err(form) => {
            let mut p = page(&state, &staff, &csrf, r, None, DeclineForm::default()).await?;
            p.propose = *form;
            return html(p, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let note = fields.note.trim().to_owned();
    let mut proposal = state
        .store
        .request_proposal_for_office(company.id, &r.number)
        .await?
        .ok_or(WebError::NotFound)?;
    proposal.proposed_date = Some(date);
    proposal.proposed_schedule_type = Some(slot.as_str().to_owned());
    let shown = proposed_time(&proposal);
    let now = doorstep_store::now();
    let mut tx = state.store.begin().await?;
    if !tx
        .propose_request_time(company.id, ServiceRequestId(r.id), date, slot, now)
        .await?
    {
        drop(tx);
        let p = page(
            &state,
            &staff,
            &csrf,
            r,
            Some(CLOSED),
            DeclineForm::default(),
        )
        .await?;
        return html(p, StatusCode::CONFLICT);
    }
    let emailed = match proposal
        .contact_email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
    {
        Some(address) => {
            let name = proposal.contact_name.clone().unwrap_or_default();
            let link = format!(
                "{}{}",
                state.config.portal_url(&company.slug),
                proposal_href(&r.number)
            );
            let note_text = if note.is_empty() {
                String::new()
            } else {
                format!("Note from the office: {note}")
            };
            doorstep_mail::enqueue(
                &mut tx,
                company.id,
                EmailKind::TimeProposed,
                address,
                &name,
                &[
                    ("company_name", company.name.as_str()),
                    ("contact_name", name.as_str()),
                    ("request_number", r.number.as_str()),
                    ("proposed_time", shown.as_str()),
                    ("note", note_text.as_str()),
                    ("link", link.as_str()),
                ],
            )
            .await?;
            true
        }
        None => false,
    };
    tx.audit(
        company.id,
        &audit_event(
            &staff,
            peer,
            "request.time_proposed",
            &r,
            json!({"number": r.number, "proposed": shown, "note": note, "emailed": emailed}),
        ),
    )
    .await?;
    tx.commit().await?;
    state.mail_wake.wake();
    Ok(Redirect::to(&request_path(&r.number)).into_response())
}
