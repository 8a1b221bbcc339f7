//! The one-time link a new staff member follows to choose a password.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::access::{self, NewPassword};
use doorstep_store::tokens::{TokenOwner, TokenPurpose};
use serde::Deserialize;

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
    crate::kit::render::page_with(status, &page)
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

/// `POST /office/setup/{token}`: sets the password and uses the link up, in one
/// transaction (`doorstep_app::access::set_up_staff_password`).
pub async fn submit(
    State(state): State<AppState>,
    Tenant(company): Tenant,
    CsrfToken(csrf): CsrfToken,
    Path(token): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(form): Form<SetupForm>,
) -> Result<Response, WebError> {
    let password = match NewPassword::parse(&form.password, &form.confirm) {
        Ok(password) => password,
        Err(errors) => {
            let page = SetupPage {
                brand: Brand::of(&company),
                action: format!("/office/setup/{token}"),
                password_error: errors.get("password"),
                confirm_error: errors.get("confirm"),
                csrf,
            };
            return render(page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    match access::set_up_staff_password(&state.app, &company, peer.ip(), &token, password).await {
        Ok(()) => Ok(Redirect::to("/office?password_set=1").into_response()),
        Err(AppError::NotFound) => Err(WebError::LinkExpired),
        Err(err) => Err(err.into()),
    }
}
