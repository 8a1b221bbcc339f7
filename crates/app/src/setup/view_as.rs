//! Viewing the portal as a contact: a staff member's own session, marked with the
//! contact it views as, shows the portal exactly as that contact sees it, read only. No
//! contact session is made and the contact's login is not touched (its last sign-in
//! stays); the actor built for it refuses every write (`ContactActor::require`), and the
//! web layer refuses every portal write before a handler runs. Starting and stopping are
//! audited.

use std::net::IpAddr;

use doorstep_core::authz::{ContactScope, OfficeArea};
use doorstep_core::ids::{ContactId, CustomerId, LoginId};
use doorstep_core::status::ContactRole;
use doorstep_store::companies::Company;
use doorstep_store::contacts::AccountAccess;
use doorstep_store::sessions::SessionOwner;
use doorstep_store::staff::StaffUser;

use crate::actor::ContactActor;
use crate::sessions::{PortalLogin, SignedInContact};
use crate::{App, AppError, StaffActor};

/// A staff session viewing the portal as a contact.
#[derive(Clone)]
pub struct Viewing {
    /// The contact as the portal's pages take it (its actor refuses writes).
    pub contact: SignedInContact,
    /// The contact's name, for the banner.
    pub contact_name: String,
    /// The staff member viewing.
    pub staff: StaffUser,
}

fn full_name(first: &str, last: &str) -> String {
    format!("{first} {last}").trim().to_owned()
}

/// Makes `staff`'s session `session` (the hash of its token) view the portal as
/// `contact`, audited as `portal.view_as_started`. Refused with `NotFound` for a contact
/// of another company and with an `inactive` conflict for a deactivated one. Returns the
/// contact's name.
pub async fn start(
    app: &App,
    staff: &StaffActor,
    session: &str,
    contact: ContactId,
) -> Result<String, AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let company = staff.company().id;
    let access = app
        .store
        .contact_access(company, contact)
        .await?
        .ok_or(AppError::NotFound)?;
    let name = full_name(&access.first_name, &access.last_name);
    if !access.active {
        return Err(AppError::conflict(
            "inactive",
            format!("{name} is deactivated: reactivate the contact to view the portal as them."),
        ));
    }
    let mut tx = app.store.begin().await?;
    tx.set_viewing_contact(company, session, Some(contact))
        .await?;
    let audit = staff.audit(
        "portal.view_as_started",
        ("contact", contact.0),
        serde_json::json!({"name": name}),
    );
    tx.audit(company, &audit).await?;
    tx.commit().await?;
    Ok(name)
}

/// Ends viewing as a contact on `staff`'s session `session`, audited as
/// `portal.view_as_stopped`; returns the contact it viewed as (`None`, and nothing
/// written, when it was not viewing).
pub async fn stop(
    app: &App,
    staff: &StaffActor,
    session: &str,
) -> Result<Option<ContactId>, AppError> {
    let company = staff.company().id;
    let mut tx = app.store.begin().await?;
    let Some(contact) = tx.set_viewing_contact(company, session, None).await? else {
        return Ok(None);
    };
    let audit = staff.audit(
        "portal.view_as_stopped",
        ("contact", contact.0),
        serde_json::json!({}),
    );
    tx.audit(company, &audit).await?;
    tx.commit().await?;
    Ok(Some(contact))
}

impl App {
    /// The contact the live staff session `id_hash` views the portal as, if it does:
    /// built read only, for the portal's pages.
    pub async fn viewing_as(
        &self,
        company: Company,
        id_hash: &str,
        idle: time::Duration,
        ip: IpAddr,
    ) -> Result<Option<Viewing>, AppError> {
        let Some(session) = self.live_session(&company, id_hash, idle).await? else {
            return Ok(None);
        };
        let SessionOwner::Staff(staff_id) = session.owner else {
            return Ok(None);
        };
        if session.two_factor_pending {
            return Ok(None);
        }
        let Some(contact) = self.store.viewing_contact(company.id, id_hash).await? else {
            return Ok(None);
        };
        let Some(staff) = self.store.staff_by_id(company.id, staff_id).await? else {
            return Ok(None);
        };
        let Some(access) = self.store.contact_access(company.id, contact).await? else {
            return Ok(None);
        };
        let customer = CustomerId(access.customer_id);
        let Some(summary) = self.store.customer_summary(company.id, customer).await? else {
            return Ok(None);
        };
        let role =
            ContactRole::parse(&access.role).map_err(|e| AppError::Internal(e.to_string()))?;
        let sites = match role {
            ContactRole::Company => Vec::new(),
            ContactRole::Site => self.store.sites_of_contact(company.id, contact).await?,
        };
        let active = AccountAccess {
            customer,
            customer_name: summary.name,
            contact,
            role,
        };
        let scope = ContactScope {
            customer,
            role,
            sites,
        };
        // A contact without portal access has no login: reads keyed by login find nothing.
        let login = LoginId(access.login_id.unwrap_or(0));
        let actor = ContactActor::new(
            company.clone(),
            login,
            contact,
            active.customer_name.clone(),
            scope.clone(),
            ip,
        )
        .viewed_by(staff.id);
        let portal = PortalLogin {
            company,
            login,
            session,
            accounts: vec![active.clone()],
        };
        Ok(Some(Viewing {
            contact: SignedInContact {
                portal,
                active,
                scope,
                actor,
            },
            contact_name: full_name(&access.first_name, &access.last_name),
            staff,
        }))
    }
}
