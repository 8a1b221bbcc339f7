//! A job's checklists in the office: `POST /office/jobs/{number}/forms` adds one (title,
//! items typed one per line); `POST /office/jobs/{number}/forms/{id}` saves its ticks and
//! note, or marks it completed (`complete=yes`), after which it no longer changes.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::jobs::{self, ChecklistAnswers, NewChecklist};
use doorstep_store::office_jobs::OfficeJob;

use super::show::{self, Extras};
use super::{job_path, load};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::display::when;
use crate::extract::{Form, Path, field};
use crate::{AppState, WebError};

/// A checklist as the job's page shows it.
pub(crate) struct FormView {
    pub(crate) id: i64,
    pub(crate) action: String,
    pub(crate) title: String,
    /// Each item: its index, label, and whether it is ticked.
    pub(crate) items: Vec<(usize, String, bool)>,
    pub(crate) note: String,
    /// When it was completed and by whom, once it is.
    pub(crate) completed: Option<String>,
    pub(crate) ticked: usize,
}

/// The job's checklists, oldest first.
pub(super) async fn views(
    state: &AppState,
    staff: &SignedInStaff,
    job: &OfficeJob,
) -> Result<Vec<FormView>, WebError> {
    let zone = &staff.company.time_zone;
    Ok(state
        .store
        .office_job_forms(staff.company.id, job.job_id())
        .await?
        .into_iter()
        .map(|f| FormView {
            id: f.id,
            action: format!("{}/forms/{}", job_path(&job.number), f.id),
            ticked: f.items.iter().filter(|(_, t)| *t).count(),
            items: f
                .items
                .into_iter()
                .enumerate()
                .map(|(i, (label, t))| (i, label, t))
                .collect(),
            note: f.note,
            completed: f.completed_at.map(|at| match &f.completed_by {
                Some(by) => format!("{} by {by}", when(zone, at)),
                None => when(zone, at),
            }),
            title: f.title,
        })
        .collect())
}

/// `POST /office/jobs/{number}/forms` (form: title, items).
pub async fn add(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let j = load(&state, &staff, &number).await?;
    let title = field(&pairs, "title");
    let items = field(&pairs, "items");
    let errors = match NewChecklist::parse(title, items) {
        Ok(c) => match jobs::add_checklist(&state.app, &staff.actor, &number, c).await {
            Ok(_) => {
                let to = format!("{}?done=checklist#checklists-heading", job_path(&j.number));
                return Ok(Redirect::to(&to).into_response());
            }
            Err(AppError::Invalid(e)) => doorstep_app::error::FieldErrors(vec![e]),
            Err(e) => return Err(e.into()),
        },
        Err(errors) => errors,
    };
    let extras = Extras {
        form_title: (title.to_owned(), errors.get("title")),
        form_items: (items.to_owned(), errors.get("items")),
        ..Extras::default()
    };
    let code = StatusCode::UNPROCESSABLE_ENTITY;
    show::render_with(&state, &staff, &csrf, j, (None, None), extras, code).await
}

/// `POST /office/jobs/{number}/forms/{id}` (form: every ticked `item`, note, and
/// `complete=yes` to mark it completed).
pub async fn save(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path((number, id)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let j = load(&state, &staff, &number).await?;
    let id = id.parse::<i64>().map_err(|_| WebError::NotFound)?;
    let ticked: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "item")
        .map(|(_, v)| v.as_str())
        .collect();
    let complete = field(&pairs, "complete") == "yes";
    let outcome = match ChecklistAnswers::parse(&ticked, field(&pairs, "note"), complete) {
        Ok(a) => jobs::save_checklist(&state.app, &staff.actor, &number, id, a).await,
        Err(errors) => Err(AppError::Invalid(
            errors.0.into_iter().next().unwrap_or_else(|| {
                doorstep_core::validation::Invalid::new("note", "Check the note.")
            }),
        )),
    };
    let (message, code) = match outcome {
        Ok(saved) => {
            let done = if saved.completed {
                "checklist-completed"
            } else {
                "checklist-saved"
            };
            let to = format!("{}?done={done}#checklists-heading", job_path(&saved.number));
            return Ok(Redirect::to(&to).into_response());
        }
        Err(AppError::Invalid(e)) => (e.message, StatusCode::UNPROCESSABLE_ENTITY),
        Err(AppError::Conflict { message, .. }) => (message, StatusCode::CONFLICT),
        Err(e) => return Err(e.into()),
    };
    let extras = Extras {
        form_error: Some((id, message)),
        ..Extras::default()
    };
    show::render_with(&state, &staff, &csrf, j, (None, None), extras, code).await
}
