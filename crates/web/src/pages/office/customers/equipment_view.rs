//! The "Equipment" section of a customer's page (issue 20): each asset with where it
//! stands, its next maintenance (overdue ones marked) and its schedules.

use doorstep_core::assets::AssetKind;
use doorstep_core::ids::CustomerId;
use doorstep_store::asset_book::{AssetRow, ScheduleRow};

use crate::auth::session::SignedInStaff;
use crate::display;
use crate::{AppState, WebError};

/// A maintenance schedule as the section lists it.
pub(crate) struct ScheduleView {
    pub(crate) id: i64,
    pub(crate) title: String,
    pub(crate) every: String,
    pub(crate) last: String,
    pub(crate) next: String,
    pub(crate) overdue: bool,
}

/// An asset as the section lists it.
pub(crate) struct AssetView {
    pub(crate) a: AssetRow,
    pub(crate) kind: &'static str,
    /// Make and model, those given (the serial number is the row's, shown unbroken).
    pub(crate) details: String,
    pub(crate) installed: String,
    pub(crate) rental: String,
    /// The soonest due maintenance: `(title, day)`.
    pub(crate) next: Option<(String, String)>,
    pub(crate) overdue: bool,
    pub(crate) schedules: Vec<ScheduleView>,
}

/// The flash message after an equipment form.
pub(crate) fn notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "asset_added" => "Asset added.",
        "asset_saved" => "Asset saved.",
        "asset_retired" => "Asset retired. It has left the portal; its history stays.",
        "maintenance_added" => "Maintenance scheduled.",
        "maintenance_saved" => "Maintenance saved.",
        "maintenance_removed" => "Maintenance removed.",
        _ => return None,
    })
}

fn every(days: i64) -> String {
    match days {
        1 => "Every day".to_owned(),
        7 => "Every week".to_owned(),
        365 => "Every year".to_owned(),
        d if d % 7 == 0 && d < 365 => format!("Every {} weeks", d / 7),
        d => format!("Every {d} days"),
    }
}

/// The assets of `account`, in use first, each with its schedules soonest due first.
pub(crate) async fn views(
    state: &AppState,
    staff: &SignedInStaff,
    account: CustomerId,
) -> Result<Vec<AssetView>, WebError> {
    let company = staff.company.id;
    let assets = state.store.assets_of_customer(company, account).await?;
    let schedules = state.store.schedules_of_customer(company, account).await?;
    let today = doorstep_core::local_time::today(&staff.company.time_zone, doorstep_store::now());
    Ok(assets
        .into_iter()
        .map(|a| {
            let own: Vec<&ScheduleRow> = schedules.iter().filter(|m| m.asset_id == a.id).collect();
            let in_use = a.retired_at.is_none();
            let next = own
                .first()
                .filter(|_| in_use)
                .map(|m| (m.title.clone(), display::date(m.next_due_on)));
            let overdue = in_use && own.first().is_some_and(|m| m.next_due_on < today);
            let details = [a.make.as_str(), a.model.as_str()]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" · ");
            let rental = match (a.rental_start_on, a.rental_end_on) {
                (Some(s), Some(e)) => format!("{} to {}", display::date(s), display::date(e)),
                (Some(s), None) => format!("From {}", display::date(s)),
                (None, Some(e)) => format!("Until {}", display::date(e)),
                (None, None) => String::new(),
            };
            AssetView {
                kind: AssetKind::parse(&a.kind).map_or("", |k| k.label()),
                details,
                installed: a.installed_on.map(display::date).unwrap_or_default(),
                rental,
                next,
                overdue,
                schedules: own
                    .into_iter()
                    .map(|m| ScheduleView {
                        id: m.id,
                        title: m.title.clone(),
                        every: every(m.interval_days),
                        last: m.last_done_on.map(display::date).unwrap_or_default(),
                        next: display::date(m.next_due_on),
                        overdue: in_use && m.next_due_on < today,
                    })
                    .collect(),
                a,
            }
        })
        .collect())
}
