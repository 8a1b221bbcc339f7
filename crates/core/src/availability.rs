//! Availability windows the office publishes for self-booking: what a new window needs
//! (a day from today on, a slot, exact hours when the slot is exact, room for a visit) and
//! what a capacity may be (never below what is already booked).

use time::{Date, Time};

use crate::Invalid;
use crate::status::ScheduleType;
use crate::visits::check_exact_hours;

/// The largest capacity a window may have.
pub const CAPACITY_MAX: i64 = 1000;

/// Reads a capacity as typed: a whole number from 0 to [`CAPACITY_MAX`].
pub fn parse_capacity(raw: &str) -> Result<i64, Invalid> {
    match raw.trim().parse::<i64>() {
        Ok(n) if (0..=CAPACITY_MAX).contains(&n) => Ok(n),
        _ => Err(Invalid::new(
            "capacity",
            format!("Enter a whole number from 0 to {CAPACITY_MAX}."),
        )),
    }
}

/// Reads the capacity of a new window: as [`parse_capacity`], and room for one visit at least.
pub fn parse_new_capacity(raw: &str) -> Result<i64, Invalid> {
    match parse_capacity(raw)? {
        0 => Err(Invalid::new(
            "capacity",
            "A new window needs room for at least one visit.",
        )),
        n => Ok(n),
    }
}

/// Whether a window with `booked` places taken may have `capacity`: never below the bookings.
pub fn capacity_fits(capacity: i64, booked: i64) -> Result<(), Invalid> {
    if capacity >= booked {
        return Ok(());
    }
    let visits = if booked == 1 {
        "visit is"
    } else {
        "visits are"
    };
    Err(Invalid::new(
        "capacity",
        format!(
            "{booked} {visits} already booked in this window, so the capacity cannot go below {booked}. Nothing was changed."
        ),
    ))
}

/// Reads a new window's day as typed (`2025-05-06`): today or later.
pub fn parse_window_date(raw: &str, today: Date) -> Result<Date, Invalid> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match Date::parse(raw.trim(), &format) {
        Ok(d) if d >= today => Ok(d),
        Ok(_) => Err(Invalid::new("date", "Pick today or a later date.")),
        Err(_) => Err(Invalid::new(
            "date",
            "Enter a date, for example 2025-05-06.",
        )),
    }
}

/// Reads a window's slot: morning, afternoon, all day or exact hours.
pub fn parse_slot(raw: &str) -> Result<ScheduleType, Invalid> {
    ScheduleType::parse(raw)
        .map_err(|_| Invalid::new("slot", "Choose morning, afternoon, all day or exact hours."))
}

/// The hours of a window of `slot`: the typed start and end (checked) for an exact
/// window, none for the others.
pub fn window_hours(
    slot: ScheduleType,
    start: &str,
    end: &str,
) -> Result<Option<(Time, Time)>, Invalid> {
    if slot == ScheduleType::Exact {
        check_exact_hours(start, end).map(Some)
    } else {
        Ok(None)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::{date, time};

    #[test]
    fn a_capacity_is_a_whole_number_up_to_the_maximum() {
        assert_eq!(parse_capacity(" 3 "), Ok(3));
        assert_eq!(parse_capacity("0"), Ok(0));
        assert_eq!(parse_capacity("1000"), Ok(1000));
        for bad in ["1001", "-1", "2.5", "", "lots"] {
            assert_eq!(parse_capacity(bad).unwrap_err().field, "capacity", "{bad}");
        }
    }

    #[test]
    fn a_new_window_has_room_for_one_visit_at_least() {
        assert_eq!(parse_new_capacity("1"), Ok(1));
        assert!(
            parse_new_capacity("0")
                .unwrap_err()
                .message
                .contains("at least one")
        );
        assert!(
            parse_new_capacity("x")
                .unwrap_err()
                .message
                .contains("whole number")
        );
    }

    #[test]
    fn a_capacity_never_goes_below_the_bookings() {
        assert_eq!(capacity_fits(2, 2), Ok(()));
        assert_eq!(capacity_fits(5, 0), Ok(()));
        let err = capacity_fits(1, 2).unwrap_err();
        assert!(
            err.message.starts_with("2 visits are already booked"),
            "{}",
            err.message
        );
        let err = capacity_fits(0, 1).unwrap_err();
        assert!(
            err.message.starts_with("1 visit is already booked"),
            "{}",
            err.message
        );
    }

    #[test]
    fn a_new_window_is_today_or_later() {
        let today = date!(2026 - 12 - 06);
        assert_eq!(parse_window_date(" 2026-12-06 ", today), Ok(today));
        assert_eq!(
            parse_window_date("2026-12-24", today),
            Ok(date!(2026 - 12 - 24))
        );
        assert!(
            parse_window_date("2026-12-05", today)
                .unwrap_err()
                .message
                .contains("later")
        );
        assert!(
            parse_window_date("06/12/2026", today)
                .unwrap_err()
                .message
                .contains("for example")
        );
    }

    #[test]
    fn only_an_exact_window_has_hours_and_they_run_forwards() {
        assert_eq!(parse_slot("pm"), Ok(ScheduleType::Pm));
        assert_eq!(parse_slot("evening").unwrap_err().field, "slot");
        assert_eq!(window_hours(ScheduleType::Am, "", ""), Ok(None));
        assert_eq!(
            window_hours(ScheduleType::Exact, "09:00", "11:30"),
            Ok(Some((time!(9:00), time!(11:30))))
        );
        assert!(window_hours(ScheduleType::Exact, "11:00", "09:00").is_err());
        assert!(window_hours(ScheduleType::Exact, "", "09:00").is_err());
    }
}
