//! Emailed links: the sign-in link a login asks for (and its use), and the building
//! blocks every emailed link shares — issuing one with its email in the caller's
//! transaction, and the decaying limit on emails the public forms may send.

use doorstep_core::email::EmailAddress;
use doorstep_core::ids::LoginId;
use doorstep_mail::EmailKind;
use doorstep_store::Tx;
use doorstep_store::companies::Company;
use doorstep_store::sessions::SessionOwner;
use doorstep_store::tokens::{TokenOwner, TokenPurpose};

use super::Client;
use super::session::{Opened, first_factor_proven};
use crate::crypto::token::{hash_token, new_token};
use crate::{App, AppError};

/// How long a sign-in link works.
pub const SIGN_IN_LINK_TTL: time::Duration = time::Duration::minutes(15);

/// Says a duration the way an email would: "in 7 days", "in 1 hour".
pub fn human(d: time::Duration) -> String {
    let (n, unit) = if d.whole_days() >= 1 {
        (d.whole_days(), "day")
    } else if d.whole_hours() >= 1 {
        (d.whole_hours(), "hour")
    } else {
        (d.whole_minutes().max(1), "minute")
    };
    format!("in {n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// Whether a visitor's form may send another email to `address` now, counting this one:
/// a decaying limit per address, so nobody can flood a customer's inbox through the
/// public forms. Callers skip the email silently, answering as if it was sent.
pub async fn may_email(app: &App, company: &Company, address: &str) -> Result<bool, AppError> {
    claim(app, company, &format!("mail:{address}")).await
}

/// Counts one use of the decaying limit `key` before the work it limits, under a lock on
/// its counter, so parallel requests get no more uses between them than one after the
/// other; false when `key` is blocked now.
pub async fn claim(app: &App, company: &Company, key: &str) -> Result<bool, AppError> {
    let mut tx = app.store.begin().await?;
    let blocked = tx.claim_sign_in_attempt(company.id, &[key]).await?;
    tx.commit().await?;
    Ok(blocked.is_none())
}

/// Issues a link of `purpose` for `login` and queues its email, both in `tx`; the caller
/// wakes the mail worker after committing. The link is built from the configured base
/// domain, never from a request's Host.
pub async fn send_link(
    app: &App,
    tx: &mut Tx,
    company: &Company,
    login: LoginId,
    purpose: TokenPurpose,
    to_address: &str,
    to_name: &str,
) -> Result<(), AppError> {
    let config = app.config();
    let (ttl, path, kind) = match purpose {
        TokenPurpose::Invite => (config.invite_ttl, "invite", EmailKind::Invitation),
        TokenPurpose::Reset => (config.reset_ttl, "reset", EmailKind::PasswordReset),
        TokenPurpose::SignInLink => (SIGN_IN_LINK_TTL, "sign-in/link", EmailKind::SignInLink),
        TokenPurpose::VerifyEmail => (time::Duration::days(1), "verify", EmailKind::VerifyEmail),
        TokenPurpose::StaffSetup => (config.invite_ttl, "office/setup", EmailKind::StaffSetup),
    };
    let token = new_token();
    tx.create_token(
        company.id,
        &hash_token(&token),
        purpose,
        TokenOwner::Login(login),
        doorstep_store::now() + ttl,
    )
    .await?;
    let link = app
        .links()
        .portal(&company.slug, &format!("/{path}/{token}"));
    let expires = human(ttl);
    doorstep_mail::enqueue(
        tx,
        company.id,
        kind,
        to_address,
        to_name,
        &[
            ("company_name", company.name.as_str()),
            ("contact_name", to_name),
            ("link", link.as_str()),
            ("expires", expires.as_str()),
        ],
    )
    .await?;
    Ok(())
}

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
    send_link(app, &mut tx, company, login, purpose, email.as_str(), &name).await?;
    tx.commit().await?;
    app.mail_queued();
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

#[cfg(test)]
mod tests {
    use super::human;
    use time::Duration;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human(Duration::days(7)), "in 7 days");
        assert_eq!(human(Duration::hours(1)), "in 1 hour");
        assert_eq!(human(Duration::minutes(15)), "in 15 minutes");
    }
}
