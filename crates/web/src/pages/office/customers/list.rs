//! `GET /office/customers`: the customer list, searched by the start of the name, a
//! customer number (`C-1001` or `1001`) or the start of an email (with its `@`), filtered
//! by kind and state, keyset-paged by name over indexes.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use doorstep_core::authz::OfficeArea;
use doorstep_core::customers::{CustomerKind, number_query, search_prefix};
use doorstep_store::customer_reads::{CustomerBookRow, CustomerFilter};
use serde::Deserialize;

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::Query;
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

const PAGE: i64 = 50;

/// A row as the list shows it.
struct Row {
    r: CustomerBookRow,
    kind: &'static str,
    href: String,
}

#[derive(Template)]
#[template(path = "office/customers.html")]
struct ListPage {
    chrome: OfficeChrome,
    q: String,
    kind: String,
    status: String,
    rows: Vec<Row>,
    next: Option<String>,
    filtered: bool,
}

/// The list's query string.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    after_key: Option<String>,
    after_id: Option<i64>,
}

/// What the search box means.
fn filter_of(q: &str, kind: &str, status: &str) -> CustomerFilter {
    let mut f = CustomerFilter {
        kind: CustomerKind::parse(kind)
            .ok()
            .map(|k| k.as_str().to_owned()),
        active: match status {
            "all" => None,
            "inactive" => Some(false),
            _ => Some(true),
        },
        ..CustomerFilter::default()
    };
    if let Some(number) = number_query(q) {
        f.number = Some(number);
    } else if q.contains('@') {
        f.email_prefix = search_prefix(q);
    } else {
        f.name_prefix = search_prefix(q);
    }
    f
}

/// `GET /office/customers`.
pub async fn list(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let q = query.q.trim().chars().take(100).collect::<String>();
    let status = match query.status.as_str() {
        "all" | "inactive" => query.status.clone(),
        _ => "active".to_owned(),
    };
    let kind = CustomerKind::parse(&query.kind)
        .map(|k| k.as_str().to_owned())
        .unwrap_or_default();
    let filter = filter_of(&q, &kind, &status);
    let after = match (&query.after_key, query.after_id) {
        (Some(key), Some(id)) => Some((key.as_str(), id)),
        _ => None,
    };
    let mut found = state
        .store
        .customer_book_page(staff.company.id, &filter, after, PAGE + 1)
        .await?;
    let next = if found.len() as i64 > PAGE {
        found.truncate(PAGE as usize);
        found.last().map(|last| {
            let encoded: String = form_urlencoded::Serializer::new(String::new())
                .extend_pairs([
                    ("q", q.as_str()),
                    ("kind", kind.as_str()),
                    ("status", status.as_str()),
                    ("after_key", last.sort_key.as_str()),
                    ("after_id", &last.id.to_string()),
                ])
                .finish();
            format!("/office/customers?{encoded}")
        })
    } else {
        None
    };
    let rows = found
        .into_iter()
        .map(|r| Row {
            kind: CustomerKind::parse(&r.kind).map_or("", |k| k.label()),
            href: super::page_of(&r.number),
            r,
        })
        .collect();
    let filtered = !q.is_empty() || !kind.is_empty() || status != "active";
    crate::kit::render::page(&ListPage {
        chrome: OfficeChrome::of(&staff, &csrf),
        q,
        kind,
        status,
        rows,
        next,
        filtered,
    })
}
