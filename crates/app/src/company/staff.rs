//! The office staff (issue 18), administrators only: invite a member by email (they
//! choose their password through the same one-time setup link `doorstep company create`
//! prints, emailed), resend that link, change a role, deactivate (their sessions end at
//! once and they cannot sign in) and reactivate. The company always keeps one active
//! administrator, and nobody deactivates themself (`core::company`).

use doorstep_core::company::{Member, StaffRefusal, check_line, may_change_role, may_deactivate};
use doorstep_core::email::EmailAddress;
use doorstep_core::ids::StaffUserId;
use doorstep_core::status::StaffRole;
use doorstep_core::validation::Invalid;
use doorstep_mail::EmailKind;
use doorstep_store::Tx;
use doorstep_store::companies::Company;
use doorstep_store::staff::StaffUser;
use doorstep_store::tokens::{TokenOwner, TokenPurpose};

use crate::crypto::token::{hash_token, new_token};
use crate::error::FieldErrors;
use crate::mail_links::human;
use crate::{Admin, App, AppError};

/// The longest staff name accepted.
pub const NAME_MAX: usize = 120;

/// A new member as typed, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    email: EmailAddress,
    name: String,
    role: StaffRole,
}

impl Invitation {
    /// Checks the email, the name (required) and the role (`admin` or `office`).
    pub fn parse(email: &str, name: &str, role: &str) -> Result<Invitation, FieldErrors> {
        let mut errors = FieldErrors::default();
        let email = errors.check(EmailAddress::parse(email));
        let name = errors.check(check_line("name", name, NAME_MAX).and_then(|n| {
            if n.is_empty() {
                Err(Invalid::new("name", "Enter the person's name."))
            } else {
                Ok(n)
            }
        }));
        let role = errors.check(parse_role(role));
        match (email, name, role) {
            (Some(email), Some(name), Some(role)) => Ok(Invitation { email, name, role }),
            _ => Err(errors),
        }
    }

    /// The address the invitation goes to.
    pub fn email(&self) -> &str {
        self.email.as_str()
    }
}

/// A role as posted: `admin` or `office`.
pub fn parse_role(raw: &str) -> Result<StaffRole, Invalid> {
    StaffRole::parse(raw.trim())
        .map_err(|_| Invalid::new("role", "Choose Administrator or Office staff."))
}

