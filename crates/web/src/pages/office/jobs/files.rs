//! A job's photos and documents in the office: `POST /office/jobs/{number}/files` adds one
//! or several (multipart, each checked by content, with "Visible to the customer");
//! `GET .../files/{id}` and `.../thumb` serve them to office staff; `POST .../visibility`
//! shows or hides one; `GET`/`POST .../remove` asks first, then removes it.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::jobs;
use doorstep_core::ids::AttachmentId;
use doorstep_core::job_forms::JOB_FILES_AT_ONCE;
use doorstep_store::job_files::OfficeJobFile;
use doorstep_store::office_jobs::OfficeJob;

use super::show::{self, Extras};
use super::{job_path, load};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::display::when;
use crate::extract::{Form, Path};
use crate::kit::files::{content_disposition, send};
use crate::uploads::{StoredFile, UploadError, read_form, store_file};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

/// Types shown in the browser; everything else is downloaded.
const INLINE_TYPES: [&str; 3] = ["image/png", "image/jpeg", "image/webp"];

/// A file as the job's page lists it.
pub(crate) struct FileView {
    pub(crate) href: String,
    pub(crate) filename: String,
    pub(crate) is_photo: bool,
    pub(crate) has_thumb: bool,
    pub(crate) size: String,
    pub(crate) visible: bool,
    pub(crate) added: String,
    pub(crate) by: Option<String>,
}

