//! Signing in with an email and a password, at the portal or the office.
//!
//! Every attempt is counted against the login and the client address *before* it is
//! checked (atomically, so parallel attempts never get more checks than the throttle
//! allows), then the password is verified at full cost off the async workers — against
//! a decoy hash when the email has no password, so timing does not tell which emails
//! have logins. A locked login is answered exactly as a wrong password is, whatever the
//! password; the right one only queues, at most once a day, an email telling the contact
//! whom to call. Every attempt is audited.

use std::net::IpAddr;
use std::sync::OnceLock;

use doorstep_core::sign_in::{
    attempted_email, minutes_to_wait, require_email_and_password, whom_to_contact,
};
use doorstep_core::validation::Invalid;
use doorstep_mail::EmailKind;
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::companies::Company;
use doorstep_store::sessions::SessionOwner;

use super::session::open_in;
use super::{Audience, Client, owner_actor, owner_subject};
use crate::crypto::PasswordCost;
use crate::crypto::password::{hash_password, verify_password};
use crate::{App, AppError};

/// An email and a password as typed, both present.
#[derive(Clone)]
pub struct Credentials {
    email: String,
    password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("email", &self.email)
            .field("password", &"***")
            .finish()
    }
}

impl Credentials {
    /// Refuses a form without an email or without a password (nothing is counted then).
    pub fn parse(email: &str, password: &str) -> Result<Credentials, Invalid> {
        Ok(Credentials {
            email: require_email_and_password(email, password)?,
            password: password.to_owned(),
        })
    }

    /// The email as typed (trimmed), for the form shown again.
    pub fn email(&self) -> &str {
        &self.email
    }
}

/// What the sign-in page shows after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Signed in: the new session's token, for the cookie.
    SignedIn {
        /// The session's secret.
        token: String,
    },
    /// The password was right but a second factor is owed: the new session's token,
    /// which opens nothing but the code page.
    SecondFactorOwed {
        /// The session's secret.
        token: String,
    },
    /// Refused, and why as far as the person may know.
    Refused(Refusal),
}

/// Why an attempt was refused, as the page may say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The email and password match no login that may sign in here: wrong password,
    /// unknown email, a locked login or one without access (never saying which).
    NoMatch,
    /// Too many failed attempts: try again in this many minutes.
    Throttled {
        /// Whole minutes to wait, at least one.
        minutes: i64,
    },
}

/// Checks an attempt by `credentials` at `company`'s portal or office and, when they are
/// right, opens the session.
pub async fn sign_in(
    app: &App,
    company: &Company,
    audience: Audience,
    credentials: Credentials,
    client: &Client,
) -> Result<Outcome, AppError> {
    let email = attempted_email(&credentials.email);
    let keys = throttle_keys(audience, &email, client.ip);
    let mut tx = app.store.begin().await?;
    let blocked = tx
        .claim_sign_in_attempt(company.id, &[&keys[0], &keys[1]])
        .await?;
    tx.commit().await?;
    if let Some(until) = blocked {
        let audit = attempt_record(company, "sign_in.throttled", &email, None, client.ip);
        record(app, company, &audit).await?;
        let minutes = minutes_to_wait(until, doorstep_store::now());
        return Ok(Outcome::Refused(Refusal::Throttled { minutes }));
    }
    let found = match audience {
        Audience::Portal => app.store.login_credentials(company.id, &email).await?,
        Audience::Office => app.store.staff_credentials(company.id, &email).await?,
    };
    let stored = found.as_ref().and_then(|c| c.password_hash.clone());
    let matches = verify(credentials.password, stored, app.config().password_cost).await;
    let has_access = match (&found, audience) {
        (Some(c), Audience::Portal) => match c.owner {
            SessionOwner::Login(login) => !app
                .store
                .accounts_of_login(company.id, login)
                .await?
                .is_empty(),
            SessionOwner::Staff(_) => false,
        },
        (Some(_), Audience::Office) => true,
        (None, _) => false,
    };
    match found {
        Some(c) if matches && has_access && c.password_hash.is_some() && !c.locked => {
            let owed = app.store.two_factor(company.id, c.owner).await?.enabled;
            let mut tx = app.store.begin().await?;
            // The attempt was counted as a failure before the check: take it back.
            tx.clear_sign_in_failures(company.id, &keys[0]).await?;
            tx.refund_sign_in_attempt(company.id, &keys[1]).await?;
            let token = open_in(app, &mut tx, company, c.owner, client, owed).await?;
            tx.commit().await?;
            Ok(if owed {
                Outcome::SecondFactorOwed { token }
            } else {
                Outcome::SignedIn { token }
            })
        }
        Some(c) if matches && has_access && c.password_hash.is_some() => {
            // Locked: counted as a failure (it stays counted), answered as one.
            refuse_locked(app, company, c.owner, &email, client.ip).await?;
            Ok(Outcome::Refused(Refusal::NoMatch))
        }
        other => {
            let owner = other.map(|c| c.owner);
            let audit = attempt_record(company, "sign_in.failed", &email, owner, client.ip);
            record(app, company, &audit).await?;
            Ok(Outcome::Refused(Refusal::NoMatch))
        }
    }
}

