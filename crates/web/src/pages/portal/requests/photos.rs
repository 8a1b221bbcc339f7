//! The photos step of the request form: `GET /requests/new/{draft}/photos` shows the
//! draft's photos with a "Remove" button each and a file input; `POST` of the same path
//! (a multipart upload) adds one or more photos, all or none, and with "Continue" moves on
//! to the summary; `POST .../photos/{photo}/remove` takes one away. Photos are optional.
//!
//! Every file is checked and re-encoded by `doorstep_media` (through `uploads`); a refused
//! file, one over the size cap, or more than the company's limit shows the page again with
//! the message next to the field and nothing added.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use doorstep_app::AppError;
use doorstep_app::booking::drafts::{self, PHOTOS_FIELD};
use doorstep_store::request_portal::{DraftPhoto, RequestDraft};

use super::steps::{saved, submitted};
use super::{Step, load_draft, photo_limit, step_href, step_total};
use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::extract::Path;
use crate::uploads::{FilePart, StoredFile, UploadError, read_form, store_photo};
use crate::views::PortalChrome;
use crate::{AppState, WebError};

/// One photo of the draft as the page shows it.
pub struct PhotoView {
    /// The thumbnail's URL.
    pub thumb: String,
    /// The full photo's URL.
    pub full: String,
    /// Alternative text.
    pub alt: String,
    /// Where its "Remove" form posts.
    pub remove: String,
}

#[derive(Template)]
#[template(path = "portal/requests/photos.html")]
struct PhotosPage {
    chrome: PortalChrome,
    title: &'static str,
    number: u8,
    total: u8,
    action: String,
    back: String,
    photos: Vec<PhotoView>,
    limit: u8,
    error: Option<String>,
}

/// The photos of a draft, linked under the draft's own routes.
pub fn photo_views(key: &str, photos: &[DraftPhoto]) -> Vec<PhotoView> {
    photos
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let base = format!("{}/{}", step_href(key, Step::Photos), p.id);
            PhotoView {
                thumb: format!("{base}/thumb"),
                full: base.clone(),
                alt: format!("Photo {}: {}", i + 1, p.filename),
                remove: format!("{base}/remove"),
            }
        })
        .collect()
}

/// Renders the photos step of `draft`, with `error` next to the file input.
pub async fn render_page(
    state: &AppState,
    contact: &SignedInContact,
    csrf: &str,
    draft: &RequestDraft,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let key = &draft.draft_key;
    let limit = photo_limit(contact);
    let photos = state
        .store
        .draft_photos(contact.portal.company.id, draft.id)
        .await?;
    let view = PhotosPage {
        chrome: PortalChrome::of(contact, csrf).at("/requests"),
        title: Step::Photos.title(),
        number: Step::Photos.number(),
        total: step_total(limit),
        action: step_href(key, Step::Photos),
        back: step_href(key, Step::What),
        photos: photo_views(key, &photos),
        limit,
        error,
    };
    crate::kit::render::page_with(status, &view)
}

/// Checks and stores every part, or none: the message for the first one refused.
/// Files are written before their rows, so a refusal leaves only unreferenced bytes.
async fn store_all(
    state: &AppState,
    parts: &[&FilePart],
) -> Result<Result<Vec<StoredFile>, String>, WebError> {
    let mut stored = Vec::with_capacity(parts.len());
    for part in parts {
        match store_photo(&state.files, part).await {
            Ok(file) => stored.push(file),
            Err(UploadError::Rejected(e)) => return Ok(Err(format!("{}: {e}", part.filename))),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Ok(stored))
}

/// `GET /requests/new/{draft}/photos`: the step like any other (its own route, since the
/// upload shares the path).
pub async fn show(
    state: State<AppState>,
    contact: SignedInContact,
    csrf: CsrfToken,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    super::steps::show(
        state,
        contact,
        csrf,
        Path((key, Step::Photos.slug().to_owned())),
    )
    .await
}

/// `POST /requests/new/{draft}/photos`: adds the chosen photos (all or none); with
/// `action=continue` then moves on to the summary.
pub async fn upload(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Path(key): Path<String>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let (draft, answers) = load_draft(&state, &contact, &key).await?;
    if let Some(done) = submitted(&draft) {
        return Ok(done);
    }
    let limit = photo_limit(&contact);
    if limit == 0 || Step::Photos.number() > answers.done + 1 {
        return Err(WebError::NotFound);
    }
    let form = read_form(multipart).await?;
    let continuing = form.field("action") == Some("continue");
    let parts: Vec<&FilePart> = form
        .files
        .iter()
        .filter(|f| f.field == PHOTOS_FIELD)
        .collect();
    let refuse = |message: String| {
        render_page(
            &state,
            &contact,
            &csrf,
            &draft,
            Some(message),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    // Room is checked before any file is stored, so refused files never reach the disk;
    // the use case counts again under the draft's lock.
    if !parts.is_empty()
        && let Err(e) = drafts::check_room(&state.app, &contact.actor, &draft, parts.len()).await
    {
        return match e {
            AppError::Invalid(e) => refuse(e.message).await,
            e => Err(e.into()),
        };
    }
    let stored = match store_all(&state, &parts).await? {
        Ok(stored) => stored,
        Err(message) => return refuse(message).await,
    };
    match drafts::add_photos(&state.app, &contact.actor, &key, &stored, continuing).await {
        Ok(outcome) => saved(&key, outcome),
        Err(AppError::Invalid(e)) => refuse(e.message).await,
        Err(e) => Err(e.into()),
    }
}

/// `POST /requests/new/{draft}/photos/{photo}/remove`.
pub async fn remove(
    State(state): State<AppState>,
    contact: SignedInContact,
    Path((key, photo)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let photo = photo.parse::<i64>().map_err(|_| WebError::NotFound)?;
    saved(
        &key,
        drafts::remove_photo(&state.app, &contact.actor, &key, photo).await?,
    )
}
