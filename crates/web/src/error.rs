//! The web layer's one error type, and how it becomes a page.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use doorstep_app::AppError;
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
    /// A use case refused the change (a wrong field, a state that does not allow it) and
    /// the page has no form to show it beside: the message, with 422 or 409.
    #[error("refused: {1}")]
    Refused(StatusCode, String),
    /// Too much of one kind of work at once (uploads); the message says to try again.
    #[error("busy")]
    Busy(&'static str),
    /// Anything unexpected, with its cause (a lower layer's error, or a plain message
    /// where there is none); the cause chain is logged, never shown.
    #[error("internal error")]
    Internal(#[source] BoxError),
}

/// Any error that can cross threads, as the cause of [`WebError::Internal`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl WebError {
    /// An internal error caused by `cause`: any error type (kept whole, with its own
    /// sources), or a plain message (`String` / `&str`) where there is no error to keep.
    pub fn internal(cause: impl Into<BoxError>) -> Self {
        WebError::Internal(cause.into())
    }
}

impl From<StoreError> for WebError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => WebError::NotFound,
            StoreError::Conflict(rule) => WebError::Conflict(rule),
            other => WebError::internal(other),
        }
    }
}

impl From<AppError> for WebError {
    fn from(err: AppError) -> Self {
        match err {
            AppError::NotFound => WebError::NotFound,
            AppError::Invalid(e) => WebError::Refused(StatusCode::UNPROCESSABLE_ENTITY, e.message),
            AppError::Conflict { message, .. } => WebError::Refused(StatusCode::CONFLICT, message),
            AppError::Duplicate(rule) => WebError::Conflict(rule),
            AppError::Store(e) => WebError::from(e),
            e @ AppError::Internal(_) => WebError::internal(e),
        }
    }
}

/// `err` and each of its sources, joined with ": ". A source whose text its parent
/// already ends with (a `"... : {0}"` message over a `#[source]`) is not repeated.
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut next = err.source();
    while let Some(cause) = next {
        let part = cause.to_string();
        if !text.ends_with(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        next = cause.source();
    }
    text
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
    reference: Option<String>,
    /// The company's branding, when the host names a company.
    brand: Option<crate::views::Brand>,
    /// The way back home (link, label), with the branding.
    back: Option<(&'static str, &'static str)>,
}

/// The company frame of an error page: its branding and the link home of the audience.
pub struct WayBack {
    /// Branding.
    pub brand: crate::views::Brand,
    /// Home of the portal or the office.
    pub href: &'static str,
    /// What the link says.
    pub label: &'static str,
}

/// What an error page said, kept on the response so the chrome layer can draw it again
/// inside the company's frame (it knows the host; `IntoResponse` does not).
#[derive(Debug, Clone)]
pub struct ErrorShown {
    title: &'static str,
    message: String,
    reference: Option<String>,
}

impl ErrorShown {
    /// The page drawn again with `way_back`, or `None` if it cannot be rendered.
    pub fn render(&self, way_back: WayBack) -> Option<String> {
        ErrorPage {
            title: self.title,
            message: &self.message,
            reference: self.reference.clone(),
            back: Some((way_back.href, way_back.label)),
            brand: Some(way_back.brand),
        }
        .render()
        .ok()
    }
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
            WebError::Refused(status, message) => {
                (*status, "That could not be done", message.as_str(), None)
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
            WebError::Internal(cause) => {
                let reference = crate::security::random_hex(8);
                // Logged once, here, where it becomes a response, with the whole cause chain;
                // the page shows only the reference.
                let error = chain(cause.as_ref());
                tracing::error!(reference = %reference, error = %error, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Sorry, we couldn't complete that. Please try again in a moment.",
                    Some(reference),
                )
            }
        };
        let shown = ErrorShown {
            title,
            message: message.to_owned(),
            reference: reference.clone(),
        };
        let page = ErrorPage {
            title,
            message,
            reference,
            brand: None,
            back: None,
        };
        let mut response = match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, title.to_owned()).into_response(),
        };
        response.extensions_mut().insert(shown);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot store the upload")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn an_internal_error_keeps_its_cause_and_logs_the_whole_chain() {
        let err = WebError::internal(Outer(std::io::Error::other("disk full")));
        let cause = err.source().map(ToString::to_string);
        assert_eq!(cause.as_deref(), Some("cannot store the upload"));
        let WebError::Internal(cause) = &err else {
            panic!("not internal: {err:?}");
        };
        assert_eq!(chain(cause.as_ref()), "cannot store the upload: disk full");
    }

    #[derive(Debug, thiserror::Error)]
    #[error("database error: {0}")]
    struct Echoing(#[source] std::io::Error);

    #[test]
    fn a_cause_already_in_its_parents_message_is_not_repeated() {
        let err = WebError::internal(Echoing(std::io::Error::other("pool timed out")));
        let WebError::Internal(cause) = &err else {
            panic!("not internal: {err:?}");
        };
        assert_eq!(chain(cause.as_ref()), "database error: pool timed out");
    }

    #[test]
    fn a_store_failure_becomes_an_internal_error_that_keeps_it() {
        let err = WebError::from(StoreError::Unreachable("refused".to_owned()));
        let WebError::Internal(cause) = &err else {
            panic!("not internal: {err:?}");
        };
        assert!(cause.downcast_ref::<StoreError>().is_some(), "{cause:?}");
        assert_eq!(chain(cause.as_ref()), "cannot reach the database: refused");
    }

    #[test]
    fn a_plain_message_is_still_an_internal_error() {
        let err = WebError::internal("no key to seal with");
        let WebError::Internal(cause) = &err else {
            panic!("not internal: {err:?}");
        };
        assert_eq!(chain(cause.as_ref()), "no key to seal with");
    }

    #[test]
    fn the_page_shows_neither_the_cause_nor_its_chain() {
        let response =
            WebError::internal(Outer(std::io::Error::other("disk full"))).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = body_text(response);
        assert!(
            !body.contains("disk full") && !body.contains("upload"),
            "{body}"
        );
        assert!(body.contains("Something went wrong"), "{body}");
    }

    fn body_text(response: Response) -> String {
        let bytes = tokio::runtime::Builder::new_current_thread()
            .build()
            .map(|rt| rt.block_on(axum::body::to_bytes(response.into_body(), usize::MAX)));
        match bytes {
            Ok(Ok(b)) => String::from_utf8_lossy(&b).into_owned(),
            other => panic!("no body: {other:?}"),
        }
    }
}
