//! Contacts of a customer account: add, edit (email included), deactivate, reactivate.
//! A company contact sees the whole account; a site contact names at least one of the
//! account's active sites and sees only those.

use doorstep_core::Invalid;
use doorstep_core::authz::OfficeArea;
use doorstep_core::customers::{
    check_contact_sites, check_external_ref, check_name, check_optional_email, check_optional_name,
    check_phone, check_role,
};
use doorstep_core::ids::{CompanyId, ContactId, CustomerId, SiteId};
use doorstep_store::Tx;
use doorstep_store::customer_book::ContactInput;

use super::{active_account, end_sessions};
use crate::error::FieldErrors;
use crate::{App, AppError, StaffActor};

/// A contact form as typed.
#[derive(Debug, Clone, Default)]
pub struct ContactFields {
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Email; portal access needs one.
    pub email: String,
    /// Phone.
    pub phone: String,
    /// `company` or `site`.
    pub role: String,
    /// The sites ticked (for a site contact).
    pub sites: Vec<i64>,
    /// Receives invoices.
    pub is_billing: bool,
    /// The contact's id in another system (the API's): `None` keeps what the contact
    /// has (the office's forms never show it), empty clears it.
    pub external_ref: Option<String>,
}

/// A contact as typed, checked (its sites are checked against the account on saving).
#[derive(Debug, Clone)]
pub struct Contact {
    input: ContactInput,
    sites: Vec<SiteId>,
}

impl Contact {
    /// Checks every field, refusing each wrong one.
    pub fn parse(f: &ContactFields) -> Result<Contact, FieldErrors> {
        let mut e = FieldErrors::default();
        let first = e.check(check_name("first_name", &f.first_name, "first name"));
        let last = e.check(check_optional_name("last_name", &f.last_name));
        let email = e.check(check_optional_email("email", &f.email));
        let phone = e.check(check_phone("phone", &f.phone));
        let role = e.check(check_role(&f.role));
        let external_ref = match &f.external_ref {
            None => Some(None),
            Some(raw) => e.check(check_external_ref(raw)).map(Some),
        };
        match (first, last, email, phone, role, external_ref) {
            (
                Some(first_name),
                Some(last_name),
                Some(email),
                Some(phone),
                Some(role),
                Some(external_ref),
            ) => Ok(Contact {
                input: ContactInput {
                    first_name,
                    last_name,
                    email,
                    phone,
                    role,
                    is_billing: f.is_billing,
                    external_ref,
                },
                sites: f.sites.iter().copied().map(SiteId).collect(),
            }),
            _ => Err(e),
        }
    }

    /// The contact as it will be saved.
    pub fn input(&self) -> &ContactInput {
        &self.input
    }
}

fn detail(c: &ContactInput, sites: &[SiteId]) -> serde_json::Value {
    serde_json::json!({
        "name": format!("{} {}", c.first_name, c.last_name).trim(),
        "email": c.email,
        "role": c.role.as_str(),
        "sites": sites.iter().map(|s| s.0).collect::<Vec<_>>(),
        "is_billing": c.is_billing,
        "external_ref": c.external_ref,
    })
}

/// Refuses an external reference another contact of the company has.
async fn check_external_ref_free(
    tx: &mut Tx,
    company: CompanyId,
    id: Option<ContactId>,
    c: &ContactInput,
) -> Result<(), AppError> {
    if let Some(Some(reference)) = &c.external_ref
        && let Some(other) = tx.contact_with_external_ref(company, reference, id).await?
    {
        return Err(Invalid::new(
            "external_ref",
            format!(
                "Contact {} already has this external reference; each contact's must be different.",
                other.0
            ),
        )
        .into());
    }
    Ok(())
}

/// Adds a contact to active account `customer`. Refused with [`AppError::NotFound`] for
/// another company's account, a `customer_inactive` conflict for a deactivated one, and
/// [`AppError::Invalid`] (`sites`) for a site contact without one of the account's sites.
pub async fn add(
    app: &App,
    staff: &StaffActor,
    customer: CustomerId,
    contact: Contact,
) -> Result<ContactId, AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let company = staff.company().id;
    let mut tx = app.store.begin().await?;
    active_account(&mut tx, company, customer).await?;
    let own = tx.active_site_ids(company, customer).await?;
    let sites = check_contact_sites(contact.input.role, &contact.sites, &own)?;
    check_external_ref_free(&mut tx, company, None, &contact.input).await?;
    let id = tx
        .insert_office_contact(company, customer, &contact.input)
        .await?;
    tx.set_contact_sites(company, id, &sites).await?;
    let mut d = detail(&contact.input, &sites);
    d["customer_id"] = serde_json::json!(customer.0);
    let audit = staff.audit("contact.created", ("contact", id.0), d);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(id)
}

