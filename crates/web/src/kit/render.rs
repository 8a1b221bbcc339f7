//! Turning an askama page into a response.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};

use crate::WebError;

/// Renders an askama page into a response.
pub fn page(template: &impl Template) -> Result<Response, WebError> {
    let html = template
        .render()
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(Html(html).into_response())
}
