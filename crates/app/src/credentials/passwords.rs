//! Passwords set from emailed links: accepting an invitation, and resetting a forgotten
//! password (asking for the link, then using it).

use std::net::IpAddr;

use doorstep_core::email::EmailAddress;
use doorstep_core::ids::LoginId;
use doorstep_core::validation::Invalid;
use doorstep_store::companies::Company;
use doorstep_store::sessions::SessionOwner;
use doorstep_store::tokens::{TokenOwner, TokenPurpose};

use super::{NewPassword, link_expired};
use crate::crypto::token::hash_token;
use crate::error::FieldErrors;
use crate::mail_links::{self, Recipient, may_email};
use crate::{App, AppError};

/// The emailed links that set a portal login's password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordLink {
    /// An invitation to the portal.
    Invite,
    /// A password reset.
    Reset,
}

impl PasswordLink {
    /// The token purpose of the link.
    pub fn purpose(self) -> TokenPurpose {
        match self {
            PasswordLink::Invite => TokenPurpose::Invite,
            PasswordLink::Reset => TokenPurpose::Reset,
        }
    }

    fn audit_action(self) -> &'static str {
        match self {
            PasswordLink::Invite => "access.invitation_accepted",
            PasswordLink::Reset => "password.reset",
        }
    }
}

/// A new password typed twice, checked.
#[derive(Debug, Clone)]
pub struct ChosenPassword(NewPassword);

impl ChosenPassword {
    /// Checks the password (`core::password`) and that the confirmation repeats it
    /// (asked only of a password that passed).
    pub fn parse(password: &str, confirm: &str) -> Result<ChosenPassword, FieldErrors> {
        let mut errors = FieldErrors::default();
        match errors.check(NewPassword::parse(password)) {
            Some(_) if password != confirm => errors.0.push(Invalid::new(
                "confirm",
                "The two passwords differ. Type the same password twice.",
            )),
            Some(p) => return Ok(ChosenPassword(p)),
            None => {}
        }
        Err(errors)
    }
}

/// A link used to set a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordSet {
    /// The login whose password it is.
    pub login: LoginId,
    /// Whether the login reaches an account now (so it may be signed in).
    pub has_access: bool,
}

/// Sets the password of the login the link `token` of kind `link` belongs to, using the
/// link up: that revokes the login's other outstanding links, and the new password ends
/// every session that knew the old one (ASVS 3.3.3). Refused with a `link_expired`
/// conflict when the link does not work (expired, used, revoked, or never issued).
pub async fn set_from_link(
    app: &App,
    company: &Company,
    ip: IpAddr,
    link: PasswordLink,
    token: &str,
    password: ChosenPassword,
) -> Result<PasswordSet, AppError> {
    let hash = password.0.hash(app).await?;
    let mut tx = app.store.begin().await?;
    let Some(TokenOwner::Login(login)) = tx
        .consume_token(company.id, &hash_token(token), link.purpose())
        .await?
    else {
        return Err(link_expired());
    };
    tx.set_login_password(company.id, login, Some(&hash))
        .await?;
    tx.delete_sessions_of(company.id, SessionOwner::Login(login), None)
        .await?;
    let audit = crate::audit::record(
        ("contact", Some(login.0), ""),
        link.audit_action(),
        ("login", login.0),
        ip,
        serde_json::json!({}),
    );
    tx.audit(company.id, &audit).await?;
    if link == PasswordLink::Invite {
        let email = tx.portal_login_email(company.id, login).await?;
        let data = serde_json::json!({"login_id": login.0, "email": email});
        crate::webhooks::emit(&mut tx, company.id, "contact.signed_up", data).await?;
    }
    tx.commit().await?;
    let has_access = !app
        .store
        .accounts_of_login(company.id, login)
        .await?
        .is_empty();
    Ok(PasswordSet { login, has_access })
}

/// "Forgot password?": queues a reset link when `typed` is the email of a login with
/// portal access that is not locked, and the address's email limit allows another
/// email. The visitor is answered the same either way; the answer here (whether a link
/// was queued) is for tests and logs only.
pub async fn request_reset(app: &App, company: &Company, typed: &str) -> Result<bool, AppError> {
    let Ok(email) = EmailAddress::parse(typed) else {
        return Ok(false);
    };
    let credentials = app
        .store
        .login_credentials(company.id, email.as_str())
        .await?;
    let Some((login, locked)) = credentials.and_then(|c| match c.owner {
        SessionOwner::Login(login) => Some((login, c.locked)),
        SessionOwner::Staff(_) => None,
    }) else {
        return Ok(false);
    };
    let has_access = !app
        .store
        .accounts_of_login(company.id, login)
        .await?
        .is_empty();
    if !has_access || locked || !may_email(app, company, email.as_str()).await? {
        return Ok(false);
    }
    let name = app.store.login_first_name(company.id, login).await?;
    let mut tx = app.store.begin().await?;
    mail_links::send(
        app,
        &mut tx,
        company,
        TokenPurpose::Reset,
        Recipient {
            login,
            address: email.as_str(),
            name: &name,
        },
    )
    .await?;
    app.commit(tx, true).await?;
    Ok(true)
}
