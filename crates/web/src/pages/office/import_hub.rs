//! The import page (issue 18), `/office/import`: every kind a CSV file imports, each with
//! its template and its export, an upload form for contacts and sites (customers have
//! their own page, with the column mapping), and the latest imports of every kind with
//! how each stands. A contacts or sites file goes through the same pipeline as customers
//! (`doorstep_app::customers::import`): dry run here, then the import in the background,
//! followed on the import's own page.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::customers::import::{self, Checked};
use doorstep_core::authz::OfficeArea;
use doorstep_core::import_kinds::ImportKind;

use super::customers::import::{Stage, keep, lines_of, read_file, stored_path, summary};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path, field};
use crate::uploads::clean_filename;
use crate::views::OfficeChrome;
use crate::{AppState, WebError, display};

/// A kind as the page lists it.
struct KindView {
    slug: &'static str,
    label: &'static str,
    /// Where its file is uploaded.
    upload: String,
    /// Its columns and what goes in each.
    columns: Vec<(&'static str, &'static str)>,
    /// Why its file was just refused as a whole.
    error: Option<String>,
}

/// An import listed on the page.
struct Recent {
    href: String,
    kind: String,
    file_name: String,
    when: String,
    status: (&'static str, &'static str),
    summary: String,
}

/// A dry run as the page shows it.
struct DryRun {
    slug: &'static str,
    label: &'static str,
    file_name: String,
    c: Checked,
    lines: Vec<String>,
    /// The kept file's key, when it may be imported.
    key: Option<String>,
}

#[derive(Template)]
#[template(path = "office/import_hub.html")]
struct HubPage {
    chrome: OfficeChrome,
    kinds: Vec<KindView>,
    checked: Option<DryRun>,
    recent: Vec<Recent>,
}

async fn hub(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    file_error: Option<(&'static str, String)>,
    checked: Option<DryRun>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let zone = &staff.company.time_zone;
    let recent = state
        .store
        .recent_imports(staff.company.id, 20)
        .await?
        .into_iter()
        .map(|r| Recent {
            href: format!("/office/customers/import/{}", r.id),
            kind: ImportKind::parse(&r.kind).map_or(r.kind.clone(), |k| k.label().to_owned()),
            when: display::when(zone, r.created_at),
            status: Stage::of(&r).badge(),
            summary: summary(&r),
            file_name: r.file_name,
        })
        .collect();
    let kinds = ImportKind::ALL
        .into_iter()
        .map(|k| KindView {
            slug: k.as_str(),
            label: k.label(),
            upload: match k {
                ImportKind::Customers => "/office/customers/import".to_owned(),
                _ => format!("/office/import/{}", k.as_str()),
            },
            columns: k.columns().iter().map(|(h, _, what)| (*h, *what)).collect(),
            error: file_error
                .as_ref()
                .filter(|(slug, _)| *slug == k.as_str())
                .map(|(_, m)| m.clone()),
        })
        .collect();
    crate::kit::render::page_with(
        status,
        &HubPage {
            chrome: OfficeChrome::of(staff, csrf),
            kinds,
            checked,
            recent,
        },
    )
}

/// `GET /office/import`.
pub async fn page(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    hub(&state, &staff, &csrf, None, None, StatusCode::OK).await
}

/// A kind whose file this page uploads (contacts or sites), or 404.
fn uploaded_kind(slug: &str) -> Result<ImportKind, WebError> {
    ImportKind::parse(slug)
        .filter(|k| *k != ImportKind::Customers)
        .ok_or(WebError::NotFound)
}

/// `GET /office/import/{kind}/template.csv`: the kind's columns and one example row.
pub async fn template(
    staff: SignedInStaff,
    Path(kind): Path<String>,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let kind = ImportKind::parse(&kind).ok_or(WebError::NotFound)?;
    let disposition = format!("attachment; filename=\"{}-template.csv\"", kind.as_str());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        kind.template_csv(),
    )
        .into_response())
}

/// `POST /office/import/{kind}` (multipart: file): keeps the file and shows its dry run.
pub async fn dry_run(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(slug): Path<String>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let kind = uploaded_kind(&slug)?;
    let refused = StatusCode::UNPROCESSABLE_ENTITY;
    let (file_name, bytes) = match read_file(&headers, multipart).await? {
        Ok(file) => file,
        Err(message) => {
            return hub(
                &state,
                &staff,
                &csrf,
                Some((kind.as_str(), message)),
                None,
                refused,
            )
            .await;
        }
    };
    let c = match import::check_kind(&state.app, &staff.actor, kind, bytes.clone(), None).await {
        Ok(c) => c,
        Err(AppError::Invalid(e)) => {
            return hub(
                &state,
                &staff,
                &csrf,
                Some((kind.as_str(), e.message)),
                None,
                refused,
            )
            .await;
        }
        Err(other) => return Err(other.into()),
    };
    let key = if c.error_count == 0 {
        Some(keep(&state, bytes).await?)
    } else {
        None
    };
    let status = if c.error_count == 0 {
        StatusCode::OK
    } else {
        refused
    };
    let run = DryRun {
        slug: kind.as_str(),
        label: kind.label(),
        file_name,
        lines: lines_of(&c.errors),
        key,
        c,
    };
    hub(&state, &staff, &csrf, None, Some(run), status).await
}

/// `POST /office/import/{kind}/start` (form: key, file_name): starts the import of a
/// file that passed its dry run, and opens its page.
pub async fn start(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(slug): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let kind = uploaded_kind(&slug)?;
    let Some(path) = stored_path(&state, field(&pairs, "key")).filter(|p| p.is_file()) else {
        let message = "That file is no longer here (it was imported already, or it was uploaded over a day ago). Upload it again.";
        return hub(
            &state,
            &staff,
            &csrf,
            Some((kind.as_str(), message.to_owned())),
            None,
            StatusCode::CONFLICT,
        )
        .await;
    };
    let name = clean_filename(field(&pairs, "file_name"));
    let id = import::start_kind(&state.app, &staff.actor, kind, &name, path, None).await?;
    Ok(Redirect::to(&format!("/office/customers/import/{id}")).into_response())
}
