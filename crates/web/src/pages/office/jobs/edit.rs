//! `GET|POST /office/jobs/{number}/edit`: summary, description, site, job type and the
//! two kinds of notes (internal work-order notes, and notes the customer sees).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::error::FieldErrors;
use doorstep_app::jobs::{self, JobEdit, JobEditForm};
use doorstep_store::office_jobs::OfficeJob;
use serde::Deserialize;

use super::{Choice, html, job_path, job_type_choices, load, site_choices};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

/// The form's fields, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct EditFields {
    #[serde(default)]
    summary: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    site: String,
    #[serde(default)]
    job_type: String,
    #[serde(default)]
    work_order_notes: String,
    #[serde(default)]
    customer_notes: String,
}

impl EditFields {
    fn of(j: &OfficeJob) -> EditFields {
        EditFields {
            summary: j.summary.clone(),
            description: j.description.clone(),
            site: j.site_id.map(|s| s.to_string()).unwrap_or_default(),
            job_type: j.job_type_id.map(|t| t.to_string()).unwrap_or_default(),
            work_order_notes: j.work_order_notes.clone(),
            customer_notes: j.customer_notes.clone(),
        }
    }

    fn form(&self) -> JobEditForm<'_> {
        JobEditForm {
            summary: &self.summary,
            description: &self.description,
            site: &self.site,
            job_type: &self.job_type,
            work_order_notes: &self.work_order_notes,
            customer_notes: &self.customer_notes,
        }
    }
}

#[derive(Template)]
#[template(path = "office/jobs/edit.html")]
struct EditPage {
    chrome: OfficeChrome,
    number: String,
    href: String,
    f: EditFields,
    sites: Vec<Choice>,
    job_types: Vec<Choice>,
    errors: FieldErrors,
}

impl EditPage {
    fn error(&self, field: &str) -> Option<String> {
        self.errors.get(field)
    }
}

async fn page(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    j: &OfficeJob,
    f: EditFields,
    errors: FieldErrors,
    code: StatusCode,
) -> Result<Response, WebError> {
    let p = EditPage {
        chrome: OfficeChrome::of(staff, csrf),
        number: j.number.clone(),
        href: job_path(&j.number),
        sites: site_choices(state, staff, j.customer(), &f.site).await?,
        job_types: job_type_choices(state, staff, &f.job_type).await?,
        f,
        errors,
    };
    html(p, code)
}

/// `GET /office/jobs/{number}/edit`.
pub async fn form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    let j = load(&state, &staff, &number).await?;
    let f = EditFields::of(&j);
    page(
        &state,
        &staff,
        &csrf,
        &j,
        f,
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /office/jobs/{number}/edit`: saves and returns to the job; the form again with
/// each wrong field marked (422).
pub async fn save(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(f): Form<EditFields>,
) -> Result<Response, WebError> {
    let j = load(&state, &staff, &number).await?;
    let edit = match JobEdit::parse(&f.form()) {
        Ok(e) => e,
        Err(errors) => {
            let code = StatusCode::UNPROCESSABLE_ENTITY;
            return page(&state, &staff, &csrf, &j, f, errors, code).await;
        }
    };
    match jobs::edit(&state.app, &staff.actor, &number, edit).await {
        Ok(done) => {
            Ok(Redirect::to(&format!("{}?done=saved", job_path(&done.number))).into_response())
        }
        Err(AppError::Invalid(e)) => {
            let code = StatusCode::UNPROCESSABLE_ENTITY;
            page(&state, &staff, &csrf, &j, f, FieldErrors(vec![e]), code).await
        }
        Err(e) => Err(e.into()),
    }
}
