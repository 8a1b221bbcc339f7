//! Importing customers from a CSV file (issue 18), for any office staff member (like
//! creating customers by hand): upload → dry run (every bad row listed, counts of
//! customers to create and to update, nothing written) → import in the background, whose
//! page shows its progress (read from the import's row, so any node shows it, and
//! streamed as server-sent events to `/static/import-progress.js`; without JavaScript the
//! page is refreshed by hand) and survives the browser leaving. An import whose node
//! stopped shows as Stopped, with a button that starts its file again.
//!
//! A file that passes the dry run is kept under `{data_dir}/imports/` by a random key
//! until its import ends (the job removes it).

use std::convert::Infallible;
use std::path::PathBuf;

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::customers::import::{self, Checked};
use doorstep_core::authz::OfficeArea;
use doorstep_core::customer_import::{
    COLUMNS, MAX_FILE_BYTES, Mapping, RowError, guess_field, import_stopped, peek, template_csv,
    too_large,
};
use doorstep_store::imports::ImportRow;

use super::render;
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path, field};
use crate::security::random_hex;
use crate::uploads::clean_filename;
use crate::views::OfficeChrome;
use crate::{AppState, WebError, display};

/// The import's script, served as a static file.
const SCRIPT: &str = include_str!("../../../../static/import-progress.js");

/// An import listed on the upload page.
struct Recent {
    href: String,
    file_name: String,
    when: String,
    status: (&'static str, &'static str),
    summary: String,
}

#[derive(Template)]
#[template(path = "office/customer_import.html")]
struct UploadPage {
    chrome: OfficeChrome,
    columns: Vec<(&'static str, &'static str)>,
    /// Our fields, for the mapping's selects.
    fields: Vec<&'static str>,
    max_mb: usize,
    /// Why the file was refused as a whole.
    file_error: Option<String>,
    /// The columns of the file just sent, to match with ours.
    mapping: Option<MapView>,
    /// The dry run of the file just sent.
    checked: Option<DryRun>,
    recent: Vec<Recent>,
}

/// The mapping form: the kept file, its columns with the field each is read as, and its
/// first rows.
struct MapView {
    key: String,
    file_name: String,
    /// (header, the field chosen: a `COLUMNS` header or empty for Ignore).
    columns: Vec<(String, &'static str)>,
    preview: Vec<Vec<String>>,
    error: Option<String>,
}

/// Rows the mapping page previews.
const PREVIEW_ROWS: usize = 5;

/// A dry run as the page shows it.
struct DryRun {
    file_name: String,
    c: Checked,
    lines: Vec<String>,
    /// The stored file's key, when it may be imported.
    key: Option<String>,
    /// The mapping it was checked with, for the import.
    mapping: String,
}

#[derive(Template)]
#[template(path = "office/customer_import_show.html")]
struct ShowPage {
    chrome: OfficeChrome,
    id: i64,
    /// What the file held (`customers`, `contacts`, `sites`).
    noun: String,
    file_name: String,
    by: String,
    when: String,
    status: (&'static str, &'static str),
    /// Still queued or running.
    running: bool,
    /// Still being checked (the count is of rows checked).
    checking: bool,
    /// Left queued or running by a node that stopped.
    stopped: bool,
    /// Its file is still kept, so it can be started again.
    restartable: bool,
    done: i64,
    total: i64,
    created: i64,
    updated: i64,
    failed: bool,
    error_count: usize,
    lines: Vec<String>,
}

/// How an import stands, as its page and its stream tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    Checking,
    Importing,
    Stopped,
    Done,
    Failed,
}

impl Stage {
    /// The stage of `r` now (a queued or running import whose heartbeat is older than
    /// the lease has stopped).
    pub(crate) fn of(r: &ImportRow) -> Stage {
        match r.status.as_str() {
            "done" => Stage::Done,
            "failed" => Stage::Failed,
            _ if import_stopped(r.heartbeat(), doorstep_store::now()) => Stage::Stopped,
            "queued" => Stage::Checking,
            _ => Stage::Importing,
        }
    }

    /// The name the page's script reads.
    fn name(self) -> &'static str {
        match self {
            Stage::Checking => "checking",
            Stage::Importing => "running",
            Stage::Stopped => "stopped",
            Stage::Done => "done",
            Stage::Failed => "failed",
        }
    }

    fn running(self) -> bool {
        matches!(self, Stage::Checking | Stage::Importing)
    }

    /// Label and badge class.
    pub(crate) fn badge(self) -> (&'static str, &'static str) {
        match self {
            Stage::Done => ("Imported", "badge success"),
            Stage::Failed => ("Nothing imported", "badge danger"),
            Stage::Stopped => ("Stopped — nothing was imported", "badge warning"),
            Stage::Checking | Stage::Importing => ("Importing", "badge info"),
        }
    }
}

