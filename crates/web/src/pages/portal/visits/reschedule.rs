//! `GET/POST /jobs/{number}/reschedule`: move a scheduled visit into another open
//! published window (taken atomically; the old window's place is given back), or, when
//! the company publishes none open, ask the office for a date and time of day.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::Response;
use doorstep_core::ids::JobId;
use doorstep_core::request_form::{check_date, check_schedule};
use doorstep_core::status::ScheduleType;
use doorstep_core::visits::{check_exact_hours, window_bounds};
use doorstep_mail::EmailKind;
use doorstep_store::availability::Window;
use doorstep_store::visits::{MoveOutcome, Visit, VisitMove};
use serde::Deserialize;
use serde_json::json;
use time::{Duration, OffsetDateTime};

use super::{
    Finished, STALE, change_of, finish, job_href, load, refused, refused_by_rule, render,
    visit_time,
};
use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::kit::dates::today;
use crate::kit::schedule::window_label;
use crate::pages::portal::estimate_answers::who;
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
    form: RescheduleForm,
    errors: Errors,
    alert: Option<String>,
}

/// The hours `w` covers.
fn bounds(w: &Window) -> (OffsetDateTime, OffsetDateTime) {
    let slot = ScheduleType::parse(&w.slot).unwrap_or(ScheduleType::AllDay);
    let exact = check_exact_hours(&w.start_time, &w.end_time).ok();
    window_bounds(w.window_date, slot, exact)
}

/// The earliest start a new time may have: beyond the company's cut-off from now.
fn not_before(contact: &SignedInContact, now: OffsetDateTime) -> OffsetDateTime {
    now + Duration::hours(i64::from(
        contact.portal.company.settings.reschedule_cutoff_hours,
    ))
}

