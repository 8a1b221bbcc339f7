//! `GET|POST /office/jobs/{number}/schedule`: the visit's day with morning, afternoon,
//! all day or exact hours; `POST /office/jobs/{number}/unschedule` takes it away.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::error::FieldErrors;
use doorstep_app::jobs::{self, ScheduleOrder};
use doorstep_core::status::ScheduleType;
use doorstep_store::office_jobs::OfficeJob;
use serde::Deserialize;

use super::{Choice, html, job_path, load};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::display::{iso_day, when};
use crate::extract::{Form, Path};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};
use doorstep_core::local_time::Zone;

/// The form's fields, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct ScheduleFields {
    #[serde(default)]
    date: String,
    #[serde(default)]
    schedule_type: String,
    #[serde(default)]
    start_time: String,
    #[serde(default)]
    end_time: String,
}

impl ScheduleFields {
    fn of(zone: &Zone, j: &OfficeJob) -> ScheduleFields {
        let hhmm = |t: time::OffsetDateTime| {
            let local = zone.local(t);
            format!("{:02}:{:02}", local.hour(), local.minute())
        };
        let exact = j.schedule_type.as_deref() == Some("exact");
        ScheduleFields {
            date: j
                .scheduled_start
                .map(|t| iso_day(zone, t))
                .unwrap_or_default(),
            schedule_type: j.schedule_type.clone().unwrap_or_default(),
            start_time: j
                .scheduled_start
                .filter(|_| exact)
                .map(hhmm)
                .unwrap_or_default(),
            end_time: j
                .scheduled_end
                .filter(|_| exact)
                .map(hhmm)
                .unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "office/jobs/schedule.html")]
struct SchedulePage {
    chrome: OfficeChrome,
    number: String,
    href: String,
    f: ScheduleFields,
    slots: Vec<Choice>,
    now: String,
    errors: FieldErrors,
}

impl SchedulePage {
    fn error(&self, field: &str) -> Option<String> {
        self.errors.get(field)
    }
}

fn page(
    staff: &SignedInStaff,
    csrf: &str,
    j: &OfficeJob,
    f: ScheduleFields,
    errors: FieldErrors,
    code: StatusCode,
) -> Result<Response, WebError> {
    let slots = ScheduleType::ALL
        .iter()
        .map(|s| Choice::of(s.as_str(), s.label(), &f.schedule_type))
        .collect();
    let zone = &staff.company.time_zone;
    let now = j.scheduled_start.map(|t| when(zone, t)).unwrap_or_default();
    let p = SchedulePage {
        chrome: OfficeChrome::of(staff, csrf),
        number: j.number.clone(),
        href: job_path(&j.number),
        f,
        slots,
        now,
        errors,
    };
    html(p, code)
}

/// `GET /office/jobs/{number}/schedule`.
pub async fn form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    let j = load(&state, &staff, &number).await?;
    let f = ScheduleFields::of(&staff.company.time_zone, &j);
    page(&staff, &csrf, &j, f, FieldErrors::default(), StatusCode::OK)
}

/// `POST /office/jobs/{number}/schedule`: sets the visit and returns to the job; the
/// form again with each wrong field marked (422); a job past scheduling is 409.
pub async fn save(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(f): Form<ScheduleFields>,
) -> Result<Response, WebError> {
    let j = load(&state, &staff, &number).await?;
    let order = match ScheduleOrder::parse(
        &staff.company.time_zone,
        &f.date,
        &f.schedule_type,
        &f.start_time,
        &f.end_time,
    ) {
        Ok(o) => o,
        Err(errors) => {
            return page(
                &staff,
                &csrf,
                &j,
                f,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    match jobs::schedule(&state.app, &staff.actor, &number, order).await {
        Ok(done) => {
            Ok(Redirect::to(&format!("{}?done=scheduled", job_path(&done.number))).into_response())
        }
        Err(AppError::Invalid(e)) => page(
            &staff,
            &csrf,
            &j,
            f,
            FieldErrors(vec![e]),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => Err(e.into()),
    }
}

/// `POST /office/jobs/{number}/unschedule`.
pub async fn unschedule(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    super::require(&staff)?;
    let done = jobs::unschedule(&state.app, &staff.actor, &number).await?;
    Ok(Redirect::to(&format!("{}?done=unscheduled", job_path(&done.number))).into_response())
}
