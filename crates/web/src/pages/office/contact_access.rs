//! The office's portal-access controls on a contact (seed 004, 001): enable (which
//! invites), resend the invitation, force a password reset, lock, unlock, disable.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_core::authz::{OfficeArea, staff_may};
use doorstep_core::email::EmailAddress;
use doorstep_core::ids::{ContactId, CustomerId, LoginId};
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::sessions::SessionOwner;
use doorstep_store::tokens::TokenPurpose;
use serde::Deserialize;

use crate::auth::links::send_link;
use crate::auth::session::SignedInStaff;
use crate::extract::{Form, Path};
use crate::{AppState, WebError};

/// The button pressed.
#[derive(Deserialize)]
pub struct AccessForm {
    action: String,
}

/// `POST /office/contacts/{id}/access`.
pub async fn act(
    State(state): State<AppState>,
    staff: SignedInStaff,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<i64>,
    Form(form): Form<AccessForm>,
) -> Result<Response, WebError> {
    if !staff_may(staff.staff.role, OfficeArea::DayToDay) {
        return Err(WebError::NotFound);
    }
    let company = &staff.company;
    let contact = state
        .store
        .contact_access(company.id, ContactId(id))
        .await?
        .ok_or(WebError::NotFound)?;
    let customer = state
        .store
        .customer_summary(company.id, CustomerId(contact.customer_id))
        .await?
        .ok_or(WebError::NotFound)?;
    let back = |query: &str| {
        Redirect::to(&format!(
            "/office/customers/{}?{query}",
            url_path(&customer.number)
        ))
        .into_response()
    };
    let name = format!("{} {}", contact.first_name, contact.last_name)
        .trim()
        .to_owned();
    let login = contact.login_id.map(LoginId);
    let mut tx = state.store.begin().await?;
    let (action, done): (&'static str, &str) = match form.action.as_str() {
        "enable" => {
            let Some(email) = contact
                .email
                .as_deref()
                .and_then(|e| EmailAddress::parse(e).ok())
            else {
                return Ok(back("error=no_email"));
            };
            let login = tx
                .enable_portal_access(company.id, ContactId(id), email.as_str())
                .await?;
            // Through the open transaction: a writer never waits for a second connection.
            let has_password = tx.login_has_password(company.id, login).await?;
            if has_password {
                ("access.enabled", "done=enabled_existing")
            } else {
                send_link(
                    &state,
                    &mut tx,
                    company,
                    login,
                    TokenPurpose::Invite,
                    email.as_str(),
                    &name,
                )
                .await?;
                ("access.enabled", "done=enabled")
            }
        }
        "invite" => {
            let (Some(login), Some(email)) = (login, contact.email.as_deref()) else {
                return Ok(back("error=no_login"));
            };
            if contact.has_password {
                return Ok(back("error=has_password"));
            }
            send_link(
                &state,
                &mut tx,
                company,
                login,
                TokenPurpose::Invite,
                email,
                &name,
            )
            .await?;
            ("access.invitation_resent", "done=invited")
        }
        "reset" => {
            let (Some(login), Some(email)) = (login, contact.email.as_deref()) else {
                return Ok(back("error=no_login"));
            };
            // Staff never set or see a password: they clear it and the person picks a new one.
            tx.set_login_password(company.id, login, None).await?;
            tx.delete_sessions_of(company.id, SessionOwner::Login(login), None)
                .await?;
            send_link(
                &state,
                &mut tx,
                company,
                login,
                TokenPurpose::Reset,
                email,
                &name,
            )
            .await?;
            ("access.reset_forced", "done=reset")
        }
        "lock" | "unlock" => {
            let Some(login) = login else {
                return Ok(back("error=no_login"));
            };
            let lock = form.action == "lock";
            tx.set_login_locked(company.id, login, lock, "").await?;
            if lock {
                ("access.locked", "done=locked")
            } else {
                ("access.unlocked", "done=unlocked")
            }
        }
        "disable" => {
            tx.disable_portal_access(company.id, ContactId(id)).await?;
            ("access.disabled", "done=disabled")
        }
        _ => return Err(WebError::NotFound),
    };
    tx.audit(
        company.id,
        &NewAuditEvent {
            actor_kind: "staff",
            actor_id: Some(staff.staff.id.0),
            actor_label: staff.staff.email.clone(),
            action,
            subject_kind: "contact",
            subject_id: Some(id),
            ip: peer.ip().to_string(),
            detail: "{}".into(),
            at: doorstep_store::now(),
        },
    )
    .await?;
    tx.commit().await?;
    state.mail_wake.wake();
    Ok(back(done))
}

fn url_path(segment: &str) -> String {
    form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}
