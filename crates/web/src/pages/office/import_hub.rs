//! The import page (issue 18), `/office/import`: every kind a CSV file imports, each with
//! its template, its export and an upload form leading to the kind's own import page
//! (`office::imports`: column mapping, dry run, start), and the latest imports of every
//! kind with how each stands, each linking its own page.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use doorstep_core::authz::OfficeArea;
use doorstep_core::import_kinds::ImportKind;

use super::imports::{Stage, page_of, summary};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::Path;
use crate::views::OfficeChrome;
use crate::{AppState, WebError, display};

/// A kind as the page lists it.
struct KindView {
    slug: &'static str,
    label: &'static str,
    /// Its columns and what goes in each.
    columns: Vec<(&'static str, &'static str)>,
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

#[derive(Template)]
#[template(path = "office/import_hub.html")]
struct HubPage {
    chrome: OfficeChrome,
    kinds: Vec<KindView>,
    recent: Vec<Recent>,
}

async fn hub(state: &AppState, staff: &SignedInStaff, csrf: &str) -> Result<Response, WebError> {
    let zone = &staff.company.time_zone;
    let recent = state
        .store
        .recent_imports(staff.company.id, 20)
        .await?
        .into_iter()
        .map(|r| Recent {
            href: page_of(&r.kind, r.id),
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
            columns: k.columns().iter().map(|(h, _, what)| (*h, *what)).collect(),
        })
        .collect();
    crate::kit::render::page_with(
        StatusCode::OK,
        &HubPage {
            chrome: OfficeChrome::of(staff, csrf),
            kinds,
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
    hub(&state, &staff, &csrf).await
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
