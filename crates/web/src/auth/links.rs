//! Emailed links: invitations and password resets, issued in the transaction of the
//! change that caused them and delivered through the outbox.

use doorstep_core::ids::LoginId;
use doorstep_mail::EmailKind;
use doorstep_store::Tx;
use doorstep_store::companies::Company;
use doorstep_store::tokens::{TokenOwner, TokenPurpose};

use crate::auth::token::{hash_token, new_token};
use crate::{AppState, WebError};

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
pub async fn may_email(
    state: &AppState,
    company: &Company,
    address: &str,
) -> Result<bool, WebError> {
    let key = format!("mail:{address}");
    claim(state, company, &key).await
}

/// Counts one use of the decaying limit `key` before the work it limits, under a lock on
/// its counter, so parallel requests get no more uses between them than one after the
/// other; false when `key` is blocked now.
pub async fn claim(state: &AppState, company: &Company, key: &str) -> Result<bool, WebError> {
    let mut tx = state.store.begin().await?;
    let blocked = tx.claim_sign_in_attempt(company.id, &[key]).await?;
    tx.commit().await?;
    Ok(blocked.is_none())
}

/// Issues a link of `purpose` for `login` and queues its email, all in `tx`.
/// The link is built from the configured base domain, never from the request's Host.
#[allow(clippy::too_many_arguments)]
pub async fn send_link(
    state: &AppState,
    tx: &mut Tx,
    company: &Company,
    login: LoginId,
    purpose: TokenPurpose,
    to_address: &str,
    to_name: &str,
) -> Result<(), WebError> {
    let (ttl, path, kind) = match purpose {
        TokenPurpose::Invite => (state.config.invite_ttl, "invite", EmailKind::Invitation),
        TokenPurpose::Reset => (state.config.reset_ttl, "reset", EmailKind::PasswordReset),
        TokenPurpose::SignInLink => (
            time::Duration::minutes(15),
            "sign-in/link",
            EmailKind::SignInLink,
        ),
        TokenPurpose::VerifyEmail => (time::Duration::days(1), "verify", EmailKind::VerifyEmail),
        TokenPurpose::StaffSetup => (
            state.config.invite_ttl,
            "office/setup",
            EmailKind::StaffSetup,
        ),
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
    let link = format!("{}/{path}/{token}", state.config.portal_url(&company.slug));
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
