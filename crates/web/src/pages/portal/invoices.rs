//! `GET /invoices` and `GET /invoices/{number}`: the account's invoices (paid and void
//! ones only when the company shows them) and one invoice with its lines and balance.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use doorstep_core::authz::PortalAction;
use doorstep_store::doc_lines::DocLine;
use doorstep_store::invoices::InvoiceDetail;
use serde::Deserialize;

use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::display::date;
use crate::extract::{Path, Query};
use crate::kit::cursors::after_or_message;
use crate::kit::dates::today;
use crate::kit::render::page;
use crate::kit::urls::path_segment;
use crate::pages::portal::billing::{PAGE, next_page, require};
use crate::views::{PortalChrome, money};
use crate::{AppState, WebError};

struct Row {
    number: String,
    href: String,
    issued_on: String,
    due_on: String,
    state: &'static str,
    state_class: &'static str,
    total: String,
    balance: String,
    payable: bool,
}

#[derive(Template)]
#[template(path = "portal/invoices.html")]
struct ListPage {
    chrome: PortalChrome,
    rows: Vec<Row>,
    next: Option<String>,
    message: Option<&'static str>,
    shows_closed: bool,
    may_pay: bool,
}

/// The list's query string; read as text so a bad value gets a message, not a 400.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    after: Option<String>,
}

fn state_class(state: doorstep_core::status::InvoiceState) -> &'static str {
    use doorstep_core::status::InvoiceState::*;
    match state {
        Overdue => "danger",
        Unpaid => "warning",
        Paid => "success",
        Void | Draft => "",
    }
}

/// `GET /invoices`.
pub async fn list(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::ViewInvoices)?;
    let company = &contact.portal.company;
    let shows_closed = company.settings.show_paid_void_invoices;
    let (after, message) = after_or_message(query.after.as_deref());
    let mut rows = state
        .store
        .invoices_page(company.id, &contact.scope, shows_closed, after, PAGE + 1)
        .await?;
    let next = next_page(&mut rows, "/invoices", |r| (r.issued_on, r.id));
    let today = today(&company.time_zone);
    let may_pay = pays_online(&state, &contact).await?;
    let rows = rows
        .into_iter()
        .map(|r| {
            let s = r.state(today);
            Row {
                href: format!("/invoices/{}", path_segment(&r.number)),
                issued_on: date(r.issued_on),
                due_on: date(r.due_on),
                state: s.label(),
                state_class: state_class(s),
                total: money(company, r.total_minor),
                balance: money(company, r.balance_minor()),
                payable: may_pay && r.status == "unpaid" && r.balance_minor() > 0,
                number: r.number,
            }
        })
        .collect();
    page(&ListPage {
        chrome: PortalChrome::of(&contact, &csrf).at("/invoices"),
        rows,
        next,
        message,
        shows_closed,
        may_pay,
    })
}

/// Whether the contact may pay online here: allowed to pay, and the company has a
/// processor.
async fn pays_online(state: &AppState, contact: &SignedInContact) -> Result<bool, WebError> {
    if !crate::pages::portal::billing::may(contact, PortalAction::Pay) {
        return Ok(false);
    }
    let settings = state
        .store
        .payment_settings(contact.portal.company.id)
        .await?;
    Ok(settings.processor != "none")
}

/// The "Pay" box of an unpaid invoice.
struct PayBox {
    action: String,
    balance: String,
    /// The balance as typed in the amount field (`117.00`).
    typed: String,
    partial: bool,
    /// The tips offered (an invoice of a completed job, tips switched on): each preset
    /// percentage with what it comes to on the balance.
    tips: Vec<(i64, String)>,
}

/// One payment of the invoice, as the customer sees it.
struct PaidView {
    date: String,
    method: String,
    amount: String,
}

struct LineView {
    description: String,
    quantity: String,
    unit_price: String,
    amount: String,
}

