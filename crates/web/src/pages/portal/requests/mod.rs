//! "Request service": the guided form (one page per step, answers kept in a server-side
//! draft), submitting it once, and the account's own requests.

pub mod list;
pub mod photo_files;
pub mod photos;
pub mod steps;
pub mod submit;

use doorstep_app::booking::drafts;
use doorstep_core::request_form::RequestAnswers;
use doorstep_store::request_portal::RequestDraft;

pub use doorstep_app::booking::form::{Step, answered, step_total};

use crate::auth::session::SignedInContact;
use crate::{AppState, WebError};

/// How many photos `contact` may attach to a request; with none the photos step is skipped.
pub fn photo_limit(contact: &SignedInContact) -> u8 {
    drafts::photo_limit(&contact.actor)
}

/// The draft `key` of this contact (authz first; anyone else's draft is 404).
pub async fn load_draft(
    state: &AppState,
    contact: &SignedInContact,
    key: &str,
) -> Result<(RequestDraft, RequestAnswers), WebError> {
    Ok(drafts::load(&state.app, &contact.actor, key).await?)
}

/// The URL of `step` of draft `key`.
pub fn step_href(key: &str, step: Step) -> String {
    format!("/requests/new/{key}/{}", step.slug())
}
