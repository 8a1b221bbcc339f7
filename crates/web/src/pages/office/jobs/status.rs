//! `POST /office/jobs/{number}/status`: a status button. Cancelling asks first: without
//! `confirm=yes` it answers a confirmation page. A move the rules refuse (completed → on
//! the way) shows the job again with the reason (422); a move overtaken by another is 409.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::jobs;
use doorstep_core::status::JobStatus;
use serde::Deserialize;

use super::{html, job_path, load, show};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

/// The button's fields.
#[derive(Deserialize, Default)]
pub struct MoveFields {
    #[serde(default)]
    status: String,
    #[serde(default)]
    confirm: String,
}

#[derive(Template)]
#[template(path = "office/jobs/cancel.html")]
struct ConfirmPage {
    chrome: OfficeChrome,
    number: String,
    summary: String,
    href: String,
}

/// `POST /office/jobs/{number}/status`.
pub async fn move_status(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(f): Form<MoveFields>,
) -> Result<Response, WebError> {
    let j = load(&state, &staff, &number).await?;
    if f.status == JobStatus::Cancelled.as_str() && f.confirm != "yes" {
        let page = ConfirmPage {
            chrome: OfficeChrome::of(&staff, &csrf),
            href: job_path(&j.number),
            number: j.number,
            summary: j.summary,
        };
        return html(page, StatusCode::OK);
    }
    match jobs::move_status(&state.app, &staff.actor, &number, &f.status).await {
        Ok(done) => {
            Ok(Redirect::to(&format!("{}?done=moved", job_path(&done.number))).into_response())
        }
        Err(AppError::Invalid(e)) => {
            let code = StatusCode::UNPROCESSABLE_ENTITY;
            show::render_with(
                &state,
                &staff,
                &csrf,
                j,
                (None, None),
                show::Extras {
                    status_error: Some(e.message),
                    ..show::Extras::default()
                },
                code,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
