//! `/office/availability`: windows customers can book (a day, AM/PM/all day or exact
//! hours, a capacity), their bookings, and capacity edits that never drop below what is
//! already booked. Day-to-day scheduling: every staff member.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use doorstep_core::authz::{OfficeWork, area_of, staff_may};
use doorstep_core::status::ScheduleType;
use doorstep_core::visits::check_exact_hours;
use doorstep_store::StoreError;
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::availability::{Booking, CapacityChange, NewWindow, Window};
use serde::Deserialize;
use time::Date;

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path, Query};
use crate::kit::cursors::{after_or_message, cursor};
use crate::kit::dates::today;
use crate::kit::schedule::window_label;
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

const PAGE: i64 = 50;
/// Largest capacity a window may have.
const CAPACITY_MAX: i64 = 1000;

/// A window as listed.
pub(crate) struct WindowView {
    pub(crate) w: Window,
    pub(crate) label: String,
}

#[derive(Default)]
struct Draft {
    date: String,
    slot: String,
    start_time: String,
    end_time: String,
    capacity: String,
    date_error: Option<String>,
    slot_error: Option<String>,
    hours_error: Option<String>,
    capacity_error: Option<String>,
}

#[derive(Template)]
#[template(path = "office/availability.html")]
struct ListPage {
    chrome: OfficeChrome,
    rows: Vec<WindowView>,
    next: Option<String>,
    message: Option<&'static str>,
    notice: Option<&'static str>,
    draft: Draft,
}

#[derive(Template)]
#[template(path = "office/availability_window.html")]
struct WindowPage {
    chrome: OfficeChrome,
    view: WindowView,
    bookings: Vec<Booking>,
    capacity: String,
    capacity_error: Option<String>,
    notice: Option<&'static str>,
}

/// The list's query string.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    after: Option<String>,
    done: Option<String>,
}

/// A new window as posted.
#[derive(Deserialize, Default)]
pub struct WindowForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    slot: String,
    #[serde(default)]
    start_time: String,
    #[serde(default)]
    end_time: String,
    #[serde(default)]
    capacity: String,
}

/// A capacity as posted.
#[derive(Deserialize)]
pub struct CapacityForm {
    #[serde(default)]
    capacity: String,
}

/// The window page's query string.
#[derive(Deserialize, Default)]
pub struct WindowQuery {
    done: Option<String>,
}

