//! Emailed links of a login: a token issued in the transaction of the change that
//! caused it, its email queued in the outbox with it. The link is built from the
//! configured public address, never from a request's Host.

use doorstep_core::ids::LoginId;
use doorstep_mail::EmailKind;
use doorstep_store::Tx;
use doorstep_store::companies::Company;
use doorstep_store::tokens::{TokenOwner, TokenPurpose};

use crate::crypto::token::{hash_token, new_token};
use crate::{App, AppError};

/// Says a duration the way an email would: "in 7 days", "in 1 hour".
pub(crate) fn human(d: time::Duration) -> String {
    let (n, unit) = if d.whole_days() >= 1 {
        (d.whole_days(), "day")
    } else if d.whole_hours() >= 1 {
        (d.whole_hours(), "hour")
    } else {
        (d.whole_minutes().max(1), "minute")
    };
    format!("in {n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// Who a link goes to: the login, its address and the name to greet.
pub(crate) struct Recipient<'a> {
    pub(crate) login: LoginId,
    pub(crate) address: &'a str,
    pub(crate) name: &'a str,
}

/// Issues a link of `purpose` for `to` and queues its email, all in `tx`.
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
