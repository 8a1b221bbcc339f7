//! Customers' equipment and rentals, their maintenance, service agreements, and the
//! requestable catalogue.

use doorstep_core::ids::{AssetId, CatalogueItemId, CompanyId, CustomerId, SiteId};
use time::Date;

use crate::insert::Val;
use crate::{StoreError, Tx, now};

/// What it takes to record a piece of equipment or a rental unit.
#[derive(Debug, Clone)]
pub struct NewAsset {
    /// The owning (or renting) account.
    pub customer: CustomerId,
    /// Where it stands.
    pub site: Option<SiteId>,
    /// The catalogue product it is, for rentals (seed 004).
    pub catalogue_item: Option<CatalogueItemId>,
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
    /// When it was installed.
    pub installed_on: Option<Date>,
    /// Rental start.
    pub rental_start_on: Option<Date>,
    /// Rental end.
    pub rental_end_on: Option<Date>,
}

impl Tx {
    /// Records an asset.
    pub async fn insert_asset(
        &mut self,
        company: CompanyId,
        a: &NewAsset,
    ) -> Result<AssetId, StoreError> {
        let at = now();
        self.insert_row(
            "assets",
            company.0,
            &[
                ("customer_id", a.customer.0.into()),
                ("site_id", Val::Int(a.site.map(|s| s.0))),
                ("catalogue_item_id", Val::Int(a.catalogue_item.map(|c| c.0))),
                ("kind", (&a.kind).into()),
                ("name", (&a.name).into()),
                ("make", (&a.make).into()),
                ("model", (&a.model).into()),
                ("serial_number", (&a.serial_number).into()),
                ("installed_on", a.installed_on.into()),
                ("rental_start_on", a.rental_start_on.into()),
                ("rental_end_on", a.rental_end_on.into()),
                ("created_at", at.into()),
                ("updated_at", at.into()),
            ],
            true,
        )
        .await
        .map(AssetId)
    }

    /// Schedules recurring maintenance or inspection of an asset.
    pub async fn insert_maintenance(
        &mut self,
        company: CompanyId,
        asset: AssetId,
        title: &str,
        interval_days: i64,
        last_done_on: Option<Date>,
        next_due_on: Date,
    ) -> Result<i64, StoreError> {
        self.insert_row(
            "maintenance_schedules",
            company.0,
            &[
                ("asset_id", asset.0.into()),
                ("title", title.into()),
                ("interval_days", interval_days.into()),
                ("last_done_on", last_done_on.into()),
                ("next_due_on", next_due_on.into()),
                ("created_at", now().into()),
                ("updated_at", now().into()),
            ],
            true,
        )
        .await
    }

    /// Records a service agreement (membership) of an account.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_agreement(
        &mut self,
        company: CompanyId,
        customer: CustomerId,
        plan_name: &str,
        visits_included: i64,
        visits_used: i64,
        price_minor: i64,
        starts_on: Date,
        renews_on: Date,
    ) -> Result<i64, StoreError> {
        self.insert_row(
            "service_agreements",
            company.0,
            &[
                ("customer_id", customer.0.into()),
                ("plan_name", plan_name.into()),
                ("visits_included", visits_included.into()),
                ("visits_used", visits_used.into()),
                ("price_minor", price_minor.into()),
                ("starts_on", starts_on.into()),
                ("renews_on", renews_on.into()),
                ("created_at", now().into()),
            ],
            true,
        )
        .await
    }

    /// Adds a product or service to the requestable catalogue.
    pub async fn insert_catalogue_item(
        &mut self,
        company: CompanyId,
        kind: &str,
        name: &str,
        description: &str,
        unit_price_minor: i64,
        show_in_portal: bool,
    ) -> Result<CatalogueItemId, StoreError> {
        let at = now();
        self.insert_row(
            "catalogue_items",
            company.0,
            &[
                ("kind", kind.into()),
                ("name", name.into()),
                ("description", description.into()),
                ("unit_price_minor", unit_price_minor.into()),
                ("show_in_portal", show_in_portal.into()),
                ("created_at", at.into()),
                ("updated_at", at.into()),
            ],
            true,
        )
        .await
        .map(CatalogueItemId)
    }
}
