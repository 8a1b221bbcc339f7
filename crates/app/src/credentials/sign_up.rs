//! Self sign-up, when the company allows it: an email address first, then, through the
//! link emailed to it (so the address is proven), name and password. The result is a
//! prospective customer with one company contact, flagged for the office.

use std::net::IpAddr;

use doorstep_core::credentials::{parse_sign_up_line, parse_sign_up_name, parse_sign_up_phone};
use doorstep_core::email::EmailAddress;
use doorstep_core::ids::LoginId;
use doorstep_core::status::ContactRole;
use doorstep_core::validation::Invalid;
use doorstep_store::companies::Company;
use doorstep_store::contacts::NewContact;
use doorstep_store::customers::NewCustomer;
use doorstep_store::tokens::{TokenOwner, TokenPurpose};

use super::{NewPassword, link_expired};
use crate::crypto::token::hash_token;
use crate::error::FieldErrors;
use crate::mail_links::{self, Recipient, claim, may_email};
use crate::{App, AppError};

/// Refuses with [`AppError::NotFound`] unless the company lets new customers sign up.
pub fn allowed(company: &Company) -> Result<(), AppError> {
    if company.settings.allow_self_sign_up {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The first step: emails a link to `typed`, answering the same whether or not it already
/// has an account (which gets a sign-in link instead), so nobody learns who the company's
/// customers are. Refused with an invalid `email`, or a `throttled` conflict when the
/// visitor's network asked for too many; an address whose email limit is reached is
/// skipped silently. Returns whether an email was queued (for tests and logs only).
pub async fn request(
    app: &App,
    company: &Company,
    ip: IpAddr,
    typed: &str,
) -> Result<bool, AppError> {
    allowed(company)?;
    let email = EmailAddress::parse(typed)
        .map_err(|_| Invalid::new("email", "Enter your email address, like name@example.com."))?;
    // Each sign-up sends an email: slow down one network's flood of them.
    if !claim(app, company, &format!("sign-up:{ip}")).await? {
        return Err(AppError::conflict(
            "throttled",
            "Too many sign-ups from your network. Please try again in a few minutes.",
        ));
    }
    if !may_email(app, company, email.as_str()).await? {
        return Ok(false);
    }
    let mut tx = app.store.begin().await?;
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
    mail_links::send(
        app,
        &mut tx,
        company,
        purpose,
        Recipient {
            login,
            address: email.as_str(),
            name: "there",
        },
    )
    .await?;
    app.commit(tx, true).await?;
    Ok(true)
}

/// The login a verification link belongs to, and its email, while the link is good and
/// the login has no account yet; a `link_expired` conflict otherwise.
pub async fn pending(
    app: &App,
    company: &Company,
    token: &str,
) -> Result<(LoginId, String), AppError> {
    allowed(company)?;
    let owner = app
        .store
        .peek_token(company.id, &hash_token(token), TokenPurpose::VerifyEmail)
        .await?;
    let Some(TokenOwner::Login(login)) = owner else {
        return Err(link_expired());
    };
    if !app
        .store
        .accounts_of_login(company.id, login)
        .await?
        .is_empty()
    {
        return Err(link_expired());
    }
    let email = app
        .store
        .login_email(company.id, login)
        .await?
        .unwrap_or_default();
    Ok((login, email))
}

/// The second step's details, checked.
#[derive(Debug, Clone)]
pub struct Details {
    first_name: String,
    last_name: String,
    phone: String,
    organisation: String,
    password: NewPassword,
}

impl Details {
    /// Checks each field (`core::credentials`, `core::password`), refusing each wrong one.
    pub fn parse(
        first_name: &str,
        last_name: &str,
        phone: &str,
        organisation: &str,
        password: &str,
    ) -> Result<Details, FieldErrors> {
        let mut errors = FieldErrors::default();
        let first = errors.check(parse_sign_up_name("first_name", "first name", first_name));
        let last = errors.check(parse_sign_up_name("last_name", "last name", last_name));
        let phone = errors.check(parse_sign_up_phone(phone));
        let organisation = errors.check(parse_sign_up_line("organisation", organisation));
        let password = errors.check(NewPassword::parse(password));
        match (first, last, phone, organisation, password) {
            (
                Some(first_name),
                Some(last_name),
                Some(phone),
                Some(organisation),
                Some(password),
            ) => Ok(Details {
                first_name,
                last_name,
                phone,
                organisation,
                password,
            }),
            _ => Err(errors),
        }
    }
}

/// The second step: creates the prospective customer (named after the organisation, or
/// the person), its company contact and the password, using the link `token` up, in one
/// transaction with its audit record. Returns the login, to be signed in. Refused with
/// [`AppError::NotFound`] when the company does not allow sign-up and a `link_expired`
/// conflict when the link does not work (a double submit creates one account, not two).
pub async fn create(
    app: &App,
    company: &Company,
    ip: IpAddr,
    token: &str,
    details: Details,
) -> Result<LoginId, AppError> {
    let (login, email) = pending(app, company, token).await?;
    let Details {
        first_name,
        last_name,
        phone,
        organisation,
        password,
    } = details;
    let hash = password.hash(app).await?;
    let (name, kind) = if organisation.is_empty() {
        (format!("{first_name} {last_name}"), "residential")
    } else {
        (organisation, "commercial")
    };
    let mut tx = app.store.begin().await?;
    // Using the link up first makes a double submit create one account, not two.
    if tx
        .consume_token(company.id, &hash_token(token), TokenPurpose::VerifyEmail)
        .await?
        != Some(TokenOwner::Login(login))
    {
        return Err(link_expired());
    }
    let customer = tx
        .insert_customer(
            company.id,
            &NewCustomer {
                number: format!("WEB-{}", login.0),
                name,
                kind: kind.into(),
                email: email.clone(),
                phone: phone.clone(),
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
            first_name,
            last_name,
            email: Some(email.clone()),
            phone,
            role: ContactRole::Company,
            is_primary: true,
            is_billing: true,
            portal_enabled: true,
        },
    )
    .await?;
    tx.set_login_password(company.id, login, Some(&hash))
        .await?;
    let audit = crate::audit::record(
        ("contact", Some(login.0), &email),
        "sign_up.completed",
        ("customer", customer.0),
        ip,
        serde_json::json!({}),
    );
    tx.audit(company.id, &audit).await?;
    tx.commit().await?;
    Ok(login)
}
