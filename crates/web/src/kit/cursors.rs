//! Keyset cursors as they travel in list URLs, and the message shown when one is malformed.

use doorstep_store::support::SupportCursor;
use time::{Date, OffsetDateTime};

/// A keyset cursor as it travels in a URL: `2025-01-31.123`.
pub fn cursor(day: Date, id: i64) -> String {
    format!("{day}.{id}")
}

/// Reads a cursor written by [`cursor`]; `Err` carries the message shown on the page.
pub fn parse_cursor(raw: Option<&str>) -> Result<Option<(Date, i64)>, &'static str> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let bad = "That page link is not valid; showing the first page.";
    let (day, id) = raw.split_once('.').ok_or(bad)?;
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = Date::parse(day, &format).map_err(|_| bad)?;
    let id = id.parse::<i64>().map_err(|_| bad)?;
    Ok(Some((day, id)))
}

/// The cursor of a list's `after` parameter, or no cursor and the message to show when
/// it is malformed (the list then starts at its first page).
pub fn after_or_message(raw: Option<&str>) -> (Option<(Date, i64)>, Option<&'static str>) {
    match parse_cursor(raw) {
        Ok(after) => (after, None),
        Err(message) => (None, Some(message)),
    }
}

/// A list cursor as it travels in a URL: `{unix seconds}.{id}`.
pub fn support_cursor((at, id): SupportCursor) -> String {
    format!("{}.{id}", at.unix_timestamp())
}

/// Reads a cursor written by [`support_cursor`]: the cursor, or none and the message to
/// show when it is malformed (the list then starts at its first page).
pub fn parse_support_cursor(raw: Option<&str>) -> (Option<SupportCursor>, Option<&'static str>) {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else {
        return (None, None);
    };
    let parsed = raw.split_once('.').and_then(|(at, id)| {
        let at = OffsetDateTime::from_unix_timestamp(at.parse().ok()?).ok()?;
        Some((at, id.parse::<i64>().ok()?))
    });
    match parsed {
        Some(c) => (Some(c), None),
        None => (
            None,
            Some("That page link is not valid; showing the first page."),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::{cursor, parse_cursor};
    use time::macros::date;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused_with_a_message() {
        let c = cursor(date!(2025 - 01 - 31), 42);
        assert_eq!(
            parse_cursor(Some(&c)),
            Ok(Some((date!(2025 - 01 - 31), 42)))
        );
        assert_eq!(parse_cursor(None), Ok(None));
        assert_eq!(parse_cursor(Some("")), Ok(None));
        for bad in ["x", "2025-13-01.1", "2025-01-01.x", "2025-01-01", "'; drop"] {
            assert!(parse_cursor(Some(bad)).is_err(), "{bad}");
        }
    }
}
