//! The requestable catalogue (seed 004), administrators only like the other portal
//! settings. Items are added, edited, hidden and shown again, never deleted, so old
//! requests keep their names; one item per name (letter case aside).

use doorstep_core::catalogue::{ItemKind, check_description, check_name, parse_price};
use doorstep_core::ids::CatalogueItemId;
use doorstep_core::money::Currency;
use doorstep_store::catalogue::CatalogueInput;

use crate::error::FieldErrors;
use crate::{Admin, App, AppError};

/// An item as typed, checked.
#[derive(Debug, Clone)]
pub struct Item(CatalogueInput);

impl Item {
    /// Checks the form's kind, name, description and price (in `currency`), refusing
    /// each wrong field.
    pub fn parse(
        kind: &str,
        name: &str,
        description: &str,
        price: &str,
        show_in_portal: bool,
        currency: Currency,
    ) -> Result<Item, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = errors.check(ItemKind::parse(kind));
        let name = errors.check(check_name(name));
        let description = errors.check(check_description(description));
        let price = errors.check(parse_price(price, currency));
        match (kind, name, description, price) {
            (Some(kind), Some(name), Some(description), Some(unit_price_minor)) => {
                Ok(Item(CatalogueInput {
                    kind: kind.as_str().to_owned(),
                    name,
                    description,
                    unit_price_minor,
                    show_in_portal,
                }))
            }
            _ => Err(errors),
        }
    }

    /// The item as it will be saved.
    pub fn input(&self) -> &CatalogueInput {
        &self.0
    }
}

/// Adds an item to the catalogue. Refused with [`AppError::Duplicate`] when another item
/// has its name.
pub async fn add(app: &App, admin: Admin<'_>, item: Item) -> Result<CatalogueItemId, AppError> {
    let company = admin.company().id;
    let input = item.0;
    let mut tx = app.store.begin().await?;
    let id = tx.add_catalogue_item(company, &input).await?;
    let detail = serde_json::json!({"kind": input.kind, "name": input.name, "unit_price_minor": input.unit_price_minor, "show_in_portal": input.show_in_portal});
    let audit = admin.audit("catalogue_item.added", ("catalogue_item", id.0), detail);
    tx.audit(company, &audit).await?;
    tx.commit().await?;
    Ok(id)
}

/// Renames or edits item `id` of the company. Refused with [`AppError::NotFound`] for
/// another company's item and [`AppError::Duplicate`] when another item has the name.
pub async fn edit(
    app: &App,
    admin: Admin<'_>,
    id: CatalogueItemId,
    item: Item,
) -> Result<(), AppError> {
    let company = admin.company().id;
    let old = app
        .store
        .catalogue_item(company, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let input = item.0;
    let mut tx = app.store.begin().await?;
    if !tx.update_catalogue_item(company, id, &input).await? {
        return Err(AppError::NotFound);
    }
    let detail = serde_json::json!({"old_name": old.name, "name": input.name, "kind": input.kind, "unit_price_minor": input.unit_price_minor, "show_in_portal": input.show_in_portal});
    let audit = admin.audit("catalogue_item.edited", ("catalogue_item", id.0), detail);
    tx.audit(company, &audit).await?;
    tx.commit().await?;
    Ok(())
}

/// Shows item `id` in the portal again, or hides it (requests that name it keep its name).
pub async fn set_shown(
    app: &App,
    admin: Admin<'_>,
    id: CatalogueItemId,
    shown: bool,
) -> Result<(), AppError> {
    let company = admin.company().id;
    let item = app
        .store
        .catalogue_item(company, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = app.store.begin().await?;
    if !tx.set_catalogue_item_shown(company, id, shown).await? {
        return Err(AppError::NotFound);
    }
    let action = if shown {
        "catalogue_item.shown"
    } else {
        "catalogue_item.hidden"
    };
    let detail = serde_json::json!({"name": item.name});
    let audit = admin.audit(action, ("catalogue_item", id.0), detail);
    tx.audit(company, &audit).await?;
    tx.commit().await?;
    Ok(())
}
