//! The pages behind emailed links: accept an invitation, reset a password; and the
//! "Forgot password?" request, which answers the same whether or not the email exists.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::credentials::LINK_EXPIRED;
use doorstep_app::credentials::passwords::{self, ChosenPassword, PasswordLink, PasswordSet};
use doorstep_app::mail_links::human;
use doorstep_store::companies::Company;
use doorstep_store::sessions::SessionOwner;
use doorstep_store::tokens::TokenOwner;
use serde::Deserialize;

use crate::auth::sign_in::finish_sign_in;
use crate::auth::token::hash_token;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::views::Brand;
use crate::{AppState, Tenant, WebError};

#[derive(Template)]
#[template(path = "portal/set_password.html")]
struct SetPasswordPage {
    brand: Brand,
    heading: &'static str,
    intro: &'static str,
    button: &'static str,
    action: String,
    password_error: Option<String>,
    confirm_error: Option<String>,
    csrf: String,
}

/// The new password, twice.
#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

fn words(link: PasswordLink) -> (&'static str, &'static str, &'static str, &'static str) {
    match link {
        PasswordLink::Invite => (
            "invite",
            "Welcome! Choose your password",
            "Choose a password for the customer portal. Use at least 12 characters; a few unrelated words make a strong one.",
            "Set password and sign in",
        ),
        PasswordLink::Reset => (
            "reset",
            "Choose a new password",
            "Use at least 12 characters; a few unrelated words make a strong one. Every other device signed in to your account will be signed out.",
            "Save password and sign in",
        ),
    }
}

fn render(
    company: &Company,
    link: PasswordLink,
    token: &str,
    csrf: String,
    errors: (Option<String>, Option<String>),
    status: StatusCode,
) -> Result<Response, WebError> {
    let (path, heading, intro, button) = words(link);
    crate::kit::render::page_with(
        status,
        &SetPasswordPage {
            brand: Brand::of(company),
            heading,
            intro,
            button,
            action: format!("/{path}/{token}"),
            password_error: errors.0,
            confirm_error: errors.1,
            csrf,
        },
    )
}

async fn show(
    state: AppState,
    company: Company,
    csrf: String,
    token: String,
    link: PasswordLink,
) -> Result<Response, WebError> {
    let owner = state
        .store
        .peek_token(company.id, &hash_token(&token), link.purpose())
        .await?;
    if !matches!(owner, Some(TokenOwner::Login(_))) {
        return Err(WebError::LinkExpired);
    }
    render(&company, link, &token, csrf, (None, None), StatusCode::OK)
}

/// The link, the browser and the typed form of a password being set.
struct Submitted {
    company: Company,
    csrf: String,
    token: String,
    link: PasswordLink,
    peer: SocketAddr,
    headers: HeaderMap,
    form: PasswordForm,
}

async fn submit(state: AppState, s: Submitted) -> Result<Response, WebError> {
    let password = match ChosenPassword::parse(&s.form.password, &s.form.confirm) {
        Ok(p) => p,
        Err(errors) => {
            let errors = (errors.get("password"), errors.get("confirm"));
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return render(&s.company, s.link, &s.token, s.csrf, errors, status);
        }
    };
    let ip = s.peer.ip();
    let set = passwords::set_from_link(&state.app, &s.company, ip, s.link, &s.token, password)
        .await
        .map_err(|e| match e.conflict_reason() {
            Some(LINK_EXPIRED) => WebError::LinkExpired,
            _ => WebError::from(e),
        })?;
    let PasswordSet { login, has_access } = set;
    if !has_access {
        return Ok(Redirect::to("/sign-in").into_response());
    }
    let owner = SessionOwner::Login(login);
    finish_sign_in(&state, &s.company, owner, &s.headers, &ip.to_string()).await
}

/// `GET /invite/{token}`.
pub async fn show_invite(
    State(state): State<AppState>,
    Tenant(company): Tenant,
    CsrfToken(csrf): CsrfToken,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    show(state, company, csrf, token, PasswordLink::Invite).await
}

/// `POST /invite/{token}`.
pub async fn accept_invite(
    State(state): State<AppState>,
    Tenant(company): Tenant,
    CsrfToken(csrf): CsrfToken,
    Path(token): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let link = PasswordLink::Invite;
    let submitted = Submitted {
        company,
        csrf,
        token,
        link,
        peer,
        headers,
        form,
    };
    submit(state, submitted).await
}

/// `GET /reset/{token}`.
pub async fn show_reset(
    State(state): State<AppState>,
    Tenant(company): Tenant,
    CsrfToken(csrf): CsrfToken,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    show(state, company, csrf, token, PasswordLink::Reset).await
}

/// `POST /reset/{token}`.
pub async fn reset(
    State(state): State<AppState>,
    Tenant(company): Tenant,
    CsrfToken(csrf): CsrfToken,
    Path(token): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let link = PasswordLink::Reset;
    let submitted = Submitted {
        company,
        csrf,
        token,
        link,
        peer,
        headers,
        form,
    };
    submit(state, submitted).await
}

#[derive(Template)]
#[template(path = "portal/forgot.html")]
struct ForgotPage {
    brand: Brand,
    email: String,
    sent: Option<String>,
    csrf: String,
}

/// The email to send a reset link to.
#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

/// `GET /forgot-password`.
pub async fn forgot(
    Tenant(company): Tenant,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, WebError> {
    crate::kit::render::page(&ForgotPage {
        brand: Brand::of(&company),
        email: String::new(),
        sent: None,
        csrf,
    })
}

/// `POST /forgot-password`: queues a reset link when the email has portal access, and
/// answers exactly the same either way.
pub async fn request_reset(
    State(state): State<AppState>,
    Tenant(company): Tenant,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<ForgotForm>,
) -> Result<Response, WebError> {
    let typed = form.email.trim().chars().take(254).collect::<String>();
    passwords::request_reset(&state.app, &company, &typed).await?;
    let sent = format!(
        "If {typed} has access to this portal, we've emailed it a link to choose a new password. The link expires {}.",
        human(state.config.reset_ttl)
    );
    crate::kit::render::page(&ForgotPage {
        brand: Brand::of(&company),
        email: typed,
        sent: Some(sent),
        csrf,
    })
}
