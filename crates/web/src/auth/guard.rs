//! The router enforces each route's [`Access`]: before the handler runs, the guard
//! resolves who is signed in as the rule asks and refuses everyone else, then leaves the
//! resolved person in the request for the handler's extractor to take. A handler can
//! therefore not forget a check, and a route cannot be reached with less than its rule.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::Method;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use doorstep_core::authz::OfficeArea;

use crate::auth::return_to;
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
    // The API authenticates by key, and answers refusals as problem+json.
    if access == Access::Api {
        return Ok(crate::api::auth::enforce(&state, request, next).await);
    }
    let (mut parts, body) = request.into_parts();
    let resolved = resolve(access, &mut parts, &state).await;
    match resolved {
        Ok(()) => Ok(next.run(Request::from_parts(parts, body)).await),
        // A page asked for while signed out: remembered, to return to after signing in.
        Err(WebError::SignInRequired(to))
            if parts.method == Method::GET && (to == "/sign-in" || to == "/office") =>
        {
            let asked = parts.uri.path_and_query().map_or("/", |p| p.as_str());
            Ok(return_to::send_to_sign_in(&state, to, asked))
        }
        Err(err) => Err(err),
    }
}

/// What a staff member viewing the portal as a contact is told when they try to change
/// something.
pub const READ_ONLY: &str = "You are viewing the portal as a customer, read only: nothing can be changed here. Use Stop in the banner to return to the office.";

/// Refuses every request but a read (GET, HEAD) to a staff member viewing the portal as
/// a contact: a clear 403 before any handler runs, so nothing is written.
fn refuse_writes_when_viewing(parts: &Parts, contact: &SignedInContact) -> Result<(), WebError> {
    let read = parts.method == Method::GET || parts.method == Method::HEAD;
    if contact.viewing.is_some() && !read {
        return Err(WebError::Forbidden(READ_ONLY));
    }
    Ok(())
}

/// Resolves who is signed in as `access` asks, into the request's extensions.
async fn resolve(access: Access, parts: &mut Parts, state: &AppState) -> Result<(), WebError> {
    match access {
        // Resolved by `api::auth::enforce` before this is reached.
        Access::Anyone | Access::Api => {}
        Access::Visitor => {
            Tenant::from_request_parts(parts, state).await?;
        }
        Access::Login => {
            let login = match SignedInLogin::resolve(parts, state).await {
                Ok(login) => login,
                Err(err @ WebError::SignInRequired(_)) => {
                    let viewing = SignedInContact::viewing(parts, state).await?.ok_or(err)?;
                    refuse_writes_when_viewing(parts, &viewing)?;
                    SignedInLogin(viewing.portal)
                }
                Err(err) => return Err(err),
            };
            parts.extensions.insert(login);
        }
        Access::Contact => {
            let contact = SignedInContact::resolve(parts, state).await?;
            refuse_writes_when_viewing(parts, &contact)?;
            parts.extensions.insert(contact);
        }
        Access::Staff | Access::StaffSetup | Access::Admin => {
            let setting_up = access == Access::StaffSetup;
            let staff = SignedInStaff::resolve(parts, state, setting_up).await?;
            // Nothing here for an office member who is not an administrator: the same
            // answer as an address that does not exist.
            if access == Access::Admin && !staff.actor.may(OfficeArea::Administration) {
                return Err(WebError::NotFound);
            }
            parts.extensions.insert(staff);
        }
    }
    Ok(())
}
