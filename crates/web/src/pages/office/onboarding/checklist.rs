//! The setup checklist on the office home (`/office`), for administrators until every
//! step is done or one of them dismisses it: each step ticked from the company's data,
//! each a link to where it is done. `POST /office/onboarding/dismiss` hides it.
//! `GET /office/onboarding` shows it on a page of its own, also once every step is done.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::setup::checklist::{self, Step};
use doorstep_core::authz::OfficeArea;

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

/// The checklist as the home shows it.
pub struct Checklist {
    /// Its steps in order.
    pub steps: Vec<Step>,
    /// How many are done.
    pub done: usize,
    /// Shown on its own page (not the home's).
    pub on_page: bool,
}

async fn read(
    state: &AppState,
    staff: &SignedInStaff,
    on_page: bool,
) -> Result<Checklist, WebError> {
    let facts = state.store.setup_facts(staff.company.id).await?;
    let steps = checklist::steps(&facts);
    let done = steps.iter().filter(|s| s.done).count();
    Ok(Checklist {
        steps,
        done,
        on_page,
    })
}

/// The checklist for `staff`'s home, when it is shown: to administrators, until every
/// step is done or it was dismissed.
pub async fn for_home(
    state: &AppState,
    staff: &SignedInStaff,
) -> Result<Option<Checklist>, WebError> {
    if !staff.actor.may(OfficeArea::Administration) || staff.company.onboarding_dismissed {
        return Ok(None);
    }
    let c = read(state, staff, false).await?;
    if c.done == c.steps.len() {
        return Ok(None);
    }
    Ok(Some(c))
}

#[derive(Template)]
#[template(path = "office/onboarding/page.html")]
struct ChecklistPage {
    chrome: OfficeChrome,
    c: Checklist,
}

/// `GET /office/onboarding`: the checklist on its own page, whatever is done.
pub async fn page(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, WebError> {
    let c = read(&state, &staff, true).await?;
    crate::kit::render::page(&ChecklistPage {
        chrome: OfficeChrome::of(&staff, &csrf),
        c,
    })
}

/// `POST /office/onboarding/dismiss`.
pub async fn dismiss(
    State(state): State<AppState>,
    staff: SignedInStaff,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    checklist::dismiss(&state.app, admin).await?;
    Ok(Redirect::to("/office").into_response())
}
