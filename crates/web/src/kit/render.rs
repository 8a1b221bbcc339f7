//! Turning an askama page into a response.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};

use crate::WebError;

/// Renders an askama page into a response.
pub fn page(template: &impl Template) -> Result<Response, WebError> {
    let html = template.render().map_err(WebError::internal)?;
    Ok(Html(html).into_response())
}
