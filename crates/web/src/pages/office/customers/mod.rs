//! The office's customer book (issue 17): the customer list and its search ([`list`]),
//! one page with everything about an account ([`show`]), and the forms that create, edit,
//! deactivate and reactivate customers ([`accounts`]), contacts ([`contacts`]) and sites
//! ([`sites`]). Each write is one use case of `doorstep_app::customers`.

pub mod accounts;
pub mod contacts;
pub mod import;
pub mod list;
pub mod show;
pub mod sites;
// api-assets (issue 20)
pub mod equipment;
mod equipment_view;

pub use list::list;
pub use show::show;

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use doorstep_app::error::FieldErrors;
use doorstep_store::customer_reads::CustomerDetail;

use crate::auth::session::SignedInStaff;
use crate::extract::field;
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

/// A form as typed, and the messages next to its fields.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pairs: Vec<(String, String)>,
    errors: FieldErrors,
}

impl Draft {
    /// The form as posted, with `errors`.
    pub fn of(pairs: Vec<(String, String)>, errors: FieldErrors) -> Self {
        Draft { pairs, errors }
    }

    /// The value typed in `name` (the first, for a repeated field).
    pub fn v(&self, name: &str) -> &str {
        field(&self.pairs, name)
    }

    /// Whether `name` was posted with `value` (a ticked box, a chosen radio).
    pub fn has(&self, name: &str, value: &str) -> bool {
        self.pairs.iter().any(|(k, v)| k == name && v == value)
    }

    /// The message for `name`, if it was refused.
    pub fn e(&self, name: &str) -> Option<String> {
        self.errors.get(name)
    }

    /// Whether any field was refused.
    pub fn refused(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// A page whose confirmation step asks before a destructive action.
#[derive(Template)]
#[template(path = "office/confirm.html")]
struct ConfirmPage {
    chrome: OfficeChrome,
    title: String,
    message: String,
    action: String,
    button: String,
    back: String,
}

/// Renders the confirmation step of a destructive action.
fn confirm(
    staff: &SignedInStaff,
    csrf: &str,
    (title, message): (String, String),
    (action, button): (String, &str),
    back: String,
) -> Result<Response, WebError> {
    crate::kit::render::page(&ConfirmPage {
        chrome: OfficeChrome::of(staff, csrf),
        title,
        message,
        action,
        button: button.to_owned(),
        back,
    })
}

/// Renders `page` with `status`.
fn render(page: &impl Template, status: StatusCode) -> Result<Response, WebError> {
    crate::kit::render::page_with(status, page)
}

/// The customer of the signed-in company numbered `number`, or 404.
async fn account(
    state: &AppState,
    staff: &SignedInStaff,
    number: &str,
) -> Result<CustomerDetail, WebError> {
    staff
        .actor
        .require(doorstep_core::authz::OfficeArea::DayToDay)?;
    state
        .store
        .customer_detail(staff.company.id, number)
        .await?
        .ok_or(WebError::NotFound)
}

/// The path of customer `number`'s page.
fn page_of(number: &str) -> String {
    format!("/office/customers/{}", url_segment(number))
}

/// `segment` safe in a URL path.
fn url_segment(segment: &str) -> String {
    form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}
