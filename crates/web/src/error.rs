//! The web layer's one error type, and how it becomes a page.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use doorstep_store::StoreError;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// The host names no company we serve.
    #[error("unknown host")]
    UnknownHost,
    /// Nothing here, or nothing the visitor may see (the two look the same on purpose).
    #[error("not found")]
    NotFound,
    /// The request itself is malformed (e.g. control characters in its address or form);
    /// carries what to tell the person.
    #[error("bad request")]
    BadRequest(&'static str),
    /// Refused: a forged or stale form, or an action this person may not take.
    #[error("forbidden")]
    Forbidden(&'static str),
    /// The page needs a signed-in person; carries where to sign in.
    #[error("sign-in required")]
    SignInRequired(&'static str),
    /// A link that was valid once but is used up or expired.
    #[error("link expired")]
    LinkExpired,
    /// A form, query or path value the handler cannot read (a word where a number
    /// belongs, a missing field, the wrong content type), with the status axum gives it.
    #[error("unreadable request: {0}")]
    Unreadable(StatusCode),
    /// The change clashes with a record that exists (a unique rule); pages with a form
    /// answer the clash next to its field themselves, this is the fallback.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Too much of one kind of work at once (uploads); the message says to try again.
    #[error("busy")]
    Busy(&'static str),
    /// Anything unexpected; the details are logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => WebError::NotFound,
            StoreError::Conflict(rule) => WebError::Conflict(rule),
            other => WebError::Internal(other.to_string()),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
    reference: Option<String>,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, title, message, reference) = match &self {
            WebError::UnknownHost => (
                StatusCode::NOT_FOUND,
                "No portal at this address",
                "We couldn't find a customer portal here. Check the address your service company gave you.",
                None,
            ),
            WebError::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is nothing at this address, or it is not yours to see.",
                None,
            ),
            WebError::BadRequest(message) => {
                (StatusCode::BAD_REQUEST, "Bad request", *message, None)
            }
            WebError::Forbidden(message) => (StatusCode::FORBIDDEN, "Not allowed", *message, None),
            WebError::SignInRequired(to) => {
                return axum::response::Redirect::to(to).into_response();
            }
            WebError::Busy(message) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Busy right now",
                *message,
                None,
            ),
            WebError::LinkExpired => (
                StatusCode::GONE,
                "This link has expired",
                "The link was already used or is too old. Ask for a new one.",
                None,
            ),
            WebError::Unreadable(status) => {
                let (title, message) = if *status == StatusCode::PAYLOAD_TOO_LARGE {
                    (
                        "That was too large",
                        "What you sent is larger than we accept. Go back and send less at once.",
                    )
                } else {
                    (
                        "We couldn't read that",
                        "Part of what was sent is missing or not in the form we expect. Go back, check the page and try again.",
                    )
                };
                let status = if status.is_client_error() {
                    *status
                } else {
                    StatusCode::BAD_REQUEST
                };
                (status, title, message, None)
            }
            WebError::Conflict(rule) => {
                tracing::info!(rule = %rule, "request clashed with an existing record");
                (
                    StatusCode::CONFLICT,
                    "That already exists",
                    "Something with the same details already exists, so nothing was changed. Go back, change what you entered and try again.",
                    None,
                )
            }
            WebError::Internal(detail) => {
                let reference = crate::security::random_hex(8);
                // Logged once, here, where it becomes a response; the page shows only the reference.
                tracing::error!(reference = %reference, error = %detail, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Sorry, we couldn't complete that. Please try again in a moment.",
                    Some(reference),
                )
            }
        };
        let page = ErrorPage {
            title,
            message,
            reference,
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, title.to_owned()).into_response(),
        }
    }
}