/// The open windows the visit may move to: not the one it holds, and starting beyond
/// the cut-off, so the customer could still change the new time.
async fn offers(
    state: &AppState,
    contact: &SignedInContact,
    visit: &Visit,
    now: OffsetDateTime,
) -> Result<Vec<Window>, WebError> {
    let limit = not_before(contact, now);
    Ok(state
        .store
        .office_open_windows(contact.portal.company.id, now.date(), OFFERED)
        .await?
        .into_iter()
        .filter(|w| Some(w.id) != visit.availability_window_id && bounds(w).0 > limit)
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
        format!("{d}{slot}")
    });
    let lead = contact.portal.company.settings.request_lead_days;
    let earliest = doorstep_core::request_form::earliest_date(today(), lead.max(1));
    let page = ReschedulePage {
        chrome: PortalChrome::of(contact, csrf).at("/jobs"),
        number: visit.number.clone(),
        summary: visit.summary.clone(),
        site: visit.site_name.clone().unwrap_or_default(),
        href: job_href(visit),
        action: format!("{}/reschedule", job_href(visit)),
        current: visit_time(visit),
        asked,
        offers,
        earliest: earliest.to_string(),
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

/// What the customer chose, checked.
enum Choice {
    /// A published window.
    Window(Window),
    /// A date and time of day for the office to confirm.
    Date(time::Date, ScheduleType),
}

/// Checks the form; the messages to show next to its fields otherwise.
fn check(
    contact: &SignedInContact,
    form: &RescheduleForm,
    found: Option<Window>,
    now: OffsetDateTime,
) -> Result<Choice, Errors> {
    let limit = not_before(contact, now);
    let cutoff = contact.portal.company.settings.reschedule_cutoff_hours;
    let too_soon = format!("Choose a time more than {cutoff} hours away.");
    if form.mode == "window" || !form.window.trim().is_empty() {
        let pick = "Choose one of the open windows.";
        return match found {
            None => Err(Errors {
                window: Some(pick.into()),
                ..Errors::default()
            }),
            Some(w) if bounds(&w).0 <= limit => Err(Errors {
                window: Some(too_soon),
                ..Errors::default()
            }),
            Some(w) => Ok(Choice::Window(w)),
        };
    }
    let lead = contact.portal.company.settings.request_lead_days;
    let mut errors = Errors::default();
    let date = check_date(&form.date, now.date(), lead)
        .map_err(|e| errors.date = Some(e))
        .ok();
    let slot = match check_schedule(&form.schedule_type) {
        Ok(ScheduleType::Exact) | Err(_) => {
            errors.schedule_type = Some("Choose morning, afternoon or all day.".into());
            None
        }
        Ok(s) => Some(s),
    };
    match (date, slot) {
        (Some(d), Some(s)) if window_bounds(d, s, None).0 <= limit => {
            errors.date = Some(too_soon);
            Err(errors)
        }
        (Some(d), Some(s)) => Ok(Choice::Date(d, s)),
        _ => Err(errors),
    }
}

/// `POST /jobs/{number}/reschedule`.
pub async fn submit(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(number): Path<String>,
    Form(form): Form<RescheduleForm>,
) -> Result<Response, WebError> {
    let visit = load(&state, &contact, &number).await?;
    let now = doorstep_store::now();
    let change = change_of(&contact, &visit, now);
    if !change.is_allowed() {
        return refused_by_rule(&contact, &csrf, &visit, change);
    }
    // The window named in the form, if it is one of the company's.
    let found = match form.window.trim().parse::<i64>() {
        Ok(id) => {
            state
                .store
                .office_window(contact.portal.company.id, id)
                .await?
        }
        Err(_) => None,
    };
    let choice = match check(&contact, &form, found, now) {
        Ok(c) => c,
        Err(errors) => {
            return show_page(
                &state,
                &contact,
                &csrf,
                &visit,
                form,
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let company = contact.portal.company.id;
    let who = who(&state, &contact).await?;
    let old_time = visit_time(&visit);
    let mut tx = state.store.begin().await?;
    let (action, new_time, what) = match &choice {
        Choice::Window(w) => {
            let (start, end) = bounds(w);
            let to = VisitMove {
                window: w.id,
                slot: ScheduleType::parse(&w.slot).unwrap_or(ScheduleType::AllDay),
                start,
                end,
                today: now.date(),
            };
            let held = visit.availability_window_id;
            match tx
                .move_visit(company, &contact.scope, JobId(visit.id), held, &to)
                .await?
            {
                MoveOutcome::Moved => {}
                MoveOutcome::WindowFull => {
                    drop(tx);
                    let errors = Errors {
                        window: Some(
                            "That window has just filled up. Choose another; nothing was changed."
                                .into(),
                        ),
                        ..Errors::default()
                    };
                    return show_page(
                        &state,
                        &contact,
                        &csrf,
                        &visit,
                        RescheduleForm::default(),
                        errors,
                        None,
                        StatusCode::CONFLICT,
                    )
                    .await;
                }
                MoveOutcome::Stale => {
                    drop(tx);
                    return refused(&contact, &csrf, &visit, STALE.into(), StatusCode::CONFLICT);
                }
            }
            ("visit.rescheduled", window_label(w), "moved")
        }
        Choice::Date(date, slot) => {
            if !tx
                .ask_visit_date(company, &contact.scope, JobId(visit.id), *date, *slot, now)
                .await?
            {
                drop(tx);
                return refused(&contact, &csrf, &visit, STALE.into(), StatusCode::CONFLICT);
            }
            (
                "visit.reschedule_requested",
                format!(
                    "{date} · {} (asked for; the office will confirm)",
                    slot.label()
                ),
                "asked",
            )
        }
    };
    let detail = json!({"number": visit.number, "from": old_time, "to": new_time});
    let values = [
        ("old_time", old_time.as_str()),
        ("new_time", new_time.as_str()),
    ];
    let change = Finished {
        action,
        detail,
        email: EmailKind::VisitRescheduled,
        values: &values,
        outcome: what,
    };
    finish(&state, tx, &contact, &who, peer, &visit, change).await
}
