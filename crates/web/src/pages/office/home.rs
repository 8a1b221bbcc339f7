//! The office's home page after sign-in.

use askama::Template;
use axum::response::Response;

use crate::auth::session::SignedInStaff;
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "office/home.html")]
struct OfficeHome {
    chrome: OfficeChrome,
    staff: Vec<(String, String, &'static str)>,
}

/// Renders the office home for `staff`.
pub async fn render(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
) -> Result<Response, WebError> {
    let team = state
        .store
        .staff_of(staff.company.id)
        .await?
        .into_iter()
        .map(|s| (s.name, s.email, s.role.label()))
        .collect();
    crate::kit::render::page(&OfficeHome {
        chrome: OfficeChrome::of(staff, csrf),
        staff: team,
    })
}
