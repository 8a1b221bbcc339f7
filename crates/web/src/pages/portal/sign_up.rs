//! Self sign-up, when the company allows it: an email address first, then, through the
//! link emailed to it (so the address is proven), name and password. The result is a
//! prospective customer with one company contact, flagged for the office.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use doorstep_core::email::EmailAddress;
use doorstep_core::password::check_new_password;
use doorstep_core::status::ContactRole;
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::companies::Company;
use doorstep_store::contacts::NewContact;
use doorstep_store::customers::NewCustomer;
use doorstep_store::sessions::SessionOwner;
use doorstep_store::tokens::{TokenOwner, TokenPurpose};
use serde::Deserialize;

use crate::auth::links::{claim, may_email, send_link};
use crate::auth::password::hash_password;
use crate::auth::sign_in::finish_sign_in;
use crate::auth::token::hash_token;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::views::Brand;
use crate::{AppState, Tenant, WebError};

/// Longest accepted name or phone, in characters.
const MAX_FIELD: usize = 100;

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

impl DetailErrors {
    fn any(&self) -> bool {
        self.first_name.is_some()
            || self.last_name.is_some()
            || self.phone.is_some()
            || self.organisation.is_some()
            || self.password.is_some()
    }
}

fn html(t: impl Template, status: StatusCode) -> Result<Response, WebError> {
    let body = t.render().map_err(WebError::internal)?;
    Ok((status, Html(body)).into_response())
}

