//! Requests are checked for control characters before any handler runs: in the decoded
//! path, the query and urlencoded form fields (multipart bodies are checked where uploads
//! are read). PostgreSQL refuses NUL while SQLite stores it, so without this the same
//! request answered 500 on one engine and 200 on the other.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use doorstep_core::control_chars::{
    encoded_path_has_control, is_forbidden_in_line, is_forbidden_in_text,
};

use crate::WebError;

/// The largest urlencoded form read here; the router refuses larger bodies anyway.
const MAX_FORM: usize = 1024 * 1024;

const REFUSED: &str = "The address or the form contained characters that cannot be used. \
    Go back, check what you typed and try again.";

/// The refusal: the branded 400 page, or for the JSON API a problem (`invalid-parameter`).
fn refused(path: &str) -> Response {
    if path.starts_with("/api/") {
        return crate::api::problem::Problem::new(
            "invalid-parameter",
            "The address or the body contained control characters.",
        )
        .into_response();
    }
    WebError::BadRequest(REFUSED).into_response()
}

/// Middleware: answers the branded 400 page when the path, the query or a urlencoded form
/// holds a control character (in form values tab, CR and LF are allowed).
pub async fn refuse_control_characters(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let query_bad = uri.query().is_some_and(|q| {
        form_urlencoded::parse(q.as_bytes())
            .any(|(k, v)| k.chars().chain(v.chars()).any(is_forbidden_in_line))
    });
    if encoded_path_has_control(uri.path()) || query_bad {
        tracing::info!("refused a request with control characters in its address");
        return refused(uri.path());
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let form_bad = form_urlencoded::parse(&bytes)
        .any(|(k, v)| k.chars().any(is_forbidden_in_line) || v.chars().any(is_forbidden_in_text));
    if form_bad {
        tracing::info!("refused a form with control characters");
        return refused(parts.uri.path());
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
