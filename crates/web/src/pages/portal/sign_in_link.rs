//! Passwordless sign-in by emailed link. Opening the link only shows a button; the
//! sign-in happens on its POST, so mail scanners that follow links cannot use it up.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use doorstep_app::AppError;
use doorstep_app::sign_in::links;
use doorstep_store::tokens::{TokenOwner, TokenPurpose};
use serde::Deserialize;

use crate::auth::sign_in::{client, opened_response};
use crate::auth::token::hash_token;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::views::Brand;
use crate::{AppState, Tenant, WebError};

#[derive(Template)]
#[template(path = "portal/sign_in_link.html")]
struct RequestPage {
    brand: Brand,
    email: String,
    sent: Option<String>,
    csrf: String,
}

#[derive(Template)]
#[template(path = "portal/confirm_link.html")]
struct ConfirmPage {
    brand: Brand,
    action: String,
    csrf: String,
}

/// The email to send the link to.
#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    email: String,
}

fn html<T: Template>(page: T) -> Result<Response, WebError> {
    page.render()
        .map(|h| Html(h).into_response())
        .map_err(WebError::internal)
}

/// `GET /sign-in/link`: ask for a link.
pub async fn form(
    Tenant(company): Tenant,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, WebError> {
    html(RequestPage {
        brand: Brand::of(&company),
        email: String::new(),
        sent: None,
        csrf,
    })
}

/// `POST /sign-in/link`: queues a link when the email may sign in; the answer never says.
pub async fn request(
    State(state): State<AppState>,
    Tenant(company): Tenant,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<LinkForm>,
) -> Result<Response, WebError> {
    let typed = form.email.trim().chars().take(254).collect::<String>();
    links::request(&state.app, &company, &typed).await?;
    let sent = format!(
        "If {typed} has access to this portal, we've emailed it a sign-in link. It works once, from any device, for 15 minutes."
    );
    html(RequestPage {
        brand: Brand::of(&company),
        email: typed,
        sent: Some(sent),
        csrf,
    })
}

/// `GET /sign-in/link/{token}`: the confirm button (nothing is used up here).
pub async fn confirm(
    State(state): State<AppState>,
    Tenant(company): Tenant,
    CsrfToken(csrf): CsrfToken,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let owner = state
        .store
        .peek_token(company.id, &hash_token(&token), TokenPurpose::SignInLink)
        .await?;
    if !matches!(owner, Some(TokenOwner::Login(_))) {
        return Err(WebError::LinkExpired);
    }
    html(ConfirmPage {
        brand: Brand::of(&company),
        action: format!("/sign-in/link/{token}"),
        csrf,
    })
}

/// `POST /sign-in/link/{token}`: uses the link up and signs in.
pub async fn sign_in(
    State(state): State<AppState>,
    Tenant(company): Tenant,
    Path(token): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let client = client(&state, &headers, peer.ip());
    match links::sign_in(&state.app, &company, &token, &client).await {
        Ok(opened) => Ok(opened_response(&state, &opened, &headers)),
        Err(AppError::NotFound) => Err(WebError::LinkExpired),
        Err(other) => Err(other.into()),
    }
}
