//! The office home's setup checklist: each step ticked from the company's data
//! (`Store::setup_facts`), shown to administrators until every step is done or one of
//! them dismisses it.

use doorstep_store::setup::SetupFacts;

use crate::{Admin, App, AppError};

/// One step of the checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// What to do.
    pub label: &'static str,
    /// Where it is done.
    pub href: &'static str,
    /// Whether the company's data shows it done.
    pub done: bool,
}

/// The checklist's steps in order, ticked from `facts`.
pub fn steps(facts: &SetupFacts) -> Vec<Step> {
    let step = |label, href, done| Step { label, href, done };
    vec![
        step(
            "Fill in the company's address and phone",
            "/office/company",
            facts.details,
        ),
        step("Add your logo and colours", "/office/branding", facts.logo),
        step(
            "Set your time zone",
            "/office/company#money-time-heading",
            facts.time_zone,
        ),
        step("Add a tax rate", "/office/tax-rates", facts.tax_rate),
        step("Invite your staff", "/office/staff", facts.staff),
        step("Import your customers", "/office/import", facts.customers),
        step(
            "Choose what the portal offers",
            "/office/settings/portal",
            facts.switches,
        ),
        step(
            "Enable portal access for your contacts",
            "/office/customers",
            facts.contact_access,
        ),
    ]
}

/// Hides the checklist for every administrator, audited as `onboarding.dismissed`;
/// returns whether it was shown.
pub async fn dismiss(app: &App, admin: Admin<'_>) -> Result<bool, AppError> {
    let company = admin.company().id;
    let mut tx = app.store.begin().await?;
    if !tx.dismiss_onboarding(company).await? {
        return Ok(false);
    }
    let audit = admin.audit(
        "onboarding.dismissed",
        ("company", company.0),
        serde_json::json!({}),
    );
    tx.audit(company, &audit).await?;
    tx.commit().await?;
    Ok(true)
}
