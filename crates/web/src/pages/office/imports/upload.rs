//! A kind's import page, `/office/import/{kind}`, for any office staff member (like
//! adding the records by hand): upload → the file's columns matched with the kind's
//! (guessed by their headers, a preview of the first rows, each required column enforced
//! beside it) → the dry run (every bad row listed, counts to create and to update,
//! nothing written) → the import in the background, followed on its own page.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::customers::import::{self, Checked};
use doorstep_core::authz::OfficeArea;
use doorstep_core::customer_import::{Column, MAX_FILE_BYTES, peek};
use doorstep_core::import_kinds::ImportKind;
use doorstep_core::import_mapping::{Mapping, MappingErrors, guess_all, is_required};

use super::{Stage, keep, kind_named, lines_of, list_of, page_of, read_file, stored_path, summary};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path, field};
use crate::uploads::clean_filename;
use crate::views::OfficeChrome;
use crate::{AppState, WebError, display};

/// Rows the mapping previews.
const PREVIEW_ROWS: usize = 5;
/// Imports of the kind the page lists.
const RECENT: usize = 10;

/// A column of the kind, as the page explains it.
struct ColumnView {
    header: &'static str,
    what: &'static str,
    required: bool,
}

/// Each of `columns` as the page explains it.
fn column_views(columns: &'static [Column]) -> Vec<ColumnView> {
    columns
        .iter()
        .enumerate()
        .map(|(i, (header, _, what))| ColumnView {
            header,
            what,
            required: is_required(columns, i),
        })
        .collect()
}

/// An import listed on the page.
struct Recent {
    href: String,
    file_name: String,
    when: String,
    status: (&'static str, &'static str),
    summary: String,
}

#[derive(Template)]
#[template(path = "office/imports/upload.html")]
struct UploadPage {
    chrome: OfficeChrome,
    /// The kind's name in paths (`contacts`).
    slug: &'static str,
    /// How the page names it (`Contacts`).
    label: &'static str,
    /// Where its records are listed, and that page's name.
    list: (&'static str, &'static str),
    columns: Vec<ColumnView>,
    max_mb: usize,
    /// Why the file was refused as a whole.
    file_error: Option<String>,
    /// The columns of the file just sent, to match with the kind's.
    mapping: Option<MapView>,
    /// The dry run of the file just sent.
    checked: Option<DryRun>,
    recent: Vec<Recent>,
}

/// A column of the file on the mapping form.
struct MapColumn {
    /// Its select's id.
    id: String,
    /// Its header in the file.
    header: String,
    /// The kind's column it is read as (empty: ignored).
    chosen: &'static str,
    error: Option<String>,
}

/// A required column of the kind, and where it is read from.
struct RequiredView {
    header: &'static str,
    /// Its error's id (`required-customer`).
    id: String,
    /// The file's header it is read from.
    from: Option<String>,
    error: Option<String>,
}

/// The mapping form: the kept file, its columns with the kind's column each is read as,
/// its first rows, and the required columns.
struct MapView {
    key: String,
    file_name: String,
    columns: Vec<MapColumn>,
    /// The kind's columns, each select's choices.
    fields: Vec<ColumnView>,
    required: Vec<RequiredView>,
    preview: Vec<Vec<String>>,
    /// Why the columns cannot be read so, said once for the whole form.
    error: Option<String>,
}

/// A dry run as the page shows it.
struct DryRun {
    file_name: String,
    c: Checked,
    lines: Vec<String>,
    /// The kept file's key, when it may be imported.
    key: Option<String>,
    /// The mapping it was checked with, for the import.
    mapping: String,
}

/// What the page shows besides the kind's columns and recent imports.
#[derive(Default)]
struct Shown {
    file_error: Option<String>,
    mapping: Option<MapView>,
    checked: Option<DryRun>,
}

async fn upload_page(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    kind: ImportKind,
    shown: Shown,
    status: StatusCode,
) -> Result<Response, WebError> {
    let zone = &staff.company.time_zone;
    // The latest imports of every kind, this kind's kept: a handful, read to show.
    let recent = state
        .store
        .recent_imports(staff.company.id, 50)
        .await?
        .into_iter()
        .filter(|r| r.kind == kind.as_str())
        .take(RECENT)
        .map(|r| Recent {
            href: page_of(&r.kind, r.id),
            when: display::when(zone, r.created_at),
            status: Stage::of(&r).badge(),
            summary: summary(&r),
            file_name: r.file_name,
        })
        .collect();
    let columns = kind.columns();
    crate::kit::render::page_with(
        status,
        &UploadPage {
            chrome: OfficeChrome::of(staff, csrf),
            slug: kind.as_str(),
            label: kind.label(),
            list: list_of(kind),
            columns: column_views(columns),
            max_mb: MAX_FILE_BYTES / (1024 * 1024),
            file_error: shown.file_error,
            mapping: shown.mapping,
            checked: shown.checked,
            recent,
        },
    )
}

