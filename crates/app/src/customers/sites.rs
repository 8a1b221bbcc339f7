//! Sites (service addresses) of a customer account: add, edit, deactivate, reactivate.

use doorstep_core::authz::OfficeArea;
use doorstep_core::customers::{check_line, check_name, check_notes, check_street};
use doorstep_core::ids::{CustomerId, SiteId};
use doorstep_store::customer_book::SiteInput;

use super::active_account;
use crate::error::FieldErrors;
use crate::{App, AppError, StaffActor};

/// A site form as typed.
#[derive(Debug, Clone, Default)]
pub struct SiteFields {
    /// Name ("Home", "Warehouse 2").
    pub name: String,
    /// Street.
    pub line1: String,
    /// Street, second line.
    pub line2: String,
    /// City.
    pub city: String,
    /// State or region.
    pub region: String,
    /// Postal code.
    pub postal_code: String,
    /// Gate codes, dogs, parking.
    pub access_notes: String,
}

/// A site as typed, checked.
#[derive(Debug, Clone)]
pub struct Site(SiteInput);

impl Site {
    /// Checks every field, refusing each wrong one.
    pub fn parse(f: &SiteFields) -> Result<Site, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = e.check(check_name("site_name", &f.name, "site's name"));
        let line1 = e.check(check_street("line1", &f.line1));
        let line2 = e.check(check_line("line2", &f.line2));
        let city = e.check(check_line("city", &f.city));
        let region = e.check(check_line("region", &f.region));
        let postal = e.check(check_line("postal_code", &f.postal_code));
        let notes = e.check(check_notes("access_notes", &f.access_notes));
        match (name, line1, line2, city, region, postal, notes) {
            (
                Some(name),
                Some(line1),
                Some(line2),
                Some(city),
                Some(region),
                Some(postal_code),
                Some(access_notes),
            ) => Ok(Site(SiteInput {
                name,
                line1,
                line2,
                city,
                region,
                postal_code,
                access_notes,
            })),
            _ => Err(e),
        }
    }

    /// The site as it will be saved.
    pub fn input(&self) -> &SiteInput {
        &self.0
    }
}

fn detail(s: &SiteInput) -> serde_json::Value {
    serde_json::json!({"name": s.name, "line1": s.line1, "city": s.city})
}

/// Adds a site to active account `customer`.
pub async fn add(
    app: &App,
    staff: &StaffActor,
    customer: CustomerId,
    site: Site,
) -> Result<SiteId, AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let company = staff.company().id;
    let mut tx = app.store.begin().await?;
    active_account(&mut tx, company, customer).await?;
    let id = tx.insert_office_site(company, customer, &site.0).await?;
    let mut d = detail(&site.0);
    d["customer_id"] = serde_json::json!(customer.0);
    let audit = staff.audit("site.created", ("site", id.0), d);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(id)
}

/// Saves site `id`'s address and access notes (jobs keep pointing at it).
pub async fn edit(app: &App, staff: &StaffActor, id: SiteId, site: Site) -> Result<(), AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let company = staff.company().id;
    let mut tx = app.store.begin().await?;
    tx.site_state(company, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.update_site(company, id, &site.0).await?;
    let audit = staff.audit("site.edited", ("site", id.0), detail(&site.0));
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(())
}

/// Deactivates site `id`: customers no longer pick it and it leaves the portal; its jobs
/// keep it. Refused with a `last_site_of_contact` conflict when a site contact looks
/// after no other active site (they would see nothing).
pub async fn deactivate(app: &App, staff: &StaffActor, id: SiteId) -> Result<(), AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let company = staff.company().id;
    let mut tx = app.store.begin().await?;
    let (_, active) = tx
        .site_state(company, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !active {
        return Err(AppError::conflict(
            "unchanged",
            "This site is already deactivated.",
        ));
    }
    let stranded = tx.contacts_only_of_site(company, id).await?;
    if stranded > 0 {
        return Err(AppError::conflict(
            "last_site_of_contact",
            format!(
                "{stranded} site contact(s) look after only this site. Give them another site, or deactivate them, first."
            ),
        ));
    }
    tx.set_site_active(company, id, false).await?;
    let audit = staff.audit("site.deactivated", ("site", id.0), serde_json::json!({}));
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(())
}

/// Reactivates site `id` of an active account.
pub async fn reactivate(app: &App, staff: &StaffActor, id: SiteId) -> Result<(), AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let company = staff.company().id;
    let mut tx = app.store.begin().await?;
    let (customer, active) = tx
        .site_state(company, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if active {
        return Err(AppError::conflict("unchanged", "This site is active."));
    }
    active_account(&mut tx, company, customer).await?;
    tx.set_site_active(company, id, true).await?;
    let audit = staff.audit("site.reactivated", ("site", id.0), serde_json::json!({}));
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(())
}
