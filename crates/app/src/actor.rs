//! Who is acting. An actor is built only by [`crate::sessions`] from a live session (and
//! later by the API-key check and the scheduler): its fields are private and it has no
//! public constructor, so a use case that takes one knows authentication happened.
//! Admin-only use cases take an [`Admin`], which [`StaffActor::admin`] hands out only to
//! administrators (lldap's `get_admin_handler`, vaultwarden's `AdminHeaders`).

use std::net::IpAddr;

use doorstep_core::authz::{ContactScope, OfficeArea, PortalAction, contact_may, staff_may};
use doorstep_core::ids::{ContactId, CustomerId, LoginId, StaffUserId};
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::companies::Company;
use doorstep_store::staff::StaffUser;

use crate::{App, AppError};

/// A portal login acting for one customer account.
#[derive(Debug, Clone)]
pub struct ContactActor {
    company: Company,
    login: LoginId,
    contact: ContactId,
    customer_name: String,
    scope: ContactScope,
    ip: IpAddr,
    viewer: Option<StaffUserId>,
}

impl ContactActor {
    pub(crate) fn new(
        company: Company,
        login: LoginId,
        contact: ContactId,
        customer_name: String,
        scope: ContactScope,
        ip: IpAddr,
    ) -> Self {
        ContactActor {
            company,
            login,
            contact,
            customer_name,
            scope,
            ip,
            viewer: None,
        }
    }

    /// The same contact as staff member `staff` sees it when viewing the portal as them:
    /// read only (see [`ContactActor::require`]).
    pub(crate) fn viewed_by(mut self, staff: StaffUserId) -> Self {
        self.viewer = Some(staff);
        self
    }

    /// The staff member viewing the portal as this contact, when it is not the contact
    /// signed in: every write is refused to them.
    pub fn viewer(&self) -> Option<StaffUserId> {
        self.viewer
    }

    /// The company.
    pub fn company(&self) -> &Company {
        &self.company
    }

    /// The login.
    pub fn login(&self) -> LoginId {
        self.login
    }

    /// The contact record through which the login reaches the account.
    pub fn contact(&self) -> ContactId {
        self.contact
    }

    /// The account acted for.
    pub fn customer(&self) -> CustomerId {
        self.scope.customer
    }

    /// The account's name.
    pub fn customer_name(&self) -> &str {
        &self.customer_name
    }

    /// What the authorization rules need to know.
    pub fn scope(&self) -> &ContactScope {
        &self.scope
    }

    /// Where the request came from.
    pub fn ip(&self) -> IpAddr {
        self.ip
    }

    /// Whether authz allows `action` (for offering it on a page).
    pub fn may(&self, action: PortalAction) -> bool {
        contact_may(&self.scope, &self.company.settings, action)
    }

