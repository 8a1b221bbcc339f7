//! Viewing the portal as a contact, from the customer page: `POST
//! /office/contacts/{id}/view-as` marks the staff member's own session and opens the
//! portal (a banner says whose view it is, every write is refused); `POST
//! /office/view-as/stop` ends it and returns to the customer. Both are audited.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::setup::view_as;
use doorstep_core::ids::{ContactId, CustomerId};

use crate::auth::session::SignedInStaff;
use crate::extract::Path;
use crate::kit::urls::path_segment;
use crate::{AppState, WebError};

/// `POST /office/contacts/{id}/view-as`.
pub async fn start(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    view_as::start(
        &state.app,
        &staff.actor,
        &staff.session.id_hash,
        ContactId(id),
    )
    .await?;
    Ok(Redirect::to("/").into_response())
}

/// `POST /office/view-as/stop`: back to the customer page of the contact viewed as.
pub async fn stop(
    State(state): State<AppState>,
    staff: SignedInStaff,
) -> Result<Response, WebError> {
    let company = staff.company.id;
    let Some(contact) = view_as::stop(&state.app, &staff.actor, &staff.session.id_hash).await?
    else {
        return Ok(Redirect::to("/office").into_response());
    };
    let number = match state.store.contact_access(company, contact).await? {
        Some(c) => state
            .store
            .customer_summary(company, CustomerId(c.customer_id))
            .await?
            .map(|cu| cu.number),
        None => None,
    };
    let to = match number {
        Some(n) => format!("/office/customers/{}", path_segment(&n)),
        None => "/office".to_owned(),
    };
    Ok(Redirect::to(&to).into_response())
}
