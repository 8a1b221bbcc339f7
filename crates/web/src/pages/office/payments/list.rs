//! `GET /office/payments`: every payment of the company, newest received first, filtered
//! by method and days received and searched by receipt, invoice or customer number or
//! the customer's name; keyset paging over `(received_at, id)`.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use doorstep_core::authz::OfficeArea;
use doorstep_core::status::PaymentMethodKind;
use doorstep_store::payments::PaymentFilter;
use serde::Deserialize;
use time::Date;

use super::{method_text, money, receipt_href};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::display::day;
use crate::extract::Query;
use crate::kit::cursors::{parse_support_cursor, support_cursor};
use crate::kit::render::page;
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

const PAGE: i64 = 50;

/// The method filter's choices: value, label, and what it selects.
const METHODS: &[(&str, &str, PaymentMethodKind, Option<&str>)] = &[
    ("cash", "Cash", PaymentMethodKind::Cash, None),
    ("check", "Check", PaymentMethodKind::Check, None),
    (
        "bank_transfer",
        "Bank transfer",
        PaymentMethodKind::Ach,
        Some("office"),
    ),
    (
        "card_by_phone",
        "Card by phone",
        PaymentMethodKind::Card,
        Some("office"),
    ),
    (
        "card",
        "Card (online)",
        PaymentMethodKind::Card,
        Some("online"),
    ),
    (
        "ach",
        "Bank transfer (ACH, online)",
        PaymentMethodKind::Ach,
        Some("online"),
    ),
    ("credit", "Account credit", PaymentMethodKind::Credit, None),
];

/// The query string; read as text so a bad value gets a message, not a 400.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    method: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    q: String,
    after: Option<String>,
}

struct Choice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

struct Row {
    number: String,
    href: String,
    received: String,
    customer: String,
    invoices: String,
    method: String,
    amount: String,
    /// A tip charged with it, apart from the amount.
    tip: Option<String>,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "office/payments.html")]
struct ListPage {
    chrome: OfficeChrome,
    methods: Vec<Choice>,
    from: String,
    to: String,
    q: String,
    filtered: bool,
    rows: Vec<Row>,
    next: Option<String>,
    messages: Vec<&'static str>,
}

fn parse_day(raw: &str) -> Result<Option<Date>, ()> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(raw.trim(), &format).map(Some).map_err(|_| ())
}

/// The status badge of a payment that did not simply succeed.
fn status_note(status: &str) -> &'static str {
    match status {
        "pending" => "Pending",
        "failed" => "Failed",
        "refunded" => "Refunded",
        _ => "",
    }
}

/// `GET /office/payments`.
pub async fn list(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let company = &staff.company;
    let mut messages = Vec::new();
    let method = METHODS.iter().find(|m| m.0 == query.method);
    if method.is_none() && !query.method.is_empty() {
        messages.push("An unknown method in the filter was left out.");
    }
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
    let search: String = query.q.trim().chars().take(100).collect();
    let filter = PaymentFilter {
        method: method.map(|m| (m.2, m.3)),
        from,
        to,
        search: search.clone(),
    };
    let mut rows = state
        .store
        .office_payments_page(company.id, &filter, after, PAGE + 1)
        .await?;
    let mut next = None;
    if rows.len() as i64 > PAGE {
        rows.truncate(PAGE as usize);
        next = rows.last().map(|r| {
            let mut q = form_urlencoded::Serializer::new(String::new());
            if let Some(m) = method {
                q.append_pair("method", m.0);
            }
            if let Some(d) = from {
                q.append_pair("from", &d.to_string());
            }
            if let Some(d) = to {
                q.append_pair("to", &d.to_string());
            }
            if !search.is_empty() {
                q.append_pair("q", &search);
            }
            q.append_pair("after", &support_cursor((r.received_at, r.id)));
            format!("/office/payments?{}", q.finish())
        });
    }
    let rows = rows
        .into_iter()
        .map(|r| Row {
            href: receipt_href(&r.number),
            received: day(&staff.company.time_zone, r.received_at),
            customer: format!("{} ({})", r.customer_name, r.customer_number),
            invoices: match (&r.deposit_estimate, r.invoices.is_empty()) {
                (Some(e), true) => format!("Deposit on {e}"),
                _ => r
                    .invoices
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            tip: (r.tip_minor > 0).then(|| money(company, r.tip_minor)),
            method: method_text(&r.method, &r.channel, &r.reference),
            amount: money(company, r.amount_minor),
            status: status_note(&r.status),
            number: r.number,
        })
        .collect();
    let methods = METHODS
        .iter()
        .map(|m| Choice {
            value: m.0,
            label: m.1,
            selected: method.is_some_and(|c| c.0 == m.0),
        })
        .collect();
    page(&ListPage {
        chrome: OfficeChrome::of(&staff, &csrf),
        methods,
        from: from.map(|d| d.to_string()).unwrap_or_default(),
        to: to.map(|d| d.to_string()).unwrap_or_default(),
        filtered: method.is_some() || from.is_some() || to.is_some() || !search.is_empty(),
        q: search,
        rows,
        next,
        messages,
    })
}
