//! The office's answers to a request: convert it to a job or an estimate (forms prefilled
//! from it), or decline it with a reason, which emails the customer. The writes are the
//! use cases of `doorstep_app::requests`; a request that is no longer open is refused
//! with its page (409) before the form is read, and again by the use case.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::requests::{
    self, Converted, Decline, EstimateForm, EstimateOrder, JobForm, JobOrder, SUMMARY_MAX,
};
use doorstep_core::request_form::PO_NUMBER_MAX;
use doorstep_core::status::ScheduleType;
use doorstep_store::request_inbox::RequestDetail;
use serde::Deserialize;

use super::detail::{DeclineForm, page};
use super::{FieldErrors, html, load, request_path};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::kit::dates::today;
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

/// Said when an answer comes for a request that is no longer open.
const NOT_OPEN: &str = "This request is no longer open: a declined request can never be converted (the customer sends a new one), and a converted request cannot be converted again. Nothing was changed.";

/// The page of the request with the refusal, answered 409.
pub(super) async fn refused(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    r: RequestDetail,
) -> Result<Response, WebError> {
    let p = page(
        state,
        staff,
        csrf,
        r,
        Some(NOT_OPEN),
        DeclineForm::default(),
    )
    .await?;
    html(p, StatusCode::CONFLICT)
}

/// A use case's refusal other than a wrong field: for a request no longer open, the
/// request's page saying so (409); anything else fails.
pub(super) async fn refusal(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    number: &str,
    err: AppError,
) -> Result<Response, WebError> {
    match err {
        AppError::Conflict { .. } => {
            let r = load(state, staff, number).await?;
            refused(state, staff, csrf, r).await
        }
        e => Err(e.into()),
    }
}

/// What a conversion's outcome shows: the request's page once done, the refusal page
/// (409) for a request no longer open, or the field's message for the form (`Err`), which
/// the caller shows again.
pub(super) async fn converted(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    number: &str,
    outcome: Result<Converted, AppError>,
) -> Result<Result<Response, FieldErrors>, WebError> {
    match outcome {
        Ok(done) => Ok(Ok(
            Redirect::to(&request_path(&done.request)).into_response()
        )),
        Err(AppError::Invalid(e)) => Ok(Err(FieldErrors(vec![e]))),
        Err(e) => refusal(state, staff, csrf, number, e).await.map(Ok),
    }
}

/// The job form's fields, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct JobFields {
    #[serde(default)]
    summary: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    job_type: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    schedule_type: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    po_number: String,
}

/// A choice in a select.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "office/requests/convert_job.html")]
struct JobPage {
    chrome: OfficeChrome,
    number: String,
    href: String,
    customer: String,
    site: String,
    f: JobFields,
    job_types: Vec<Choice>,
    schedule_types: Vec<Choice>,
    /// The longest PO number (the customer's limit too).
    po_max: usize,
    errors: FieldErrors,
}

impl JobPage {
    /// The message for `field`, if any.
    fn error(&self, field: &str) -> Option<String> {
        self.errors.get(field)
    }
}

impl JobFields {
    /// The form for the use case to check.
    fn form(&self) -> JobForm<'_> {
        JobForm {
            summary: &self.summary,
            description: &self.description,
            job_type: &self.job_type,
            date: &self.date,
            schedule_type: &self.schedule_type,
            time: &self.time,
            po_number: &self.po_number,
        }
    }
}

pub(super) fn site_line(r: &RequestDetail) -> String {
    match (&r.site_name, &r.site_line1) {
        (Some(n), Some(l)) if !l.is_empty() => format!("{n}, {l}"),
        (Some(n), _) => n.clone(),
        _ => "No site given".to_owned(),
    }
}

/// The job form prefilled from the request.
fn prefill_job(r: &RequestDetail) -> JobFields {
    let what = r
        .job_type_name
        .clone()
        .or_else(|| r.catalogue_item_name.clone())
        .unwrap_or_else(|| r.description.lines().next().unwrap_or("").to_owned());
    JobFields {
        summary: what.chars().take(SUMMARY_MAX).collect(),
        description: r.description.clone(),
        job_type: r.job_type_id.map(|j| j.to_string()).unwrap_or_default(),
        date: r.preferred_date.map(|d| d.to_string()).unwrap_or_default(),
        schedule_type: r.schedule_type.clone().unwrap_or_default(),
        time: r.preferred_time.clone(),
        po_number: r.po_number.clone(),
    }
}

async fn job_page(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    r: &RequestDetail,
    f: JobFields,
    errors: FieldErrors,
) -> Result<JobPage, WebError> {
    let job_types = state
        .store
        .job_type_choices(staff.company.id)
        .await?
        .into_iter()
        .map(|(id, name)| Choice {
            selected: f.job_type == id.to_string(),
            value: id.to_string(),
            label: name,
        })
        .collect();
    let schedule_types = ScheduleType::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str().to_owned(),
            label: s.label().to_owned(),
            selected: f.schedule_type == s.as_str(),
        })
        .collect();
    Ok(JobPage {
        chrome: OfficeChrome::of(staff, csrf),
        number: r.number.clone(),
        href: request_path(&r.number),
        customer: r.customer_name.clone(),
        site: site_line(r),
        f,
        job_types,
        schedule_types,
        po_max: PO_NUMBER_MAX,
        errors,
    })
}

