//! The office's view of outgoing email: what was queued, sent or failed. Without an SMTP
//! server configured this is where emails wait, so an administrator can pass them on.
//! Admins only: invitation and reset emails carry single-use credentials.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use doorstep_store::outbox::OutboxEmail;
use serde::Deserialize;

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::display::{Zone, when};
use crate::extract::{Path, Query};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

const PAGE: i64 = 50;

struct Row {
    e: OutboxEmail,
    status: &'static str,
    created: String,
}

fn row(zone: &Zone, e: OutboxEmail) -> Row {
    let status = e.status.as_str();
    let created = when(zone, e.created_at);
    Row { e, status, created }
}

#[derive(Template)]
#[template(path = "office/outbox.html")]
struct ListPage {
    chrome: OfficeChrome,
    rows: Vec<Row>,
    next: Option<i64>,
}

/// The list's cursor.
#[derive(Deserialize)]
pub struct Cursor {
    before: Option<i64>,
}

/// `GET /office/outbox`: newest first, keyset paging.
pub async fn list(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Query(cursor): Query<Cursor>,
) -> Result<Response, WebError> {
    staff.actor.admin()?;
    let mut emails = state
        .store
        .outbox_page(staff.company.id, cursor.before, PAGE + 1)
        .await?;
    let next = (emails.len() as i64 > PAGE).then(|| {
        emails.truncate(PAGE as usize);
        emails.last().map(|e| e.id)
    });
    crate::kit::render::page(&ListPage {
        chrome: OfficeChrome::of(&staff, &csrf),
        rows: emails
            .into_iter()
            .map(|e| row(&staff.company.time_zone, e))
            .collect(),
        next: next.flatten(),
    })
}

#[derive(Template)]
#[template(path = "office/outbox_email.html")]
struct EmailPage {
    chrome: OfficeChrome,
    r: Row,
}

/// `GET /office/outbox/{id}`: one email as it was (or will be) sent, text version.
pub async fn show(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    staff.actor.admin()?;
    let email = state
        .store
        .outbox_email(staff.company.id, id)
        .await?
        .ok_or(WebError::NotFound)?;
    crate::kit::render::page(&EmailPage {
        chrome: OfficeChrome::of(&staff, &csrf),
        r: row(&staff.company.time_zone, email),
    })
}
