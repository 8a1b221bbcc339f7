//! The office's answers to a request: convert it to a job or an estimate (forms prefilled
//! from it), or decline it with a reason, which emails the customer. Each answer is
//! refused for a declined or completed request twice over: by the domain rule
//! (`RequestStatus::may_convert`) before anything is written, and by the store's UPDATE,
//! inside the transaction that creates the job, which is rolled back if it fails.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_core::ids::ServiceRequestId;
use doorstep_core::status::ScheduleType;
use doorstep_mail::EmailKind;
use doorstep_store::request_inbox::{EstimateFromRequest, JobFromRequest, RequestDetail};
use serde::Deserialize;
use serde_json::json;
use time::macros::format_description;
use time::{Date, OffsetDateTime, Time};

use super::detail::{DeclineForm, page};
use super::{FieldErrors, audit_event, field_error, html, load, request_path};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::kit::dates::today;
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

pub(super) const SUMMARY_MAX: usize = 120;
const TEXT_MAX: usize = 4000;
const REASON_MAX: usize = 2000;

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

pub(super) fn parse_day(raw: &str) -> Option<Date> {
    Date::parse(raw.trim(), format_description!("[year]-[month]-[day]")).ok()
}

fn parse_time(raw: &str) -> Option<Time> {
    Time::parse(raw.trim(), format_description!("[hour]:[minute]")).ok()
}

/// The visit a day and schedule type stand for: AM 8–12, PM 12–5, all day 8–5, an exact
/// time for one hour (UTC, as the rest of the product until per-company time zones).
fn visit(
    day: Date,
    schedule: Option<ScheduleType>,
    at: Option<Time>,
) -> (OffsetDateTime, OffsetDateTime) {
    let hm = |h: u8| Time::from_hms(h, 0, 0).unwrap_or(Time::MIDNIGHT);
    let (start, end) = match schedule {
        Some(ScheduleType::Am) => (hm(8), hm(12)),
        Some(ScheduleType::Pm) => (hm(12), hm(17)),
        Some(ScheduleType::Exact) => {
            let t = at.unwrap_or(hm(8));
            (
                t,
                t.hour()
                    .checked_add(1)
                    .and_then(|h| Time::from_hms(h, t.minute(), 0).ok())
                    .unwrap_or(Time::from_hms(23, 59, 0).unwrap_or(t)),
            )
        }
        Some(ScheduleType::AllDay) | None => (hm(8), hm(17)),
    };
    (
        day.with_time(start).assume_utc(),
        day.with_time(end).assume_utc(),
    )
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
    errors: FieldErrors,
}

