//! The company's "today": the day due dates, expiry, cut-offs and windows are judged by.
//! How dates read is `crate::display`.

use doorstep_core::local_time::Zone;
use time::Date;

/// Today's date in the company's time zone (`company.time_zone`).
pub fn today(zone: &Zone) -> Date {
    doorstep_core::local_time::today(zone, doorstep_store::now())
}
