//! The router enforces each route's [`Access`]: before the handler runs, the guard
//! resolves who is signed in as the rule asks and refuses everyone else, then leaves the
//! resolved person in the request for the handler's extractor to take. A handler can
//! therefore not forget a check, and a route cannot be reached with less than its rule.

use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use doorstep_core::authz::OfficeArea;

use crate::auth::session::{SignedInContact, SignedInLogin, SignedInStaff};
use crate::router::Access;
use crate::{AppState, Tenant, WebError};

/// Runs the request on only when it meets `access`.
pub async fn enforce(
    access: Access,
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, WebError> {
    let (mut parts, body) = request.into_parts();
    match access {
        Access::Anyone => {}
        Access::Visitor => {
            Tenant::from_request_parts(&mut parts, &state).await?;
        }
        Access::Login => {
            let login = SignedInLogin::resolve(&mut parts, &state).await?;
            parts.extensions.insert(login);
        }
        Access::Contact => {
            let contact = SignedInContact::resolve(&mut parts, &state).await?;
            parts.extensions.insert(contact);
        }
        Access::Staff | Access::StaffSetup | Access::Admin => {
            let setting_up = access == Access::StaffSetup;
            let staff = SignedInStaff::resolve(&mut parts, &state, setting_up).await?;
            // Nothing here for an office member who is not an administrator: the same
            // answer as an address that does not exist.
            if access == Access::Admin && !staff.actor.may(OfficeArea::Administration) {
                return Err(WebError::NotFound);
            }
            parts.extensions.insert(staff);
        }
    }
    Ok(next.run(Request::from_parts(parts, body)).await)
}
