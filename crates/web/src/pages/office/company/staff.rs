//! `/office/staff`: "Your team" (administrators): each member's role, status (invited,
//! active, deactivated) and last sign-in, with their actions — change role, resend the
//! invitation, deactivate (after a confirmation step) or reactivate — and the form to
//! invite someone by email.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::company::staff::{self, Invitation, parse_role};
use doorstep_app::error::FieldErrors;
use doorstep_core::ids::StaffUserId;
use doorstep_core::status::StaffRole;
use doorstep_store::staff::{StaffStatus, StaffUser};
use serde::Deserialize;

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::display::when;
use crate::extract::{Form, Path, Query};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};
use doorstep_core::local_time::Zone;

/// A member as the list shows them.
struct Row {
    id: i64,
    name: String,
    email: String,
    role: &'static str,
    is_admin: bool,
    status: &'static str,
    badge: &'static str,
    last_sign_in: String,
    invited: bool,
    deactivated: bool,
    is_me: bool,
}

impl Row {
    fn of(zone: &Zone, s: StaffUser, me: StaffUserId) -> Row {
        let status = s.status();
        Row {
            id: s.id.0,
            role: s.role.label(),
            is_admin: s.role == StaffRole::Admin,
            status: status.label(),
            badge: match status {
                StaffStatus::Active => "success",
                StaffStatus::Invited => "info",
                StaffStatus::Deactivated => "",
            },
            last_sign_in: s
                .last_sign_in_at
                .map(|t| when(zone, t))
                .unwrap_or_else(|| "Never".into()),
            invited: status == StaffStatus::Invited,
            deactivated: s.deactivated,
            is_me: s.id == me,
            name: s.name,
            email: s.email,
        }
    }
}

/// The invitation form's values and messages.
#[derive(Default)]
struct Draft {
    name: String,
    email: String,
    role: String,
    name_error: Option<String>,
    email_error: Option<String>,
    role_error: Option<String>,
}

#[derive(Template)]
#[template(path = "office/company/staff.html")]
struct TeamPage {
    chrome: OfficeChrome,
    rows: Vec<Row>,
    draft: Draft,
    notice: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "office/company/deactivate.html")]
struct ConfirmPage {
    chrome: OfficeChrome,
    row: Row,
}

/// The list's query string.
#[derive(Debug, Deserialize, Default)]
pub struct TeamQuery {
    done: Option<String>,
}

/// The invitation as posted.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct InviteForm {
    name: String,
    email: String,
    role: String,
}

/// A role change as posted.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct RoleForm {
    role: String,
}

/// A deactivation as posted from its confirmation page.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct DeactivateForm {
    confirm: String,
}

async fn team_page(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    draft: Draft,
    notice: Option<&'static str>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let rows = state
        .store
        .staff_of(staff.company.id)
        .await?
        .into_iter()
        .map(|s| Row::of(&staff.company.time_zone, s, staff.staff.id))
        .collect();
    let page = TeamPage {
        chrome: OfficeChrome::of(staff, csrf),
        rows,
        draft,
        notice,
    };
    crate::kit::render::page_with(status, &page)
}

/// `GET /office/staff`: the team and the invitation form.
pub async fn list(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<TeamQuery>,
) -> Result<Response, WebError> {
    staff.actor.admin()?;
    let notice = match query.done.as_deref() {
        Some("invited") => {
            Some("Invitation sent. They choose a password through the emailed link.")
        }
        Some("resent") => Some("A new invitation was sent; the earlier link no longer works."),
        Some("role") => Some("Role changed."),
        Some("deactivated") => Some("Deactivated. They were signed out and cannot sign in."),
        Some("reactivated") => Some("Reactivated. They can sign in again."),
        _ => None,
    };
    let draft = Draft {
        role: "office".into(),
        ..Draft::default()
    };
    team_page(&state, &staff, &csrf, draft, notice, StatusCode::OK).await
}

/// `POST /office/staff`: invites a new member.
pub async fn invite(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<InviteForm>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    let draft = |errors: &FieldErrors| Draft {
        name: form.name.clone(),
        email: form.email.clone(),
        role: form.role.clone(),
        name_error: errors.get("name"),
        email_error: errors.get("email"),
        role_error: errors.get("role"),
    };
    let invitation = match Invitation::parse(&form.email, &form.name, &form.role) {
        Ok(i) => i,
        Err(errors) => {
            let d = draft(&errors);
            return team_page(
                &state,
                &staff,
                &csrf,
                d,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match staff::invite(&state.app, admin, invitation).await {
        Ok(_) => Ok(Redirect::to("/office/staff?done=invited").into_response()),
        // The one unique rule of the staff: one member per email.
        Err(AppError::Duplicate(_)) => {
            let d = Draft {
                email_error: Some("Someone in your team already uses this email address.".into()),
                ..draft(&FieldErrors::default())
            };
            team_page(&state, &staff, &csrf, d, None, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /office/staff/{id}/resend`: a new invitation link.
pub async fn resend(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    staff::resend(&state.app, admin, StaffUserId(id)).await?;
    Ok(Redirect::to("/office/staff?done=resent").into_response())
}

/// `POST /office/staff/{id}/role`: gives the member another role.
pub async fn role(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(id): Path<i64>,
    Form(form): Form<RoleForm>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    let role = parse_role(&form.role).map_err(AppError::from)?;
    staff::change_role(&state.app, admin, StaffUserId(id), role).await?;
    Ok(Redirect::to("/office/staff?done=role").into_response())
}

/// `GET /office/staff/{id}/deactivate`: asks first.
pub async fn confirm_deactivate(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    staff.actor.admin()?;
    let member = state
        .store
        .staff_by_id(staff.company.id, StaffUserId(id))
        .await?
        .ok_or(WebError::NotFound)?;
    let page = ConfirmPage {
        chrome: OfficeChrome::of(&staff, &csrf),
        row: Row::of(&staff.company.time_zone, member, staff.staff.id),
    };
    crate::kit::render::page(&page)
}

/// `POST /office/staff/{id}/deactivate`: deactivates the member once confirmed (without
/// the confirmation, sends to the confirmation step).
pub async fn deactivate(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(id): Path<i64>,
    Form(form): Form<DeactivateForm>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    if form.confirm != "yes" {
        return Ok(Redirect::to(&format!("/office/staff/{id}/deactivate")).into_response());
    }
    staff::deactivate(&state.app, admin, StaffUserId(id)).await?;
    Ok(Redirect::to("/office/staff?done=deactivated").into_response())
}

/// `POST /office/staff/{id}/reactivate`.
pub async fn reactivate(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    staff::reactivate(&state.app, admin, StaffUserId(id)).await?;
    Ok(Redirect::to("/office/staff?done=reactivated").into_response())
}
