//! What the portal's pages share: the authz gate and list paging (cursors, dates and
//! rendering are in `crate::kit`).

use doorstep_core::authz::PortalAction;
use time::Date;

use crate::WebError;
use crate::auth::session::SignedInContact;
use crate::kit::cursors::cursor;

/// How many rows a list page shows.
pub const PAGE: i64 = 25;

/// Refuses with 404 (indistinguishable from "nothing here") unless authz allows `action`.
pub fn require(contact: &SignedInContact, action: PortalAction) -> Result<(), WebError> {
    Ok(contact.actor.require(action)?)
}

/// Whether authz allows `action`, for offering it on a page.
pub fn may(contact: &SignedInContact, action: PortalAction) -> bool {
    contact.actor.may(action)
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
