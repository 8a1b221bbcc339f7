//! Passwordless sign-in by emailed link. Opening the link only shows a button; the
//! sign-in happens on its POST, so mail scanners that follow links cannot use it up.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use doorstep_core::email::EmailAddress;
use doorstep_store::sessions::SessionOwner;
use doorstep_store::tokens::{TokenOwner, TokenPurpose};
use serde::Deserialize;

use crate::auth::links::{may_email, send_link};
use crate::auth::sign_in::finish_sign_in;
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
    if let Ok(email) = EmailAddress::parse(&typed) {
        let creds = state
            .store
            .login_credentials(company.id, email.as_str())
            .await?;
        let login = creds.and_then(|c| match c.owner {
            SessionOwner::Login(login) if !c.locked => Some(login),
            _ => None,
        });
        // A login with no account left (every contact disabled) gets no link either.
        let login = match login {
            Some(login)
                if !state
                    .store
                    .accounts_of_login(company.id, login)
                    .await?
                    .is_empty()
                    && may_email(&state, &company, email.as_str()).await? =>
            {
                Some(login)
            }
            _ => None,
        };
        if let Some(login) = login {
            let name = state.store.login_first_name(company.id, login).await?;
            let mut tx = state.store.begin().await?;
            send_link(
                &state,
                &mut tx,
                &company,
                login,
                TokenPurpose::SignInLink,
                email.as_str(),
                &name,
            )
            .await?;
            tx.commit().await?;
            state.mail_wake.wake();
        }
    }
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
    let mut tx = state.store.begin().await?;
    let Some(TokenOwner::Login(login)) = tx
        .consume_token(company.id, &hash_token(&token), TokenPurpose::SignInLink)
        .await?
    else {
        return Err(WebError::LinkExpired);
    };
    tx.commit().await?;
    // The lock and the access are checked now, not when the link was sent.
    let creds_ok = match state.store.login_email(company.id, login).await? {
        Some(email) => state
            .store
            .login_credentials(company.id, &email)
            .await?
            .is_some_and(|c| !c.locked),
        None => false,
    };
    if !creds_ok
        || state
            .store
            .accounts_of_login(company.id, login)
            .await?
            .is_empty()
    {
        return Err(WebError::LinkExpired);
    }
    let ip = peer.ip().to_string();
    finish_sign_in(&state, &company, SessionOwner::Login(login), &headers, &ip).await
}
