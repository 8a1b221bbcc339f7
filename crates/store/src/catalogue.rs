//! The requestable catalogue (seed 004): products and services the portal offers.
//! Items are never deleted, only hidden, so old requests keep their names.
//!
//! For the request form: [`Store::requestable_items`] lists what a customer may pick,
//! and [`Store::requestable_item`] checks a posted id (a hidden or foreign item is `None`).

use doorstep_core::ids::{CatalogueItemId, CompanyId};

use crate::insert::Val;
use crate::{Store, StoreError, Tx, db_time, now, on_pool, on_tx};

/// One item of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CatalogueItem {
    /// Id.
    pub id: i64,
    /// `product` or `service`.
    pub kind: String,
    /// Name shown in the portal and kept by old requests.
    pub name: String,
    /// Longer description.
    pub description: String,
    /// Unit price, minor units.
    pub unit_price_minor: i64,
    /// Whether customers may pick it ("Show in customer portal?").
    pub show_in_portal: bool,
}

/// What the office types for an item.
#[derive(Debug, Clone)]
pub struct CatalogueInput {
    /// `product` or `service` (checked by `doorstep_core::catalogue::ItemKind`).
    pub kind: String,
    /// Name, checked.
    pub name: String,
    /// Description, checked.
    pub description: String,
    /// Unit price, minor units.
    pub unit_price_minor: i64,
    /// Offered in the portal.
    pub show_in_portal: bool,
}

const COLUMNS: &str = "id, kind, name, description, unit_price_minor, show_in_portal";

impl Store {
    /// A page of the company's whole catalogue (shown and hidden) by name, after the
    /// `(name, id)` keyset cursor.
    pub async fn catalogue_page(
        &self,
        company: CompanyId,
        after: Option<(&str, i64)>,
        limit: i64,
    ) -> Result<Vec<CatalogueItem>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM catalogue_items WHERE company_id = $1 \
             AND ($2 = FALSE OR name > $3 OR (name = $3 AND id > $4)) \
             ORDER BY name, id LIMIT $5"
        );
        let (name, id) = after.unwrap_or(("", 0));
        let rows = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(after.is_some()).bind(name).bind(id).bind(limit)
            .fetch_all(p).await)?;
        Ok(rows)
    }

    /// One item of the company's catalogue, shown or hidden.
    pub async fn catalogue_item(
        &self,
        company: CompanyId,
        id: CatalogueItemId,
    ) -> Result<Option<CatalogueItem>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM catalogue_items WHERE company_id = $1 AND id = $2");
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(id.0).fetch_optional(p).await)?;
        Ok(row)
    }

    /// What customers may request: the items shown in the portal, products first, in the
    /// office's order then by name. Hidden items are never offered.
    pub async fn catalogue_requestable_items(
        &self,
        company: CompanyId,
    ) -> Result<Vec<CatalogueItem>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM catalogue_items WHERE company_id = $1 AND show_in_portal = TRUE \
             ORDER BY kind, sort_order, name, id"
        );
        let rows = on_pool!(self, p => sqlx::query_as(&sql).bind(company.0).fetch_all(p).await)?;
        Ok(rows)
    }

    /// The item `id` if customers may request it now; `None` when hidden or not the company's,
    /// so a crafted form cannot pick a deactivated item.
    pub async fn requestable_item(
        &self,
        company: CompanyId,
        id: CatalogueItemId,
    ) -> Result<Option<CatalogueItem>, StoreError> {
        Ok(self
            .catalogue_item(company, id)
            .await?
            .filter(|i| i.show_in_portal))
    }
}

impl Tx {
    /// Adds an item to the catalogue.
    pub async fn add_catalogue_item(
        &mut self,
        company: CompanyId,
        item: &CatalogueInput,
    ) -> Result<CatalogueItemId, StoreError> {
        let at = now();
        self.insert_row(
            "catalogue_items",
            company.0,
            &[
                ("kind", (&item.kind).into()),
                ("name", (&item.name).into()),
                ("description", (&item.description).into()),
                ("unit_price_minor", item.unit_price_minor.into()),
                ("show_in_portal", Val::Bool(item.show_in_portal)),
                ("created_at", at.into()),
                ("updated_at", at.into()),
            ],
            true,
        )
        .await
        .map(CatalogueItemId)
    }

    /// Renames or edits an item of the company; `false` when it is not the company's.
    pub async fn update_catalogue_item(
        &mut self,
        company: CompanyId,
        id: CatalogueItemId,
        item: &CatalogueInput,
    ) -> Result<bool, StoreError> {
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE catalogue_items SET kind = $1, name = $2, description = $3, \
             unit_price_minor = $4, show_in_portal = $5, updated_at = $6 \
             WHERE company_id = $7 AND id = $8")
            .bind(&item.kind).bind(&item.name).bind(&item.description)
            .bind(item.unit_price_minor).bind(item.show_in_portal).bind(db_time(now()))
            .bind(company.0).bind(id.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Shows or hides an item in the portal; `false` when it is not the company's.
    pub async fn set_catalogue_item_shown(
        &mut self,
        company: CompanyId,
        id: CatalogueItemId,
        shown: bool,
    ) -> Result<bool, StoreError> {
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE catalogue_items SET show_in_portal = $1, updated_at = $2 \
             WHERE company_id = $3 AND id = $4")
            .bind(shown).bind(db_time(now())).bind(company.0).bind(id.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }
}
