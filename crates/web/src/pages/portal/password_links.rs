//! The pages behind emailed links: accept an invitation, reset a password; and the
//! "Forgot password?" request, which answers the same whether or not the email exists.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use doorstep_core::email::EmailAddress;
use doorstep_core::password::check_new_password;
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::companies::Company;
use doorstep_store::sessions::SessionOwner;
use doorstep_store::tokens::{TokenOwner, TokenPurpose};
use serde::Deserialize;

use crate::auth::links::{human, may_email, send_link};
use crate::auth::password::hash_password;
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

fn words(purpose: TokenPurpose) -> (&'static str, &'static str, &'static str, &'static str) {
    match purpose {
        TokenPurpose::Invite => (
            "invite",
            "Welcome! Choose your password",
            "Choose a password for the customer portal. Use at least 12 characters; a few unrelated words make a strong one.",
            "Set password and sign in",
        ),
        _ => (
            "reset",
            "Choose a new password",
            "Use at least 12 characters; a few unrelated words make a strong one. Every other device signed in to your account will be signed out.",
            "Save password and sign in",
        ),
    }
}

fn render(
    company: &Company,
    purpose: TokenPurpose,
    token: &str,
    csrf: String,
    errors: (Option<String>, Option<String>),
    status: StatusCode,
) -> Result<Response, WebError> {
    let (path, heading, intro, button) = words(purpose);
    let html = SetPasswordPage {
        brand: Brand::of(company),
        heading,
        intro,
        button,
        action: format!("/{path}/{token}"),
        password_error: errors.0,
        confirm_error: errors.1,
        csrf,
    }
    .render()
    .map_err(WebError::internal)?;
    Ok((status, Html(html)).into_response())
}

async fn show(
    state: AppState,
    company: Company,
    csrf: String,
    token: String,
    purpose: TokenPurpose,
) -> Result<Response, WebError> {
    let owner = state
        .store
        .peek_token(company.id, &hash_token(&token), purpose)
        .await?;
    if !matches!(owner, Some(TokenOwner::Login(_))) {
        return Err(WebError::LinkExpired);
    }
    render(
        &company,
        purpose,
        &token,
        csrf,
        (None, None),
        StatusCode::OK,
    )
}

#[allow(clippy::too_many_arguments)]
async fn submit(
    state: AppState,
    company: Company,
    csrf: String,
    token: String,
    purpose: TokenPurpose,
    ip: String,
    headers: HeaderMap,
    form: PasswordForm,
) -> Result<Response, WebError> {
    let password_error = check_new_password(&form.password).err().map(|e| e.message);
    let confirm_error = (password_error.is_none() && form.password != form.confirm)
        .then(|| "The two passwords differ. Type the same password twice.".to_owned());
    if password_error.is_some() || confirm_error.is_some() {
        return render(
            &company,
            purpose,
            &token,
            csrf,
            (password_error, confirm_error),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let cost = state.config.password_cost;
    let password = form.password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password, cost))
        .await
        .map_err(WebError::internal)?
        .map_err(WebError::internal)?;
    let mut tx = state.store.begin().await?;
    let Some(TokenOwner::Login(login)) = tx
        .consume_token(company.id, &hash_token(&token), purpose)
        .await?
    else {
        return Err(WebError::LinkExpired);
    };
    tx.set_login_password(company.id, login, Some(&hash))
        .await?;
    // A new password ends every session that knew the old one (ASVS 3.3.3).
    tx.delete_sessions_of(company.id, SessionOwner::Login(login), None)
        .await?;
    tx.audit(
        company.id,
        &NewAuditEvent {
            actor_kind: "contact",
            actor_id: Some(login.0),
            actor_label: String::new(),
            action: if purpose == TokenPurpose::Invite {
                "access.invitation_accepted"
            } else {
                "password.reset"
            },
            subject_kind: "login",
            subject_id: Some(login.0),
            ip: ip.clone(),
            detail: "{}".into(),
            at: doorstep_store::now(),
        },
    )
    .await?;
    tx.commit().await?;
    if state
        .store
        .accounts_of_login(company.id, login)
        .await?
        .is_empty()
    {
        return Ok(Redirect::to("/sign-in").into_response());
    }
    finish_sign_in(&state, &company, SessionOwner::Login(login), &headers, &ip).await
}

/// `GET /invite/{token}`.
pub async fn show_invite(
    State(state): State<AppState>,
    Tenant(company): Tenant,
    CsrfToken(csrf): CsrfToken,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    show(state, company, csrf, token, TokenPurpose::Invite).await
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
    submit(
        state,
        company,
        csrf,
        token,
        TokenPurpose::Invite,
        peer.ip().to_string(),
        headers,
        form,
    )
    .await
}

/// `GET /reset/{token}`.
pub async fn show_reset(
    State(state): State<AppState>,
    Tenant(company): Tenant,
    CsrfToken(csrf): CsrfToken,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    show(state, company, csrf, token, TokenPurpose::Reset).await
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
    submit(
        state,
        company,
        csrf,
        token,
        TokenPurpose::Reset,
        peer.ip().to_string(),
        headers,
        form,
    )
    .await
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
    let html = ForgotPage {
        brand: Brand::of(&company),
        email: String::new(),
        sent: None,
        csrf,
    }
    .render()
    .map_err(WebError::internal)?;
    Ok(Html(html).into_response())
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
    if let Ok(email) = EmailAddress::parse(&typed) {
        let creds = state
            .store
            .login_credentials(company.id, email.as_str())
            .await?;
        if let Some((login, locked)) = creds.and_then(|c| match c.owner {
            SessionOwner::Login(login) => Some((login, c.locked)),
            SessionOwner::Staff(_) => None,
        }) {
            let has_access = !state
                .store
                .accounts_of_login(company.id, login)
                .await?
                .is_empty();
            if has_access && !locked && may_email(&state, &company, email.as_str()).await? {
                let name = state.store.login_first_name(company.id, login).await?;
                let mut tx = state.store.begin().await?;
                send_link(
                    &state,
                    &mut tx,
                    &company,
                    login,
                    TokenPurpose::Reset,
                    email.as_str(),
                    &name,
                )
                .await?;
                tx.commit().await?;
                state.mail_wake.wake();
            }
        }
    }
    let sent = format!(
        "If {typed} has access to this portal, we've emailed it a link to choose a new password. The link expires {}.",
        human(state.config.reset_ttl)
    );
    let html = ForgotPage {
        brand: Brand::of(&company),
        email: typed,
        sent: Some(sent),
        csrf,
    }
    .render()
    .map_err(WebError::internal)?;
    Ok(Html(html).into_response())
}
