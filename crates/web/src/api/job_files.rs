//! `/api/v1/jobs/{id}/files`: a job's photos and documents — list, add (multipart, each
//! file checked by its content and size exactly as the office's upload is), read one,
//! download its bytes, show or hide it to the customer, remove it — through the office's
//! own use cases (`doorstep_app::jobs::{add_files, set_file_visibility, remove_file}`).
//!
//! The multipart body is read whole (at most [`UPLOAD_BODY_LIMIT`], among the server's
//! upload slots) before it is parsed, so an `Idempotency-Key` retry is recognised by the
//! same hash of the body as every other write.
#![allow(clippy::disallowed_types)]

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Multipart, Path, State};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use doorstep_app::ApiActor;
use doorstep_app::jobs;
use doorstep_core::ids::{AttachmentId, JobId};
use doorstep_core::job_forms::JOB_FILES_AT_ONCE;
use doorstep_store::api_jobs::ApiJob;
use doorstep_store::job_files::OfficeJobFile;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::Api;
use super::kit::{answer, id_of, json, json_body, refused, write};
use super::paging::rfc3339;
use super::problem::{Clash, Problem, ReadOnly, Reading, Writing};
use crate::AppState;
use crate::kit::files::{content_disposition, send};
use crate::uploads::{StoredFile, UPLOAD_BODY_LIMIT, UploadError, read_form, store_file};

/// A photo or document of a job.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobFile {
    /// Id (use it in `/api/v1/jobs/{id}/files/{file_id}`).
    pub id: i64,
    /// `photo` or `document`, decided from the content.
    pub kind: String,
    /// The name offered on download.
    pub filename: String,
    /// The media type decided from the content.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// Whether the customer sees it in the portal.
    pub customer_visible: bool,
    /// The staff member who added it (the API key's maker for files added here).
    pub added_by: Option<String>,
    /// When it was added (RFC 3339).
    pub created_at: String,
    /// Where its bytes are (`GET`, with the same key).
    pub content_url: String,
}

impl JobFile {
    fn of(job: i64, f: OfficeJobFile) -> JobFile {
        JobFile {
            content_url: format!("/api/v1/jobs/{job}/files/{}/content", f.id),
            id: f.id,
            kind: f.kind,
            filename: f.filename,
            content_type: f.content_type,
            size_bytes: f.size_bytes,
            customer_visible: f.customer_visible,
            added_by: f.added_by,
            created_at: rfc3339(f.created_at),
        }
    }
}

/// A job's files, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobFileList {
    /// The files (removed ones are left out).
    pub data: Vec<JobFile>,
}

/// The multipart form that adds files.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // Documents the multipart body; the handler reads the parts itself.
pub struct JobFilesUpload {
    /// One to four files (repeat the part), PNG, JPEG, WebP, PDF and the office formats,
    /// each at most 10 MB; photos are stored without their metadata.
    #[schema(value_type = Vec<String>, format = Binary)]
    pub files: Vec<Vec<u8>>,
    /// Whether the customer sees them: `yes` or `no` (`true` / `false` also read).
    pub visible: String,
}

/// Showing or hiding a file.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisibilityInput {
    /// Whether the customer sees it in the portal.
    pub customer_visible: bool,
}

/// The office's field names are the API's here.
const RENAMES: &[(&str, &str)] = &[];

async fn job(state: &AppState, actor: &ApiActor, raw: &str) -> Result<ApiJob, Problem> {
    let id = id_of(raw, JobId)?;
    state
        .store
        .api_job(actor.company().id, id)
        .await?
        .ok_or_else(Problem::not_found)
}

async fn file(
    state: &AppState,
    actor: &ApiActor,
    job: &ApiJob,
    raw: &str,
) -> Result<OfficeJobFile, Problem> {
    let id = id_of(raw, AttachmentId)?;
    state
        .store
        .office_job_file(actor.company().id, JobId(job.id), id)
        .await?
        .ok_or_else(Problem::not_found)
}