/// `GET /office/requests/{number}/job`: the job form, prefilled from the request.
pub async fn job_form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    let r = load(&state, &staff, &number).await?;
    if !r.status().may_convert() {
        return refused(&state, &staff, &csrf, r).await;
    }
    let f = prefill_job(&r);
    let p = job_page(&state, &staff, &csrf, &r, f, FieldErrors::default()).await?;
    html(p, StatusCode::OK)
}

/// `POST /office/requests/{number}/job`: makes the job and completes the request.
pub async fn create_job(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(f): Form<JobFields>,
) -> Result<Response, WebError> {
    let r = load(&state, &staff, &number).await?;
    if !r.status().may_convert() {
        return refused(&state, &staff, &csrf, r).await;
    }
    let errors = match JobOrder::parse(&f.form()) {
        Err(errors) => errors,
        Ok(order) => {
            let outcome = requests::to_job(&state.app, &staff.actor, &number, order).await;
            match converted(&state, &staff, &csrf, &number, outcome).await? {
                Ok(page) => return Ok(page),
                Err(errors) => errors,
            }
        }
    };
    let p = job_page(&state, &staff, &csrf, &r, f, errors).await?;
    html(p, StatusCode::UNPROCESSABLE_ENTITY)
}

/// The estimate form's fields, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct EstimateFields {
    #[serde(default)]
    title: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    expires_on: String,
}

#[derive(Template)]
#[template(path = "office/requests/convert_estimate.html")]
struct EstimatePage {
    chrome: OfficeChrome,
    number: String,
    href: String,
    customer: String,
    site: String,
    open_estimate: Option<String>,
    f: EstimateFields,
    errors: FieldErrors,
}

impl EstimatePage {
    /// The message for `field`, if any.
    fn error(&self, field: &str) -> Option<String> {
        self.errors.get(field)
    }
}

fn estimate_page(
    staff: &SignedInStaff,
    csrf: &str,
    r: &RequestDetail,
    f: EstimateFields,
    errors: FieldErrors,
) -> EstimatePage {
    EstimatePage {
        chrome: OfficeChrome::of(staff, csrf),
        number: r.number.clone(),
        href: request_path(&r.number),
        customer: r.customer_name.clone(),
        site: site_line(r),
        open_estimate: r.estimate_number.clone(),
        f,
        errors,
    }
}

/// `GET /office/requests/{number}/estimate`: the estimate form, prefilled.
pub async fn estimate_form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    let r = load(&state, &staff, &number).await?;
    if !r.status().may_convert() {
        return refused(&state, &staff, &csrf, r).await;
    }
    let f = EstimateFields {
        title: prefill_job(&r).summary,
        scope: r.description.clone(),
        expires_on: String::new(),
    };
    html(
        estimate_page(&staff, &csrf, &r, f, FieldErrors::default()),
        StatusCode::OK,
    )
}

/// `POST /office/requests/{number}/estimate`: makes (or fills) the estimate and
/// completes the request.
pub async fn create_estimate(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(f): Form<EstimateFields>,
) -> Result<Response, WebError> {
    let r = load(&state, &staff, &number).await?;
    if !r.status().may_convert() {
        return refused(&state, &staff, &csrf, r).await;
    }
    let form = EstimateForm {
        title: &f.title,
        scope: &f.scope,
        expires_on: &f.expires_on,
    };
    let errors = match EstimateOrder::parse(&form, today(&staff.company.time_zone)) {
        Err(errors) => errors,
        Ok(order) => {
            let outcome = requests::to_estimate(&state.app, &staff.actor, &number, order).await;
            match converted(&state, &staff, &csrf, &number, outcome).await? {
                Ok(page) => return Ok(page),
                Err(errors) => errors,
            }
        }
    };
    html(
        estimate_page(&staff, &csrf, &r, f, errors),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// The decline form.
#[derive(Deserialize, Default)]
pub struct DeclineFields {
    #[serde(default)]
    reason: String,
}

/// `POST /office/requests/{number}/decline`: declines with the reason and emails the
/// customer (the request's contact, else whoever sent it) in the same transaction.
pub async fn decline(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(f): Form<DeclineFields>,
) -> Result<Response, WebError> {
    let r = load(&state, &staff, &number).await?;
    if !r.status().may_decline() {
        return refused(&state, &staff, &csrf, r).await;
    }
    let error = match Decline::parse(&f.reason) {
        Err(e) => e,
        Ok(decline) => match requests::decline(&state.app, &staff.actor, &number, decline).await {
            Ok(done) => return Ok(Redirect::to(&request_path(&done.number)).into_response()),
            Err(AppError::Invalid(e)) => e,
            Err(e) => return refusal(&state, &staff, &csrf, &number, e).await,
        },
    };
    let form = DeclineForm {
        reason: f.reason.replace("\r\n", "\n").trim().to_owned(),
        error: Some(error.message),
    };
    let p = page(&state, &staff, &csrf, r, None, form).await?;
    html(p, StatusCode::UNPROCESSABLE_ENTITY)
}