/// The throttle counters an attempt is counted against: the login's and the address's.
fn throttle_keys(audience: Audience, email: &str, ip: IpAddr) -> [String; 2] {
    let who = match audience {
        Audience::Portal => "login",
        Audience::Office => "staff",
    };
    [format!("{who}:{email}"), format!("ip:{ip}")]
}

/// A hash to verify against when the email has no password, so a miss costs the same
/// time as a hit and response times do not reveal which emails have logins.
fn decoy_hash(cost: PasswordCost) -> &'static str {
    static STANDARD: OnceLock<String> = OnceLock::new();
    static TEST: OnceLock<String> = OnceLock::new();
    let cell = match cost {
        PasswordCost::Standard => &STANDARD,
        PasswordCost::TestOnly => &TEST,
    };
    cell.get_or_init(|| hash_password("decoy password, never valid", cost).unwrap_or_default())
}

/// Verifies `password` against `stored` (or the decoy) on the blocking pool, so argon2
/// never holds up an async worker.
async fn verify(password: String, stored: Option<String>, cost: PasswordCost) -> bool {
    let check = tokio::task::spawn_blocking(move || {
        let stored = stored.as_deref().unwrap_or_else(|| decoy_hash(cost));
        verify_password(&password, stored)
    });
    match check.await {
        Ok(matches) => matches,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // Cancelled (the runtime is shutting down): refuse.
        Err(_) => false,
    }
}

/// A record of an attempt by the person at `ip` naming `email`: about the login the
/// email names when there is one (`owner`), else about the company.
fn attempt_record(
    company: &Company,
    action: &'static str,
    email: &str,
    owner: Option<SessionOwner>,
    ip: IpAddr,
) -> NewAuditEvent {
    let label: String = email.chars().take(254).collect();
    let subject = owner.map_or(("company", company.id.0), owner_subject);
    crate::audit::record(
        ("system", None, &label),
        action,
        subject,
        ip,
        serde_json::json!({}),
    )
}

/// Writes one audit record in its own transaction.
async fn record(app: &App, company: &Company, audit: &NewAuditEvent) -> Result<(), AppError> {
    let mut tx = app.store.begin().await?;
    tx.audit(company.id, audit).await?;
    tx.commit().await?;
    Ok(())
}

/// Records the refused sign-in of locked `owner` given the right password and, for a
/// portal login whose notice is due, queues the `access_locked` email saying whom to
/// call, in one transaction (as a wrong password's audit is, so both take about the same
/// time).
async fn refuse_locked(
    app: &App,
    company: &Company,
    owner: SessionOwner,
    email: &str,
    ip: IpAddr,
) -> Result<(), AppError> {
    let label: String = email.chars().take(254).collect();
    let audit = crate::audit::record(
        ("system", Some(owner_actor(owner).1), &label),
        "sign_in.refused_locked",
        owner_subject(owner),
        ip,
        serde_json::json!({}),
    );
    let mut tx = app.store.begin().await?;
    tx.audit(company.id, &audit).await?;
    let mut queued = false;
    if let SessionOwner::Login(login) = owner
        && let Some(to) = tx.claim_locked_notice(company.id, login).await?
    {
        let whom = whom_to_contact(&company.name, &company.phone, &company.email);
        doorstep_mail::enqueue(
            &mut tx,
            company.id,
            EmailKind::AccessLocked,
            &to.address,
            &to.name,
            &[
                ("company_name", company.name.as_str()),
                ("contact_name", to.name.as_str()),
                ("whom_to_contact", whom.as_str()),
            ],
        )
        .await?;
        queued = true;
    }
    app.commit(tx, queued).await?;
    Ok(())
}
