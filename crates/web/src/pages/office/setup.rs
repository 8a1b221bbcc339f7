//! The one-time link a new staff member follows to choose a password.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use doorstep_core::password::check_new_password;
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::tokens::{TokenOwner, TokenPurpose};
use serde::Deserialize;

use crate::auth::password::hash_password;
use crate::auth::token::hash_token;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::views::Brand;
use crate::{AppState, Tenant, WebError};

#[derive(Template)]
#[template(path = "office/setup.html")]
struct SetupPage {
    brand: Brand,
    action: String,
    password_error: Option<String>,
    confirm_error: Option<String>,
    csrf: String,
}

/// The form as posted.
#[derive(Deserialize)]
pub struct SetupForm {
    password: String,
    confirm: String,
}

fn render(page: SetupPage, status: StatusCode) -> Result<Response, WebError> {
    let html = page.render().map_err(WebError::internal)?;
    Ok((status, Html(html)).into_response())
}

/// `GET /office/setup/{token}`: the form, if the link is still good.
pub async fn show(
    State(state): State<AppState>,
    Tenant(company): Tenant,
    CsrfToken(csrf): CsrfToken,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let owner = state
        .store
        .peek_token(company.id, &hash_token(&token), TokenPurpose::StaffSetup)
        .await?;
    if !matches!(owner, Some(TokenOwner::Staff(_))) {
        return Err(WebError::LinkExpired);
    }
    let page = SetupPage {
        brand: Brand::of(&company),
        action: format!("/office/setup/{token}"),
        password_error: None,
        confirm_error: None,
        csrf,
    };
    render(page, StatusCode::OK)
}

/// `POST /office/setup/{token}`: sets the password and uses the link up, in one transaction.
pub async fn submit(
    State(state): State<AppState>,
    Tenant(company): Tenant,
    CsrfToken(csrf): CsrfToken,
    Path(token): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(form): Form<SetupForm>,
) -> Result<Response, WebError> {
    let password_error = check_new_password(&form.password).err().map(|e| e.message);
    let confirm_error = (password_error.is_none() && form.password != form.confirm)
        .then(|| "The two passwords differ. Type the same password twice.".to_owned());
    if password_error.is_some() || confirm_error.is_some() {
        let page = SetupPage {
            brand: Brand::of(&company),
            action: format!("/office/setup/{token}"),
            password_error,
            confirm_error,
            csrf,
        };
        return render(page, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let cost = state.config.password_cost;
    let password = form.password;
    // argon2 takes tens of milliseconds of CPU: keep it off the async workers.
    let hash = tokio::task::spawn_blocking(move || hash_password(&password, cost))
        .await
        .map_err(WebError::internal)?
        .map_err(WebError::internal)?;
    let mut tx = state.store.begin().await?;
    let owner = tx
        .consume_token(company.id, &hash_token(&token), TokenPurpose::StaffSetup)
        .await?;
    let Some(TokenOwner::Staff(staff)) = owner else {
        return Err(WebError::LinkExpired);
    };
    tx.set_staff_password(company.id, staff, &hash).await?;
    tx.audit(
        company.id,
        &NewAuditEvent {
            actor_kind: "staff",
            actor_id: Some(staff.0),
            actor_label: String::new(),
            action: "staff.password_set",
            subject_kind: "staff_user",
            subject_id: Some(staff.0),
            ip: peer.ip().to_string(),
            detail: "{}".into(),
            at: doorstep_store::now(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/office?password_set=1").into_response())
}
