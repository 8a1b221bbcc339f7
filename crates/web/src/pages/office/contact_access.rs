//! The office's portal-access controls on a contact (seed 004, 001): enable (which
//! invites), resend the invitation, force a password reset, lock, unlock, disable. Each
//! is one use case of `doorstep_app::access`; a refusal comes back as the customer page
//! with its message. Locking and disabling ask first: without `confirm=yes` the post
//! answers a confirmation step and changes nothing.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::{AppError, access};
use doorstep_core::authz::OfficeArea;
use doorstep_core::ids::{ContactId, CustomerId};
use serde::Deserialize;

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

/// The button pressed, and `yes` once the confirmation step was answered.
#[derive(Deserialize)]
pub struct AccessForm {
    action: String,
    #[serde(default)]
    confirm: String,
}

/// The confirmation step before locking or disabling a contact's access.
#[derive(Template)]
#[template(path = "office/contact_access_confirm.html")]
struct ConfirmPage {
    chrome: OfficeChrome,
    customer: String,
    title: String,
    message: String,
    action: String,
    verb: &'static str,
    button: String,
    keep: String,
    back: String,
}

/// `POST /office/contacts/{id}/access`.
pub async fn act(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<AccessForm>,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
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
    if matches!(form.action.as_str(), "lock" | "disable") && form.confirm != "yes" {
        let name = format!("{} {}", contact.first_name, contact.last_name);
        let name = name.trim();
        let (verb, title, message, button) = if form.action == "lock" {
            (
                "lock",
                format!("Lock {name}'s login?"),
                format!(
                    "{name} is signed out at once and cannot sign in to the portal until the office unlocks the login. Their access stays enabled and nothing else changes."
                ),
                "Lock login",
            )
        } else {
            (
                "disable",
                format!("Disable {name}'s portal access?"),
                format!(
                    "{name} can no longer use the portal for {}. The contact and their history stay, and you can enable access again later.",
                    customer.name
                ),
                "Disable access",
            )
        };
        let page = ConfirmPage {
            chrome: OfficeChrome::of(&staff, &csrf),
            customer: customer.name.clone(),
            title,
            message,
            action: format!("/office/contacts/{}/access", contact.id),
            verb,
            button: button.to_owned(),
            keep: format!("No, keep {name}'s access"),
            back: format!("/office/customers/{}", url_path(&customer.number)),
        };
        return crate::kit::render::page(&page);
    }
    let (app, actor, id) = (&state.app, &staff.actor, ContactId(id));
    let done = match form.action.as_str() {
        "enable" => access::enable(app, actor, id).await.map(|e| {
            if e.invited {
                "enabled"
            } else {
                "enabled_existing"
            }
        }),
        "invite" => access::invite(app, actor, id).await.map(|()| "invited"),
        "reset" => access::force_reset(app, actor, id).await.map(|()| "reset"),
        "lock" => access::set_locked(app, actor, id, true)
            .await
            .map(|()| "locked"),
        "unlock" => access::set_locked(app, actor, id, false)
            .await
            .map(|()| "unlocked"),
        "disable" => access::disable(app, actor, id).await.map(|()| "disabled"),
        _ => return Err(WebError::NotFound),
    };
    match done {
        Ok(done) => Ok(back(&format!("done={done}"))),
        // The customer page words each refusal (`no_email`, `no_login`, `has_password`).
        Err(AppError::Conflict { reason, .. }) => Ok(back(&format!("error={reason}"))),
        Err(err) => Err(err.into()),
    }
}

fn url_path(segment: &str) -> String {
    form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}