impl LineView {
    fn of(company: &doorstep_store::companies::Company, l: &DocLine) -> Self {
        LineView {
            description: l.description.clone(),
            quantity: l.quantity(),
            unit_price: money(company, l.unit_price_minor),
            amount: money(company, l.amount_minor()),
        }
    }
}

#[derive(Template)]
#[template(path = "portal/invoice.html")]
struct ShowPage {
    chrome: PortalChrome,
    invoice: InvoiceDetail,
    state: &'static str,
    state_class: &'static str,
    lines: Vec<LineView>,
    subtotal: String,
    discount: Option<String>,
    taxes: Vec<(String, String)>,
    total: String,
    paid: String,
    balance: String,
    job_href: Option<String>,
    payments: Vec<PaidView>,
    pay: Option<PayBox>,
}

/// `GET /invoices/{number}`.
pub async fn show(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::ViewInvoices)?;
    let company = &contact.portal.company;
    let invoice = state
        .store
        .invoice_document(
            company.id,
            &contact.scope,
            &number,
            company.settings.show_paid_void_invoices,
        )
        .await?
        .ok_or(WebError::NotFound)?;
    let s = invoice.row.state(today(&company.time_zone));
    let totals = invoice.totals();
    let balance_minor = invoice.row.balance_minor();
    let pay = if invoice.row.status == "unpaid"
        && balance_minor > 0
        && pays_online(&state, &contact).await?
    {
        let cur = doorstep_core::money::Currency::parse(&company.currency)
            .unwrap_or(doorstep_core::money::Currency::USD);
        let unit = 10_i64.pow(cur.exponent());
        Some(PayBox {
            action: format!("/invoices/{}/pay", path_segment(&invoice.row.number)),
            balance: money(company, balance_minor),
            typed: if cur.exponent() == 0 {
                balance_minor.to_string()
            } else {
                format!(
                    "{}.{:0width$}",
                    balance_minor / unit,
                    balance_minor % unit,
                    width = cur.exponent() as usize
                )
            },
            partial: state
                .store
                .payment_settings(company.id)
                .await?
                .allow_partial,
            tips: if company.settings.allow_tips
                && state
                    .store
                    .invoice_of_completed_job(
                        company.id,
                        contact.actor.customer(),
                        &invoice.row.number,
                    )
                    .await?
            {
                doorstep_core::deposits::TIP_PRESETS
                    .iter()
                    .map(|p| {
                        let tip = doorstep_core::deposits::Tip::Percent(*p).amount(balance_minor);
                        (*p, money(company, tip))
                    })
                    .collect()
            } else {
                Vec::new()
            },
        })
    } else {
        None
    };
    let payments = state
        .store
        .payments_of_invoice(company.id, invoice.id)
        .await?
        .into_iter()
        .filter(|p| p.status == "succeeded" || p.status == "refunded")
        .map(|p| PaidView {
            date: crate::display::day(&company.time_zone, p.received_at),
            method: crate::pages::portal::payments::method_for_customer(
                &p.method,
                &p.channel,
                &p.reference,
            ),
            amount: money(company, p.amount_minor),
        })
        .collect();
    let taxes = totals
        .taxes
        .iter()
        .map(|(name, rate, amount)| {
            (
                format!("{name} ({}%)", *rate as f64 / 100.0),
                money(company, *amount),
            )
        })
        .collect();
    page(&ShowPage {
        chrome: PortalChrome::of(&contact, &csrf).at("/invoices"),
        state: s.label(),
        state_class: state_class(s),
        lines: invoice
            .lines
            .iter()
            .map(|l| LineView::of(company, l))
            .collect(),
        subtotal: money(company, totals.subtotal_minor),
        discount: (totals.discount_minor > 0).then(|| money(company, -totals.discount_minor)),
        taxes,
        total: money(company, invoice.row.total_minor),
        paid: money(company, invoice.row.paid_minor),
        balance: money(company, invoice.row.balance_minor()),
        job_href: invoice
            .job_number
            .as_ref()
            .map(|n| format!("/jobs/{}", path_segment(n))),
        payments,
        pay,
        invoice,
    })
}
