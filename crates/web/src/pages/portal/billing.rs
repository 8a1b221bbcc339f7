//! What the portal's billing pages share: the authz gate, "today", keyset cursors in the
//! URL, and rendering.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use doorstep_core::authz::{PortalAction, contact_may};
use time::Date;

use crate::WebError;
use crate::auth::session::SignedInContact;

/// How many rows a list page shows.
pub const PAGE: i64 = 25;

/// Refuses with 404 (indistinguishable from "nothing here") unless authz allows `action`.
pub fn require(contact: &SignedInContact, action: PortalAction) -> Result<(), WebError> {
    if contact_may(&contact.scope, &contact.portal.company.settings, action) {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

/// Whether authz allows `action`, for offering it on a page.
pub fn may(contact: &SignedInContact, action: PortalAction) -> bool {
    contact_may(&contact.scope, &contact.portal.company.settings, action)
}

/// Today's date (UTC), the day due dates and expiry are judged by.
pub fn today() -> Date {
    doorstep_store::now().date()
}

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

/// Cuts `rows`, read one longer than [`PAGE`], to a page; the link to the next page when
/// there is one, keyed by the last row shown.
pub fn next_page<T>(
    rows: &mut Vec<T>,
    list: &str,
    key: impl Fn(&T) -> (Date, i64),
) -> Option<String> {
    if rows.len() as i64 <= PAGE {
        return None;
    }
    rows.truncate(PAGE as usize);
    rows.last().map(|r| {
        let (day, id) = key(r);
        format!("{list}?after={}", cursor(day, id))
    })
}

/// Renders an askama page into a response.
pub fn page(template: &impl Template) -> Result<Response, WebError> {
    let html = template.render().map_err(WebError::internal)?;
    Ok(Html(html).into_response())
}

/// Percent-encodes one path segment (numbers are the company's own and may hold anything).
pub fn path_segment(segment: &str) -> String {
    form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
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
