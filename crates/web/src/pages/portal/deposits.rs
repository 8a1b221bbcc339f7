//! `POST /estimates/{number}/deposit`: pay the deposit of an approved estimate through
//! the processor's hosted checkout (issue 19). The estimate page shows the deposit due
//! or paid; it is recorded as paid only from the processor's verified word.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::payments::deposits;
use doorstep_core::authz::PortalAction;

use crate::auth::session::SignedInContact;
use crate::extract::Path;
use crate::pages::portal::billing::require;
use crate::{AppState, WebError};

/// Opens the deposit's checkout and sends the browser to the processor's page; a
/// refusal is a page that says why (404 for what is not the contact's to pay).
pub async fn pay_deposit(
    State(state): State<AppState>,
    contact: SignedInContact,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::Pay)?;
    let started = deposits::start_deposit(&state.app, &contact.actor, &number).await?;
    Ok(Redirect::to(&started.url).into_response())
}
