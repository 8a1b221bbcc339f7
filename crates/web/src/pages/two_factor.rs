//! The second step of signing in, for contacts and staff alike: the code from an
//! authenticator app, or a recovery code.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth::session::{PendingSignIn, session_token, set_session_cookie};
use crate::auth::sign_in::{Audience, audit_owner, open_session, user_agent};
use crate::auth::two_factor::{SecondFactor, check_second_factor};
use crate::csrf::CsrfToken;
use crate::extract::Form;
use crate::views::Brand;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "two_factor/challenge.html")]
struct ChallengePage {
    brand: Brand,
    action: &'static str,
    restart: &'static str,
    csrf: String,
    error: Option<String>,
}

/// The typed code.
#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

fn page(
    pending: &PendingSignIn,
    csrf: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let audience = Audience::of(pending.session.owner);
    let html = ChallengePage {
        brand: Brand::of(&pending.company),
        action: audience.two_factor_page(),
        restart: audience.sign_in_page(),
        csrf,
        error,
    }
    .render()
    .map_err(WebError::internal)?;
    Ok((status, Html(html)).into_response())
}

/// `GET /sign-in/two-factor` and `GET /office/two-factor`.
pub async fn show(
    pending: PendingSignIn,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, WebError> {
    page(&pending, csrf, None, StatusCode::OK)
}

/// `POST /sign-in/two-factor` and `POST /office/two-factor`: a right code replaces the
/// waiting session with a full one (a new id again).
pub async fn submit(
    State(state): State<AppState>,
    pending: PendingSignIn,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    let owner = pending.session.owner;
    let company = &pending.company;
    let ip = peer.ip().to_string();
    let code: String = form.code.chars().take(64).collect();
    if code.trim().is_empty() {
        let msg = "Enter the 6-digit code from your authenticator app, or a recovery code.";
        return page(
            &pending,
            csrf,
            Some(msg.into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    match check_second_factor(&state, company.id, owner, &code).await? {
        factor @ (SecondFactor::Totp | SecondFactor::RecoveryCode) => {
            audit_owner(
                &state,
                company,
                owner,
                "sign_in.second_factor_passed",
                &ip,
                &format!(r#"{{"factor":"{}"}}"#, factor.label()),
            )
            .await?;
            let previous = session_token(&headers, state.config.https);
            let token = open_session(
                &state,
                company,
                owner,
                previous.as_deref(),
                &ip,
                &user_agent(&headers),
                false,
            )
            .await?;
            let mut response = Redirect::to(Audience::of(owner).home()).into_response();
            set_session_cookie(&mut response, &token, &state);
            Ok(response)
        }
        SecondFactor::Wrong => {
            audit_owner(
                &state,
                company,
                owner,
                "sign_in.second_factor_failed",
                &ip,
                "{}",
            )
            .await?;
            let msg = "That code isn't right. Use the current code from your authenticator app, or one of your unused recovery codes.";
            page(
                &pending,
                csrf,
                Some(msg.into()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        SecondFactor::Throttled(until) => {
            let minutes = ((until - doorstep_store::now()).whole_seconds().max(1) + 59) / 60;
            let msg =
                format!("Too many wrong codes. Please wait {minutes} minute(s) and try again.");
            page(&pending, csrf, Some(msg), StatusCode::TOO_MANY_REQUESTS)
        }
    }
}
