//! `GET /files/{id}` and `GET /files/{id}/thumb`: a job's or support ticket's photos and
//! documents, served only to those who may see the job or ticket, never sniffed, and cached privately for long (a stored
//! file never changes under its key).

use axum::extract::State;
use axum::response::Response;
use doorstep_core::authz::{PortalAction, contact_may, contact_may_see_site};
use doorstep_core::ids::AttachmentId;
use doorstep_store::job_detail::JobFile;
use doorstep_store::support::SupportFile;

use crate::auth::session::SignedInContact;
use crate::extract::Path;
use crate::kit::files::{content_disposition, send};
use crate::{AppState, WebError};

/// Types shown in the browser; everything else is downloaded.
const INLINE_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/// What a download needs of a stored file, whichever record owns it.
pub struct Served {
    /// The name offered on download.
    pub filename: String,
    /// The type decided at upload.
    pub content_type: String,
    /// Where its bytes are.
    pub storage_key: String,
    /// Where its thumbnail is, for photos.
    pub thumb_key: Option<String>,
}

impl From<JobFile> for Served {
    fn from(f: JobFile) -> Self {
        Served {
            filename: f.filename,
            content_type: f.content_type,
            storage_key: f.storage_key,
            thumb_key: f.thumb_key,
        }
    }
}

impl From<SupportFile> for Served {
    fn from(f: SupportFile) -> Self {
        Served {
            filename: f.filename,
            content_type: f.content_type,
            storage_key: f.storage_key,
            thumb_key: f.thumb_key,
        }
    }
}

/// A job's file the contact may see (its job's account and site), else a support
/// ticket's file of the contact's account; anything else is a 404.
async fn find(state: &AppState, contact: &SignedInContact, id: &str) -> Result<Served, WebError> {
    let company = &contact.portal.company;
    let id = id.parse::<i64>().map_err(|_| WebError::NotFound)?;
    if contact_may(&contact.scope, &company.settings, PortalAction::ViewJobs) {
        let file = state
            .store
            .job_file_for_contact(company.id, &contact.scope, AttachmentId(id))
            .await?;
        if let Some(file) = file {
            let (customer, site) = file.place();
            if contact_may_see_site(&contact.scope, customer, site) {
                return Ok(file.into());
            }
        }
    }
    crate::pages::portal::support::file_for_contact(state, contact, AttachmentId(id))
        .await?
        .map(Served::from)
        .ok_or(WebError::NotFound)
}

/// `GET /files/{id}`: the file itself; images inline, everything else as a download.
pub async fn full(
    State(state): State<AppState>,
    contact: SignedInContact,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let file = find(&state, &contact, &id).await?;
    let inline = INLINE_TYPES.contains(&file.content_type.as_str());
    let content_type = if inline {
        file.content_type.as_str()
    } else {
        "application/octet-stream"
    };
    send(
        &state,
        &file.storage_key,
        content_type,
        content_disposition(inline, &file.filename),
    )
    .await
}

/// `GET /files/{id}/thumb`: a photo's thumbnail, made when the photo was stored.
pub async fn thumb(
    State(state): State<AppState>,
    contact: SignedInContact,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let file = find(&state, &contact, &id).await?;
    let key = file.thumb_key.as_deref().ok_or(WebError::NotFound)?;
    send(
        &state,
        key,
        doorstep_media::THUMB_CONTENT_TYPE,
        content_disposition(true, &format!("thumb-{}", file.filename)),
    )
    .await
}
