//! The customers import's older addresses, `/office/customers/import...` (issue 18), kept
//! working for bookmarks and forms already open: each answers through the import pages of
//! every kind (`office::imports`) with the kind customers, and an import's page sends on
//! to `/office/import/{kind}/{id}`.

use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use doorstep_core::import_kinds::ImportKind;

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::pages::office::imports::{show as import_page, upload};
use crate::{AppState, WebError};

/// The import's script, served as a static file.
const SCRIPT: &str = include_str!("../../../../static/import-progress.js");

/// `GET /office/customers/import`: the customers' import page.
pub async fn form(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, WebError> {
    upload::form_of(&state, &staff, &csrf, ImportKind::Customers).await
}

/// `GET /office/customers/import/template.csv`: the customers' template.
pub async fn template(staff: SignedInStaff) -> Result<Response, WebError> {
    super::super::import_hub::template(staff, Path("customers".to_owned())).await
}

/// `POST /office/customers/import` (multipart: file): the customers file's columns and
/// dry run.
pub async fn dry_run(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, WebError> {
    upload::dry_run_of(
        &state,
        &staff,
        &csrf,
        ImportKind::Customers,
        &headers,
        multipart,
    )
    .await
}

/// `POST /office/customers/import/check`: the dry run with the columns as chosen.
pub async fn check_columns(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    upload::check_columns_of(&state, &staff, &csrf, ImportKind::Customers, &pairs).await
}

/// `POST /office/customers/import/start`: starts the import, and opens its page.
pub async fn start(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    upload::start_of(&state, &staff, &csrf, ImportKind::Customers, &pairs).await
}

/// `GET /office/customers/import/{id}`: sent on to the import's own page.
pub async fn show(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    import_page::redirect_of(&state, &staff, &id).await
}

/// `POST /office/customers/import/{id}/restart`: starts a stopped import's file again.
pub async fn restart(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(id): Path<String>,
    Form(_): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    import_page::restart_of(&state, &staff, &id).await
}

/// `GET /office/customers/import/{id}/progress`: the import's progress stream.
pub async fn progress(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    import_page::progress_of(&state, &staff, &id).await
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
