//! `POST /office/requests/{number}/propose`: the office proposes another date and time
//! of day for an open request; the customer is emailed a link to accept or decline it
//! (`doorstep_app::requests::propose`). Declined and completed requests are refused with
//! a message, nothing changed.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::requests::{self, Proposal};
use doorstep_core::authz::{OfficeWork, area_of, staff_may};
use serde::Deserialize;

use super::detail::{DeclineForm, ProposeForm, page};
use super::{FieldErrors, html, load, request_path};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::kit::dates::today;
use crate::{AppState, WebError};

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

/// The form as typed, with each refused field's message.
fn again(f: &ProposeFields, errors: &FieldErrors) -> ProposeForm {
    ProposeForm {
        date: f.date.clone(),
        schedule_type: f.schedule_type.clone(),
        note: f.note.clone(),
        date_error: errors.get("date"),
        schedule_error: errors.get("schedule_type"),
        note_error: errors.get("note"),
    }
}

/// `POST /office/requests/{number}/propose`.
pub async fn propose(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(fields): Form<ProposeFields>,
) -> Result<Response, WebError> {
    if !staff_may(staff.staff.role, area_of(OfficeWork::ProposeTime)) {
        return Err(WebError::NotFound);
    }
    let r = load(&state, &staff, &number).await?;
    let closed = |r| async {
        let p = page(
            &state,
            &staff,
            &csrf,
            r,
            Some(CLOSED),
            DeclineForm::default(),
        )
        .await?;
        html(p, StatusCode::CONFLICT)
    };
    if !r.status().may_convert() {
        return closed(r).await;
    }
    let proposal = Proposal::parse(
        &fields.date,
        &fields.schedule_type,
        &fields.note,
        today(&staff.company.time_zone),
    );
    let errors = match proposal {
        Err(errors) => errors,
        Ok(proposal) => {
            match requests::propose(&state.app, &staff.actor, &number, proposal).await {
                Ok(done) => return Ok(Redirect::to(&request_path(&done.number)).into_response()),
                Err(AppError::Invalid(e)) => FieldErrors(vec![e]),
                Err(AppError::Conflict { .. }) => return closed(r).await,
                Err(e) => return Err(e.into()),
            }
        }
    };
    let mut p = page(&state, &staff, &csrf, r, None, DeclineForm::default()).await?;
    p.propose = again(&fields, &errors);
    html(p, StatusCode::UNPROCESSABLE_ENTITY)
}
