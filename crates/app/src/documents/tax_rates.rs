//! The company's tax rates, administrators only: added, edited, deactivated (never
//! deleted, so the lines that used one keep its name and rate, which they copy). The line
//! editor offers the active ones.

use doorstep_core::documents as rules;

use crate::error::FieldErrors;
use crate::{Admin, App, AppError};

/// A tax rate as typed, checked.
#[derive(Debug, Clone)]
pub struct RateInput {
    name: String,
    rate_bp: i64,
}

impl RateInput {
    /// Checks the name and the rate in percent (0 to 100, at most two decimals; field
    /// `rate`).
    pub fn parse(name: &str, rate: &str) -> Result<RateInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = errors.check(rules::check_tax_name(name));
        let rate_bp = errors.check(if rate.trim().is_empty() {
            Err(doorstep_core::Invalid::new(
                "rate",
                "Enter the rate in percent, such as 8.25.",
            ))
        } else {
            rules::parse_rate(rate, "rate")
        });
        match (name, rate_bp) {
            (Some(name), Some(rate_bp)) => Ok(RateInput { name, rate_bp }),
            _ => Err(errors),
        }
    }

    /// The name as saved.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Adds a rate; its id. Refused with `Duplicate` when the company has one of that name.
pub async fn add(app: &App, admin: Admin<'_>, input: RateInput) -> Result<i64, AppError> {
    let company = admin.company().id;
    let mut tx = app.store.begin().await?;
    let id = tx.add_tax_rate(company, &input.name, input.rate_bp).await?;
    let detail = serde_json::json!({"name": input.name, "rate_bp": input.rate_bp});
    let audit = admin.audit("tax_rate.added", ("tax_rate", id), detail);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(id)
}

/// Renames, re-rates, deactivates or reactivates rate `id` of the company. Lines already
/// priced keep the name and rate they copied.
pub async fn edit(
    app: &App,
    admin: Admin<'_>,
    id: i64,
    input: RateInput,
    active: bool,
) -> Result<(), AppError> {
    let company = admin.company().id;
    let old = app
        .store
        .tax_rate(company, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = app.store.begin().await?;
    if !tx
        .update_tax_rate(company, id, (&input.name, input.rate_bp, active))
        .await?
    {
        return Err(AppError::NotFound);
    }
    let action = match (old.active, active) {
        (true, false) => "tax_rate.deactivated",
        (false, true) => "tax_rate.reactivated",
        _ => "tax_rate.edited",
    };
    let detail = serde_json::json!({"old_name": old.name, "name": input.name, "old_rate_bp": old.rate_bp, "rate_bp": input.rate_bp, "active": active});
    let audit = admin.audit(action, ("tax_rate", id), detail);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await
}
