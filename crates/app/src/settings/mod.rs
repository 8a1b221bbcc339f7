//! What the office configures: portal switches and visit settings (field-wise on the
//! saved document, see [`change`]), email wording and the catalogue (administrators), and
//! availability windows (day-to-day scheduling).

pub mod availability;
pub mod catalogue;
pub mod email_templates;
pub mod visits;

use doorstep_core::settings::PortalSettings;

use crate::{Admin, App, AppError};

/// Changes the company's portal settings as `change` says, field by field on the
/// document as saved now (so two administrators changing different switches both keep
/// theirs), audited as `action` with `detail`, in one transaction. Returns the settings
/// as saved.
pub async fn change(
    app: &App,
    admin: Admin<'_>,
    action: &'static str,
    detail: serde_json::Value,
    change: impl FnOnce(&mut PortalSettings),
) -> Result<PortalSettings, AppError> {
    let company = admin.company().id;
    let mut tx = app.store.begin().await?;
    let saved = tx.change_company_settings(company, change).await?;
    let audit = admin.audit(action, ("company", company.0), detail);
    tx.audit(company, &audit).await?;
    tx.commit().await?;
    Ok(saved)
}