pub(crate) fn lines_of(errors: &[RowError]) -> Vec<String> {
    errors.iter().map(RowError::line).collect()
}

async fn upload_page(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    file_error: Option<String>,
    mapping: Option<MapView>,
    checked: Option<DryRun>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let zone = &staff.company.time_zone;
    let recent = state
        .store
        .recent_imports(staff.company.id, 10)
        .await?
        .into_iter()
        .map(|r| Recent {
            href: format!("/office/customers/import/{}", r.id),
            when: display::when(zone, r.created_at),
            status: Stage::of(&r).badge(),
            summary: summary(&r),
            file_name: r.file_name,
        })
        .collect();
    render(
        &UploadPage {
            chrome: OfficeChrome::of(staff, csrf),
            columns: COLUMNS.iter().map(|(h, _, what)| (*h, *what)).collect(),
            max_mb: MAX_FILE_BYTES / (1024 * 1024),
            fields: COLUMNS.iter().map(|(h, _, _)| *h).collect(),
            file_error,
            mapping,
            checked,
            recent,
        },
        status,
    )
}

pub(crate) fn summary(r: &ImportRow) -> String {
    match Stage::of(r) {
        Stage::Done => format!("{} created, {} updated", r.created, r.updated),
        Stage::Failed => format!("{} rows refused", import::errors_of(r).0),
        Stage::Stopped => "Start it again from its page".to_owned(),
        Stage::Checking | Stage::Importing => format!("{} of {} rows", r.done, r.total),
    }
}

/// `GET /office/customers/import`: the upload form, the columns and the latest imports.
pub async fn form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    upload_page(&state, &staff, &csrf, None, None, None, StatusCode::OK).await
}

/// `GET /office/customers/import/template.csv`: the columns and one example row.
pub async fn template(staff: SignedInStaff) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"customers-template.csv\"",
            ),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        template_csv(),
    )
        .into_response())
}

/// The sent file: its name and bytes, `Err` with the message when it is missing or
/// larger than [`MAX_FILE_BYTES`] (told by its length before reading when the browser
/// sends one, else while reading).
pub(crate) async fn read_file(
    headers: &HeaderMap,
    mut multipart: Multipart,
) -> Result<Result<(String, Vec<u8>), String>, WebError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    // The form's other fields and the multipart framing take well under 64 KB.
    if declared.is_some_and(|n| n > MAX_FILE_BYTES + 64 * 1024) {
        return Ok(Err(too_large().message));
    }
    let bad = |err: axum::extract::multipart::MultipartError| {
        tracing::info!(error = %err, "unreadable multipart body");
        WebError::Forbidden("The upload could not be read; please try again.")
    };
    while let Some(mut part) = multipart.next_field().await.map_err(bad)? {
        if part.name() != Some("file") {
            continue;
        }
        let name = clean_filename(part.file_name().unwrap_or_default());
        let mut bytes = Vec::new();
        while let Some(chunk) = part.chunk().await.map_err(bad)? {
            if bytes.len() + chunk.len() > MAX_FILE_BYTES {
                return Ok(Err(too_large().message));
            }
            bytes.extend_from_slice(&chunk);
        }
        if bytes.is_empty() {
            break;
        }
        return Ok(Ok((name, bytes)));
    }
    Ok(Err("Choose a CSV file to import.".to_owned()))
}

/// Where the file of `key` is kept; `None` for a key that is not one of ours.
pub(crate) fn stored_path(state: &AppState, key: &str) -> Option<PathBuf> {
    let valid = key.len() == 32 && key.chars().all(|c| c.is_ascii_hexdigit());
    valid.then(|| {
        state
            .config
            .data_dir
            .join("imports")
            .join(format!("{key}.csv"))
    })
}

/// Keeps `bytes` for the import under a new random key (temporary file, fsync, rename).
pub(crate) async fn keep(state: &AppState, bytes: Vec<u8>) -> Result<String, WebError> {
    let key = random_hex(16);
    let path = stored_path(state, &key).ok_or(WebError::NotFound)?;
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        use std::io::Write;
        let dir = path.parent().map(PathBuf::from).unwrap_or_default();
        std::fs::create_dir_all(&dir)?;
        let tmp = path.with_extension("tmp");
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, &path)
    })
    .await
    .map_err(WebError::internal)?
    .map_err(WebError::internal)?;
    Ok(key)
}

