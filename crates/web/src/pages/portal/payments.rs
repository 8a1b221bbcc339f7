//! `GET /payments`: the account's payment history (company contacts only, when the
//! company shows it): each payment's date, invoices, method and amount, newest first,
//! between the days chosen, with keyset paging. Also how a payment's method reads on the
//! portal's invoice page.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use doorstep_core::authz::PortalAction;
use doorstep_core::payments::stored_method_label;
use serde::Deserialize;
use time::Date;

use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::display::day;
use crate::extract::Query;
use crate::kit::cursors::{parse_support_cursor, support_cursor};
use crate::kit::render::page;
use crate::kit::urls::path_segment;
use crate::pages::portal::billing::{PAGE, require};
use crate::views::{PortalChrome, money};
use crate::{AppState, WebError};

/// How a payment's method reads for the customer: a check with its number.
pub(crate) fn method_for_customer(method: &str, channel: &str, reference: &str) -> String {
    let label = stored_method_label(method, channel);
    if method == "check" && !reference.is_empty() {
        format!(
            "{label} ({})",
            reference.trim_start_matches("Check ").trim()
        )
    } else {
        label.to_owned()
    }
}

/// The query string; read as text so a bad value gets a message, not a 400.
#[derive(Deserialize, Default)]
pub struct HistoryQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    after: Option<String>,
}

struct Row {
    date: String,
    invoices: Vec<(String, String)>,
    method: String,
    amount: String,
    refunded: bool,
}

#[derive(Template)]
#[template(path = "portal/payments.html")]
struct HistoryPage {
    chrome: PortalChrome,
    from: String,
    to: String,
    filtered: bool,
    rows: Vec<Row>,
    next: Option<String>,
    messages: Vec<&'static str>,
    manage_cards: bool,
}

fn parse_day(raw: &str) -> Result<Option<Date>, ()> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(raw.trim(), &format).map(Some).map_err(|_| ())
}

/// `GET /payments?from=2025-01-01&to=2025-03-31&after=...`.
pub async fn history(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<HistoryQuery>,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::ViewPayments)?;
    require(&contact, PortalAction::SeeMoney)?;
    let company = &contact.portal.company;
    let mut messages = Vec::new();
    let from = parse_day(&query.from).unwrap_or_else(|()| {
        messages.push("The “from” day is not a date; it was left out.");
        None
    });
    let to = parse_day(&query.to).unwrap_or_else(|()| {
        messages.push("The “to” day is not a date; it was left out.");
        None
    });
    let (after, bad_cursor) = parse_support_cursor(query.after.as_deref());
    messages.extend(bad_cursor);
    let mut rows = state
        .store
        .payment_history_page(
            company.id,
            contact.scope.customer,
            (from, to),
            after,
            PAGE + 1,
        )
        .await?;
    let mut next = None;
    if rows.len() as i64 > PAGE {
        rows.truncate(PAGE as usize);
        next = rows.last().map(|r| {
            let mut q = form_urlencoded::Serializer::new(String::new());
            if let Some(d) = from {
                q.append_pair("from", &d.to_string());
            }
            if let Some(d) = to {
                q.append_pair("to", &d.to_string());
            }
            q.append_pair("after", &support_cursor((r.received_at, r.id)));
            format!("/payments?{}", q.finish())
        });
    }
    let rows = rows
        .into_iter()
        .map(|r| Row {
            date: day(&company.time_zone, r.received_at),
            invoices: r
                .invoices
                .iter()
                .map(|(n, _)| (n.clone(), format!("/invoices/{}", path_segment(n))))
                .collect(),
            method: method_for_customer(&r.method, &r.channel, &r.reference),
            amount: money(company, r.amount_minor),
            refunded: r.status == "refunded",
        })
        .collect();
    page(&HistoryPage {
        chrome: PortalChrome::of(&contact, &csrf).at("/payments"),
        from: from.map(|d| d.to_string()).unwrap_or_default(),
        to: to.map(|d| d.to_string()).unwrap_or_default(),
        filtered: from.is_some() || to.is_some(),
        rows,
        next,
        messages,
        manage_cards: crate::pages::portal::billing::may(&contact, PortalAction::Pay),
    })
}
