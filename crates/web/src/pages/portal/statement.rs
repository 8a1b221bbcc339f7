//! `GET /statement`: the account's balance, its ageing and every open invoice.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use doorstep_core::ageing::AgeBucket;
use doorstep_core::authz::PortalAction;

use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::display::date;
use crate::kit::dates::today;
use crate::kit::render::page;
use crate::kit::urls::path_segment;
use crate::pages::portal::billing::require;
use crate::views::{PortalChrome, money};
use crate::{AppState, WebError};

struct OpenRow {
    number: String,
    href: String,
    issued_on: String,
    due_on: String,
    age: &'static str,
    total: String,
    balance: String,
}

#[derive(Template)]
#[template(path = "portal/statement.html")]
struct StatementPage {
    chrome: PortalChrome,
    customer_name: String,
    as_of: String,
    balance: String,
    credit: Option<String>,
    buckets: Vec<(&'static str, String)>,
    open: Vec<OpenRow>,
}

/// `GET /statement`.
pub async fn show(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::ViewInvoices)?;
    let company = &contact.portal.company;
    let today = today(&company.time_zone);
    let statement = state
        .store
        .statement(company.id, &contact.scope, today)
        .await?
        .ok_or(WebError::NotFound)?;
    let open = statement
        .open
        .iter()
        .map(|i| OpenRow {
            number: i.number.clone(),
            href: format!("/invoices/{}", path_segment(&i.number)),
            issued_on: date(i.issued_on),
            due_on: date(i.due_on),
            age: AgeBucket::of(i.due_on, today).label(),
            total: money(company, i.total_minor),
            balance: money(company, i.balance_minor()),
        })
        .collect();
    page(&StatementPage {
        chrome: PortalChrome::of(&contact, &csrf).at("/statement"),
        customer_name: statement.customer_name,
        as_of: date(statement.as_of),
        balance: money(company, statement.ageing.total),
        credit: company
            .settings
            .show_credit
            .then(|| money(company, statement.credit_minor)),
        buckets: AgeBucket::ALL
            .iter()
            .map(|b| (b.label(), money(company, statement.ageing.amount(*b))))
            .collect(),
        open,
    })
}