/// Issues a setup link for `staff` and queues its email, in `tx` (a newer link revokes
/// the older ones); the caller wakes the mail worker after committing.
async fn send_setup_link(
    app: &App,
    tx: &mut Tx,
    company: &Company,
    staff: StaffUserId,
    (address, name): (&str, &str),
) -> Result<(), AppError> {
    let ttl = app.config().invite_ttl;
    let token = new_token();
    tx.create_token(
        company.id,
        &hash_token(&token),
        TokenPurpose::StaffSetup,
        TokenOwner::Staff(staff),
        doorstep_store::now() + ttl,
    )
    .await?;
    let link = app
        .links()
        .portal(&company.slug, &format!("/office/setup/{token}"));
    let expires = human(ttl);
    doorstep_mail::enqueue(
        tx,
        company.id,
        EmailKind::StaffSetup,
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

/// Invites a new member: adds them (no password yet) and emails their setup link.
/// Refused with [`AppError::Duplicate`] when the company already has someone with that
/// email.
pub async fn invite(
    app: &App,
    admin: Admin<'_>,
    invitation: Invitation,
) -> Result<StaffUserId, AppError> {
    let company = admin.company();
    let Invitation { email, name, role } = invitation;
    let mut tx = app.store.begin().await?;
    let id = tx
        .create_staff(company.id, email.as_str(), &name, role, None)
        .await?;
    send_setup_link(app, &mut tx, company, id, (email.as_str(), &name)).await?;
    let detail = serde_json::json!({"email": email.as_str(), "name": name, "role": role.as_str()});
    let audit = admin.audit("staff.invited", ("staff_user", id.0), detail);
    tx.audit(company.id, &audit).await?;
    app.commit(tx, true).await?;
    Ok(id)
}

/// Member `id` of the admin's company, or [`AppError::NotFound`].
async fn find(app: &App, admin: Admin<'_>, id: StaffUserId) -> Result<StaffUser, AppError> {
    app.store
        .staff_by_id(admin.company().id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Sends member `id` a new setup link (the older one stops working). Refused with a
/// `has_password` conflict once they chose a password and a `deactivated` one while
/// they are deactivated.
pub async fn resend(app: &App, admin: Admin<'_>, id: StaffUserId) -> Result<(), AppError> {
    let member = find(app, admin, id).await?;
    if member.deactivated {
        return Err(deactivated());
    }
    if member.has_password {
        return Err(AppError::conflict(
            "has_password",
            "They have already chosen a password and can sign in.",
        ));
    }
    let company = admin.company();
    let mut tx = app.store.begin().await?;
    send_setup_link(app, &mut tx, company, id, (&member.email, &member.name)).await?;
    let detail = serde_json::json!({"email": member.email});
    let audit = admin.audit("staff.invitation_resent", ("staff_user", id.0), detail);
    tx.audit(company.id, &audit).await?;
    app.commit(tx, true).await?;
    Ok(())
}

fn deactivated() -> AppError {
    AppError::conflict(
        "deactivated",
        "This person is deactivated. Reactivate them first.",
    )
}

fn refused(r: StaffRefusal) -> AppError {
    AppError::conflict(r.code(), r.message())
}

/// Locks the company's staff and answers member `id` as the rules see them and how many
/// active administrators there are (an administrator who has not chosen a password yet
/// cannot sign in, so is not counted).
async fn locked(
    tx: &mut Tx,
    admin: Admin<'_>,
    id: StaffUserId,
) -> Result<(StaffUser, Member, usize), AppError> {
    let staff = tx.lock_staff(admin.company().id).await?;
    let member = |s: &StaffUser| Member {
        id: s.id,
        role: s.role,
        active: s.has_password && !s.deactivated,
    };
    let admins = staff
        .iter()
        .map(member)
        .filter(|m| m.active && m.role == StaffRole::Admin)
        .count();
    let target = staff
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(AppError::NotFound)?;
    let m = member(&target);
    Ok((target, m, admins))
}

/// Gives member `id` the role `role`. Refused with a `last_admin` conflict when that
/// would leave the company without an active administrator.
pub async fn change_role(
    app: &App,
    admin: Admin<'_>,
    id: StaffUserId,
    role: StaffRole,
) -> Result<(), AppError> {
    let company = admin.company().id;
    let mut tx = app.store.begin().await?;
    let (target, member, admins) = locked(&mut tx, admin, id).await?;
    if target.role == role {
        return Ok(());
    }
    may_change_role(member, role, admins).map_err(refused)?;
    tx.set_staff_role(company, id, role).await?;
    let detail = serde_json::json!({"email": target.email, "from": target.role.as_str(), "to": role.as_str()});
    let audit = admin.audit("staff.role_changed", ("staff_user", id.0), detail);
    tx.audit(company, &audit).await?;
    tx.commit().await?;
    Ok(())
}

/// Deactivates member `id`: their sessions end at once, their setup link stops working
/// and they cannot sign in. Refused with a `yourself` conflict for the admin themself and
/// a `last_admin` one for the company's only active administrator. Deactivating someone
/// already deactivated changes nothing.
pub async fn deactivate(app: &App, admin: Admin<'_>, id: StaffUserId) -> Result<(), AppError> {
    let company = admin.company().id;
    let mut tx = app.store.begin().await?;
    let (target, member, admins) = locked(&mut tx, admin, id).await?;
    may_deactivate(admin.id(), member, admins).map_err(refused)?;
    if target.deactivated {
        return Ok(());
    }
    tx.set_staff_deactivated(company, id, true).await?;
    let detail = serde_json::json!({"email": target.email});
    let audit = admin.audit("staff.deactivated", ("staff_user", id.0), detail);
    tx.audit(company, &audit).await?;
    tx.commit().await?;
    Ok(())
}

/// Reactivates member `id`: they can sign in again with their password (or, if they
/// never chose one, through a link an administrator resends). Reactivating someone
/// active changes nothing.
pub async fn reactivate(app: &App, admin: Admin<'_>, id: StaffUserId) -> Result<(), AppError> {
    let company = admin.company().id;
    let mut tx = app.store.begin().await?;
    let (target, _, _) = locked(&mut tx, admin, id).await?;
    if !target.deactivated {
        return Ok(());
    }
    tx.set_staff_deactivated(company, id, false).await?;
    let detail = serde_json::json!({"email": target.email});
    let audit = admin.audit("staff.reactivated", ("staff_user", id.0), detail);
    tx.audit(company, &audit).await?;
    tx.commit().await?;
    Ok(())
}
