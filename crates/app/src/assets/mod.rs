//! Customers' equipment and rentals and their maintenance (issue 20): add, edit and retire
//! an asset of an account (at one of its sites), and add, edit and remove its maintenance
//! schedules, each audited. The office's customer page and the API call these same use
//! cases; the rules (kinds, dates, when maintenance is next due) are in
//! `doorstep_core::assets`. A retired asset is kept (its jobs and requests point at it)
//! but takes no changes.

use doorstep_core::assets::{
    AssetKind, check_interval, check_optional_day, check_past_day, check_rental_period,
    check_required, check_text, next_due,
};
use doorstep_core::authz::OfficeArea;
use doorstep_core::customers::check_notes;
use doorstep_core::ids::{AssetId, CompanyId, CustomerId, MaintenanceScheduleId, SiteId};
use doorstep_core::local_time;
use doorstep_core::validation::Invalid;
use doorstep_store::Tx;
use doorstep_store::asset_book::{AssetInput, AssetState, ScheduleInput};
use time::Date;

use crate::error::FieldErrors;
use crate::{App, AppError, StaffActor};

/// The company's today, against which installation and service dates are checked.
pub fn today(staff: &StaffActor) -> Date {
    local_time::today(&staff.company().time_zone, doorstep_store::now())
}

/// An asset form as typed.
#[derive(Debug, Clone, Default)]
pub struct AssetFields {
    /// `equipment` or `rental`.
    pub kind: String,
    /// What people call it.
    pub name: String,
    /// Manufacturer.
    pub make: String,
    /// Model.
    pub model: String,
    /// Serial number.
    pub serial_number: String,
    /// The site's id (empty: none).
    pub site: String,
    /// `YYYY-MM-DD` or empty.
    pub installed_on: String,
    /// `YYYY-MM-DD` or empty.
    pub rental_start_on: String,
    /// `YYYY-MM-DD` or empty.
    pub rental_end_on: String,
    /// The office's notes.
    pub notes: String,
}

/// An asset as typed, checked.
#[derive(Debug, Clone)]
pub struct Asset(AssetInput);

fn site_of(raw: &str) -> Result<Option<SiteId>, Invalid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(|id| Some(SiteId(id)))
        .ok_or_else(not_a_site)
}

fn not_a_site() -> Invalid {
    Invalid::new("site", "Choose one of this customer's active sites.")
}

impl Asset {
    /// Checks every field, refusing each wrong one (dates against the company's `today`).
    pub fn parse(f: &AssetFields, today: Date) -> Result<Asset, FieldErrors> {
        let mut e = FieldErrors::default();
        let kind = e.check(AssetKind::parse(&f.kind));
        let name = e.check(check_required("name", &f.name, "asset's name"));
        let make = e.check(check_text("make", &f.make, "make"));
        let model = e.check(check_text("model", &f.model, "model"));
        let serial = e.check(check_text(
            "serial_number",
            &f.serial_number,
            "serial number",
        ));
        let site = e.check(site_of(&f.site));
        let installed = e.check(check_past_day("installed_on", &f.installed_on, today));
        let start = e.check(check_optional_day("rental_start_on", &f.rental_start_on));
        let end = e.check(check_optional_day("rental_end_on", &f.rental_end_on));
        let notes = e.check(check_notes("notes", &f.notes));
        if let (Some(k), Some(s), Some(en)) = (kind, start, end) {
            e.check(check_rental_period(k, s, en));
        }
        match (
            kind, name, make, model, serial, site, installed, start, end, notes,
        ) {
            (
                Some(kind),
                Some(name),
                Some(make),
                Some(model),
                Some(serial_number),
                Some(site),
                Some(installed_on),
                Some(rental_start_on),
                Some(rental_end_on),
                Some(notes),
            ) if e.is_empty() => Ok(Asset(AssetInput {
                site,
                kind: kind.as_str().to_owned(),
                name,
                make,
                model,
                serial_number,
                installed_on,
                rental_start_on,
                rental_end_on,
                notes,
            })),
            _ => Err(e),
        }
    }

    /// The asset as it will be saved.
    pub fn input(&self) -> &AssetInput {
        &self.0
    }
}

/// A maintenance schedule form as typed.
#[derive(Debug, Clone, Default)]
pub struct ScheduleFields {
    /// What is done ("Annual service").
    pub title: String,
    /// Days between two services.
    pub interval_days: String,
    /// `YYYY-MM-DD` or empty.
    pub last_done_on: String,
    /// `YYYY-MM-DD`, or empty to count one interval from the last service (or today).
    pub next_due_on: String,
}

/// A maintenance schedule as typed, checked, its next due date settled.
#[derive(Debug, Clone)]
pub struct Schedule(ScheduleInput);

impl Schedule {
    /// Checks every field, refusing each wrong one; an empty next due date is one
    /// interval after the last service (or the company's `today`).
    pub fn parse(f: &ScheduleFields, today: Date) -> Result<Schedule, FieldErrors> {
        let mut e = FieldErrors::default();
        let title = e.check(check_required("title", &f.title, "maintenance's title"));
        let interval = e.check(check_interval(&f.interval_days));
        let last = e.check(check_past_day("last_done_on", &f.last_done_on, today));
        let typed = e.check(check_optional_day("next_due_on", &f.next_due_on));
        let due = match (interval, last, typed) {
            (Some(i), Some(l), Some(t)) => e.check(next_due(t, l, i, today)),
            _ => None,
        };
        match (title, interval, last, due) {
            (Some(title), Some(interval_days), Some(last_done_on), Some(next_due_on)) => {
                Ok(Schedule(ScheduleInput {
                    title,
                    interval_days,
                    last_done_on,
                    next_due_on,
                }))
            }
            _ => Err(e),
        }
    }