fn allowed(company: &Company) -> Result<(), WebError> {
    if company.settings.allow_self_sign_up {
        Ok(())
    } else {
        Err(WebError::NotFound)
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
    allowed(&company)?;
    let typed: String = form.email.trim().chars().take(254).collect();
    let page = |error: Option<String>, sent: Option<String>| EmailPage {
        brand: Brand::of(&company),
        csrf: csrf.clone(),
        email: typed.clone(),
        error,
        sent,
    };
    let email = match EmailAddress::parse(&typed) {
        Ok(email) => email,
        Err(_) => {
            let msg = "Enter your email address, like name@example.com.".to_owned();
            return html(page(Some(msg), None), StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    // Each sign-up sends an email: slow down one address's flood of them.
    let key = format!("sign-up:{}", peer.ip());
    if !claim(&state, &company, &key).await? {
        let msg = "Too many sign-ups from your network. Please try again in a few minutes.";
        return html(page(Some(msg.into()), None), StatusCode::TOO_MANY_REQUESTS);
    }
    if !may_email(&state, &company, email.as_str()).await? {
        return html(page(None, Some(sent_message(&typed))), StatusCode::OK);
    }
    let mut tx = state.store.begin().await?;
    // Read through the open transaction: a writer never waits for a second connection.
    let existing = tx
        .login_by_email_with_account(company.id, email.as_str())
        .await?;
    let (login, purpose) = match existing {
        Some((login, true)) => (login, TokenPurpose::SignInLink),
        Some((login, false)) => (login, TokenPurpose::VerifyEmail),
        None => (
            tx.insert_unverified_login(company.id, email.as_str())
                .await?,
            TokenPurpose::VerifyEmail,
        ),
    };
    send_link(
        &state,
        &mut tx,
        &company,
        login,
        purpose,
        email.as_str(),
        "there",
    )
    .await?;
    tx.commit().await?;
    state.mail_wake.wake();
    html(page(None, Some(sent_message(&typed))), StatusCode::OK)
}

fn sent_message(typed: &str) -> String {
    format!(
        "We've emailed a link to {typed}. Open it to finish creating your account; it works for 24 hours."
    )
}

/// The login a verification link belongs to, if the link is still good and the login
/// has no account yet.
async fn pending_login(
    state: &AppState,
    company: &Company,
    token: &str,
) -> Result<doorstep_core::ids::LoginId, WebError> {
    let owner = state
        .store
        .peek_token(company.id, &hash_token(token), TokenPurpose::VerifyEmail)
        .await?;
    match owner {
        Some(TokenOwner::Login(login))
            if state
                .store
                .accounts_of_login(company.id, login)
                .await?
                .is_empty() =>
        {
            Ok(login)
        }
        _ => Err(WebError::LinkExpired),
    }
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
    allowed(&company)?;
    let login = pending_login(&state, &company, &token).await?;
    let email = state
        .store
        .login_email(company.id, login)
        .await?
        .unwrap_or_default();
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

fn check(form: &DetailsForm) -> DetailErrors {
    let name = |v: &str, what: &str| {
        let v = v.trim();
        if v.is_empty() {
            Some(format!("Enter your {what}."))
        } else if v.chars().count() > MAX_FIELD {
            Some(format!("Keep your {what} under {MAX_FIELD} characters."))
        } else if v.chars().any(char::is_control) {
            // A line break in a name would end up in email headers and greetings.
            Some(format!("Keep your {what} on one line."))
        } else {
            None
        }
    };
    let too_long = |v: &str| {
        let v = v.trim();
        if v.chars().count() > MAX_FIELD {
            Some(format!("Keep this under {MAX_FIELD} characters."))
        } else {
            v.chars()
                .any(char::is_control)
                .then(|| "Keep this on one line.".to_owned())
        }
    };
    let phone = form.phone.trim();
    DetailErrors {
        first_name: name(&form.first_name, "first name"),
        last_name: name(&form.last_name, "last name"),
        phone: too_long(phone).or_else(|| {
            phone
                .chars()
                .any(|c| !(c.is_ascii_digit() || " +-().".contains(c)))
                .then(|| "Use digits, spaces and + - ( ) only.".to_owned())
        }),
        organisation: too_long(&form.organisation),
        password: check_new_password(&form.password).err().map(|e| e.message),
    }
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
    allowed(&company)?;
    let login = pending_login(&state, &company, &token).await?;
    let email = state
        .store
        .login_email(company.id, login)
        .await?
        .unwrap_or_default();
    let errors = check(&form);
    if errors.any() {
        form.password.clear();
        let page = details_page(&company, csrf, &token, email, form, errors);
        return html(page, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let cost = state.config.password_cost;
    let password = std::mem::take(&mut form.password);
    let hash = tokio::task::spawn_blocking(move || hash_password(&password, cost))
        .await
        .map_err(WebError::internal)?
        .map_err(WebError::internal)?;
    let first = form.first_name.trim().to_owned();
    let last = form.last_name.trim().to_owned();
    let organisation = form.organisation.trim();
    let name = if organisation.is_empty() {
        format!("{first} {last}")
    } else {
        organisation.to_owned()
    };
    let ip = peer.ip().to_string();

    let mut tx = state.store.begin().await?;
    // Using the link up first makes a double submit create one account, not two.
    if tx
        .consume_token(company.id, &hash_token(&token), TokenPurpose::VerifyEmail)
        .await?
        != Some(TokenOwner::Login(login))
    {
        return Err(WebError::LinkExpired);
    }
    let customer = tx
        .insert_customer(
            company.id,
            &NewCustomer {
                number: format!("WEB-{}", login.0),
                name,
                kind: if organisation.is_empty() {
                    "residential".into()
                } else {
                    "commercial".into()
                },
                email: email.clone(),
                phone: form.phone.trim().to_owned(),
                is_prospect: true,
                ..NewCustomer::default()
            },
        )
        .await?;
    tx.insert_contact(
        company.id,
        &NewContact {
            customer,
            login: Some(login),
            first_name: first,
            last_name: last,
            email: Some(email),
            phone: form.phone.trim().to_owned(),
            role: ContactRole::Company,
            is_primary: true,
            is_billing: true,
            portal_enabled: true,
        },
    )
    .await?;
    tx.set_login_password(company.id, login, Some(&hash))
        .await?;
    tx.audit(
        company.id,
        &NewAuditEvent {
            actor_kind: "contact",
            actor_id: Some(login.0),
            actor_label: String::new(),
            action: "sign_up.completed",
            subject_kind: "customer",
            subject_id: Some(customer.0),
            ip: ip.clone(),
            detail: "{}".into(),
            at: doorstep_store::now(),
        },
    )
    .await?;
    tx.commit().await?;
    finish_sign_in(&state, &company, SessionOwner::Login(login), &headers, &ip).await
}