/// List a job's photos and documents.
#[utoipa::path(get, path = "/api/v1/jobs/{id}/files", tag = "jobs",
    params(("id" = i64, Path, description = "The job's id")),
    responses(
        (status = 200, description = "The job's files", body = JobFileList),
        Reading,
        (status = 404, description = "No such job of this company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
) -> Response {
    answer(
        async {
            let j = job(&state, &actor, &id).await?;
            let data = state
                .store
                .office_job_files(actor.company().id, JobId(j.id))
                .await?
                .into_iter()
                .map(|f| JobFile::of(j.id, f))
                .collect();
            Ok(json(StatusCode::OK, &JobFileList { data }))
        }
        .await,
    )
}

/// Add photos or documents to a job (multipart: `files`, `visible`); all or nothing.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/files", tag = "jobs",
    params(
        ("id" = i64, Path, description = "The job's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer"),
    ),
    request_body(content = JobFilesUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Added: the job's files now", body = JobFileList),
        Writing,
        (status = 404, description = "No such job of this company", body = Problem, content_type = "application/problem+json"),
        Clash,
        (status = 413, description = "The body is larger than four files at the limit", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Every upload slot is busy; try again in a minute", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn add(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(id): Path<String>,
    headers: HeaderMap,
    request: Request<Body>,
) -> Response {
    // Reading the body holds one of the server's upload slots, as the office's upload does.
    let Ok(_slot) = crate::uploads::upload_slot().await else {
        return Problem::new(
            "busy",
            "Many files are being sent right now; try again in a minute.",
        )
        .into_response();
    };
    let body = match Bytes::from_request(request, &()).await {
        Ok(b) => b,
        Err(e) => return too_large(&e).into_response(),
    };
    let path = format!("/api/v1/jobs/{id}/files");
    write(
        &state,
        &actor,
        &headers,
        Method::POST,
        &path,
        &body,
        || async {
            let j = job(&state, &actor, &id).await?;
            let office = actor.writer()?;
            let form = multipart(&headers, body.clone()).await?;
            let visible = match form.field("visible").map(str::trim) {
                Some("true") => Some("yes"),
                Some("false") => Some("no"),
                other => other,
            };
            let visible = jobs::parse_visibility(visible)
                .map_err(|e| Problem::field("validation", "visible", e.message))?;
            if form.files.len() > JOB_FILES_AT_ONCE {
                return Err(Problem::field(
                    "validation",
                    "files",
                    format!(
                        "Add at most {JOB_FILES_AT_ONCE} files at once; you sent {}.",
                        form.files.len()
                    ),
                ));
            }
            // Each file is checked by its bytes and stored before any row is written; a refused
            // one stops the whole upload.
            let mut stored: Vec<StoredFile> = Vec::with_capacity(form.files.len());
            for part in &form.files {
                match store_file(&state.files, part).await {
                    Ok(f) => stored.push(f),
                    Err(UploadError::Rejected(e)) => {
                        return Err(Problem::field(
                            "validation",
                            "files",
                            format!("{}: {e} Nothing was added.", part.filename),
                        ));
                    }
                    Err(UploadError::Io(e)) => {
                        tracing::error!(error = %e, "could not store an API upload");
                        return Err(Problem::new(
                            "internal",
                            "Something failed on our side; try again.",
                        ));
                    }
                }
            }
            jobs::add_files(&state.app, office, &j.number, &stored, visible)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            let data = state
                .store
                .office_job_files(actor.company().id, JobId(j.id))
                .await?
                .into_iter()
                .map(|f| JobFile::of(j.id, f))
                .collect();
            Ok(json(StatusCode::CREATED, &JobFileList { data }))
        },
    )
    .await
}

/// The body read whole, or why not, as a problem.
fn too_large(e: &BytesRejection) -> Problem {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Problem::new(
            "too-large",
            format!(
                "Send at most {JOB_FILES_AT_ONCE} files of 10 MB each ({} MB in all).",
                UPLOAD_BODY_LIMIT / (1024 * 1024)
            ),
        )
    } else {
        Problem::field("validation", "body", e.body_text())
    }
}

/// The multipart form in `body`, as the office's upload reads it.
async fn multipart(
    headers: &HeaderMap,
    body: Bytes,
) -> Result<crate::uploads::UploadForm, Problem> {
    let unreadable = || {
        Problem::field(
            "validation",
            "body",
            "Send the files as multipart/form-data: `files` (one part per file) and `visible`.",
        )
    };
    let mut request = Request::new(Body::from(body));
    if let Some(kind) = headers.get(header::CONTENT_TYPE) {
        request
            .headers_mut()
            .insert(header::CONTENT_TYPE, kind.clone());
    }
    let parts = Multipart::from_request(request, &())
        .await
        .map_err(|_| unreadable())?;
    read_form(parts).await.map_err(|_| unreadable())
}

/// Read one of a job's files (its details; its bytes are at `content_url`).
#[utoipa::path(get, path = "/api/v1/jobs/{id}/files/{file_id}", tag = "jobs",
    params(
        ("id" = i64, Path, description = "The job's id"),
        ("file_id" = i64, Path, description = "The file's id"),
    ),
    responses(
        (status = 200, description = "The file", body = JobFile),
        Reading,
        (status = 404, description = "No such job or file of this company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Api(actor): Api,
    Path((id, file_id)): Path<(String, String)>,
) -> Response {
    answer(
        async {
            let j = job(&state, &actor, &id).await?;
            let f = file(&state, &actor, &j, &file_id).await?;
            Ok(json(StatusCode::OK, &JobFile::of(j.id, f)))
        }
        .await,
    )
}

/// Download one of a job's files as stored (photos without their metadata, documents as sent).
#[utoipa::path(get, path = "/api/v1/jobs/{id}/files/{file_id}/content", tag = "jobs",
    params(
        ("id" = i64, Path, description = "The job's id"),
        ("file_id" = i64, Path, description = "The file's id"),
    ),
    responses(
        (status = 200, description = "The file's bytes (its media type is the file's `content_type`)", content_type = "application/octet-stream", body = String),
        Reading,
        (status = 404, description = "No such job or file of this company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn content(
    State(state): State<AppState>,
    Api(actor): Api,
    Path((id, file_id)): Path<(String, String)>,
) -> Response {
    answer(
        async {
            let j = job(&state, &actor, &id).await?;
            let f = file(&state, &actor, &j, &file_id).await?;
            send(
                &state,
                &f.storage_key,
                "application/octet-stream",
                content_disposition(false, &f.filename),
            )
            .await
            .map_err(|_| Problem::not_found())
        }
        .await,
    )
}

/// Show a job's file to the customer, or hide it.
#[utoipa::path(patch, path = "/api/v1/jobs/{id}/files/{file_id}", tag = "jobs",
    params(
        ("id" = i64, Path, description = "The job's id"),
        ("file_id" = i64, Path, description = "The file's id"),
    ),
    request_body = VisibilityInput,
    responses(
        (status = 200, description = "Saved", body = JobFile),
        Writing,
        (status = 404, description = "No such job or file of this company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn visibility(
    State(state): State<AppState>,
    Api(actor): Api,
    Path((id, file_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    answer(
        async {
            let office = actor.writer()?;
            let j = job(&state, &actor, &id).await?;
            let f = file(&state, &actor, &j, &file_id).await?;
            let input: VisibilityInput = json_body(&body)?;
            jobs::set_file_visibility(&state.app, office, &j.number, f.id, input.customer_visible)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            let f = file(&state, &actor, &j, &file_id).await?;
            Ok(json(StatusCode::OK, &JobFile::of(j.id, f)))
        }
        .await,
    )
}

/// Remove a job's file: nobody sees it any more (it stays in the job's history).
#[utoipa::path(delete, path = "/api/v1/jobs/{id}/files/{file_id}", tag = "jobs",
    params(
        ("id" = i64, Path, description = "The job's id"),
        ("file_id" = i64, Path, description = "The file's id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        Reading,
        ReadOnly,
        (status = 404, description = "No such job or file of this company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn remove(
    State(state): State<AppState>,
    Api(actor): Api,
    Path((id, file_id)): Path<(String, String)>,
) -> Response {
    answer(
        async {
            let office = actor.writer()?;
            let j = job(&state, &actor, &id).await?;
            let f = file(&state, &actor, &j, &file_id).await?;
            jobs::remove_file(&state.app, office, &j.number, f.id)
                .await
                .map_err(|e| refused(e, RENAMES))?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        .await,
    )
}
