//! The office's sign-in page, sign-in and sign-out.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::sign_in::password::{self, Credentials, Outcome, Refusal};
use doorstep_app::sign_in::session;
use doorstep_store::companies::Company;
use serde::Deserialize;

use crate::auth::session::{SignedInStaff, clear_session_cookie};
use crate::auth::sign_in::{Audience, SIGNED_OUT, client, signed_in};
use crate::csrf::CsrfToken;
use crate::extract::{Form, Query};
use crate::pages::office::home;
use crate::views::Brand;
use crate::{AppState, Tenant, WebError};

#[derive(Template)]
#[template(path = "office/sign_in.html")]
struct OfficeSignInPage {
    brand: Brand,
    email: String,
    notice: Option<&'static str>,
    error: Option<String>,
    csrf: String,
}

/// Query flags other pages redirect here with.
#[derive(Deserialize)]
pub struct Flags {
    password_set: Option<String>,
    signed_out: Option<String>,
}

/// The sign-in form as posted.
#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

fn page(
    company: &Company,
    csrf: &str,
    email: String,
    notice: Option<&'static str>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    crate::kit::render::page_with(
        status,
        &OfficeSignInPage {
            brand: Brand::of(company),
            email,
            notice,
            error,
            csrf: csrf.to_owned(),
        },
    )
}

/// `GET /office`: the office home for staff, the sign-in page for everyone else.
pub async fn show(
    State(state): State<AppState>,
    Tenant(company): Tenant,
    CsrfToken(csrf): CsrfToken,
    Query(flags): Query<Flags>,
    staff: Result<SignedInStaff, WebError>,
) -> Result<Response, WebError> {
    match staff {
        Ok(staff) => home::render(&state, &staff, &csrf).await,
        Err(WebError::SignInRequired(_)) => {
            let notice = match (&flags.password_set, &flags.signed_out) {
                (Some(_), _) => Some("Your password is set. Sign in with it below."),
                (None, Some(_)) => Some(SIGNED_OUT),
                (None, None) => None,
            };
            page(&company, &csrf, String::new(), notice, None, StatusCode::OK)
        }
        Err(other) => Err(other),
    }
}

/// `POST /office/sign-in`.
pub async fn submit(
    State(state): State<AppState>,
    Tenant(company): Tenant,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Result<Response, WebError> {
    let email = form.email.trim().to_owned();
    let credentials = match Credentials::parse(&form.email, &form.password) {
        Ok(c) => c,
        Err(e) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return page(&company, &csrf, email, None, Some(e.message), status);
        }
    };
    let client = client(&state, &headers, peer.ip());
    let audience = Audience::Office;
    match password::sign_in(&state.app, &company, audience, credentials, &client).await? {
        Outcome::SignedIn { token } => Ok(signed_in(&state, audience, &token, false, &headers)),
        Outcome::SecondFactorOwed { token } => {
            Ok(signed_in(&state, audience, &token, true, &headers))
        }
        Outcome::Refused(Refusal::NoMatch) => {
            // Also the answer to a locked account, right password or not.
            let msg = "That email and password don't match a staff account that may sign in. \
                       If you still can't sign in, ask an administrator."
                .to_owned();
            page(
                &company,
                &csrf,
                email,
                None,
                Some(msg),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Outcome::Refused(Refusal::Throttled { minutes }) => {
            let msg =
                format!("Too many failed attempts. Please wait {minutes} minute(s) and try again.");
            page(
                &company,
                &csrf,
                email,
                None,
                Some(msg),
                StatusCode::TOO_MANY_REQUESTS,
            )
        }
    }
}

/// `POST /office/sign-out`.
pub async fn sign_out(
    State(state): State<AppState>,
    staff: SignedInStaff,
) -> Result<Response, WebError> {
    session::sign_out(&state.app, &staff.company, &staff.session).await?;
    let mut response = Redirect::to("/office?signed_out=1").into_response();
    clear_session_cookie(&mut response, &state);
    Ok(response)
}
