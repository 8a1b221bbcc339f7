//! The stylesheet, each company's brand stylesheet and its logo.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use doorstep_core::theme::HexColour;

use crate::{AppState, Tenant, WebError};

const APP_CSS: &str = include_str!("../../static/app.css");
const ESTIMATE_JS: &str = include_str!("../../static/estimate.js");
const REQUESTS_BADGE_JS: &str = include_str!("../../static/requests-badge.js");
const JOB_STATUS_JS: &str = include_str!("../../static/job-status.js");
const OFFICE_NAV_JS: &str = include_str!("../../static/office-nav.js");

/// `/static/app.css`: the one stylesheet; versioned by the release, so cached for a day.
pub async fn app_css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        APP_CSS,
    )
}

/// `/static/estimate.js`: live totals on the estimate page (progressive enhancement).
pub async fn estimate_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        ESTIMATE_JS,
    )
}

/// `/static/requests-badge.js`: the office's New-requests badge kept live by server-sent events.
pub async fn requests_badge_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        REQUESTS_BADGE_JS,
    )
}

/// `/static/job-status.js`: the portal's job statuses kept live by server-sent events.
pub async fn job_status_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        JOB_STATUS_JS,
    )
}

/// `/static/office-nav.js`: the office navigation's menus close on Escape and elsewhere
/// (progressive enhancement: they are `<details>`).
pub async fn office_nav_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
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
