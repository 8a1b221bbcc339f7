//! Dates and timestamps as every page judges and shows them (UTC).

use time::{Date, OffsetDateTime};

/// Today's date (UTC), the day due dates and expiry are judged by.
pub fn today() -> Date {
    doorstep_store::now().date()
}

/// A timestamp as pages show it: `2026-11-23 14:05 UTC`.
pub fn when(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    at.format(&format).unwrap_or_default()
}
