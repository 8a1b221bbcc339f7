//! `GET /office/payments/autopay-failures`: the autopay charges that were declined, for
//! the office's follow-up, newest first (keyset paging over `(updated_at, id)`): the
//! customer, the invoice (linked, with its status now), the card, the amount and the
//! processor's reason.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use doorstep_core::authz::OfficeArea;
use serde::Deserialize;

use super::money;
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::display::{date, when};
use crate::extract::Query;
use crate::kit::cursors::{parse_support_cursor, support_cursor};
use crate::kit::render::page;
use crate::kit::urls::path_segment;
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

const PAGE: i64 = 50;

/// The query string.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    after: Option<String>,
}

struct Row {
    invoice: String,
    invoice_href: String,
    settled: bool,
    customer: String,
    due: String,
    failed_at: String,
    method: String,
    amount: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "office/autopay_failures.html")]
struct ListPage {
    chrome: OfficeChrome,
    rows: Vec<Row>,
    next: Option<String>,
    messages: Vec<&'static str>,
}

/// `GET /office/payments/autopay-failures`.
pub async fn list(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let company = &staff.company;
    let (after, bad_cursor) = parse_support_cursor(query.after.as_deref());
    let messages: Vec<&'static str> = bad_cursor.into_iter().collect();
    let mut rows = state
        .store
        .autopay_failures(company.id, after, PAGE + 1)
        .await?;
    let mut next = None;
    if rows.len() as i64 > PAGE {
        rows.truncate(PAGE as usize);
        next = rows.last().map(|r| {
            format!(
                "/office/payments/autopay-failures?after={}",
                support_cursor((r.updated_at, r.id))
            )
        });
    }
    let rows = rows
        .into_iter()
        .map(|r| Row {
            invoice_href: format!("/office/invoices/{}", path_segment(&r.invoice_number)),
            settled: r.invoice_status != "unpaid",
            customer: format!("{} ({})", r.customer_name, r.customer_number),
            due: date(r.due_on),
            failed_at: when(&company.time_zone, r.updated_at),
            method: r.method_label,
            amount: money(company, r.amount_minor),
            reason: r.failure,
            invoice: r.invoice_number,
        })
        .collect();
    page(&ListPage {
        chrome: OfficeChrome::of(&staff, &csrf),
        rows,
        next,
        messages,
    })
}