fn size(bytes: i64) -> String {
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else if bytes < 1024 * 1024 {
        format!("{} KB", (bytes + 1023) / 1024)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

fn file_href(job: &OfficeJob, id: i64) -> String {
    format!("{}/files/{id}", job_path(&job.number))
}

/// The job's files as listed on its page (removed ones left out), photos first.
pub(super) async fn views(
    state: &AppState,
    staff: &SignedInStaff,
    job: &OfficeJob,
) -> Result<Vec<FileView>, WebError> {
    let zone = &staff.company.time_zone;
    Ok(state
        .store
        .office_job_files(staff.company.id, job.job_id())
        .await?
        .into_iter()
        .map(|f| FileView {
            href: file_href(job, f.id),
            is_photo: f.kind == "photo",
            has_thumb: f.thumb_key.is_some(),
            size: size(f.size_bytes),
            visible: f.customer_visible,
            added: when(zone, f.created_at),
            by: f.added_by,
            filename: f.filename,
        })
        .collect())
}

/// `POST /office/jobs/{number}/files`: `files` (one or several) and `visible` (yes/no).
pub async fn upload(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let j = load(&state, &staff, &number).await?;
    let form = read_form(multipart).await?;
    let again = |j, extras| {
        let code = StatusCode::UNPROCESSABLE_ENTITY;
        show::render_with(&state, &staff, &csrf, j, (None, None), extras, code)
    };
    let visible = match jobs::parse_visibility(form.field("visible")) {
        Ok(v) => v,
        Err(e) => {
            let files_error = (!form.files.is_empty())
                .then(|| "Choose the files again after choosing who sees them.".to_owned());
            let extras = Extras {
                visible_error: Some(e.message),
                files_error,
                ..Extras::default()
            };
            return again(j, extras).await;
        }
    };
    let refused = |message: String| Extras {
        files_error: Some(message),
        ..Extras::default()
    };
    if form.files.is_empty() {
        return again(j, refused("Choose a photo or document to add.".into())).await;
    }
    if form.files.len() > JOB_FILES_AT_ONCE {
        let message = format!(
            "Add at most {JOB_FILES_AT_ONCE} files at once; you chose {}.",
            form.files.len()
        );
        return again(j, refused(message)).await;
    }
    // Each file is checked by its bytes (size first, pixels from the header before any
    // decoding) and stored before its row; a refused one stops the whole upload.
    let mut stored: Vec<StoredFile> = Vec::with_capacity(form.files.len());
    for part in &form.files {
        match store_file(&state.files, part).await {
            Ok(f) => stored.push(f),
            Err(UploadError::Rejected(e)) => {
                let message = format!("{}: {e} Nothing was added.", part.filename);
                return again(j, refused(message)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
    match jobs::add_files(&state.app, &staff.actor, &number, &stored, visible).await {
        Ok(added) => {
            Ok(Redirect::to(&format!("{}?done=files", job_path(&added.number))).into_response())
        }
        Err(AppError::Invalid(e)) => again(j, refused(e.message)).await,
        Err(e) => Err(e.into()),
    }
}

/// The job `number` and its file `id` (not removed); 404 otherwise.
async fn find(
    state: &AppState,
    staff: &SignedInStaff,
    number: &str,
    id: &str,
) -> Result<(OfficeJob, OfficeJobFile), WebError> {
    let j = load(state, staff, number).await?;
    let id = id.parse::<i64>().map_err(|_| WebError::NotFound)?;
    let f = state
        .store
        .office_job_file(staff.company.id, j.job_id(), AttachmentId(id))
        .await?
        .ok_or(WebError::NotFound)?;
    Ok((j, f))
}

/// `GET /office/jobs/{number}/files/{id}`: photos inline, documents as a download.
pub async fn full(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path((number, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (_, f) = find(&state, &staff, &number, &id).await?;
    let inline = INLINE_TYPES.contains(&f.content_type.as_str());
    let content_type = if inline {
        f.content_type.as_str()
    } else {
        "application/octet-stream"
    };
    send(
        &state,
        &f.storage_key,
        content_type,
        content_disposition(inline, &f.filename),
    )
    .await
}

/// `GET /office/jobs/{number}/files/{id}/thumb`: a photo's thumbnail.
pub async fn thumb(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path((number, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (_, f) = find(&state, &staff, &number, &id).await?;
    let key = f.thumb_key.as_deref().ok_or(WebError::NotFound)?;
    send(
        &state,
        key,
        doorstep_media::THUMB_CONTENT_TYPE,
        content_disposition(true, &format!("thumb-{}", f.filename)),
    )
    .await
}

/// `POST /office/jobs/{number}/files/{id}/visibility` (form: visible = yes/no).
pub async fn visibility(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path((number, id)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (j, f) = find(&state, &staff, &number, &id).await?;
    let raw = crate::extract::field(&pairs, "visible");
    let outcome = match jobs::parse_visibility(Some(raw)) {
        Ok(v) => jobs::set_file_visibility(&state.app, &staff.actor, &number, f.id, v)
            .await
            .map(|n| (n, v)),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match outcome {
        Ok((n, v)) => {
            let done = if v { "shown" } else { "hidden" };
            Ok(Redirect::to(&format!("{}?done={done}", job_path(&n))).into_response())
        }
        Err(AppError::Invalid(e)) => {
            let code = StatusCode::UNPROCESSABLE_ENTITY;
            show::render(&state, &staff, &csrf, j, (None, Some(e.message)), code).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "office/jobs/remove_file.html")]
struct RemovePage {
    chrome: OfficeChrome,
    number: String,
    href: String,
    file_href: String,
    filename: String,
    is_photo: bool,
    visible: bool,
}

/// `GET /office/jobs/{number}/files/{id}/remove`: asks before removing.
pub async fn confirm_remove(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path((number, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (j, f) = find(&state, &staff, &number, &id).await?;
    let page = RemovePage {
        chrome: OfficeChrome::of(&staff, &csrf),
        href: job_path(&j.number),
        file_href: file_href(&j, f.id),
        number: j.number,
        is_photo: f.kind == "photo",
        visible: f.customer_visible,
        filename: f.filename,
    };
    crate::kit::render::page(&page)
}

/// `POST /office/jobs/{number}/files/{id}/remove`.
pub async fn remove(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path((number, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (_, f) = find(&state, &staff, &number, &id).await?;
    let n = jobs::remove_file(&state.app, &staff.actor, &number, f.id).await?;
    Ok(Redirect::to(&format!("{}?done=removed", job_path(&n))).into_response())
}

#[cfg(test)]
mod tests {
    use super::size;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(size(900), "900 bytes");
        assert_eq!(size(2048), "2 KB");
        assert_eq!(size(3 * 1024 * 1024), "3.0 MB");
    }
}
