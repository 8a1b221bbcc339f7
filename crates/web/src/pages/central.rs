//! `GET/POST /find-your-portal` on the service's base domain (the host that is no
//! company's): a person types their email and gets, from each company where it may sign
//! in, that company's one-time sign-in link. The answer is the same page, worded the same,
//! for every email, and is sent before the lookup runs, so neither the words nor the time
//! taken tell whether an email is known. On a company's host (or the bare host of a
//! `--single-company` deployment) the page sends to that company's own link form.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use doorstep_app::sign_in::central;
use serde::Deserialize;

use crate::auth::sign_in::client;
use crate::csrf::CsrfToken;
use crate::extract::Form;
use crate::tenant::{company_of_host, host_of};
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "central_sign_in.html")]
struct CentralPage {
    csrf: String,
    email: String,
    sent: Option<String>,
}

/// The email as posted.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct CentralForm {
    email: String,
}

fn html(page: CentralPage) -> Result<Response, WebError> {
    page.render()
        .map(|h| Html(h).into_response())
        .map_err(WebError::internal)
}

/// Whether this host serves a company: then its own form is the place.
async fn on_company_host(
    state: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
) -> Result<bool, WebError> {
    Ok(company_of_host(state, host_of(headers, uri))
        .await?
        .is_some())
}

/// `GET /find-your-portal`.
pub async fn form(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    if on_company_host(&state, &headers, &uri).await? {
        return Ok(Redirect::to("/sign-in/link").into_response());
    }
    html(CentralPage {
        csrf,
        email: String::new(),
        sent: None,
    })
}

/// `POST /find-your-portal`: answers at once, then sends the links (if any).
pub async fn request(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    uri: Uri,
    Form(form): Form<CentralForm>,
) -> Result<Response, WebError> {
    if on_company_host(&state, &headers, &uri).await? {
        return Ok(Redirect::to("/sign-in/link").into_response());
    }
    let typed = form.email.trim().chars().take(254).collect::<String>();
    let ip = client(&state, &headers, peer.ip()).ip;
    let app = state.app.clone();
    let email = typed.clone();
    tokio::spawn(async move {
        if let Err(err) = central::request(&app, &email, ip).await {
            tracing::error!(error = %err, "central sign-in: sending the links failed");
        }
    });
    let sent = format!(
        "If {typed} may sign in to a portal here, we've emailed it a sign-in link for each one. Each link works once, for 15 minutes."
    );
    html(CentralPage {
        csrf,
        email: typed,
        sent: Some(sent),
    })
}