/// Saves contact `id`. Its email may change only while it has no portal access: with
/// access on, a new email is refused with a `portal_email` conflict (turn access off,
/// change the email, enable access again, which invites the new address). Refused with
/// an `inactive` conflict for a deactivated contact.
pub async fn edit(
    app: &App,
    staff: &StaffActor,
    id: ContactId,
    contact: Contact,
) -> Result<(), AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let company = staff.company().id;
    let mut tx = app.store.begin().await?;
    let old = tx
        .contact_state(company, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !old.active {
        return Err(AppError::conflict(
            "inactive",
            "This contact is deactivated. Reactivate it first.",
        ));
    }
    let email_changed = old.email != contact.input.email;
    if email_changed && old.portal_enabled && old.login.is_some() {
        return Err(AppError::conflict(
            "portal_email",
            "This contact signs in to the portal with their current email. Turn off portal access first, change the email, then enable access again: an invitation goes to the new address.",
        ));
    }
    let own = tx.active_site_ids(company, old.customer).await?;
    let sites = check_contact_sites(contact.input.role, &contact.sites, &own)?;
    check_external_ref_free(&mut tx, company, Some(id), &contact.input).await?;
    // A changed email leaves the old login behind: enabling access later finds or makes
    // the new address's login.
    tx.update_contact(company, id, &contact.input, email_changed)
        .await?;
    tx.set_contact_sites(company, id, &sites).await?;
    let mut d = detail(&contact.input, &sites);
    d["email_changed"] = serde_json::json!(email_changed);
    let audit = staff.audit("contact.edited", ("contact", id.0), d);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(())
}

/// Deactivates contact `id`: its portal access ends and every session of its login ends
/// at once (the person signs in again for any other account they have). Refused with an
/// `unchanged` conflict when already deactivated.
pub async fn deactivate(app: &App, staff: &StaffActor, id: ContactId) -> Result<(), AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let company = staff.company().id;
    let mut tx = app.store.begin().await?;
    let old = tx
        .contact_state(company, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !old.active {
        return Err(AppError::conflict(
            "unchanged",
            "This contact is already deactivated.",
        ));
    }
    tx.set_contact_active(company, id, false).await?;
    let logins: Vec<_> = old.login.into_iter().collect();
    let ended = end_sessions(&mut tx, company, &logins).await?;
    let d = serde_json::json!({"had_portal_access": old.portal_enabled, "sessions_ended": ended});
    let audit = staff.audit("contact.deactivated", ("contact", id.0), d);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(())
}

/// Reactivates contact `id` of an active account; portal access stays off until enabled.
pub async fn reactivate(app: &App, staff: &StaffActor, id: ContactId) -> Result<(), AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let company = staff.company().id;
    let mut tx = app.store.begin().await?;
    let old = tx
        .contact_state(company, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if old.active {
        return Err(AppError::conflict("unchanged", "This contact is active."));
    }
    active_account(&mut tx, company, old.customer).await?;
    tx.set_contact_active(company, id, true).await?;
    let audit = staff.audit(
        "contact.reactivated",
        ("contact", id.0),
        serde_json::json!({}),
    );
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(())
}

/// Creates the contact whose external reference the command carries on account
/// `customer`, or saves it when a contact has it already (the API's upsert; the same
/// checks as [`add`] and [`edit`]). Answers the contact and whether it was made. Refused
/// with [`AppError::Invalid`] on `external_ref` when the command has none, and on
/// `customer_id` when no account is named for a new contact or another account is named
/// for an existing one (a contact never moves between accounts).
pub async fn upsert_by_external_ref(
    app: &App,
    staff: &StaffActor,
    customer: Option<CustomerId>,
    contact: Contact,
) -> Result<(ContactId, bool), AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let Some(Some(reference)) = contact.input.external_ref.clone() else {
        return Err(Invalid::new(
            "external_ref",
            "Enter the contact's id in your other system to create or update it by that id.",
        )
        .into());
    };
    let company = staff.company().id;
    match app
        .store
        .contact_by_external_ref(company, &reference)
        .await?
    {
        Some(id) => {
            let old = app
                .store
                .api_contact(company, id)
                .await?
                .ok_or(AppError::NotFound)?;
            if customer.is_some_and(|c| c.0 != old.customer_id) {
                return Err(stays_with_account());
            }
            edit(app, staff, id, contact).await?;
            Ok((id, false))
        }
        None => {
            let customer = customer.ok_or_else(|| {
                AppError::from(Invalid::new(
                    "customer_id",
                    "Name the customer whose contact this is.",
                ))
            })?;
            Ok((add(app, staff, customer, contact).await?, true))
        }
    }
}

/// The refusal of a contact moved to another account.
pub fn stays_with_account() -> AppError {
    Invalid::new(
        "customer_id",
        "A contact stays with its customer; add a new contact to the other customer instead.",
    )
    .into()
}
