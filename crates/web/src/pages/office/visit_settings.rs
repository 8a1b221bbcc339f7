//! `GET/POST /office/settings/visits` (administrators): whether customers may
//! reschedule or cancel their visits in the portal, and up to how many hours before.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use doorstep_core::authz::{OfficeWork, area_of, staff_may};
use doorstep_store::audit::NewAuditEvent;
use serde::Deserialize;
use serde_json::json;

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Query};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

/// The longest cut-off accepted: thirty days.
const MAX_HOURS: u32 = 720;

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

fn require(staff: &SignedInStaff) -> Result<(), WebError> {
    if staff_may(staff.staff.role, area_of(OfficeWork::VisitSettings)) {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

fn render(page: &SettingsPage, status: StatusCode) -> Result<Response, WebError> {
    let html = page.render().map_err(WebError::internal)?;
    Ok((status, Html(html)).into_response())
}

/// Reads the cut-off: whole hours from 0 to [`MAX_HOURS`].
fn check_hours(raw: &str) -> Result<u32, String> {
    match raw.trim().parse::<u32>() {
        Ok(h) if h <= MAX_HOURS => Ok(h),
        _ => Err(format!(
            "Enter a whole number of hours from 0 to {MAX_HOURS}."
        )),
    }
}

/// `GET /office/settings/visits`.
pub async fn show(
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<SettingsQuery>,
) -> Result<Response, WebError> {
    require(&staff)?;
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
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(form): Form<SettingsForm>,
) -> Result<Response, WebError> {
    require(&staff)?;
    let allow = form.allow_reschedule.is_some();
    let hours = match check_hours(&form.cutoff_hours) {
        Ok(h) => h,
        Err(e) => {
            let page = SettingsPage {
                allow,
                hours: form.cutoff_hours,
                max_hours: MAX_HOURS,
                hours_error: Some(e),
                saved: false,
                chrome: OfficeChrome::of(&staff, &csrf),
            };
            return render(&page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let company = staff.company.id;
    let mut settings = staff.company.settings.clone();
    settings.allow_reschedule = allow;
    settings.reschedule_cutoff_hours = hours;
    let mut tx = state.store.begin().await?;
    tx.set_company_settings(company, &settings).await?;
    tx.audit(
        company,
        &NewAuditEvent {
            actor_kind: "staff",
            actor_id: Some(staff.staff.id.0),
            actor_label: staff.staff.email.clone(),
            action: "settings.visit_changes",
            subject_kind: "company",
            subject_id: Some(company.0),
            ip: peer.ip().to_string(),
            detail: json!({"allow_reschedule": allow, "reschedule_cutoff_hours": hours})
                .to_string(),
            at: doorstep_store::now(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/office/settings/visits?saved=1").into_response())
}

#[cfg(test)]
mod tests {
    use super::check_hours;

    #[test]
    fn the_cut_off_is_whole_hours_up_to_thirty_days() {
        assert_eq!(check_hours(" 24 "), Ok(24));
        assert_eq!(check_hours("0"), Ok(0));
        assert!(check_hours("721").is_err());
        assert!(check_hours("-1").is_err());
        assert!(check_hours("1.5").is_err());
        assert!(check_hours("").is_err());
    }
}
