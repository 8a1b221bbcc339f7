//! `GET /service-history` and `GET /sales-history`: an account's completed service visits
//! and product sales, each with its invoice, filtered by date and keyset-paged.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use doorstep_core::authz::{PortalAction, contact_may};
use doorstep_core::status::{InvoiceStatus, JobKind, JobStatus};
use doorstep_store::job_list::{DateOrder, JobRow};

use super::location;
use super::query::ListQuery;
use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::display::{day, iso_day, money};
use crate::views::PortalChrome;
use crate::{AppState, WebError};

/// Rows per page.
const PAGE_SIZE: i64 = 25;

/// One finished job with its invoice.
struct HistoryRow {
    number: String,
    href: String,
    summary: String,
    location: String,
    date: String,
    date_iso: String,
    /// The total; none for those who may not see money.
    total: Option<String>,
    invoice: Option<String>,
    invoice_href: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/jobs/history.html")]
struct HistoryPage {
    chrome: PortalChrome,
    title: &'static str,
    path: &'static str,
    empty: &'static str,
    rows: Vec<HistoryRow>,
    /// Totals and invoice columns are shown (company contacts only).
    money_shown: bool,
    from: String,
    to: String,
    filtered: bool,
    problems: Vec<String>,
    next: Option<String>,
    prev: Option<String>,
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn render(
    state: &AppState,
    contact: &SignedInContact,
    csrf: &str,
    raw: Option<&str>,
    kind: JobKind,
) -> Result<Response, WebError> {
    let company = &contact.portal.company;
    let settings = &company.settings;
    let (action, title, path, empty) = match kind {
        JobKind::Service => (
            PortalAction::ViewServiceHistory,
            "Service history",
            "/service-history",
            "No completed service visits yet.",
        ),
        JobKind::Sale => (
            PortalAction::ViewSalesHistory,
            "Sales history",
            "/sales-history",
            "No product sales yet.",
        ),
    };
    if !contact_may(&contact.scope, settings, action) {
        return Err(WebError::NotFound);
    }
    let mut query = ListQuery::parse(raw, &company.time_zone);
    // Only dates and the page apply here; the history is always newest first.
    query.filter.statuses = vec![JobStatus::Completed];
    query.filter.kind = Some(kind);
    query.filter.search.clear();
    query.filter.order = DateOrder::Newest;
    let page = state
        .store
        .job_page(
            company.id,
            &contact.scope,
            &query.filter,
            query.cursor,
            PAGE_SIZE,
        )
        .await?;
    let invoices_visible = contact_may(&contact.scope, settings, PortalAction::ViewInvoices);
    // Site contacts never see money: no totals, no invoice numbers.
    let money_shown = contact_may(&contact.scope, settings, PortalAction::SeeMoney);
    let link_of = |r: &JobRow| {
        let number = r.invoice_number.as_ref()?;
        let status = InvoiceStatus::parse(r.invoice_status.as_deref().unwrap_or("")).ok()?;
        let shown = match status {
            InvoiceStatus::Draft => false,
            InvoiceStatus::Unpaid => true,
            InvoiceStatus::Paid | InvoiceStatus::Void => settings.show_paid_void_invoices,
        };
        (invoices_visible && shown).then(|| format!("/invoices/{}", encode(number)))
    };
    let rows = page
        .rows
        .iter()
        .map(|r| HistoryRow {
            number: r.number.clone(),
            href: format!("/jobs/{}", encode(&r.number)),
            summary: r.summary.clone(),
            location: location(
                r.site_name.as_deref(),
                r.site_line1.as_deref(),
                r.site_city.as_deref(),
            ),
            date: day(&company.time_zone, r.job_date),
            date_iso: iso_day(&company.time_zone, r.job_date),
            total: money_shown.then(|| money(r.total_minor, &company.currency)),
            invoice: r.invoice_number.clone().filter(|_| money_shown),
            invoice_href: link_of(r).filter(|_| money_shown),
        })
        .collect();
    // Links carry only what applies here, so a shared URL reads the same later.
    let mut links = ListQuery {
        from_text: query.from_text.clone(),
        to_text: query.to_text.clone(),
        ..ListQuery::default()
    };
    links.filter.order = DateOrder::Newest;
    let html = HistoryPage {
        chrome: PortalChrome::of(contact, csrf).at(path),
        title,
        path,
        empty,
        rows,
        money_shown,
        from: query.from_text.clone(),
        to: query.to_text.clone(),
        filtered: query.filter.from.is_some() || query.filter.until.is_some(),
        problems: query.problems.clone(),
        next: page.next.map(|c| links.href(path, Some(c))),
        prev: page.prev.map(|c| links.href(path, Some(c))),
    }
    .render()
    .map_err(WebError::internal)?;
    let status = if query.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok((status, Html(html)).into_response())
}

/// `GET /service-history`.
pub async fn service(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    contact: SignedInContact,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    render(&state, &contact, &csrf, raw.as_deref(), JobKind::Service).await
}

/// `GET /sales-history`.
pub async fn sales(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    contact: SignedInContact,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    render(&state, &contact, &csrf, raw.as_deref(), JobKind::Sale).await
}
