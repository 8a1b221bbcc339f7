//! Credentials a person manages: the second factor (TOTP and recovery codes), passwords
//! set from emailed links, and self sign-up. What they share lives here: a checked new
//! password and its hashing off the async workers, the emailed links and the decaying
//! limits on the public forms that send them.

pub mod passwords;
pub mod sign_up;
pub mod totp;
pub mod two_factor;

use std::net::IpAddr;

use doorstep_core::ids::LoginId;
use doorstep_core::password::check_new_password;
use doorstep_core::validation::Invalid;
use doorstep_mail::EmailKind;
use doorstep_store::Tx;
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::companies::Company;
use doorstep_store::sessions::SessionOwner;
use doorstep_store::tokens::{TokenOwner, TokenPurpose};

use crate::crypto::password::hash_password;
use crate::crypto::token::{hash_token, new_token};
use crate::{App, AppError};

/// The conflict reason of a link that expired, was used, or never existed.
pub const LINK_EXPIRED: &str = "link_expired";

/// A link that no longer works (pages show their "link expired" page for it).
pub(crate) fn link_expired() -> AppError {
    AppError::conflict(
        LINK_EXPIRED,
        "This link has expired or was already used. Ask for a new one.",
    )
}

/// A new password that passed the rules of `core::password`. Never printed.
#[derive(Clone)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

impl NewPassword {
    /// Checks a typed new password (field `password`).
    pub fn parse(raw: &str) -> Result<NewPassword, Invalid> {
        check_new_password(raw)?;
        Ok(NewPassword(raw.to_owned()))
    }

    /// Its argon2 hash, computed on the blocking pool so the async workers keep serving.
    pub(crate) async fn hash(self, app: &App) -> Result<String, AppError> {
        let cost = app.config().password_cost;
        tokio::task::spawn_blocking(move || hash_password(&self.0, cost))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(AppError::Internal)
    }
}

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

/// Counts one use of the decaying limit `key` before the work it limits, under a lock on
/// its counter, so parallel requests get no more uses between them than one after the
/// other; false when `key` is blocked now. The count is kept even when the work is then
/// refused: that is what a limit is for.
pub(crate) async fn claim(app: &App, company: &Company, key: &str) -> Result<bool, AppError> {
    let mut tx = app.store.begin().await?;
    let blocked = tx.claim_sign_in_attempt(company.id, &[key]).await?;
    tx.commit().await?;
    Ok(blocked.is_none())
}

/// Whether a visitor's form may send another email to `address` now, counting this one:
/// a decaying limit per address, so nobody can flood a customer's inbox through the
/// public forms. Callers skip the email silently, answering as if it was sent.
pub(crate) async fn may_email(
    app: &App,
    company: &Company,
    address: &str,
) -> Result<bool, AppError> {
    claim(app, company, &format!("mail:{address}")).await
}

/// Issues a link of `purpose` for `login` and queues its email, all in `tx` (issuing
/// revokes the login's older links of that purpose, see `store::tokens`). The link is
/// built from the configured base domain, never from a request's Host.
pub(crate) async fn send_link(
    app: &App,
    tx: &mut Tx,
    company: &Company,
    login: LoginId,
    purpose: TokenPurpose,
    to: (&str, &str),
) -> Result<(), AppError> {
    let config = app.config();
    let (ttl, path, kind) = match purpose {
        TokenPurpose::Invite => (config.invite_ttl, "invite", EmailKind::Invitation),
        TokenPurpose::Reset => (config.reset_ttl, "reset", EmailKind::PasswordReset),
        TokenPurpose::SignInLink => (
            time::Duration::minutes(15),
            "sign-in/link",
            EmailKind::SignInLink,
        ),
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
    let (address, name) = to;
    doorstep_mail::enqueue(
        tx,
        company.id,
        kind,
        address,
        name,
        &[
            ("company_name", company.name.as_str()),
            ("contact_name", name),
            ("link", link.as_str()),
            ("expires", expires.as_str()),
        ],
    )
    .await?;
    Ok(())
}

/// An audit record of `owner` acting on their own sign-in, as sign-in writes them (the
/// owner's id, no subject).
pub(crate) fn owner_event(
    owner: SessionOwner,
    action: &'static str,
    ip: IpAddr,
    detail: serde_json::Value,
) -> NewAuditEvent {
    let (kind, id) = match owner {
        SessionOwner::Staff(s) => ("staff", s.0),
        SessionOwner::Login(l) => ("contact", l.0),
    };
    NewAuditEvent {
        actor_kind: kind,
        actor_id: Some(id),
        actor_label: String::new(),
        action,
        subject_kind: "",
        subject_id: None,
        ip: ip.to_string(),
        detail: detail.to_string(),
        at: doorstep_store::now(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{NewPassword, human};
    use time::Duration;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human(Duration::days(7)), "in 7 days");
        assert_eq!(human(Duration::hours(1)), "in 1 hour");
        assert_eq!(human(Duration::minutes(15)), "in 15 minutes");
    }

    #[test]
    fn a_new_password_follows_the_core_rules_and_never_prints() {
        assert_eq!(
            NewPassword::parse("short").map(|_| ()).unwrap_err().field,
            "password"
        );
        let ok = NewPassword::parse("pipes and valves 64");
        assert_eq!(format!("{ok:?}"), "Ok(NewPassword(***))");
    }
}
