//! Whether customers may reschedule or cancel their visits in the portal, and up to how
//! many hours before (administrators).

use doorstep_core::settings::{PortalSettings, parse_cutoff_hours};
use doorstep_core::validation::Invalid;

use crate::{Admin, App, AppError};

/// The visit settings as typed, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitChanges {
    allow: bool,
    cutoff_hours: u32,
}

impl VisitChanges {
    /// Checks the form: the switch, and the cut-off in whole hours (see
    /// `core::settings::parse_cutoff_hours`).
    pub fn parse(allow: bool, cutoff_hours: &str) -> Result<VisitChanges, Invalid> {
        Ok(VisitChanges {
            allow,
            cutoff_hours: parse_cutoff_hours(cutoff_hours)?,
        })
    }
}

/// Saves the two visit settings, and only them: a switch another administrator changed
/// meanwhile is kept. Returns the settings as saved.
pub async fn set(
    app: &App,
    admin: Admin<'_>,
    changes: VisitChanges,
) -> Result<PortalSettings, AppError> {
    let VisitChanges {
        allow,
        cutoff_hours,
    } = changes;
    let detail =
        serde_json::json!({"allow_reschedule": allow, "reschedule_cutoff_hours": cutoff_hours});
    super::change(app, admin, "settings.visit_changes", detail, |s| {
        s.allow_reschedule = allow;
        s.reschedule_cutoff_hours = cutoff_hours;
    })
    .await
}
