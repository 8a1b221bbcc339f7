//! Self sign-up, when the company allows it: an email address first, then, through the
//! link emailed to it (so the address is proven), name and password. The result is a
//! prospective customer with one company contact, flagged for the office.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use doorstep_app::AppError;
use doorstep_app::credentials::LINK_EXPIRED;
use doorstep_app::credentials::sign_up::{self, Details, allowed};
use doorstep_app::error::FieldErrors;
use doorstep_store::companies::Company;
use doorstep_store::sessions::SessionOwner;
use serde::Deserialize;

use crate::auth::sign_in::finish_sign_in;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::views::Brand;
use crate::{AppState, Tenant, WebError};

#[derive(Template)]
#[template(path = "portal/sign_up.html")]
struct EmailPage {
    brand: Brand,
    csrf: String,
    email: String,
    error: Option<String>,
    sent: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/sign_up_details.html")]
struct DetailsPage {
    brand: Brand,
    csrf: String,
    action: String,
    email: String,
    form: DetailsForm,
    errors: DetailErrors,
}

/// The first step: an email address.
#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

/// The second step, behind the emailed link.
#[derive(Deserialize, Default)]
pub struct DetailsForm {
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    password: String,
}

/// A message per field of [`DetailsForm`].
#[derive(Default)]
struct DetailErrors {
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<String>,
    organisation: Option<String>,
    password: Option<String>,
}

impl From<FieldErrors> for DetailErrors {
    fn from(errors: FieldErrors) -> Self {
        DetailErrors {
            first_name: errors.get("first_name"),
            last_name: errors.get("last_name"),
            phone: errors.get("phone"),
            organisation: errors.get("organisation"),
            password: errors.get("password"),
        }
    }
}

fn html(t: impl Template, status: StatusCode) -> Result<Response, WebError> {
    crate::kit::render::page_with(status, &t)
}

/// A link that does not work answers with the "link expired" page.
fn link_error(e: AppError) -> WebError {
    match e.conflict_reason() {
        Some(LINK_EXPIRED) => WebError::LinkExpired,
        _ => WebError::from(e),
    }
}

/// `GET /sign-up`.
pub async fn form(
    Tenant(company): Tenant,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, WebError> {
    allowed(&company)?;
    let page = EmailPage {
        brand: Brand::of(&company),
        csrf,
        email: String::new(),
        error: None,
        sent: None,
    };
    html(page, StatusCode::OK)
}

/// `POST /sign-up`: emails a link to the address; answers the same whether or not it
/// already has an account (which gets a sign-in link instead), so nobody learns who
/// the company's customers are.
pub async fn request(
    State(state): State<AppState>,
    Tenant(company): Tenant,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(form): Form<EmailForm>,
) -> Result<Response, WebError> {
    let typed: String = form.email.trim().chars().take(254).collect();
    let page = |error: Option<String>, sent: Option<String>| EmailPage {
        brand: Brand::of(&company),
        csrf: csrf.clone(),
        email: typed.clone(),
        error,
        sent,
    };
    match sign_up::request(&state.app, &company, peer.ip(), &typed).await {
        Ok(_) => html(page(None, Some(sent_message(&typed))), StatusCode::OK),
        Err(AppError::Invalid(e)) => html(
            page(Some(e.message), None),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(AppError::Conflict { message, .. }) => {
            html(page(Some(message), None), StatusCode::TOO_MANY_REQUESTS)
        }
        Err(e) => Err(e.into()),
    }
}

fn sent_message(typed: &str) -> String {
    format!(
        "We've emailed a link to {typed}. Open it to finish creating your account; it works for 24 hours."
    )
}

fn details_page(
    company: &Company,
    csrf: String,
    token: &str,
    email: String,
    form: DetailsForm,
    errors: DetailErrors,
) -> DetailsPage {
    DetailsPage {
        brand: Brand::of(company),
        csrf,
        action: format!("/verify/{token}"),
        email,
        form,
        errors,
    }
}

/// `GET /verify/{token}`: the link proved the address; ask for the rest.
pub async fn details(
    State(state): State<AppState>,
    Tenant(company): Tenant,
    CsrfToken(csrf): CsrfToken,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let (_, email) = sign_up::pending(&state.app, &company, &token)
        .await
        .map_err(link_error)?;
    let page = details_page(
        &company,
        csrf,
        &token,
        email,
        DetailsForm::default(),
        DetailErrors::default(),
    );
    html(page, StatusCode::OK)
}

/// `POST /verify/{token}`: creates the prospective customer, its contact and the
/// password, uses the link up, and signs the new customer in.
pub async fn create(
    State(state): State<AppState>,
    Tenant(company): Tenant,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(mut form): Form<DetailsForm>,
) -> Result<Response, WebError> {
    let (_, email) = sign_up::pending(&state.app, &company, &token)
        .await
        .map_err(link_error)?;
    let f = &form;
    let details = match Details::parse(
        &f.first_name,
        &f.last_name,
        &f.phone,
        &f.organisation,
        &f.password,
    ) {
        Ok(details) => details,
        Err(errors) => {
            form.password.clear();
            let page = details_page(&company, csrf, &token, email, form, errors.into());
            return html(page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let login = sign_up::create(&state.app, &company, peer.ip(), &token, details)
        .await
        .map_err(link_error)?;
    let ip = peer.ip().to_string();
    finish_sign_in(&state, &company, SessionOwner::Login(login), &headers, &ip).await
}
