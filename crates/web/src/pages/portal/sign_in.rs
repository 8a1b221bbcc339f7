//! The portal's branded sign-in page and the sign-in action.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::sign_in::password::{self, Credentials, Outcome, Refusal};
use doorstep_store::companies::Company;
use serde::Deserialize;

use crate::auth::session::SignedInContact;
use crate::auth::sign_in::{Audience, SIGNED_OUT, client, signed_in};
use crate::csrf::CsrfToken;
use crate::extract::{Form, Query};
use crate::pages::portal::dashboard;
use crate::views::Brand;
use crate::{AppState, Tenant, WebError};

#[derive(Template)]
#[template(path = "portal/sign_in.html")]
struct SignInPage {
    brand: Brand,
    whom_to_contact: String,
    can_sign_up: bool,
    email: String,
    notice: Option<&'static str>,
    error: Option<String>,
    csrf: String,
}

/// Query flags other pages redirect here with.
#[derive(Deserialize)]
pub struct Flags {
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
    let brand = Brand::of(company);
    crate::kit::render::page_with(
        status,
        &SignInPage {
            whom_to_contact: brand.whom_to_contact(),
            brand,
            can_sign_up: company.settings.allow_self_sign_up,
            email,
            notice,
            error,
            csrf: csrf.to_owned(),
        },
    )
}

/// `GET /`: the signed-in contact's home, or the sign-in page.
pub async fn root(
    State(state): State<AppState>,
    Tenant(company): Tenant,
    CsrfToken(csrf): CsrfToken,
    contact: Result<SignedInContact, WebError>,
) -> Result<Response, WebError> {
    match contact {
        Ok(contact) => dashboard::render(&state, &contact, &csrf).await,
        Err(WebError::SignInRequired("/accounts")) => Ok(Redirect::to("/accounts").into_response()),
        Err(WebError::SignInRequired(_)) => {
            page(&company, &csrf, String::new(), None, None, StatusCode::OK)
        }
        Err(other) => Err(other),
    }
}

/// `GET /sign-in`: the sign-in page (signed-in visitors go home).
pub async fn show(
    Tenant(company): Tenant,
    CsrfToken(csrf): CsrfToken,
    Query(flags): Query<Flags>,
    contact: Result<SignedInContact, WebError>,
) -> Result<Response, WebError> {
    let notice = flags.signed_out.map(|_| SIGNED_OUT);
    match contact {
        Ok(_) => Ok(Redirect::to("/").into_response()),
        Err(_) => page(&company, &csrf, String::new(), notice, None, StatusCode::OK),
    }
}

/// `POST /sign-in`.
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
    let audience = Audience::Portal;
    match password::sign_in(&state.app, &company, audience, credentials, &client).await? {
        Outcome::SignedIn { token } => Ok(signed_in(&state, audience, &token, false, &headers)),
        Outcome::SecondFactorOwed { token } => {
            Ok(signed_in(&state, audience, &token, true, &headers))
        }
        Outcome::Refused(Refusal::NoMatch) => {
            // Also the answer to a locked login, right password or not: nothing here may
            // tell an attacker that a guess was right. The contact is emailed instead.
            let msg = format!(
                "That email and password don't match an account with access to this portal. \
                 Check them and try again. If you still can't sign in, contact {}.",
                Brand::of(&company).whom_to_contact()
            );
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
            let msg = format!(
                "Too many failed attempts. Please wait {minutes} minute{} and try again.",
                if minutes == 1 { "" } else { "s" }
            );
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
