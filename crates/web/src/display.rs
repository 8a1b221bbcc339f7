//! How dates, times and amounts read on pages (UTC, English, until per-company time zones
//! and translations arrive).

use doorstep_core::money::{Currency, Money};
use time::OffsetDateTime;
use time::macros::format_description;

/// A day as people read it: `Mar 4, 2025`.
pub fn day(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[month repr:short] [day padding:none], [year]"
    ))
    .unwrap_or_default()
}

/// A day for machines (`<time datetime>`, date inputs): `2025-03-04`.
pub fn iso_day(t: OffsetDateTime) -> String {
    t.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

/// A time of day: `2:30 PM`.
pub fn clock(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[hour repr:12 padding:none]:[minute] [period]"
    ))
    .unwrap_or_default()
}

/// An amount in the company's currency: `$1,234.56`.
pub fn money(minor: i64, currency: &str) -> String {
    Money::new(minor, Currency::parse(currency).unwrap_or(Currency::USD)).display()
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn days_times_and_amounts_read_naturally() {
        let t = datetime!(2025-03-04 14:30 UTC);
        assert_eq!(day(t), "Mar 4, 2025");
        assert_eq!(iso_day(t), "2025-03-04");
        assert_eq!(clock(t), "2:30 PM");
        assert_eq!(money(123_456, "usd"), "$1,234.56");
        assert_eq!(money(500, "??"), "$5.00");
    }
}
