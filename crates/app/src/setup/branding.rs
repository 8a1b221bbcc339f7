//! The company's brand: a brand colour and the text colour drawn on it (refused when
//! the pair fails WCAG AA contrast, with the ratio computed), and its logo (checked and
//! re-encoded by the upload adapter before it reaches here). Administrators only.

use doorstep_core::theme::BrandPair;

use crate::error::FieldErrors;
use crate::{Admin, App, AppError};

/// The brand colour and its text colour, checked together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Colours(BrandPair);

impl Colours {
    /// Checks the pair: both `#rrggbb`, readable together (`core::theme::BrandPair`);
    /// each refusal is on its field (`brand_primary`, `brand_text`).
    pub fn parse(colour: &str, text: &str) -> Result<Colours, FieldErrors> {
        BrandPair::parse(colour, text)
            .map(Colours)
            .map_err(FieldErrors)
    }
}

/// Saves the brand colour and its text colour, audited as `branding.colours_saved` with
/// both pairs; returns whether anything changed (nothing is written when nothing did).
pub async fn set_colours(app: &App, admin: Admin<'_>, colours: Colours) -> Result<bool, AppError> {
    let company = admin.company().id;
    let Colours(pair) = colours;
    let mut tx = app.store.begin().await?;
    let (old_colour, old_text) = tx
        .set_company_brand(company, pair.colour.as_str(), pair.text.as_str())
        .await?;
    if old_colour == pair.colour.as_str() && old_text == pair.text.as_str() {
        return Ok(false);
    }
    let audit = admin.audit(
        "branding.colours_saved",
        ("company", company.0),
        serde_json::json!({
            "brand_primary": {"from": old_colour, "to": pair.colour.as_str()},
            "brand_text": {"from": old_text, "to": pair.text.as_str()},
        }),
    );
    tx.audit(company, &audit).await?;
    tx.commit().await?;
    Ok(true)
}

/// A logo checked, re-encoded as PNG and written to the file store by the upload adapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLogo {
    /// The storage key of the PNG.
    pub storage_key: String,
    /// Its size in bytes.
    pub size_bytes: usize,
}

/// Makes `logo` the company's logo (portal header, sign-in page, emails, documents),
/// audited as `branding.logo_uploaded`.
pub async fn set_logo(app: &App, admin: Admin<'_>, logo: StoredLogo) -> Result<(), AppError> {
    let company = admin.company().id;
    let mut tx = app.store.begin().await?;
    tx.set_company_logo(company, &logo.storage_key).await?;
    let audit = admin.audit(
        "branding.logo_uploaded",
        ("company", company.0),
        serde_json::json!({"size_bytes": logo.size_bytes}),
    );
    tx.audit(company, &audit).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes the company's logo (its name shows instead), audited as
/// `branding.logo_removed`; returns whether there was one.
pub async fn remove_logo(app: &App, admin: Admin<'_>) -> Result<bool, AppError> {
    let company = admin.company().id;
    let mut tx = app.store.begin().await?;
    if tx.clear_company_logo(company).await?.is_none() {
        return Ok(false);
    }
    let audit = admin.audit(
        "branding.logo_removed",
        ("company", company.0),
        serde_json::json!({}),
    );
    tx.audit(company, &audit).await?;
    tx.commit().await?;
    Ok(true)
}
