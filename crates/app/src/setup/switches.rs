//! The portal switches page (administrators): the on/off switches of
//! `core::settings::PORTAL_SWITCHES`, each taking effect at once.

use doorstep_core::settings::{PORTAL_SWITCHES, PortalSettings};

use crate::{Admin, App, AppError};

/// Which switches are on, for every switch the page offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Switches(Vec<(&'static str, bool)>);

impl Switches {
    /// The page's switches, on when `is_on` says the form ticked them (an unticked
    /// checkbox sends nothing, so every switch the page offers is set).
    pub fn parse(is_on: impl Fn(&str) -> bool) -> Switches {
        Switches(
            PORTAL_SWITCHES
                .iter()
                .map(|s| (s.key, is_on(s.key)))
                .collect(),
        )
    }
}

/// Saves the switches (only them: the document's other settings, changed meanwhile by
/// another administrator, are kept), audited as `settings.portal_switches` with each
/// changed switch's old and new value. Returns the settings as saved.
pub async fn save(
    app: &App,
    admin: Admin<'_>,
    switches: Switches,
) -> Result<PortalSettings, AppError> {
    let company = admin.company().id;
    let mut changed = serde_json::Map::new();
    let mut tx = app.store.begin().await?;
    let saved = tx
        .change_company_settings(company, |settings| {
            for (key, on) in &switches.0 {
                if let Some(sw) = doorstep_core::settings::switch(key) {
                    let was = (sw.get)(settings);
                    if was != *on {
                        changed.insert(
                            (*key).to_owned(),
                            serde_json::json!({"from": was, "to": on}),
                        );
                    }
                    (sw.set)(settings, *on);
                }
            }
        })
        .await?;
    let audit = admin.audit(
        "settings.portal_switches",
        ("company", company.0),
        serde_json::Value::Object(changed),
    );
    tx.audit(company, &audit).await?;
    tx.commit().await?;
    Ok(saved)
}
