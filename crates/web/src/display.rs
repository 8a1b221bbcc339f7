//! How dates, times and amounts read on pages, in the company's time zone (English).
//!
//! One format per kind (the rules live in `doorstep_core::local_time`):
//! a date `Dec 6, 2026` ([`date`] for a calendar date, [`day`] for an instant), a date with
//! its weekday `Mon, Dec 7, 2026` ([`weekday_date`]), a time `3:31 PM` ([`clock`]), a date
//! and time `Dec 6, 2026, 3:31 PM` ([`when`]). Instants are read in the company's zone
//! (`company.time_zone`); calendar dates (a job's date, a due date) are already local.
//! Machines get ISO (`<time datetime>`, date inputs): [`iso_date`], [`iso_day`].

pub use doorstep_core::local_time::Zone;
use doorstep_core::local_time::{self as lt};
use doorstep_core::money::{Currency, Money};
use time::{Date, OffsetDateTime};

/// A calendar date: `Dec 6, 2026`.
pub fn date(d: Date) -> String {
    lt::date(d)
}

/// A calendar date with its weekday: `Mon, Dec 7, 2026`.
pub fn weekday_date(d: Date) -> String {
    lt::weekday_date(d)
}

/// The local date of an instant: `Dec 6, 2026`.
pub fn day(zone: &Zone, t: OffsetDateTime) -> String {
    lt::day(zone, t)
}

/// The local time of an instant: `3:31 PM`.
pub fn clock(zone: &Zone, t: OffsetDateTime) -> String {
    lt::clock(zone, t)
}

/// An instant's local date and time: `Dec 6, 2026, 3:31 PM`.
pub fn when(zone: &Zone, t: OffsetDateTime) -> String {
    lt::date_time(zone, t)
}

/// A calendar date for machines (`<time datetime>`, date inputs): `2025-03-04`.
pub fn iso_date(d: Date) -> String {
    lt::iso_date(d)
}

/// An instant's local date for machines: `2025-03-04`.
pub fn iso_day(zone: &Zone, t: OffsetDateTime) -> String {
    lt::iso_date(zone.date_of(t))
}

/// An amount in the company's currency: `$1,234.56`.
pub fn money(minor: i64, currency: &str) -> String {
    Money::new(minor, Currency::parse(currency).unwrap_or(Currency::USD)).display()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    #[test]
    fn days_times_and_amounts_read_naturally_in_the_company_zone() {
        let t = datetime!(2025-03-04 04:30 UTC);
        let chicago = Zone::parse("America/Chicago").unwrap();
        assert_eq!(day(&chicago, t), "Mar 3, 2025");
        assert_eq!(iso_day(&chicago, t), "2025-03-03");
        assert_eq!(clock(&chicago, t), "10:30 PM");
        assert_eq!(when(&chicago, t), "Mar 3, 2025, 10:30 PM");
        assert_eq!(when(&Zone::utc(), t), "Mar 4, 2025, 4:30 AM");
        assert_eq!(date(date!(2025 - 03 - 04)), "Mar 4, 2025");
        assert_eq!(weekday_date(date!(2025 - 03 - 04)), "Tue, Mar 4, 2025");
        assert_eq!(iso_date(date!(2025 - 03 - 04)), "2025-03-04");
        assert_eq!(money(123_456, "usd"), "$1,234.56");
        assert_eq!(money(500, "??"), "$5.00");
    }
}
