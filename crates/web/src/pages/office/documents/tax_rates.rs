//! `/office/tax-rates`: the company's tax rates, administrators only. The list with an
//! add form; `?edit={id}` opens a rate's edit form on the same page (rename, change the
//! rate, deactivate or reactivate). The line editor offers the active ones.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::documents::tax_rates::{self, RateInput};
use doorstep_app::error::FieldErrors;
use doorstep_core::documents::rate_input;
use doorstep_store::office_documents::TaxRate;
use serde::Deserialize;

use super::render;
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path, Query};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

/// The add or edit form's values and messages.
#[derive(Default)]
struct Draft {
    name: String,
    rate: String,
    active: bool,
    errors: FieldErrors,
}

impl Draft {
    fn error(&self, field: &str) -> Option<String> {
        self.errors.get(field)
    }
}

#[derive(Template)]
#[template(path = "office/documents/tax_rates.html")]
struct Page {
    chrome: OfficeChrome,
    rates: Vec<(TaxRate, String)>,
    add: Draft,
    editing: Option<(i64, Draft)>,
    notice: Option<&'static str>,
}

/// The page's query string.
#[derive(Deserialize, Default)]
pub struct PageQuery {
    edit: Option<i64>,
    done: Option<String>,
}

/// A rate as posted.
#[derive(Deserialize, Default)]
pub struct RateForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    rate: String,
    #[serde(default)]
    active: Option<String>,
}

impl RateForm {
    fn draft(&self, errors: FieldErrors) -> Draft {
        Draft {
            name: self.name.clone(),
            rate: self.rate.clone(),
            active: self.active.is_some(),
            errors,
        }
    }
}

fn taken(name: &str) -> FieldErrors {
    FieldErrors(vec![doorstep_core::Invalid::new(
        "name",
        format!("There is already a rate called “{name}”. Edit that one, or choose another name."),
    )])
}

async fn page(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    add: Draft,
    editing: Option<(i64, Draft)>,
    notice: Option<&'static str>,
) -> Result<Page, WebError> {
    let rates = state
        .store
        .tax_rates(staff.company.id, false)
        .await?
        .into_iter()
        .map(|r| {
            let shown = format!("{}%", rate_input(r.rate_bp));
            (r, shown)
        })
        .collect();
    Ok(Page {
        chrome: OfficeChrome::of(staff, csrf),
        rates,
        add,
        editing,
        notice,
    })
}

/// `GET /office/tax-rates`.
pub async fn list(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    staff.actor.admin()?;
    let editing = match query.edit {
        Some(id) => {
            let r = state
                .store
                .tax_rate(staff.company.id, id)
                .await?
                .ok_or(WebError::NotFound)?;
            Some((
                id,
                Draft {
                    name: r.name,
                    rate: rate_input(r.rate_bp),
                    active: r.active,
                    errors: FieldErrors::default(),
                },
            ))
        }
        None => None,
    };
    let notice = match query.done.as_deref() {
        Some("added") => Some("Added. The line editor offers it now."),
        Some("saved") => Some("Saved. Lines already priced keep the rate they had."),
        _ => None,
    };
    let p = page(&state, &staff, &csrf, Draft::default(), editing, notice).await?;
    render(&p, StatusCode::OK)
}

/// `POST /office/tax-rates`: adds a rate.
pub async fn add(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<RateForm>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    let input = match RateInput::parse(&form.name, &form.rate) {
        Ok(i) => i,
        Err(errors) => {
            let p = page(&state, &staff, &csrf, form.draft(errors), None, None).await?;
            return render(&p, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let name = input.name().to_owned();
    match tax_rates::add(&state.app, admin, input).await {
        Ok(_) => Ok(Redirect::to("/office/tax-rates?done=added").into_response()),
        Err(AppError::Duplicate(_)) => {
            let p = page(&state, &staff, &csrf, form.draft(taken(&name)), None, None).await?;
            render(&p, StatusCode::CONFLICT)
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /office/tax-rates/{id}`: edits, deactivates or reactivates a rate.
pub async fn save(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<RateForm>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    state
        .store
        .tax_rate(staff.company.id, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let input = match RateInput::parse(&form.name, &form.rate) {
        Ok(i) => i,
        Err(errors) => {
            let editing = Some((id, form.draft(errors)));
            let p = page(&state, &staff, &csrf, Draft::default(), editing, None).await?;
            return render(&p, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let name = input.name().to_owned();
    match tax_rates::edit(&state.app, admin, id, input, form.active.is_some()).await {
        Ok(()) => Ok(Redirect::to("/office/tax-rates?done=saved").into_response()),
        Err(AppError::Duplicate(_)) => {
            let editing = Some((id, form.draft(taken(&name))));
            let p = page(&state, &staff, &csrf, Draft::default(), editing, None).await?;
            render(&p, StatusCode::CONFLICT)
        }
        Err(e) => Err(e.into()),
    }
}
