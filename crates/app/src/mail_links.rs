//! Emailed links of a login, shared by every use case that sends one (invitations,
//! resets, sign-in links, sign-up verification, staff setup): a token issued in the
//! transaction of the change that caused it, its email queued in the outbox with it, and
//! the decaying limit on emails the public forms may send. The link is built from the
//! configured public address, never from a request's Host.

use doorstep_core::ids::LoginId;
use doorstep_mail::EmailKind;
use doorstep_store::Tx;
use doorstep_store::companies::Company;
use doorstep_store::tokens::{TokenOwner, TokenPurpose};

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

/// Who a link goes to: the login, its address and the name to greet.
pub(crate) struct Recipient<'a> {
    pub(crate) login: LoginId,
    pub(crate) address: &'a str,
    pub(crate) name: &'a str,
}

/// Issues a link of `purpose` for `to` and queues its email, all in `tx` (issuing revokes
/// the login's older links of that purpose, see `store::tokens`); the caller wakes the
/// mail worker after committing.
pub(crate) async fn send(
    app: &App,
    tx: &mut Tx,
    company: &Company,
    purpose: TokenPurpose,
    to: Recipient<'_>,
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
        TokenOwner::Login(to.login),
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
        to.address,
        to.name,
        &[
            ("company_name", company.name.as_str()),
            ("contact_name", to.name),
            ("link", link.as_str()),
            ("expires", expires.as_str()),
        ],
    )
    .await?;
    Ok(())
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