    /// The schedule as it will be saved.
    pub fn input(&self) -> &ScheduleInput {
        &self.0
    }
}

fn detail(a: &AssetInput) -> serde_json::Value {
    serde_json::json!({"name": a.name, "kind": a.kind, "site_id": a.site.map(|s| s.0)})
}

fn schedule_detail(asset: AssetId, m: &ScheduleInput) -> serde_json::Value {
    serde_json::json!({
        "asset_id": asset.0,
        "title": m.title,
        "interval_days": m.interval_days,
        "next_due_on": m.next_due_on.to_string(),
    })
}

/// The site must be one of the account's, active unless the asset already stands there.
async fn check_site(
    tx: &mut Tx,
    company: CompanyId,
    customer: CustomerId,
    site: Option<SiteId>,
    current: Option<SiteId>,
) -> Result<(), AppError> {
    let Some(site) = site else { return Ok(()) };
    match tx.site_state(company, site).await? {
        Some((owner, active)) if owner == customer && (active || current == Some(site)) => Ok(()),
        _ => Err(not_a_site().into()),
    }
}

/// Asset `id` of the company, which must not be retired to take changes.
async fn open_asset(tx: &mut Tx, company: CompanyId, id: AssetId) -> Result<AssetState, AppError> {
    let state = tx
        .asset_state(company, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if state.retired {
        return Err(AppError::conflict(
            "retired",
            "This asset is retired; it takes no more changes.",
        ));
    }
    Ok(state)
}

/// Records an asset of active account `customer`.
pub async fn add(
    app: &App,
    staff: &StaffActor,
    customer: CustomerId,
    asset: Asset,
) -> Result<AssetId, AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let company = staff.company().id;
    let mut tx = app.store.begin().await?;
    let state = tx
        .customer_state(company, customer)
        .await?
        .ok_or_else(|| Invalid::new("customer", "No such customer."))?;
    if !state.active {
        return Err(AppError::conflict(
            "customer_inactive",
            "This customer is deactivated. Reactivate it first.",
        ));
    }
    check_site(&mut tx, company, customer, asset.0.site, None).await?;
    let id = tx.insert_office_asset(company, customer, &asset.0).await?;
    let mut d = detail(&asset.0);
    d["customer_id"] = serde_json::json!(customer.0);
    let audit = staff.audit("asset.created", ("asset", id.0), d);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(id)
}

/// Saves asset `id`'s fields (it stays with its account).
pub async fn edit(
    app: &App,
    staff: &StaffActor,
    id: AssetId,
    asset: Asset,
) -> Result<(), AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let company = staff.company().id;
    let mut tx = app.store.begin().await?;
    let state = open_asset(&mut tx, company, id).await?;
    check_site(&mut tx, company, state.customer, asset.0.site, state.site).await?;
    tx.update_asset(company, id, &asset.0).await?;
    let audit = staff.audit("asset.edited", ("asset", id.0), detail(&asset.0));
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(())
}

/// Retires asset `id`: it leaves the portal and takes no more changes; its history stays.
pub async fn retire(app: &App, staff: &StaffActor, id: AssetId) -> Result<(), AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let company = staff.company().id;
    let mut tx = app.store.begin().await?;
    open_asset(&mut tx, company, id).await?;
    tx.retire_asset(company, id).await?;
    let audit = staff.audit("asset.retired", ("asset", id.0), serde_json::json!({}));
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(())
}

/// Schedules maintenance of asset `asset`.
pub async fn add_schedule(
    app: &App,
    staff: &StaffActor,
    asset: AssetId,
    schedule: Schedule,
) -> Result<MaintenanceScheduleId, AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let company = staff.company().id;
    let mut tx = app.store.begin().await?;
    open_asset(&mut tx, company, asset).await?;
    let id = tx.insert_schedule(company, asset, &schedule.0).await?;
    let d = schedule_detail(asset, &schedule.0);
    let audit = staff.audit("maintenance.scheduled", ("maintenance_schedule", id.0), d);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(id)
}

/// Saves maintenance schedule `id`.
pub async fn edit_schedule(
    app: &App,
    staff: &StaffActor,
    id: MaintenanceScheduleId,
    schedule: Schedule,
) -> Result<(), AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let company = staff.company().id;
    let mut tx = app.store.begin().await?;
    let asset = tx
        .schedule_asset(company, id)
        .await?
        .ok_or(AppError::NotFound)?;
    open_asset(&mut tx, company, asset).await?;
    tx.update_schedule(company, asset, id, &schedule.0).await?;
    let d = schedule_detail(asset, &schedule.0);
    let audit = staff.audit("maintenance.edited", ("maintenance_schedule", id.0), d);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(())
}

/// Removes maintenance schedule `id` (the asset's service history is its jobs, not this).
pub async fn remove_schedule(
    app: &App,
    staff: &StaffActor,
    id: MaintenanceScheduleId,
) -> Result<(), AppError> {
    staff.require(OfficeArea::DayToDay)?;
    let company = staff.company().id;
    let mut tx = app.store.begin().await?;
    let asset = tx
        .schedule_asset(company, id)
        .await?
        .ok_or(AppError::NotFound)?;
    open_asset(&mut tx, company, asset).await?;
    tx.delete_schedule(company, asset, id).await?;
    let d = serde_json::json!({"asset_id": asset.0});
    let audit = staff.audit("maintenance.removed", ("maintenance_schedule", id.0), d);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(())
}
