//! Customers' equipment and rentals and their maintenance schedules (issue 20): what an
//! asset's fields may hold, and when a maintenance is next due. The office's forms and
//! the API both go through these, by way of `doorstep_app::assets`.

use time::{Date, Duration};

use crate::jobs::parse_day;
use crate::validation::Invalid;

/// The longest name, make, model, serial number or schedule title.
pub const TEXT_MAX: usize = 200;
/// The longest maintenance interval: ten years.
pub const INTERVAL_MAX_DAYS: i64 = 3650;

/// What an asset is to the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssetKind {
    /// The customer's own equipment, serviced by the company.
    Equipment,
    /// A unit the customer rents from the company.
    Rental,
}

impl AssetKind {
    /// As stored and as the API spells it.
    pub fn as_str(&self) -> &'static str {
        match self {
            AssetKind::Equipment => "equipment",
            AssetKind::Rental => "rental",
        }
    }

    /// How it reads on a page.
    pub fn label(&self) -> &'static str {
        match self {
            AssetKind::Equipment => "Equipment",
            AssetKind::Rental => "Rental",
        }
    }

    /// The kind spelled `raw` (empty means equipment, what most assets are).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim() {
            "" | "equipment" => Ok(AssetKind::Equipment),
            "rental" => Ok(AssetKind::Rental),
            _ => Err(Invalid::new("kind", "Choose equipment or rental.")),
        }
    }
}

/// One line of at most [`TEXT_MAX`] characters, trimmed; `what` names it in the message.
pub fn check_text(field: &'static str, raw: &str, what: &str) -> Result<String, Invalid> {
    let value = raw.trim();
    if value.chars().count() > TEXT_MAX || value.chars().any(char::is_control) {
        return Err(Invalid::new(
            field,
            format!("Keep the {what} on one line and under {TEXT_MAX} characters."),
        ));
    }
    Ok(value.to_owned())
}

/// A required one-line text.
pub fn check_required(field: &'static str, raw: &str, what: &str) -> Result<String, Invalid> {
    let value = check_text(field, raw, what)?;
    if value.is_empty() {
        return Err(Invalid::new(field, format!("Enter the {what}.")));
    }
    Ok(value)
}

/// An optional day (`YYYY-MM-DD`); empty means none.
pub fn check_optional_day(field: &'static str, raw: &str) -> Result<Option<Date>, Invalid> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    parse_day(field, raw).map(Some)
}

/// A day that has happened (an installation, a service done): not after `today`.
pub fn check_past_day(
    field: &'static str,
    raw: &str,
    today: Date,
) -> Result<Option<Date>, Invalid> {
    let day = check_optional_day(field, raw)?;
    if day.is_some_and(|d| d > today) {
        return Err(Invalid::new(field, "This date is in the future."));
    }
    Ok(day)
}

/// A rental's period: dates only for rentals, and the end not before the start.
pub fn check_rental_period(
    kind: AssetKind,
    start: Option<Date>,
    end: Option<Date>,
) -> Result<(), Invalid> {
    if kind != AssetKind::Rental {
        if start.is_some() {
            return Err(Invalid::new(
                "rental_start_on",
                "Only a rental has a rental period; choose rental, or leave the dates empty.",
            ));
        }
        if end.is_some() {
            return Err(Invalid::new(
                "rental_end_on",
                "Only a rental has a rental period; choose rental, or leave the dates empty.",
            ));
        }
    }
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        return Err(Invalid::new(
            "rental_end_on",
            "The rental cannot end before it starts.",
        ));
    }
    Ok(())
}

/// A maintenance interval in whole days, 1 to [`INTERVAL_MAX_DAYS`].
pub fn check_interval(raw: &str) -> Result<i64, Invalid> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=INTERVAL_MAX_DAYS).contains(d))
        .ok_or_else(|| {
            Invalid::new(
                "interval_days",
                format!(
                    "Enter the interval in days, a whole number from 1 to {INTERVAL_MAX_DAYS}."
                ),
            )
        })
}

/// When a maintenance is next due: the day typed, or else one interval after the last
/// service (after `today` when it was never done). A typed day must come after the last
/// service.
pub fn next_due(
    typed: Option<Date>,
    last_done: Option<Date>,
    interval_days: i64,
    today: Date,
) -> Result<Date, Invalid> {
    if let Some(day) = typed {
        if last_done.is_some_and(|done| day <= done) {
            return Err(Invalid::new(
                "next_due_on",
                "The next due date must come after the last service.",
            ));
        }
        return Ok(day);
    }
    last_done
        .unwrap_or(today)
        .checked_add(Duration::days(interval_days))
        .ok_or_else(|| Invalid::new("interval_days", "That interval runs past the calendar."))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn the_next_due_date_follows_the_last_service_or_today() {
        let today = date!(2026 - 12 - 07);
        let done = date!(2026 - 06 - 01);
        assert_eq!(
            next_due(None, Some(done), 90, today).unwrap(),
            date!(2026 - 08 - 30)
        );
        assert_eq!(
            next_due(None, None, 30, today).unwrap(),
            date!(2027 - 01 - 06)
        );
        let typed = date!(2027 - 02 - 01);
        assert_eq!(next_due(Some(typed), Some(done), 90, today).unwrap(), typed);
        assert_eq!(
            next_due(Some(done), Some(done), 90, today)
                .unwrap_err()
                .field,
            "next_due_on"
        );
    }

    #[test]
    fn intervals_are_whole_days_up_to_ten_years() {
        assert_eq!(check_interval(" 365 ").unwrap(), 365);
        for bad in ["0", "-5", "3651", "1.5", "yearly", ""] {
            assert_eq!(
                check_interval(bad).unwrap_err().field,
                "interval_days",
                "{bad}"
            );
        }
    }

    #[test]
    fn only_a_rental_has_a_rental_period_and_it_ends_after_it_starts() {
        let (a, b) = (date!(2026 - 01 - 01), date!(2026 - 02 - 01));
        assert!(check_rental_period(AssetKind::Rental, Some(a), Some(b)).is_ok());
        assert_eq!(
            check_rental_period(AssetKind::Rental, Some(b), Some(a))
                .unwrap_err()
                .field,
            "rental_end_on"
        );
        assert_eq!(
            check_rental_period(AssetKind::Equipment, Some(a), None)
                .unwrap_err()
                .field,
            "rental_start_on"
        );
        assert_eq!(AssetKind::parse("").unwrap(), AssetKind::Equipment);
        assert!(AssetKind::parse("boat").is_err());
    }

    #[test]
    fn an_installation_is_not_in_the_future() {
        let today = date!(2026 - 12 - 07);
        assert_eq!(check_past_day("installed_on", "", today).unwrap(), None);
        assert!(check_past_day("installed_on", "2026-12-08", today).is_err());
        assert!(check_past_day("installed_on", "12/01/2026", today).is_err());
        assert_eq!(
            check_past_day("installed_on", "2026-12-07", today).unwrap(),
            Some(today)
        );
    }
}