fn require(staff: &SignedInStaff) -> Result<(), WebError> {
    if staff_may(staff.staff.role, area_of(OfficeWork::Availability)) {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

fn render(page: &impl Template, status: StatusCode) -> Result<Response, WebError> {
    let html = page.render().map_err(WebError::internal)?;
    Ok((status, Html(html)).into_response())
}

fn parse_capacity(raw: &str) -> Result<i64, String> {
    match raw.trim().parse::<i64>() {
        Ok(n) if (0..=CAPACITY_MAX).contains(&n) => Ok(n),
        _ => Err(format!("Enter a whole number from 0 to {CAPACITY_MAX}.")),
    }
}

async fn list_page(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    query: &ListQuery,
    draft: Draft,
) -> Result<ListPage, WebError> {
    let (after, message) = after_or_message(query.after.as_deref());
    let mut windows = state
        .store
        .windows_page(staff.company.id, today(), after, PAGE + 1)
        .await?;
    let next = if windows.len() as i64 > PAGE {
        windows.truncate(PAGE as usize);
        windows
            .last()
            .map(|w| format!("/office/availability?after={}", cursor(w.window_date, w.id)))
    } else {
        None
    };
    let notice = match query.done.as_deref() {
        Some("created") => Some("Window published. Customers can book it."),
        _ => None,
    };
    Ok(ListPage {
        chrome: OfficeChrome::of(staff, csrf),
        rows: windows
            .into_iter()
            .map(|w| WindowView {
                label: window_label(&w),
                w,
            })
            .collect(),
        next,
        message,
        notice,
        draft,
    })
}

/// `GET /office/availability`: upcoming windows with booked/capacity, and the form to add one.
pub async fn list(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    require(&staff)?;
    let draft = Draft {
        slot: "am".into(),
        capacity: "1".into(),
        ..Draft::default()
    };
    let page = list_page(&state, &staff, &csrf, &query, draft).await?;
    render(&page, StatusCode::OK)
}

fn check(form: &WindowForm) -> Result<NewWindow, Box<Draft>> {
    let mut d = Draft {
        date: form.date.clone(),
        slot: form.slot.clone(),
        start_time: form.start_time.clone(),
        end_time: form.end_time.clone(),
        capacity: form.capacity.clone(),
        ..Draft::default()
    };
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = match Date::parse(form.date.trim(), &format) {
        Ok(d) if d >= today() => Some(d),
        Ok(_) => {
            d.date_error = Some("Pick today or a later date.".into());
            None
        }
        Err(_) => {
            d.date_error = Some("Enter a date, for example 2025-05-06.".into());
            None
        }
    };
    let slot = ScheduleType::parse(&form.slot).ok();
    if slot.is_none() {
        d.slot_error = Some("Choose morning, afternoon, all day or exact hours.".into());
    }
    let hours = if slot == Some(ScheduleType::Exact) {
        match check_exact_hours(&form.start_time, &form.end_time) {
            Ok((a, b)) => Some((
                format!("{:02}:{:02}", a.hour(), a.minute()),
                format!("{:02}:{:02}", b.hour(), b.minute()),
            )),
            Err(e) => {
                d.hours_error = Some(e.message);
                None
            }
        }
    } else {
        Some((String::new(), String::new()))
    };
    let capacity = match parse_capacity(&form.capacity) {
        Ok(c) if c > 0 => Some(c),
        Ok(_) => {
            d.capacity_error = Some("A new window needs room for at least one visit.".into());
            None
        }
        Err(m) => {
            d.capacity_error = Some(m);
            None
        }
    };
    match (date, slot, hours, capacity) {
        (Some(date), Some(slot), Some((start_time, end_time)), Some(capacity)) => Ok(NewWindow {
            date,
            slot: slot.as_str().to_owned(),
            start_time,
            end_time,
            capacity,
        }),
        _ => Err(Box::new(d)),
    }
}

fn audit(
    staff: &SignedInStaff,
    peer: SocketAddr,
    action: &'static str,
    id: i64,
    detail: serde_json::Value,
) -> NewAuditEvent {
    NewAuditEvent {
        actor_kind: "staff",
        actor_id: Some(staff.staff.id.0),
        actor_label: staff.staff.email.clone(),
        action,
        subject_kind: "availability_window",
        subject_id: Some(id),
        ip: peer.ip().to_string(),
        detail: detail.to_string(),
        at: doorstep_store::now(),
    }
}

/// `POST /office/availability`: publishes a window.
pub async fn create(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(form): Form<WindowForm>,
) -> Result<Response, WebError> {
    require(&staff)?;
    let refuse = |draft| async {
        let page = list_page(&state, &staff, &csrf, &ListQuery::default(), draft).await?;
        render(&page, StatusCode::UNPROCESSABLE_ENTITY)
    };
    let new = match check(&form) {
        Ok(new) => new,
        Err(draft) => return refuse(*draft).await,
    };
    let company = staff.company.id;
    let mut tx = state.store.begin().await?;
    let id = match tx.create_window(company, &new).await {
        Ok(id) => id,
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            let mut draft = check(&form).err().map(|d| *d).unwrap_or_default();
            if draft.date.is_empty() {
                draft = Draft {
                    date: form.date.clone(),
                    slot: form.slot.clone(),
                    start_time: form.start_time.clone(),
                    end_time: form.end_time.clone(),
                    capacity: form.capacity.clone(),
                    ..Draft::default()
                };
            }
            draft.slot_error = Some(
                "There is already a window at that time on that day. Change its capacity instead."
                    .into(),
            );
            return refuse(draft).await;
        }
        Err(e) => return Err(e.into()),
    };
    let detail = serde_json::json!({"date": new.date.to_string(), "slot": new.slot, "start": new.start_time, "end": new.end_time, "capacity": new.capacity});
    tx.audit(
        company,
        &audit(&staff, peer, "availability_window.created", id, detail),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/office/availability?done=created").into_response())
}

async fn window_page(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    id: i64,
    capacity: Option<(String, String)>,
    notice: Option<&'static str>,
) -> Result<WindowPage, WebError> {
    let w = state
        .store
        .office_window(staff.company.id, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let bookings = state.store.window_bookings(staff.company.id, id).await?;
    let (capacity, capacity_error) = match capacity {
        Some((value, error)) => (value, Some(error)),
        None => (w.capacity.to_string(), None),
    };
    Ok(WindowPage {
        chrome: OfficeChrome::of(staff, csrf),
        view: WindowView {
            label: window_label(&w),
            w,
        },
        bookings,
        capacity,
        capacity_error,
        notice,
    })
}

/// `GET /office/availability/{id}`: one window, its bookings and its capacity.
pub async fn show(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
    Query(query): Query<WindowQuery>,
) -> Result<Response, WebError> {
    require(&staff)?;
    let notice = (query.done.as_deref() == Some("capacity")).then_some("Capacity saved.");
    let page = window_page(&state, &staff, &csrf, id, None, notice).await?;
    render(&page, StatusCode::OK)
}

/// `POST /office/availability/{id}/capacity`: changes the capacity, never below the bookings.
pub async fn capacity(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<i64>,
    Form(form): Form<CapacityForm>,
) -> Result<Response, WebError> {
    require(&staff)?;
    let refuse = |message: String| async {
        let page = window_page(
            &state,
            &staff,
            &csrf,
            id,
            Some((form.capacity.clone(), message)),
            None,
        )
        .await?;
        render(&page, StatusCode::UNPROCESSABLE_ENTITY)
    };
    let capacity = match parse_capacity(&form.capacity) {
        Ok(c) => c,
        Err(m) => return refuse(m).await,
    };
    let company = staff.company.id;
    let mut tx = state.store.begin().await?;
    match tx.set_window_capacity(company, id, capacity).await? {
        CapacityChange::Done => {}
        CapacityChange::NotFound => return Err(WebError::NotFound),
        CapacityChange::BelowBooked(booked) => {
            drop(tx);
            let visits = if booked == 1 {
                "visit is"
            } else {
                "visits are"
            };
            return refuse(format!(
                "{booked} {visits} already booked in this window, so the capacity cannot go below {booked}. Nothing was changed."
            ))
            .await;
        }
    }
    tx.audit(
        company,
        &audit(
            &staff,
            peer,
            "availability_window.capacity_changed",
            id,
            serde_json::json!({"capacity": capacity}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/office/availability/{id}?done=capacity")).into_response())
}
