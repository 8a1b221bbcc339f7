//! The stylesheet and scripts, each company's brand stylesheet and its logo.
//!
//! Pages link the stylesheet and scripts under a name carrying a hash of their bytes
//! (`/static/app.<hash>.css`, through [`static_url`]), answered with a year's immutable
//! cache: a deploy that changes a file changes its name, so no browser keeps the old one.
//! The plain names (`/static/app.css`) still answer, with a short cache, for pages and
//! bookmarks from before.

use std::sync::LazyLock;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use doorstep_core::theme::HexColour;

use crate::extract::Path;
use crate::{AppState, Tenant, WebError};

const APP_CSS: &str = include_str!("../../static/app.css");
const ESTIMATE_JS: &str = include_str!("../../static/estimate.js");
const REQUESTS_BADGE_JS: &str = include_str!("../../static/requests-badge.js");
const JOB_STATUS_JS: &str = include_str!("../../static/job-status.js");
const OFFICE_NAV_JS: &str = include_str!("../../static/office-nav.js");
const IMPORT_PROGRESS_JS: &str = include_str!("../../static/import-progress.js");

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// The cache of a file under its hashed name: its bytes never change.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// The cache of a file under its plain name: short, so a deploy shows within minutes.
pub const SHORT: &str = "public, max-age=300";

/// Every file of `static/`: its plain name, bytes and type.
const FILES: [(&str, &str, &str); 6] = [
    ("app.css", APP_CSS, CSS),
    ("estimate.js", ESTIMATE_JS, JS),
    ("requests-badge.js", REQUESTS_BADGE_JS, JS),
    ("job-status.js", JOB_STATUS_JS, JS),
    ("office-nav.js", OFFICE_NAV_JS, JS),
    ("import-progress.js", IMPORT_PROGRESS_JS, JS),
];

/// One static file under its hashed name.
struct Hashed {
    plain: &'static str,
    url: String,
    body: &'static str,
    content_type: &'static str,
}

/// The hashed names, computed once from the bytes when first asked (at the first page).
static HASHED: LazyLock<Vec<Hashed>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|&(plain, body, content_type)| Hashed {
            plain,
            url: format!("/static/{}", hashed_name(plain, body.as_bytes())),
            body,
            content_type,
        })
        .collect()
});

/// `app.css` with `bytes` → `app.<first 16 hex digits of their SHA-256>.css`.
fn hashed_name(plain: &str, bytes: &[u8]) -> String {
    use sha2::Digest;
    let hash = hex::encode(&sha2::Sha256::digest(bytes)[..8]);
    match plain.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
        None => format!("{plain}.{hash}"),
    }
}

/// The address pages link for static file `plain` (`"app.css"`): its hashed name. A
/// name not in `static/` answers itself under `/static/`, which a test would catch as a
/// missing file.
pub fn static_url(plain: &str) -> &'static str {
    HASHED
        .iter()
        .find(|h| h.plain == plain)
        .map_or("/static/missing", |h| h.url.as_str())
}

/// `/static/{file}`: a static file under its hashed name, cached for a year; any other
/// name (an old hash included) is not found.
pub async fn hashed(Path(file): Path<String>) -> Result<Response, WebError> {
    let h = HASHED
        .iter()
        .find(|h| h.url.strip_prefix("/static/") == Some(file.as_str()))
        .ok_or(WebError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, h.content_type),
            (header::CACHE_CONTROL, IMMUTABLE),
        ],
        h.body,
    )
        .into_response())
}

/// `/static/app.css`: the one stylesheet under its plain name (pages link its hashed one).
pub async fn app_css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, CSS), (header::CACHE_CONTROL, SHORT)],
        APP_CSS,
    )
}

/// `/static/estimate.js`: live totals on the estimate page (progressive enhancement).
pub async fn estimate_js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, JS), (header::CACHE_CONTROL, SHORT)],
        ESTIMATE_JS,
    )
}

/// `/static/requests-badge.js`: the office's New-requests badge kept live by server-sent events.
pub async fn requests_badge_js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, JS), (header::CACHE_CONTROL, SHORT)],
        REQUESTS_BADGE_JS,
    )
}

/// `/static/job-status.js`: the portal's job statuses kept live by server-sent events.
pub async fn job_status_js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, JS), (header::CACHE_CONTROL, SHORT)],
        JOB_STATUS_JS,
    )
}

/// `/static/office-nav.js`: the office navigation's menus close on Escape and elsewhere
/// (progressive enhancement: they are `<details>`).
pub async fn office_nav_js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, JS), (header::CACHE_CONTROL, SHORT)],
        OFFICE_NAV_JS,
    )
}

/// `/brand.css`: the company's colours as CSS variables. Colours are re-validated here,
/// so nothing stored can break out of the stylesheet.
pub async fn brand_css(Tenant(company): Tenant, headers: HeaderMap) -> Response {
    let primary = HexColour::parse(&company.brand_primary)
        .or_else(|_| HexColour::parse("#0b5cad"))
        .ok();
    let accent = HexColour::parse(&company.brand_accent)
        .or_else(|_| HexColour::parse("#f5a623"))
        .ok();
    let mut css = String::from(":root {\n");
    if let Some(p) = primary {
        // The text colour the company chose (checked for contrast when saved), else
        // black or white, whichever reads better.
        let text = HexColour::parse(&company.brand_text)
            .map(|t| t.as_str().to_owned())
            .unwrap_or_else(|_| p.readable_text().to_owned());
        css.push_str(&format!(
            "  --brand: {};\n  --brand-text: {};\n",
            p.as_str(),
            text
        ));
    }
    if let Some(a) = accent {
        css.push_str(&format!(
            "  --accent: {};\n  --accent-text: {};\n",
            a.as_str(),
            a.readable_text()
        ));
    }
    css.push_str("}\n");
    // Revalidated on every page, so new colours show at once; unchanged ones answer 304.
    let tag = etag(css.as_bytes());
    if not_modified(&headers, &tag) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8".to_owned()),
            (header::CACHE_CONTROL, "private, no-cache".to_owned()),
            (header::ETAG, tag),
        ],
        css,
    )
        .into_response()
}

/// A strong validator for `bytes`.
fn etag(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    format!("\"{}\"", hex::encode(&digest[..12]))
}

/// Whether the browser's copy (`If-None-Match`) is `tag`.
fn not_modified(headers: &HeaderMap, tag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag))
}

/// `/brand/logo`: the company's logo, a PNG it uploaded (re-encoded on upload).
pub async fn logo(
    State(state): State<AppState>,
    Tenant(company): Tenant,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let key = company.logo_key.ok_or(WebError::NotFound)?;
    // Each upload has its own key: revalidated, so a new logo shows at once.
    let tag = etag(key.as_bytes());
    if not_modified(&headers, &tag) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response());
    }
    let bytes = state.files.read(&key).await.map_err(|err| {
        if err.kind() == std::io::ErrorKind::NotFound {
            WebError::NotFound
        } else {
            WebError::internal(err)
        }
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/png".to_owned()),
            (header::CACHE_CONTROL, "private, no-cache".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "inline; filename=\"logo.png\"".to_owned(),
            ),
            (header::ETAG, tag),
        ],
        bytes,
    )
        .into_response())
}