    /// Refuses with [`AppError::NotFound`] unless authz allows `action`; a write is
    /// refused to staff viewing the portal as the contact.
    pub fn require(&self, action: PortalAction) -> Result<(), AppError> {
        if self.viewer.is_some() && action.is_write() {
            return Err(AppError::conflict(
                "read_only",
                "You are viewing the portal as this contact: nothing can be changed.",
            ));
        }
        if self.may(action) {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// An audit record of this contact doing `action` to `subject`; `label` is the
    /// login's email.
    pub(crate) fn audit(
        &self,
        label: &str,
        action: &'static str,
        subject: (&'static str, i64),
        detail: serde_json::Value,
    ) -> NewAuditEvent {
        crate::audit::record(
            ("contact", Some(self.contact.0), label),
            action,
            subject,
            self.ip,
            detail,
        )
    }
}

/// A contact as the office's emails and the audit log name them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Who {
    /// The contact's full name.
    pub(crate) name: String,
    /// The login's email.
    pub(crate) email: String,
}

impl ContactActor {
    /// The contact's name as the office knows it and their login's email. Read before a
    /// transaction opens: a writer holds one connection and never waits for a second.
    pub(crate) async fn who(&self, app: &App) -> Result<Who, AppError> {
        let company = self.company.id;
        let name = app
            .store
            .contact_access(company, self.contact)
            .await?
            .map(|a| {
                format!("{} {}", a.first_name, a.last_name)
                    .trim()
                    .to_owned()
            })
            .unwrap_or_default();
        let email = app
            .store
            .login_email(company, self.login)
            .await?
            .unwrap_or_default();
        Ok(Who { name, email })
    }
}

/// A member of the office staff, signed in with every factor the company asks for.
#[derive(Debug, Clone)]
pub struct StaffActor {
    company: Company,
    staff: StaffUser,
    ip: IpAddr,
    /// The API key acting through the office's use cases (id, audit label), if any.
    via_key: Option<(i64, String)>,
}

impl StaffActor {
    pub(crate) fn new(company: Company, staff: StaffUser, ip: IpAddr) -> Self {
        StaffActor {
            company,
            staff,
            ip,
            via_key: None,
        }
    }

    /// The company.
    pub fn company(&self) -> &Company {
        &self.company
    }

    /// The staff member.
    pub fn staff(&self) -> &StaffUser {
        &self.staff
    }

    /// Their id.
    pub fn id(&self) -> StaffUserId {
        self.staff.id
    }

    /// Where the request came from.
    pub fn ip(&self) -> IpAddr {
        self.ip
    }

    /// Whether this member may work in `area` (for offering it on a page).
    pub fn may(&self, area: OfficeArea) -> bool {
        staff_may(self.staff.role, area)
    }

    /// Refuses with [`AppError::NotFound`] unless this member may work in `area`.
    pub fn require(&self, area: OfficeArea) -> Result<(), AppError> {
        if self.may(area) {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// This member as an administrator, or [`AppError::NotFound`] when they are not one.
    pub fn admin(&self) -> Result<Admin<'_>, AppError> {
        self.require(OfficeArea::Administration)?;
        Ok(Admin(self))
    }

    /// An audit record of this member doing `action` to `subject`.
    pub(crate) fn audit(
        &self,
        action: &'static str,
        subject: (&'static str, i64),
        detail: serde_json::Value,
    ) -> NewAuditEvent {
        if let Some((key, label)) = &self.via_key {
            return crate::audit::record(
                ("api", Some(*key), label),
                action,
                subject,
                self.ip,
                detail,
            );
        }
        crate::audit::record(
            ("staff", Some(self.staff.id.0), &self.staff.email),
            action,
            subject,
            self.ip,
            detail,
        )
    }
}

/// An administrator: only [`StaffActor::admin`] makes one.
#[derive(Debug, Clone, Copy)]
pub struct Admin<'a>(&'a StaffActor);

impl<'a> Admin<'a> {
    /// The administrator as a staff member.
    pub fn staff(&self) -> &'a StaffActor {
        self.0
    }
}

impl std::ops::Deref for Admin<'_> {
    type Target = StaffActor;

    fn deref(&self) -> &StaffActor {
        self.0
    }
}

/// An API key acting for its company (`Authorization: Bearer`): built only by
/// [`crate::api_keys::authenticate`] from a live, unrevoked key. Its writes go through the
/// office's own use cases as an office member on behalf of the administrator who made
/// the key (as that administrator only for the admin settings, [`ApiActor::admin`]), and are audited as the key's (`actor_kind = api`).
#[derive(Debug, Clone)]
pub struct ApiActor {
    office: StaffActor,
    key: i64,
    write: bool,
    // api-requests (issue 20)
    /// Whether the key's maker is an administrator now (see [`ApiActor::admin`]).
    maker_admin: bool,
}

impl ApiActor {
    pub(crate) fn new(
        company: Company,
        mut maker: StaffUser,
        ip: IpAddr,
        key: i64,
        key_name: &str,
        write: bool,
    ) -> Self {
        // api-requests (issue 20)
        let maker_admin = maker.role == doorstep_core::status::StaffRole::Admin;
        // An API key has the office's day-to-day rights, never an administrator's.
        maker.role = doorstep_core::status::StaffRole::Office;
        let label = format!("API key “{key_name}” (made by {})", maker.email);
        let mut office = StaffActor::new(company, maker, ip);
        office.via_key = Some((key, label));
        ApiActor {
            office,
            key,
            write,
            maker_admin,
        }
    }

    /// The company.
    pub fn company(&self) -> &Company {
        self.office.company()
    }

    /// The key's id.
    pub fn key(&self) -> i64 {
        self.key
    }

    /// Whether the key has the write scope.
    pub fn may_write(&self) -> bool {
        self.write
    }

    /// The office actor the key's writes go through; refused with a `read_only_key`
    /// conflict when the key may only read.
    pub fn writer(&self) -> Result<&StaffActor, AppError> {
        if self.write {
            Ok(&self.office)
        } else {
            Err(AppError::conflict(
                "read_only_key",
                "This API key may only read; make a key with the write scope to change data.",
            ))
        }
    }
}

// api-requests (issue 20)
impl ApiActor {
    /// Whether the key's maker is (still) an administrator: the admin-only reads
    /// (webhook endpoints and their deliveries) answer only then, as the office's
    /// pages answer only administrators.
    pub fn made_by_admin(&self) -> bool {
        self.maker_admin
    }

    /// The key acting as the administrator who made it, for the admin-only use cases
    /// (webhook endpoints, the catalogue): a write key may do what its maker may, audited as the key's.
    /// Refused as [`ApiActor::writer`] is for a read-only key, and with
    /// [`AppError::NotFound`] (as the office's admin pages are) when the maker is no
    /// longer an administrator.
    pub fn admin(&self) -> Result<Admin<'_>, AppError> {
        self.writer()?;
        if !self.maker_admin {
            return Err(AppError::NotFound);
        }
        Ok(Admin(&self.office))
    }
}
