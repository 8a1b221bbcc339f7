//! Portal access the office gives and takes on a contact (seed 004, 001): enable (which
//! invites a person who has no password yet), resend the invitation, force a password
//! reset, lock, unlock, disable; and the one-time link a new staff member follows to
//! choose their first password ([`staff_setup`]). Staff never set or see a password:
//! they clear it and the person picks a new one through an emailed link.

pub mod staff_setup;

use doorstep_core::authz::OfficeArea;
use doorstep_core::email::EmailAddress;
use doorstep_core::ids::{ContactId, CustomerId, LoginId};
use doorstep_store::Tx;
use doorstep_store::contacts::ContactAccess;
use doorstep_store::sessions::SessionOwner;
use doorstep_store::tokens::TokenPurpose;

use crate::mail_links::{self, Recipient};
use crate::{App, AppError, StaffActor};

pub use staff_setup::{NewPassword, set_up_staff_password};

/// Portal access enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enabled {
    /// Whether an invitation was sent: false when the person's login already has a
    /// password (they use the portal for another account).
    pub invited: bool,
}

/// The contact `id` of the actor's company, for the access controls; `NotFound` when
/// the member may not manage contacts or the contact is not the company's.
async fn find(app: &App, staff: &StaffActor, id: ContactId) -> Result<ContactAccess, AppError> {
    staff.require(OfficeArea::DayToDay)?;
    app.store
        .contact_access(staff.company().id, id)
        .await?
        .ok_or(AppError::NotFound)
}

fn name_of(c: &ContactAccess) -> String {
    format!("{} {}", c.first_name, c.last_name)
        .trim()
        .to_owned()
}

/// The contact's login and email, or a `no_login` conflict when access was never
/// enabled.
fn login_of(c: &ContactAccess) -> Result<(LoginId, &str), AppError> {
    match (c.login_id, c.email.as_deref()) {
        (Some(login), Some(email)) => Ok((LoginId(login), email)),
        _ => Err(no_login()),
    }
}

fn no_login() -> AppError {
    AppError::conflict(
        "no_login",
        "This contact has no portal login yet. Enable access first.",
    )
}

/// Audits `action` on the contact, commits, and wakes the mail worker when an email was
/// queued.
async fn finish(
    app: &App,
    mut tx: Tx,
    staff: &StaffActor,
    (action, contact): (&'static str, ContactId),
    queued: bool,
) -> Result<(), AppError> {
    let audit = staff.audit(action, ("contact", contact.0), serde_json::json!({}));
    tx.audit(staff.company().id, &audit).await?;
    app.commit(tx, queued).await?;
    Ok(())
}

/// Enables portal access of contact `id` through the login of its email (one login per
/// email per company); a person without a password yet is invited. Refused with a
/// `no_email` conflict when the contact has no valid email.
pub async fn enable(app: &App, staff: &StaffActor, id: ContactId) -> Result<Enabled, AppError> {
    let c = find(app, staff, id).await?;
    let account_active = app
        .store
        .customer_active(staff.company().id, CustomerId(c.customer_id))
        .await?;
    if !c.active || !account_active {
        return Err(AppError::conflict(
            "inactive",
            "This contact or its customer is deactivated. Reactivate it before enabling portal access.",
        ));
    }
    let Some(email) = c.email.as_deref().and_then(|e| EmailAddress::parse(e).ok()) else {
        return Err(AppError::conflict(
            "no_email",
            "This contact has no valid email address. Add one before enabling portal access.",
        ));
    };
    let company = staff.company();
    let mut tx = app.store.begin().await?;
    let login = tx
        .enable_portal_access(company.id, id, email.as_str())
        .await?;
    // Through the open transaction: a writer never waits for a second connection.
    let invited = !tx.login_has_password(company.id, login).await?;
    if invited {
        let name = name_of(&c);
        let to = Recipient {
            login,
            address: email.as_str(),
            name: &name,
        };
        mail_links::send(app, &mut tx, company, TokenPurpose::Invite, to).await?;
    }
    finish(app, tx, staff, ("access.enabled", id), invited).await?;
    Ok(Enabled { invited })
}

/// Sends contact `id` a new invitation. Refused with a `no_login` conflict before access
/// was enabled and a `has_password` one once the person chose a password.
pub async fn invite(app: &App, staff: &StaffActor, id: ContactId) -> Result<(), AppError> {
    let c = find(app, staff, id).await?;
    let (login, email) = login_of(&c)?;
    if c.has_password {
        return Err(AppError::conflict(
            "has_password",
            "This person has already set a password; send a password reset instead.",
        ));
    }
    let name = name_of(&c);
    let mut tx = app.store.begin().await?;
    let to = Recipient {
        login,
        address: email,
        name: &name,
    };
    mail_links::send(app, &mut tx, staff.company(), TokenPurpose::Invite, to).await?;
    finish(app, tx, staff, ("access.invitation_resent", id), true).await
}

/// Clears the password of contact `id`'s login, ends its sessions and emails a reset
/// link. Refused with a `no_login` conflict before access was enabled.
pub async fn force_reset(app: &App, staff: &StaffActor, id: ContactId) -> Result<(), AppError> {
    let c = find(app, staff, id).await?;
    let (login, email) = login_of(&c)?;
    let name = name_of(&c);
    let company = staff.company();
    let mut tx = app.store.begin().await?;
    tx.set_login_password(company.id, login, None).await?;
    tx.delete_sessions_of(company.id, SessionOwner::Login(login), None)
        .await?;
    let to = Recipient {
        login,
        address: email,
        name: &name,
    };
    mail_links::send(app, &mut tx, company, TokenPurpose::Reset, to).await?;
    finish(app, tx, staff, ("access.reset_forced", id), true).await
}

/// Locks (or unlocks) the login of contact `id`; a lock ends its sessions at once.
/// Refused with a `no_login` conflict when the contact has no login.
pub async fn set_locked(
    app: &App,
    staff: &StaffActor,
    id: ContactId,
    locked: bool,
) -> Result<(), AppError> {
    let c = find(app, staff, id).await?;
    let login = c.login_id.map(LoginId).ok_or_else(no_login)?;
    let mut tx = app.store.begin().await?;
    tx.set_login_locked(staff.company().id, login, locked, "")
        .await?;
    let action = if locked {
        "access.locked"
    } else {
        "access.unlocked"
    };
    finish(app, tx, staff, (action, id), false).await
}

/// Disables contact `id`'s portal access to its account; the login keeps any other
/// accounts.
pub async fn disable(app: &App, staff: &StaffActor, id: ContactId) -> Result<(), AppError> {
    find(app, staff, id).await?;
    let mut tx = app.store.begin().await?;
    tx.disable_portal_access(staff.company().id, id).await?;
    finish(app, tx, staff, ("access.disabled", id), false).await
}