/// The page refusing the file as a whole with `message` (422).
async fn refuse(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    kind: ImportKind,
    message: String,
) -> Result<Response, WebError> {
    let shown = Shown {
        file_error: Some(message),
        ..Shown::default()
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    upload_page(state, staff, csrf, kind, shown, status).await
}

/// The page saying the kept file is gone (409).
async fn gone(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    kind: ImportKind,
) -> Result<Response, WebError> {
    let message = "That file is no longer here (it was imported already, or it was uploaded over a day ago). Upload it again.";
    let shown = Shown {
        file_error: Some(message.to_owned()),
        ..Shown::default()
    };
    upload_page(state, staff, csrf, kind, shown, StatusCode::CONFLICT).await
}

/// `GET /office/import/{kind}`: the upload form, the kind's columns and its latest imports.
pub async fn form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(kind): Path<String>,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let kind = kind_named(&kind)?;
    form_of(&state, &staff, &csrf, kind).await
}

/// [`form`] of `kind`.
pub(crate) async fn form_of(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    kind: ImportKind,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    upload_page(state, staff, csrf, kind, Shown::default(), StatusCode::OK).await
}

/// `POST /office/import/{kind}` (multipart: file): keeps the file and shows its columns
/// matched with the kind's by their headers, its first rows, and the dry run with that
/// match when every required column is matched.
pub async fn dry_run(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(kind): Path<String>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let kind = kind_named(&kind)?;
    dry_run_of(&state, &staff, &csrf, kind, &headers, multipart).await
}

/// [`dry_run`] of `kind`.
pub(crate) async fn dry_run_of(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    kind: ImportKind,
    headers: &HeaderMap,
    multipart: Multipart,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let (file_name, bytes) = match read_file(headers, multipart).await? {
        Ok(file) => file,
        Err(message) => return refuse(state, staff, csrf, kind, message).await,
    };
    // The file as a whole first (encoding, delimiter, size): refused before it is kept.
    let (header, preview) = match peek(&bytes, PREVIEW_ROWS) {
        Ok(peeked) => peeked,
        Err(e) => return refuse(state, staff, csrf, kind, e.message).await,
    };
    let chosen = guess_all(kind.columns(), &header);
    let key = keep(state, bytes.clone()).await?;
    let file = Sent {
        key,
        file_name,
        header,
        preview,
        bytes,
    };
    // A guess that misses a required column is a question, not a mistake: 200.
    check_mapped(state, staff, csrf, kind, file, &chosen, StatusCode::OK).await
}

/// A kept file on its way through the mapping.
struct Sent {
    key: String,
    file_name: String,
    header: Vec<String>,
    preview: Vec<Vec<String>>,
    bytes: Vec<u8>,
}

