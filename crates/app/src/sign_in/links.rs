//! Emailed links: the sign-in link a login asks for (and its use), and the building
//! blocks every emailed link shares — issuing one with its email in the caller's
//! transaction, and the decaying limit on emails the public forms may send.

use doorstep_core::email::EmailAddress;
use doorstep_store::companies::Company;
use doorstep_store::sessions::SessionOwner;
use doorstep_store::tokens::{TokenOwner, TokenPurpose};

use super::Client;
use super::session::{Opened, first_factor_proven};
use crate::crypto::token::hash_token;
use crate::mail_links::{self, Recipient, may_email};
use crate::{App, AppError};

/// Emails a sign-in link to `email` when it is the address of a login that may sign in
/// (not locked, with an account) and the address's email limit allows; otherwise does
/// nothing. Either way the answer is the same, so it never tells who has access.
pub async fn request(app: &App, company: &Company, email: &str) -> Result<(), AppError> {
    let Ok(email) = EmailAddress::parse(email) else {
        return Ok(());
    };
    let found = app
        .store
        .login_credentials(company.id, email.as_str())
        .await?;
    let Some(login) = found.and_then(|c| match c.owner {
        SessionOwner::Login(login) if !c.locked => Some(login),
        _ => None,
    }) else {
        return Ok(());
    };
    // A login with no account left (every contact disabled) gets no link either.
    if app
        .store
        .accounts_of_login(company.id, login)
        .await?
        .is_empty()
        || !may_email(app, company, email.as_str()).await?
    {
        return Ok(());
    }
    let name = app.store.login_first_name(company.id, login).await?;
    let mut tx = app.store.begin().await?;
    let purpose = TokenPurpose::SignInLink;
    let to = Recipient {
        login,
        address: email.as_str(),
        name: &name,
    };
    mail_links::send(app, &mut tx, company, purpose, to).await?;
    app.commit(tx, true).await?;
    Ok(())
}

/// Uses up the sign-in link `token` and signs its login in (asking for the second factor
/// when it uses one). Refused with [`AppError::NotFound`] when the link is unknown, used
/// or expired, or its login is now locked or has no account left (the lock and the access
/// are checked now, not when the link was sent; the link stays used).
pub async fn sign_in(
    app: &App,
    company: &Company,
    token: &str,
    client: &Client,
) -> Result<Opened, AppError> {
    let mut tx = app.store.begin().await?;
    let owner = tx
        .consume_token(company.id, &hash_token(token), TokenPurpose::SignInLink)
        .await?;
    let Some(TokenOwner::Login(login)) = owner else {
        return Err(AppError::NotFound);
    };
    tx.commit().await?;
    let may_sign_in = match app.store.login_email(company.id, login).await? {
        Some(email) => app
            .store
            .login_credentials(company.id, &email)
            .await?
            .is_some_and(|c| !c.locked),
        None => false,
    };
    if !may_sign_in
        || app
            .store
            .accounts_of_login(company.id, login)
            .await?
            .is_empty()
    {
        return Err(AppError::NotFound);
    }
    first_factor_proven(app, company, SessionOwner::Login(login), client).await
}
