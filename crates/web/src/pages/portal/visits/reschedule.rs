//! `GET/POST /jobs/{number}/reschedule`: move a scheduled visit into another open
//! published window (taken atomically; the old window's place is given back), or, when
//! the company publishes none open, ask the office for a date and time of day.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use doorstep_app::AppError;
use doorstep_app::booking::visits::{self, NewTime, Rescheduled, may_move_into, window_label};
use doorstep_app::error::FieldErrors;
use doorstep_core::status::ScheduleType;
use doorstep_store::availability::Window;
use doorstep_store::visits::Visit;
use serde::Deserialize;
use time::OffsetDateTime;

use super::{change_of, done, job_href, load, refused_by_app, refused_by_rule, render, visit_time};
use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::display::{date, iso_date, weekday_date};
use crate::extract::{Form, Path};
use crate::kit::dates::today;
use crate::views::PortalChrome;
use crate::{AppState, WebError};

/// How many open windows the page offers.
const OFFERED: i64 = 60;

/// A window as offered.
struct Offer {
    id: i64,
    label: String,
    left: i64,
    chosen: bool,
}

/// The form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RescheduleForm {
    /// `window` from the windows form, `date` from the date form.
    mode: String,
    window: String,
    date: String,
    schedule_type: String,
}

/// Messages next to the fields.
#[derive(Default)]
struct Errors {
    window: Option<String>,
    date: Option<String>,
    schedule_type: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/visits/reschedule.html")]
struct ReschedulePage {
    chrome: PortalChrome,
    number: String,
    summary: String,
    site: String,
    href: String,
    action: String,
    current: String,
    asked: Option<String>,
    offers: Vec<Offer>,
    earliest: String,
    /// The same, as people read it.
    earliest_text: String,
    form: RescheduleForm,
    errors: Errors,
    alert: Option<String>,
}

/// The open windows the visit may move to: not the one it holds, and starting beyond
/// the cut-off, so the customer could still change the new time.
async fn offers(
    state: &AppState,
    contact: &SignedInContact,
    visit: &Visit,
    now: OffsetDateTime,
) -> Result<Vec<Window>, WebError> {
    let company = &contact.portal.company;
    let zone = &company.time_zone;
    Ok(state
        .store
        .office_open_windows(company.id, zone.date_of(now), OFFERED)
        .await?
        .into_iter()
        .filter(|w| may_move_into(zone, &company.settings, visit, w, now))
        .collect())
}

#[allow(clippy::too_many_arguments)]
async fn show_page(
    state: &AppState,
    contact: &SignedInContact,
    csrf: &str,
    visit: &Visit,
    form: RescheduleForm,
    errors: Errors,
    alert: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let now = doorstep_store::now();
    let chosen = form.window.trim().parse::<i64>().ok();
    let offers = offers(state, contact, visit, now)
        .await?
        .into_iter()
        .map(|w| Offer {
            id: w.id,
            label: window_label(&w),
            left: w.capacity - w.booked,
            chosen: chosen == Some(w.id),
        })
        .collect();
    let asked = visit.reschedule_requested_date.map(|d| {
        let slot = visit
            .reschedule_requested_schedule_type
            .as_deref()
            .and_then(|s| ScheduleType::parse(s).ok())
            .map(|s| format!(" · {}", s.label()))
            .unwrap_or_default();
        format!("{}{slot}", weekday_date(d))
    });
    let lead = contact.portal.company.settings.request_lead_days;
    let zone = &contact.portal.company.time_zone;
    let earliest = doorstep_core::request_form::earliest_date(today(zone), lead.max(1));
    let page = ReschedulePage {
        chrome: PortalChrome::of(contact, csrf).at("/jobs"),
        number: visit.number.clone(),
        summary: visit.summary.clone(),
        site: visit.site_name.clone().unwrap_or_default(),
        href: job_href(visit),
        action: format!("{}/reschedule", job_href(visit)),
        current: visit_time(&contact.portal.company, visit),
        asked,
        offers,
        earliest: iso_date(earliest),
        earliest_text: date(earliest),
        form,
        errors,
        alert,
    };
    render(&page, status)
}

/// `GET /jobs/{number}/reschedule`.
pub async fn form(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    let visit = load(&state, &contact, &number).await?;
    let change = change_of(&contact, &visit, doorstep_store::now());
    if !change.is_allowed() {
        return refused_by_rule(&contact, &csrf, &visit, change);
    }
    let form = RescheduleForm {
        schedule_type: "all_day".into(),
        ..RescheduleForm::default()
    };
    show_page(
        &state,
        &contact,
        &csrf,
        &visit,
        form,
        Errors::default(),
        None,
        StatusCode::OK,
    )
    .await
}

impl Errors {
    fn of(errors: &FieldErrors) -> Errors {
        Errors {
            window: errors.get("window"),
            date: errors.get("date"),
            schedule_type: errors.get("schedule_type"),
        }
    }
}

/// `POST /jobs/{number}/reschedule`.
pub async fn submit(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Form(form): Form<RescheduleForm>,
) -> Result<Response, WebError> {
    let visit = load(&state, &contact, &number).await?;
    let now = doorstep_store::now();
    let change = change_of(&contact, &visit, now);
    if !change.is_allowed() {
        return refused_by_rule(&contact, &csrf, &visit, change);
    }
    let again = |form, errors, status| {
        show_page(&state, &contact, &csrf, &visit, form, errors, None, status)
    };
    let settings = &contact.portal.company.settings;
    let to = match NewTime::parse(
        &contact.portal.company.time_zone,
        settings,
        &form.mode,
        &form.window,
        &form.date,
        &form.schedule_type,
        now,
    ) {
        Ok(to) => to,
        Err(errors) => {
            return again(form, Errors::of(&errors), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    match visits::reschedule(&state.app, &contact.actor, &number, to).await {
        Ok(Rescheduled::Moved) => Ok(done(&visit, "moved")),
        Ok(Rescheduled::Asked) => Ok(done(&visit, "asked")),
        Err(AppError::Invalid(e)) => {
            let errors = Errors::of(&FieldErrors(vec![e]));
            again(form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(AppError::Conflict {
            reason: "full",
            message,
        }) => {
            let errors = Errors {
                window: Some(message),
                ..Errors::default()
            };
            again(RescheduleForm::default(), errors, StatusCode::CONFLICT).await
        }
        Err(e) => refused_by_app(&contact, &csrf, &visit, e),
    }
}
