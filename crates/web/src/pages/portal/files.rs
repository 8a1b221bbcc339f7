//! `GET /files/{id}` and `GET /files/{id}/thumb`: a job's or support ticket's photos and
//! documents, served only to those who may see the job or ticket, never sniffed, and cached privately for long (a stored
//! file never changes under its key).

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use doorstep_core::authz::{PortalAction, contact_may, contact_may_see_site};
use doorstep_core::ids::AttachmentId;
use doorstep_store::job_detail::JobFile;
use doorstep_store::support::SupportFile;

use crate::auth::session::SignedInContact;
use crate::extract::Path;
use crate::{AppState, WebError};

/// A week: files are immutable under their key, and the cache is the browser's own.
const CACHE: &str = "private, max-age=604800, immutable";

/// Types shown in the browser; everything else is downloaded.
const INLINE_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/// A filename safe in a header: ASCII letters, digits and `.-_` kept, the rest `_`, with
/// the full name as RFC 5987 UTF-8 for browsers that read it.
pub fn content_disposition(inline: bool, filename: &str) -> String {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let ascii = if ascii.trim_matches(['.', '_']).is_empty() {
        "file".to_owned()
    } else {
        ascii
    };
    let encoded: String = form_urlencoded::byte_serialize(filename.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let kind = if inline { "inline" } else { "attachment" };
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

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

/// Sends stored bytes with a fixed type, the given disposition, `nosniff` and private caching.
pub async fn send(
    state: &AppState,
    key: &str,
    content_type: &str,
    disposition: String,
) -> Result<Response, WebError> {
    let bytes = state.files.read(key).await.map_err(|err| {
        if err.kind() == std::io::ErrorKind::NotFound {
            WebError::NotFound
        } else {
            WebError::internal(err)
        }
    })?;
    // Stored types were decided from content at upload; anything unexpected goes as bytes.
    let content_type = HeaderValue::from_str(content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let disposition = HeaderValue::from_str(&disposition)
        .unwrap_or(HeaderValue::from_static("attachment; filename=\"file\""));
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(header::CONTENT_DISPOSITION, disposition);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(response)
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

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn filenames_cannot_break_the_header() {
        assert_eq!(
            content_disposition(false, "report \"final\".pdf\r\nX: y"),
            "attachment; filename=\"report__final_.pdf__X__y\"; filename*=UTF-8''report%20%22final%22.pdf%0D%0AX%3A%20y"
        );
        assert_eq!(
            content_disposition(true, "..").split(';').nth(1),
            Some(" filename=\"file\"")
        );
    }
}
