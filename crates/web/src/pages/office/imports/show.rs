//! An import's own page, `/office/import/{kind}/{id}`, for any kind: how it stands (read
//! from the import's row, so any node shows it), its progress streamed as server-sent
//! events to `/static/import-progress.js` (without JavaScript the page is refreshed by
//! hand; a reload shows where it is now), what it came to, and the bad rows with their
//! line numbers. An import whose node stopped shows as Stopped, with a button that starts
//! its file again. Another company's import, or one of another kind, is not found.

use std::convert::Infallible;

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::customers::import;
use doorstep_core::authz::OfficeArea;
use doorstep_core::import_kinds::ImportKind;
use doorstep_store::imports::ImportRow;

use super::{Stage, kept_file, kind_named, lines_of, list_of, page_of};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::views::OfficeChrome;
use crate::{AppState, WebError, display};

#[derive(Template)]
#[template(path = "office/imports/show.html")]
struct ShowPage {
    chrome: OfficeChrome,
    id: i64,
    /// The kind's name in paths (`sites`).
    slug: String,
    /// How the page names the kind (`Sites`).
    label: &'static str,
    /// What the file held, in a sentence (`sites`).
    noun: String,
    /// Where the kind's records are listed, and that page's name.
    list: (&'static str, &'static str),
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

/// The import `id` of the signed-in company whose file held `kind`, or 404.
async fn load_kind(
    state: &AppState,
    staff: &SignedInStaff,
    kind: &str,
    id: &str,
) -> Result<(ImportKind, ImportRow), WebError> {
    let kind = kind_named(kind)?;
    let r = load(state, staff, id).await?;
    if r.kind != kind.as_str() {
        return Err(WebError::NotFound);
    }
    Ok((kind, r))
}

/// `GET /office/import/{kind}/{id}`: how the import stands.
pub async fn show(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (kind, r) = load_kind(&state, &staff, &kind, &id).await?;
    let (error_count, errors) = import::errors_of(&r);
    let stage = Stage::of(&r);
    let restartable = stage == Stage::Stopped && kept_file(&state, &r).is_some();
    crate::kit::render::page_with(
        StatusCode::OK,
        &ShowPage {
            chrome: OfficeChrome::of(&staff, &csrf),
            id: r.id,
            slug: kind.as_str().to_owned(),
            label: kind.label(),
            noun: kind.label().to_lowercase(),
            list: list_of(kind),
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
    )
}

/// `GET /office/customers/import/{id}` (its older address, for any kind): sent on to the
/// import's own page.
pub(crate) async fn redirect_of(
    state: &AppState,
    staff: &SignedInStaff,
    id: &str,
) -> Result<Response, WebError> {
    let r = load(state, staff, id).await?;
    Ok(Redirect::to(&page_of(&r.kind, r.id)).into_response())
}

/// `POST /office/import/{kind}/{id}/restart`: starts again the file of an import whose
/// node stopped, and opens the new import's page.
pub async fn restart(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path((kind, id)): Path<(String, String)>,
    Form(_): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (_, r) = load_kind(&state, &staff, &kind, &id).await?;
    restart_row(&state, &staff, r).await
}

/// `POST /office/customers/import/{id}/restart` (its older address, for any kind).
pub(crate) async fn restart_of(
    state: &AppState,
    staff: &SignedInStaff,
    id: &str,
) -> Result<Response, WebError> {
    let r = load(state, staff, id).await?;
    restart_row(state, staff, r).await
}

async fn restart_row(
    state: &AppState,
    staff: &SignedInStaff,
    r: ImportRow,
) -> Result<Response, WebError> {
    let Some(path) = kept_file(state, &r) else {
        return Err(WebError::from(AppError::conflict(
            "unchanged",
            "This import's file is no longer here. Upload it again.",
        )));
    };
    let new = import::restart(&state.app, &staff.actor, r.id, path).await?;
    Ok(Redirect::to(&page_of(&r.kind, new)).into_response())
}

/// How often the progress stream reads the import's row.
const PROGRESS_POLL: std::time::Duration = std::time::Duration::from_millis(500);

/// `{status, done, total}` of `r`.
fn progress_json(r: &ImportRow) -> String {
    serde_json::json!({"status": Stage::of(r).name(), "done": r.done, "total": r.total}).to_string()
}

/// `GET /office/import/{kind}/{id}/progress`: server-sent events, `event: progress` with
/// `{status, done, total}` read from the import's row whenever it changes; the stream
/// ends once the import has ended or stopped (status `done`, `failed`, `stopped`), and
/// when the server shuts down.
pub async fn progress(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (_, first) = load_kind(&state, &staff, &kind, &id).await?;
    Ok(stream(&state, &staff, first))
}

/// `GET /office/customers/import/{id}/progress` (its older address, for any kind).
pub(crate) async fn progress_of(
    state: &AppState,
    staff: &SignedInStaff,
    id: &str,
) -> Result<Response, WebError> {
    let first = load(state, staff, id).await?;
    Ok(stream(state, staff, first))
}

/// The progress stream of import `first`, starting with it as it was read.
fn stream(state: &AppState, staff: &SignedInStaff, first: ImportRow) -> Response {
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
    (
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::HeaderName::from_static("x-accel-buffering"), "no"),
        ],
        sse,
    )
        .into_response()
}
