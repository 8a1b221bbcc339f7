//! `/office/availability`: windows customers can book (a day, AM/PM/all day or exact
//! hours, a capacity), their bookings, and capacity edits that never drop below what is
//! already booked. Day-to-day scheduling: every staff member.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::settings::availability::{self, Window as NewWindow};
use doorstep_core::authz::{OfficeWork, area_of};
use doorstep_store::availability::{Booking, Window};
use serde::Deserialize;

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path, Query};
use crate::kit::cursors::{after_or_message, cursor};
use crate::kit::dates::today;
use crate::kit::schedule::window_label;
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

const PAGE: i64 = 50;

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
    Ok(staff.actor.require(area_of(OfficeWork::Availability))?)
}

fn render(page: &impl Template, status: StatusCode) -> Result<Response, WebError> {
    crate::kit::render::page_with(status, &page)
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
        .windows_page(
            staff.company.id,
            today(&staff.company.time_zone),
            after,
            PAGE + 1,
        )
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

impl WindowForm {
    /// The form as posted.
    fn draft(&self) -> Draft {
        Draft {
            date: self.date.clone(),
            slot: self.slot.clone(),
            start_time: self.start_time.clone(),
            end_time: self.end_time.clone(),
            capacity: self.capacity.clone(),
            ..Draft::default()
        }
    }

    /// The window to publish (from the company's `today` on), or the form as posted with the messages next to its fields.
    fn check(&self, today: time::Date) -> Result<NewWindow, Box<Draft>> {
        let hours = (self.start_time.as_str(), self.end_time.as_str());
        NewWindow::parse(&self.date, &self.slot, hours, &self.capacity, today).map_err(|errors| {
            Box::new(Draft {
                date_error: errors.get("date"),
                slot_error: errors.get("slot"),
                hours_error: errors.get("hours"),
                capacity_error: errors.get("capacity"),
                ..self.draft()
            })
        })
    }
}

/// `POST /office/availability`: publishes a window.
pub async fn create(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<WindowForm>,
) -> Result<Response, WebError> {
    require(&staff)?;
    let refuse = |draft| async {
        let page = list_page(&state, &staff, &csrf, &ListQuery::default(), draft).await?;
        render(&page, StatusCode::UNPROCESSABLE_ENTITY)
    };
    let window = match form.check(today(&staff.company.time_zone)) {
        Ok(window) => window,
        Err(draft) => return refuse(*draft).await,
    };
    match availability::create(&state.app, &staff.actor, window).await {
        Ok(_) => Ok(Redirect::to("/office/availability?done=created").into_response()),
        Err(AppError::Duplicate(_)) => {
            let draft = Draft {
                slot_error: Some(
                    "There is already a window at that time on that day. Change its capacity instead."
                        .into(),
                ),
                ..form.draft()
            };
            refuse(draft).await
        }
        Err(e) => Err(e.into()),
    }
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
    Path(id): Path<i64>,
    Form(form): Form<CapacityForm>,
) -> Result<Response, WebError> {
    require(&staff)?;
    match availability::set_capacity(&state.app, &staff.actor, id, &form.capacity).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/office/availability/{id}?done=capacity")).into_response())
        }
        Err(AppError::Invalid(e)) => {
            let typed = Some((form.capacity.clone(), e.message));
            let page = window_page(&state, &staff, &csrf, id, typed, None).await?;
            render(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e.into()),
    }
}
