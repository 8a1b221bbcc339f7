//! `GET/POST /office/settings/portal` (administrators): the portal's on/off switches on
//! one page, each with a line on what it does, taking effect at once.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::setup::switches::{self, Switches};
use doorstep_core::settings::PORTAL_SWITCHES;
use serde::Deserialize;

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Query};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

struct Row {
    key: &'static str,
    label: &'static str,
    explanation: &'static str,
    on: bool,
}

#[derive(Template)]
#[template(path = "office/onboarding/switches.html")]
struct SwitchesPage {
    chrome: OfficeChrome,
    rows: Vec<Row>,
    saved: bool,
}

/// The page's query string.
#[derive(Debug, Deserialize, Default)]
pub struct SwitchesQuery {
    saved: Option<String>,
}

/// `GET /office/settings/portal`.
pub async fn show(
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<SwitchesQuery>,
) -> Result<Response, WebError> {
    staff.actor.admin()?;
    let settings = &staff.company.settings;
    let rows = PORTAL_SWITCHES
        .iter()
        .map(|s| Row {
            key: s.key,
            label: s.label,
            explanation: s.explanation,
            on: (s.get)(settings),
        })
        .collect();
    let page = SwitchesPage {
        chrome: OfficeChrome::of(&staff, &csrf),
        rows,
        saved: query.saved.is_some(),
    };
    crate::kit::render::page_with(StatusCode::OK, &page)
}

/// `POST /office/settings/portal`: a ticked box sends its key; an unticked one nothing.
pub async fn save(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    let wanted = Switches::parse(|key| form.iter().any(|(k, v)| k == key && v == "on"));
    switches::save(&state.app, admin, wanted).await?;
    Ok(Redirect::to("/office/settings/portal?saved=1").into_response())
}
