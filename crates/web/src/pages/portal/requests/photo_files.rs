//! A request's photos as files: a draft's at `GET /requests/new/{draft}/photos/{photo}`
//! (and `/thumb`), served only to the login and account that own the draft; a submitted
//! request's at `GET /requests/{number}/photos/{photo}` (and `/thumb`), served only to
//! those who may see the request. Anything else is a 404. Sent like every stored file
//! (`files::send`): the type decided at upload, `nosniff`, a safe `Content-Disposition`,
//! private caching.

use axum::extract::State;
use axum::response::Response;
use doorstep_core::authz::PortalAction;
use doorstep_core::ids::ServiceRequestId;
use doorstep_media::THUMB_CONTENT_TYPE;
use doorstep_store::request_portal::DraftPhoto;

use super::load_draft;
use crate::auth::session::SignedInContact;
use crate::extract::Path;
use crate::kit::files::{content_disposition, send};
use crate::pages::portal::billing::require;
use crate::{AppState, WebError};

/// Photo types shown in the browser; anything else would go as bytes.
const PHOTO_TYPES: [&str; 2] = ["image/jpeg", "image/png"];

fn photo_id(raw: &str) -> Result<i64, WebError> {
    raw.parse::<i64>().map_err(|_| WebError::NotFound)
}

/// The photo itself, inline.
async fn send_full(state: &AppState, p: &DraftPhoto) -> Result<Response, WebError> {
    let inline = PHOTO_TYPES.contains(&p.content_type.as_str());
    let content_type = if inline {
        p.content_type.as_str()
    } else {
        "application/octet-stream"
    };
    send(
        state,
        &p.storage_key,
        content_type,
        content_disposition(inline, &p.filename),
    )
    .await
}

/// Its thumbnail, always a JPEG.
async fn send_thumb(state: &AppState, p: &DraftPhoto) -> Result<Response, WebError> {
    let key = p.thumb_key.as_deref().ok_or(WebError::NotFound)?;
    let stem = p
        .filename
        .rsplit_once('.')
        .map_or(p.filename.as_str(), |(stem, _)| stem);
    send(
        state,
        key,
        THUMB_CONTENT_TYPE,
        content_disposition(true, &format!("thumb-{stem}.jpg")),
    )
    .await
}

/// Photo `photo` of the contact's own draft `key`.
async fn draft_photo(
    state: &AppState,
    contact: &SignedInContact,
    key: &str,
    photo: &str,
) -> Result<DraftPhoto, WebError> {
    let (draft, _) = load_draft(state, contact, key).await?;
    state
        .store
        .draft_photo(contact.portal.company.id, draft.id, photo_id(photo)?)
        .await?
        .ok_or(WebError::NotFound)
}

/// Photo `photo` of request `number`, when the contact may see that request.
async fn request_photo(
    state: &AppState,
    contact: &SignedInContact,
    number: &str,
    photo: &str,
) -> Result<DraftPhoto, WebError> {
    require(contact, PortalAction::RequestService)?;
    let company = contact.portal.company.id;
    let id = photo_id(photo)?;
    let request = state
        .store
        .my_request(company, &contact.scope, number)
        .await?
        .ok_or(WebError::NotFound)?;
    state
        .store
        .portal_request_photos(company, ServiceRequestId(request.id))
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(WebError::NotFound)
}

/// `GET /requests/new/{draft}/photos/{photo}`.
pub async fn draft_full(
    State(state): State<AppState>,
    contact: SignedInContact,
    Path((key, photo)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let p = draft_photo(&state, &contact, &key, &photo).await?;
    send_full(&state, &p).await
}

/// `GET /requests/new/{draft}/photos/{photo}/thumb`.
pub async fn draft_thumb(
    State(state): State<AppState>,
    contact: SignedInContact,
    Path((key, photo)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let p = draft_photo(&state, &contact, &key, &photo).await?;
    send_thumb(&state, &p).await
}

/// `GET /requests/{number}/photos/{photo}`.
pub async fn request_full(
    State(state): State<AppState>,
    contact: SignedInContact,
    Path((number, photo)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let p = request_photo(&state, &contact, &number, &photo).await?;
    send_full(&state, &p).await
}

/// `GET /requests/{number}/photos/{photo}/thumb`.
pub async fn request_thumb(
    State(state): State<AppState>,
    contact: SignedInContact,
    Path((number, photo)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let p = request_photo(&state, &contact, &number, &photo).await?;
    send_thumb(&state, &p).await
}
