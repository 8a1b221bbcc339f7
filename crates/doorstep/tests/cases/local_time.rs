//! Use cases of the company's time zone.

use doorstep_core::local_time::Zone;

/// Today on the demo companies' clock (both are in America/Chicago): what their use cases
/// judge windows, dates and expiry by.
pub fn demo_today() -> time::Date {
    Zone::parse("America/Chicago")
        .unwrap()
        .date_of(doorstep_store::now())
}