impl JobPage {
    /// The message for `field`, if any.
    fn error(&self, field: &str) -> Option<&str> {
        field_error(&self.errors, field)
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
    let p = job_page(&state, &staff, &csrf, &r, f, Vec::new()).await?;
    html(p, StatusCode::OK)
}

/// Checks the job form; the job to make, or a message per field.
async fn check_job(
    state: &AppState,
    staff: &SignedInStaff,
    f: &JobFields,
) -> Result<Result<JobFromRequest, FieldErrors>, WebError> {
    let mut errors = Vec::new();
    let summary = f.summary.trim();
    if summary.is_empty() {
        errors.push(("summary", "Enter a summary for the job.".to_owned()));
    } else if summary.chars().count() > SUMMARY_MAX {
        errors.push((
            "summary",
            format!("Keep the summary to {SUMMARY_MAX} characters."),
        ));
    }
    if f.description.chars().count() > TEXT_MAX {
        errors.push((
            "description",
            format!("Keep the description to {TEXT_MAX} characters."),
        ));
    }
    let job_type = match f.job_type.trim() {
        "" => None,
        raw => {
            let choices = state.store.job_type_choices(staff.company.id).await?;
            match raw
                .parse::<i64>()
                .ok()
                .filter(|id| choices.iter().any(|(c, _)| c == id))
            {
                Some(id) => Some(id),
                None => {
                    errors.push(("job_type", "Choose one of the job types listed.".to_owned()));
                    None
                }
            }
        }
    };
    let schedule_type = match f.schedule_type.trim() {
        "" => None,
        raw => match ScheduleType::parse(raw) {
            Ok(s) => Some(s),
            Err(_) => {
                errors.push((
                    "schedule_type",
                    "Choose one of the time windows listed.".to_owned(),
                ));
                None
            }
        },
    };
    let time = match f.time.trim() {
        "" => None,
        raw => match parse_time(raw) {
            Some(t) => Some(t),
            None => {
                errors.push(("time", "Enter the time as HH:MM, e.g. 14:30.".to_owned()));
                None
            }
        },
    };
    let day = match f.date.trim() {
        "" => None,
        raw => match parse_day(raw) {
            Some(d) => Some(d),
            None => {
                errors.push((
                    "date",
                    "Enter the date as YYYY-MM-DD, e.g. 2025-03-31.".to_owned(),
                ));
                None
            }
        },
    };
    if f.po_number.chars().count() > 60 {
        errors.push((
            "po_number",
            "Keep the PO number to 60 characters.".to_owned(),
        ));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    Ok(Ok(JobFromRequest {
        summary: summary.to_owned(),
        description: f.description.trim().to_owned(),
        job_type,
        schedule_type,
        visit: day.map(|d| visit(d, schedule_type, time)),
        po_number: f.po_number.trim().to_owned(),
    }))
}

/// `POST /office/requests/{number}/job`: makes the job and completes the request.
pub async fn create_job(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(number): Path<String>,
    Form(f): Form<JobFields>,
) -> Result<Response, WebError> {
    let r = load(&state, &staff, &number).await?;
    if !r.status().may_convert() {
        return refused(&state, &staff, &csrf, r).await;
    }
    let job = match check_job(&state, &staff, &f).await? {
        Ok(job) => job,
        Err(errors) => {
            let p = job_page(&state, &staff, &csrf, &r, f, errors).await?;
            return html(p, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let company = staff.company.id;
    let mut tx = state.store.begin().await?;
    let Some((job_id, job_number)) = tx
        .convert_request_to_job(company, ServiceRequestId(r.id), &job, doorstep_store::now())
        .await?
    else {
        // Answered meanwhile: the transaction is dropped, so nothing is kept.
        drop(tx);
        let r = load(&state, &staff, &number).await?;
        return refused(&state, &staff, &csrf, r).await;
    };
    let detail = json!({ "job_id": job_id.0, "job_number": job_number });
    finish_conversion(
        tx,
        &state,
        &staff,
        peer,
        &r,
        "request.converted_to_job",
        detail,
    )
    .await
}

/// Audits a conversion, commits it, wakes the inbox badge and returns to the request.
pub(super) async fn finish_conversion(
    mut tx: doorstep_store::Tx,
    state: &AppState,
    staff: &SignedInStaff,
    peer: SocketAddr,
    r: &RequestDetail,
    action: &'static str,
    detail: serde_json::Value,
) -> Result<Response, WebError> {
    let company = staff.company.id;
    tx.audit(company, &audit_event(staff, peer, action, r, detail))
        .await?;
    tx.commit().await?;
    state.request_events.notify(company);
    Ok(Redirect::to(&request_path(&r.number)).into_response())
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
    fn error(&self, field: &str) -> Option<&str> {
        field_error(&self.errors, field)
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
        estimate_page(&staff, &csrf, &r, f, Vec::new()),
        StatusCode::OK,
    )
}

/// `POST /office/requests/{number}/estimate`: makes (or fills) the estimate and
/// completes the request.
pub async fn create_estimate(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(number): Path<String>,
    Form(f): Form<EstimateFields>,
) -> Result<Response, WebError> {
    let r = load(&state, &staff, &number).await?;
    if !r.status().may_convert() {
        return refused(&state, &staff, &csrf, r).await;
    }
    let today = today();
    let mut errors = Vec::new();
    let title = f.title.trim();
    if title.is_empty() {
        errors.push(("title", "Enter a title for the estimate.".to_owned()));
    } else if title.chars().count() > SUMMARY_MAX {
        errors.push((
            "title",
            format!("Keep the title to {SUMMARY_MAX} characters."),
        ));
    }
    if f.scope.chars().count() > TEXT_MAX {
        errors.push(("scope", format!("Keep the scope to {TEXT_MAX} characters.")));
    }
    let expires_on = match f.expires_on.trim() {
        "" => None,
        raw => match parse_day(raw) {
            Some(d) if d >= today => Some(d),
            Some(_) => {
                errors.push((
                    "expires_on",
                    "The last day to approve cannot be in the past.".to_owned(),
                ));
                None
            }
            None => {
                errors.push((
                    "expires_on",
                    "Enter the date as YYYY-MM-DD, e.g. 2025-03-31.".to_owned(),
                ));
                None
            }
        },
    };
    if !errors.is_empty() {
        return html(
            estimate_page(&staff, &csrf, &r, f, errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let estimate = EstimateFromRequest {
        title: title.to_owned(),
        scope: f.scope.trim().to_owned(),
        issued_on: today,
        expires_on,
    };
    let company = staff.company.id;
    let mut tx = state.store.begin().await?;
    let Some((estimate_id, estimate_number)) = tx
        .convert_request_to_estimate(
            company,
            ServiceRequestId(r.id),
            &estimate,
            doorstep_store::now(),
        )
        .await?
    else {
        drop(tx);
        let r = load(&state, &staff, &number).await?;
        return refused(&state, &staff, &csrf, r).await;
    };
    let detail = json!({ "estimate_id": estimate_id.0, "estimate_number": estimate_number });
    finish_conversion(
        tx,
        &state,
        &staff,
        peer,
        &r,
        "request.converted_to_estimate",
        detail,
    )
    .await
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
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(number): Path<String>,
    Form(f): Form<DeclineFields>,
) -> Result<Response, WebError> {
    let r = load(&state, &staff, &number).await?;
    if !r.status().may_decline() {
        return refused(&state, &staff, &csrf, r).await;
    }
    let reason = f.reason.replace("\r\n", "\n").trim().to_owned();
    let error = if reason.is_empty() {
        Some("Give the customer a reason for declining.".to_owned())
    } else if reason.chars().count() > REASON_MAX {
        Some(format!("Keep the reason to {REASON_MAX} characters."))
    } else {
        None
    };
    if let Some(error) = error {
        let form = DeclineForm {
            reason,
            error: Some(error),
        };
        let p = page(&state, &staff, &csrf, r, None, form).await?;
        return html(p, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let company = &staff.company;
    let mut tx = state.store.begin().await?;
    if !tx
        .decline_request(
            company.id,
            ServiceRequestId(r.id),
            &reason,
            doorstep_store::now(),
        )
        .await?
    {
        drop(tx);
        let r = load(&state, &staff, &number).await?;
        return refused(&state, &staff, &csrf, r).await;
    }
    let emailed = match r.customer_recipient() {
        Some((address, name)) => {
            let link = state.config.portal_url(&company.slug);
            doorstep_mail::enqueue(
                &mut tx,
                company.id,
                EmailKind::RequestDeclined,
                &address,
                &name,
                &[
                    ("company_name", company.name.as_str()),
                    ("contact_name", name.as_str()),
                    ("request_number", r.number.as_str()),
                    ("reason", reason.as_str()),
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
            "request.declined",
            &r,
            json!({ "emailed": emailed }),
        ),
    )
    .await?;
    tx.commit().await?;
    state.mail_wake.wake();
    state.request_events.notify(company.id);
    Ok(Redirect::to(&request_path(&r.number)).into_response())
}

#[cfg(test)]
mod tests {
    use super::visit;
    use doorstep_core::status::ScheduleType;
    use time::macros::{date, datetime, time};

    #[test]
    fn schedule_types_become_visit_windows() {
        let d = date!(2030 - 05 - 06);
        assert_eq!(
            visit(d, Some(ScheduleType::Am), None),
            (
                datetime!(2030-05-06 8:00 UTC),
                datetime!(2030-05-06 12:00 UTC)
            )
        );
        assert_eq!(
            visit(d, Some(ScheduleType::Exact), Some(time!(14:30))),
            (
                datetime!(2030-05-06 14:30 UTC),
                datetime!(2030-05-06 15:30 UTC)
            )
        );
        assert_eq!(
            visit(d, None, None),
            (
                datetime!(2030-05-06 8:00 UTC),
                datetime!(2030-05-06 17:00 UTC)
            )
        );
    }
}
