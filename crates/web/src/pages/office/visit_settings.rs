//! `GET/POST /office/settings/visits` (administrators): whether customers may
//! reschedule or cancel their visits in the portal, and up to how many hours before.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::settings::visits::{self, VisitChanges};
use doorstep_core::authz::{OfficeWork, area_of};
use doorstep_core::settings::CUTOFF_HOURS_MAX as MAX_HOURS;
use serde::Deserialize;

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Query};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "office/visit_settings.html")]
struct SettingsPage {
    chrome: OfficeChrome,
    allow: bool,
    hours: String,
    max_hours: u32,
    hours_error: Option<String>,
    saved: bool,
}

/// The page's query string.
#[derive(Debug, Deserialize)]
pub struct SettingsQuery {
    saved: Option<String>,
}

/// The form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    allow_reschedule: Option<String>,
    cutoff_hours: String,
}

fn render(page: &SettingsPage, status: StatusCode) -> Result<Response, WebError> {
    crate::kit::render::page_with(status, &page)
}

/// `GET /office/settings/visits`.
pub async fn show(
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<SettingsQuery>,
) -> Result<Response, WebError> {
    staff.actor.require(area_of(OfficeWork::VisitSettings))?;
    let settings = &staff.company.settings;
    let page = SettingsPage {
        allow: settings.allow_reschedule,
        hours: settings.reschedule_cutoff_hours.to_string(),
        max_hours: MAX_HOURS,
        hours_error: None,
        saved: query.saved.is_some(),
        chrome: OfficeChrome::of(&staff, &csrf),
    };
    render(&page, StatusCode::OK)
}

/// `POST /office/settings/visits`.
pub async fn save(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<SettingsForm>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    let allow = form.allow_reschedule.is_some();
    let changes = match VisitChanges::parse(allow, &form.cutoff_hours) {
        Ok(changes) => changes,
        Err(e) => {
            let page = SettingsPage {
                allow,
                hours: form.cutoff_hours,
                max_hours: MAX_HOURS,
                hours_error: Some(e.message),
                saved: false,
                chrome: OfficeChrome::of(&staff, &csrf),
            };
            return render(&page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    visits::set(&state.app, admin, changes).await?;
    Ok(Redirect::to("/office/settings/visits?saved=1").into_response())
}
