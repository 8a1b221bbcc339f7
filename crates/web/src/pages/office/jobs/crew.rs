//! `POST /office/jobs/{number}/crew` puts the ticked technicians on the job;
//! `POST /office/jobs/{number}/technicians` adds a named technician to the crew.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::jobs::{self, NewTechnician};
use serde::Deserialize;

use super::{job_path, load, show};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::{AppState, WebError};

/// `POST /office/jobs/{number}/crew`: every `technician` value ticked.
pub async fn save(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let j = load(&state, &staff, &number).await?;
    let mut ids = Vec::new();
    for (k, v) in &pairs {
        if k == "technician" {
            match v.trim().parse::<i64>() {
                Ok(id) => ids.push(id),
                Err(_) => ids.push(0),
            }
        }
    }
    match jobs::set_crew(&state.app, &staff.actor, &number, &ids).await {
        Ok(done) => {
            Ok(Redirect::to(&format!("{}?done=crew", job_path(&done.number))).into_response())
        }
        Err(AppError::Invalid(e)) => {
            let code = StatusCode::UNPROCESSABLE_ENTITY;
            show::render(&state, &staff, &csrf, j, (None, Some(e.message)), code).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The new technician's fields.
#[derive(Deserialize, Default)]
pub struct TechnicianFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
}

/// `POST /office/jobs/{number}/technicians`.
pub async fn add(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(f): Form<TechnicianFields>,
) -> Result<Response, WebError> {
    let j = load(&state, &staff, &number).await?;
    let outcome = match NewTechnician::parse(&f.name, &f.phone) {
        Ok(t) => jobs::add_technician(&state.app, &staff.actor, t).await,
        Err(e) => Err(AppError::Invalid(e)),
    };
    match outcome {
        Ok(_) => {
            Ok(Redirect::to(&format!("{}?done=technician", job_path(&j.number))).into_response())
        }
        Err(AppError::Invalid(e)) => {
            let code = StatusCode::UNPROCESSABLE_ENTITY;
            show::render(&state, &staff, &csrf, j, (None, Some(e.message)), code).await
        }
        Err(e) => Err(e.into()),
    }
}