/// `POST /office/customers/import` (multipart: file): keeps the file and shows its
/// columns matched with ours by their headers, its first rows, and the dry run with that
/// match when it reads the name.
pub async fn dry_run(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let (file_name, bytes) = match read_file(&headers, multipart).await? {
        Ok(file) => file,
        Err(message) => return refuse(&state, &staff, &csrf, message).await,
    };
    let (header, preview) = match peek(&bytes, PREVIEW_ROWS) {
        Ok(peeked) => peeked,
        Err(e) => return refuse(&state, &staff, &csrf, e.message).await,
    };
    let chosen: Vec<&str> = header
        .iter()
        .map(|h| {
            guess_field(h)
                .and_then(|i| COLUMNS.get(i))
                .map_or("", |c| c.0)
        })
        .collect();
    let key = keep(&state, bytes.clone()).await?;
    check_mapped(
        &state,
        &staff,
        &csrf,
        (key, file_name),
        header,
        preview,
        &chosen,
        bytes,
    )
    .await
}

/// The upload page refusing the file as a whole with `message`.
async fn refuse(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    message: String,
) -> Result<Response, WebError> {
    upload_page(
        state,
        staff,
        csrf,
        Some(message),
        None,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// The mapping page for the kept file (`key`, `file_name`) with the fields `chosen` for
/// its columns, and the dry run of `bytes` read so when the choice is valid.
#[allow(clippy::too_many_arguments)]
async fn check_mapped(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    (key, file_name): (String, String),
    header: Vec<String>,
    preview: Vec<Vec<String>>,
    chosen: &[&str],
    bytes: Vec<u8>,
) -> Result<Response, WebError> {
    let parsed = Mapping::parse(chosen);
    let columns = header
        .into_iter()
        .zip(chosen.iter().map(|c| {
            COLUMNS
                .iter()
                .find(|(h, _, _)| h == c)
                .map_or("", |(h, _, _)| *h)
        }))
        .collect();
    let mut map = MapView {
        key: key.clone(),
        file_name: file_name.clone(),
        columns,
        preview,
        error: None,
    };
    let mapping = match parsed {
        Ok(m) => m,
        Err(e) => {
            map.error = Some(e.message);
            return upload_page(state, staff, csrf, None, Some(map), None, StatusCode::OK).await;
        }
    };
    let c = match import::check(&state.app, &staff.actor, bytes, Some(mapping.clone())).await {
        Ok(c) => c,
        Err(AppError::Invalid(e)) => {
            map.error = Some(e.message);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return upload_page(state, staff, csrf, None, Some(map), None, status).await;
        }
        Err(other) => return Err(other.into()),
    };
    let status = if c.error_count == 0 {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let run = DryRun {
        file_name,
        lines: lines_of(&c.errors),
        key: (c.error_count == 0).then_some(key),
        mapping: mapping.to_text(),
        c,
    };
    upload_page(state, staff, csrf, None, Some(map), Some(run), status).await
}

/// `POST /office/customers/import/check` (form: key, file_name, one `col` per column of
/// the file): the dry run of the kept file with its columns read as chosen.
pub async fn check_columns(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let key = field(&pairs, "key").to_owned();
    let Some(path) = stored_path(&state, &key).filter(|p| p.is_file()) else {
        return gone(&state, &staff, &csrf).await;
    };
    let bytes = tokio::fs::read(&path).await.map_err(WebError::internal)?;
    let (header, preview) = match peek(&bytes, PREVIEW_ROWS) {
        Ok(peeked) => peeked,
        Err(e) => return refuse(&state, &staff, &csrf, e.message).await,
    };
    let chosen: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "col")
        .map(|(_, v)| v.as_str())
        .chain(std::iter::repeat(""))
        .take(header.len())
        .collect();
    let file_name = clean_filename(field(&pairs, "file_name"));
    check_mapped(
        &state,
        &staff,
        &csrf,
        (key, file_name),
        header,
        preview,
        &chosen,
        bytes,
    )
    .await
}

/// The upload page saying the kept file is gone (409).
async fn gone(state: &AppState, staff: &SignedInStaff, csrf: &str) -> Result<Response, WebError> {
    let message = "That file is no longer here (it was imported already, or it was uploaded over a day ago). Upload it again.";
    upload_page(
        state,
        staff,
        csrf,
        Some(message.to_owned()),
        None,
        None,
        StatusCode::CONFLICT,
    )
    .await
}

/// `POST /office/customers/import/start` (form: key, file_name): starts the import of a
/// file that passed its dry run, and opens its page.
pub async fn start(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let path = stored_path(&state, field(&pairs, "key")).filter(|p| p.is_file());
    let Some(path) = path else {
        return gone(&state, &staff, &csrf).await;
    };
    let name = clean_filename(field(&pairs, "file_name"));
    let mapping = match field(&pairs, "mapping") {
        "" => None,
        text => Some(Mapping::from_text(text).map_err(AppError::Invalid)?),
    };
    let id = import::start(&state.app, &staff.actor, &name, path, mapping.as_ref()).await?;
    Ok(Redirect::to(&format!("/office/customers/import/{id}")).into_response())
}

/// The import `id` of the signed-in company, or 404.
async fn load(state: &AppState, staff: &SignedInStaff, id: &str) -> Result<ImportRow, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    state
        .store
        .import_row(staff.company.id, id)
        .await?
        .ok_or(WebError::NotFound)
}

/// `GET /office/customers/import/{id}`: how the import stands.
pub async fn show(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let r = load(&state, &staff, &id).await?;
    let (error_count, errors) = import::errors_of(&r);
    let stage = Stage::of(&r);
    let restartable = stage == Stage::Stopped && kept_file(&state, &r).is_some();
    render(
        &ShowPage {
            chrome: OfficeChrome::of(&staff, &csrf),
            id: r.id,
            noun: r.kind.clone(),
            by: r.staff_name.clone(),
            when: display::when(&staff.company.time_zone, r.created_at),
            status: stage.badge(),
            running: stage.running(),
            checking: stage == Stage::Checking,
            stopped: stage == Stage::Stopped,
            restartable,
            done: r.done,
            total: r.total,
            created: r.created,
            updated: r.updated,
            failed: stage == Stage::Failed,
            error_count,
            lines: lines_of(&errors),
            file_name: r.file_name,
        },
        StatusCode::OK,
    )
}

/// The file import `r` was started from, while it is still kept.
fn kept_file(state: &AppState, r: &ImportRow) -> Option<PathBuf> {
    let key = r.file_key.as_deref()?;
    stored_path(state, key).filter(|p| p.is_file())
}

/// `POST /office/customers/import/{id}/restart`: starts again the file of an import
/// whose node stopped, and opens the new import's page.
pub async fn restart(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(id): Path<String>,
    Form(_): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let r = load(&state, &staff, &id).await?;
    let Some(path) = kept_file(&state, &r) else {
        return Err(WebError::from(AppError::conflict(
            "unchanged",
            "This import's file is no longer here. Upload it again.",
        )));
    };
    let new = import::restart(&state.app, &staff.actor, r.id, path).await?;
    Ok(Redirect::to(&format!("/office/customers/import/{new}")).into_response())
}

/// How often the progress stream reads the import's row.
const PROGRESS_POLL: std::time::Duration = std::time::Duration::from_millis(500);

/// `{status, done, total}` of `r`.
fn progress_json(r: &ImportRow) -> String {
    serde_json::json!({"status": Stage::of(r).name(), "done": r.done, "total": r.total}).to_string()
}

/// `GET /office/customers/import/{id}/progress`: server-sent events, `event: progress`
/// with `{status, done, total}` read from the import's row whenever it changes; the
/// stream ends once the import has ended or stopped (status `done`, `failed`,
/// `stopped`), and when the server shuts down.
pub async fn progress(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let first = load(&state, &staff, &id).await?;
    let (_, closed) = state.request_events.subscribe();
    let mut poll = tokio::time::interval(PROGRESS_POLL);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    poll.reset();
    struct Feed {
        store: doorstep_store::Store,
        company: doorstep_core::ids::CompanyId,
        closed: tokio::sync::watch::Receiver<bool>,
        poll: tokio::time::Interval,
        id: i64,
        /// The row to send first, then `None`.
        next: Option<ImportRow>,
        last: String,
        ended: bool,
    }
    let feed = Feed {
        store: state.store.clone(),
        company: staff.company.id,
        closed,
        poll,
        id: first.id,
        next: Some(first),
        last: String::new(),
        ended: false,
    };
    let events = futures_util::stream::unfold(feed, |mut feed| async move {
        loop {
            if feed.ended || *feed.closed.borrow() {
                return None;
            }
            let row = match feed.next.take() {
                Some(row) => row,
                None => {
                    tokio::select! {
                        _ = feed.closed.changed() => return None,
                        _ = feed.poll.tick() => {}
                    }
                    match feed.store.import_row(feed.company, feed.id).await {
                        Ok(Some(row)) => row,
                        Ok(None) => return None,
                        Err(err) => {
                            tracing::warn!(error = %err, "cannot read an import's progress");
                            continue;
                        }
                    }
                }
            };
            feed.ended = !Stage::of(&row).running();
            let json = progress_json(&row);
            if json != feed.last || feed.ended {
                feed.last.clone_from(&json);
                let event = Event::default().event("progress").data(json);
                return Some((Ok::<Event, Infallible>(event), feed));
            }
        }
    });
    let sse = Sse::new(events).keep_alive(
        KeepAlive::new()
            .interval(std::time::Duration::from_secs(20))
            .text("keep-alive"),
    );
    Ok((
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::HeaderName::from_static("x-accel-buffering"), "no"),
        ],
        sse,
    )
        .into_response())
}

/// `/static/import-progress.js` under its plain name (pages link its hashed one).
pub async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, crate::pages::assets::SHORT),
        ],
        SCRIPT,
    )
}
