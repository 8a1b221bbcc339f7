//! Turning an askama page into a response.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::WebError;

/// Renders an askama page into a response.
pub fn page(template: &impl Template) -> Result<Response, WebError> {
    page_with(StatusCode::OK, template)
}

/// Renders an askama page into a response with `status` (a form answered again with its
/// errors: 422; a clash: 409).
pub fn page_with(status: StatusCode, template: &impl Template) -> Result<Response, WebError> {
    let html = template.render().map_err(WebError::internal)?;
    Ok((status, Html(html)).into_response())
}