/// The mapping form for the kept `file` with the kind's columns `chosen` for its columns,
/// and the dry run of the file read so when the choice is valid (else the page, with
/// `refused` as its status and each problem beside its field).
async fn check_mapped(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    kind: ImportKind,
    file: Sent,
    chosen: &[&str],
    refused: StatusCode,
) -> Result<Response, WebError> {
    let columns = kind.columns();
    let parsed = Mapping::parse(columns, chosen);
    let errors = parsed.as_ref().err().cloned().unwrap_or_default();
    let mut map = map_view(kind, &file, chosen, &errors);
    let mapping = match parsed {
        Ok(m) => m,
        Err(e) => {
            map.error = Some(e.summary());
            let shown = Shown {
                mapping: Some(map),
                ..Shown::default()
            };
            return upload_page(state, staff, csrf, kind, shown, refused).await;
        }
    };
    let checked = import::check_kind(
        &state.app,
        &staff.actor,
        kind,
        file.bytes,
        Some(mapping.clone()),
    )
    .await;
    let c = match checked {
        Ok(c) => c,
        Err(AppError::Invalid(e)) => {
            map.error = Some(e.message);
            let shown = Shown {
                mapping: Some(map),
                ..Shown::default()
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return upload_page(state, staff, csrf, kind, shown, status).await;
        }
        Err(other) => return Err(other.into()),
    };
    let status = if c.error_count == 0 {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let run = DryRun {
        file_name: file.file_name,
        lines: lines_of(&c.errors),
        key: (c.error_count == 0).then_some(file.key),
        mapping: mapping.to_text(columns),
        c,
    };
    let shown = Shown {
        mapping: Some(map),
        checked: Some(run),
        ..Shown::default()
    };
    upload_page(state, staff, csrf, kind, shown, status).await
}

/// The mapping form of `file` with `chosen` (kept as chosen) and `errors` beside their fields.
fn map_view(kind: ImportKind, file: &Sent, chosen: &[&str], errors: &MappingErrors) -> MapView {
    let columns = kind.columns();
    let known = |c: &str| {
        columns
            .iter()
            .find(|(h, _, _)| *h == c)
            .map_or("", |(h, _, _)| *h)
    };
    let map_columns: Vec<MapColumn> = file
        .header
        .iter()
        .enumerate()
        .map(|(i, header)| MapColumn {
            id: format!("col-{}", i + 1),
            header: header.clone(),
            chosen: chosen.get(i).map_or("", |c| known(c.trim())),
            error: errors.of_column(i).map(str::to_owned),
        })
        .collect();
    let required = columns
        .iter()
        .enumerate()
        .filter(|(i, _)| is_required(columns, *i))
        .map(|(_, (h, _, _))| RequiredView {
            header: h,
            id: format!("required-{h}"),
            from: map_columns
                .iter()
                .find(|c| c.chosen == *h)
                .map(|c| c.header.clone()),
            error: errors.of_missing(h).map(str::to_owned),
        })
        .collect();
    MapView {
        key: file.key.clone(),
        file_name: file.file_name.clone(),
        columns: map_columns,
        fields: column_views(columns),
        required,
        preview: file.preview.clone(),
        error: None,
    }
}

/// `POST /office/import/{kind}/check` (form: key, file_name, one `col` per column of the
/// file): the dry run of the kept file with its columns read as chosen.
pub async fn check_columns(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(kind): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let kind = kind_named(&kind)?;
    check_columns_of(&state, &staff, &csrf, kind, &pairs).await
}

/// [`check_columns`] of `kind`.
pub(crate) async fn check_columns_of(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    kind: ImportKind,
    pairs: &[(String, String)],
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let key = field(pairs, "key").to_owned();
    let Some(path) = stored_path(state, &key).filter(|p| p.is_file()) else {
        return gone(state, staff, csrf, kind).await;
    };
    let bytes = tokio::fs::read(&path).await.map_err(WebError::internal)?;
    let (header, preview) = match peek(&bytes, PREVIEW_ROWS) {
        Ok(peeked) => peeked,
        Err(e) => return refuse(state, staff, csrf, kind, e.message).await,
    };
    let chosen: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "col")
        .map(|(_, v)| v.as_str())
        .chain(std::iter::repeat(""))
        .take(header.len())
        .collect();
    let file = Sent {
        key,
        file_name: clean_filename(field(pairs, "file_name")),
        header,
        preview,
        bytes,
    };
    let refused = StatusCode::UNPROCESSABLE_ENTITY;
    check_mapped(state, staff, csrf, kind, file, &chosen, refused).await
}

/// `POST /office/import/{kind}/start` (form: key, file_name, mapping): starts the import
/// of a file that passed its dry run, and opens its page.
pub async fn start(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(kind): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let kind = kind_named(&kind)?;
    start_of(&state, &staff, &csrf, kind, &pairs).await
}

/// [`start`] of `kind`.
pub(crate) async fn start_of(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    kind: ImportKind,
    pairs: &[(String, String)],
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let Some(path) = stored_path(state, field(pairs, "key")).filter(|p| p.is_file()) else {
        return gone(state, staff, csrf, kind).await;
    };
    let name = clean_filename(field(pairs, "file_name"));
    // Without a mapping (a form of an older page) the columns are read by their headers.
    let mapping = match field(pairs, "mapping") {
        "" => None,
        text => Some(Mapping::from_text(kind.columns(), text).map_err(AppError::Invalid)?),
    };
    let id = import::start_kind(
        &state.app,
        &staff.actor,
        kind,
        &name,
        path,
        mapping.as_ref(),
    )
    .await?;
    Ok(Redirect::to(&page_of(kind.as_str(), id)).into_response())
}
