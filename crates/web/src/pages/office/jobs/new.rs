//! `GET|POST /office/jobs/new`: a job from scratch. First the customer is found (by name
//! or number), then the form asks for the site, job type, summary, description and notes.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::error::FieldErrors;
use doorstep_app::jobs::{self, NewJob, NewJobForm};
use doorstep_core::ids::CustomerId;
use doorstep_store::office_jobs::CustomerChoice;
use serde::Deserialize;

use super::{Choice, html, job_path, job_type_choices, require, site_choices};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::Form;
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

/// The form's fields, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct NewFields {
    #[serde(default)]
    customer: String,
    #[serde(default)]
    site: String,
    #[serde(default)]
    job_type: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    work_order_notes: String,
    #[serde(default)]
    customer_notes: String,
}

impl NewFields {
    fn form(&self) -> NewJobForm<'_> {
        NewJobForm {
            customer: &self.customer,
            site: &self.site,
            job_type: &self.job_type,
            summary: &self.summary,
            description: &self.description,
            work_order_notes: &self.work_order_notes,
            customer_notes: &self.customer_notes,
            ..NewJobForm::default()
        }
    }
}

#[derive(Template)]
#[template(path = "office/jobs/find_customer.html")]
struct FindPage {
    chrome: OfficeChrome,
    search: String,
    customers: Vec<CustomerChoice>,
}

#[derive(Template)]
#[template(path = "office/jobs/new.html")]
struct NewPage {
    chrome: OfficeChrome,
    customer: CustomerChoice,
    f: NewFields,
    sites: Vec<Choice>,
    job_types: Vec<Choice>,
    errors: FieldErrors,
}

impl NewPage {
    fn error(&self, field: &str) -> Option<String> {
        self.errors.get(field)
    }
}

async fn new_page(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    customer: CustomerChoice,
    f: NewFields,
    errors: FieldErrors,
) -> Result<NewPage, WebError> {
    Ok(NewPage {
        chrome: OfficeChrome::of(staff, csrf),
        sites: site_choices(state, staff, CustomerId(customer.id), &f.site).await?,
        job_types: job_type_choices(state, staff, &f.job_type).await?,
        customer,
        f,
        errors,
    })
}

/// `GET /office/jobs/new`: the customer search, or (with `customer`) the form.
pub async fn form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    require(&staff)?;
    let mut search = String::new();
    let mut customer = None;
    for (name, value) in form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes()) {
        match name.as_ref() {
            "q" => search = value.trim().chars().take(100).collect(),
            "customer" => customer = value.trim().parse::<i64>().ok(),
            _ => {}
        }
    }
    let company = staff.company.id;
    if let Some(id) = customer
        && let Some(c) = state.store.job_customer(company, CustomerId(id)).await?
    {
        let f = NewFields {
            customer: c.id.to_string(),
            ..NewFields::default()
        };
        let page = new_page(&state, &staff, &csrf, c, f, FieldErrors::default()).await?;
        return html(page, StatusCode::OK);
    }
    let customers = state.store.job_customer_choices(company, &search).await?;
    let page = FindPage {
        chrome: OfficeChrome::of(&staff, &csrf),
        search,
        customers,
    };
    html(page, StatusCode::OK)
}

/// `POST /office/jobs/new`: creates the job and opens it; the form again with each
/// wrong field marked (422).
pub async fn create(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Form(f): Form<NewFields>,
) -> Result<Response, WebError> {
    require(&staff)?;
    let job = match NewJob::parse(&f.form()) {
        Ok(job) => job,
        Err(errors) => return refill(&state, &staff, &csrf, f, errors).await,
    };
    match jobs::create(&state.app, &staff.actor, job).await {
        Ok(done) => Ok(Redirect::to(&job_path(&done.number)).into_response()),
        Err(AppError::Invalid(e)) => refill(&state, &staff, &csrf, f, FieldErrors(vec![e])).await,
        Err(e) => Err(e.into()),
    }
}

/// The form again with `errors` (422), or the customer search when the customer is not
/// the company's.
async fn refill(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    f: NewFields,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let customer = match f.customer.trim().parse::<i64>() {
        Ok(id) => {
            state
                .store
                .job_customer(staff.company.id, CustomerId(id))
                .await?
        }
        Err(_) => None,
    };
    let Some(customer) = customer else {
        return Err(WebError::NotFound);
    };
    let page = new_page(state, staff, csrf, customer, f, errors).await?;
    html(page, StatusCode::UNPROCESSABLE_ENTITY)
}
