//! `GET /office/payments/{number}`: one payment as its receipt reads: the account, the
//! day received, how it was paid, what each invoice got and what is owed after, what was
//! kept as credit, and who recorded it.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use doorstep_core::authz::OfficeArea;
use doorstep_core::status::InvoiceStatus;
use serde::Deserialize;

use super::{method_text, money, record_href_for_customer};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::display::day;
use crate::display::when;
use crate::extract::{Path, Query};
use crate::kit::render::page;
use crate::kit::urls::path_segment;
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

struct Line {
    invoice: String,
    applied: String,
    after: String,
}

#[derive(Template)]
#[template(path = "office/payment.html")]
struct ReceiptPage {
    chrome: OfficeChrome,
    number: String,
    customer: String,
    customer_href: String,
    received: String,
    method: String,
    amount: String,
    status: String,
    lines: Vec<Line>,
    to_credit: Option<String>,
    /// A tip charged with it, apart from the amount.
    tip: Option<String>,
    /// A deposit: the estimate and what is held for the job's invoice.
    deposit: Option<(String, String, Option<String>)>,
    recorded: String,
    record_another: String,
    notice: Option<&'static str>,
    refunded: Option<String>,
    refund_href: Option<String>,
}

/// The query string.
#[derive(Deserialize, Default)]
pub struct ReceiptQuery {
    done: Option<String>,
}

/// `GET /office/payments/{number}`.
pub async fn show(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Query(query): Query<ReceiptQuery>,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let company = &staff.company;
    let p = state
        .store
        .payment_receipt(company.id, None, &number)
        .await?
        .ok_or(WebError::NotFound)?;
    let unapplied = p.unapplied_minor();
    let lines = p
        .lines
        .iter()
        .map(|l| Line {
            invoice: l.invoice_number.clone(),
            applied: money(company, l.amount_minor),
            after: match InvoiceStatus::parse(&l.status) {
                Ok(InvoiceStatus::Paid) => "Paid in full".to_owned(),
                Ok(InvoiceStatus::Void) => "Void".to_owned(),
                _ => format!(
                    "{} still due",
                    money(company, (l.total_minor - l.paid_minor).max(0))
                ),
            },
        })
        .collect();
    let recorded = match &p.recorded_by {
        Some(name) => format!("{name}, {}", when(&staff.company.time_zone, p.created_at)),
        None if p.row.channel == "online" => {
            format!("Online, {}", when(&staff.company.time_zone, p.created_at))
        }
        None => when(&staff.company.time_zone, p.created_at),
    };
    let notice = match query.done.as_deref() {
        Some("recorded") => {
            Some("Payment recorded. A receipt was emailed to the customer's billing contacts.")
        }
        Some("recorded_quietly") => Some(
            "Payment recorded. The customer has no billing contact with an email, so no receipt was sent.",
        ),
        Some("credit") => Some(
            "Credit applied. A receipt goes to the customer's billing contacts who have an email.",
        ),
        Some("refunded") => {
            Some("Refunded through the processor. The customer's billing contacts were emailed.")
        }
        Some("refunded_quietly") => Some(
            "Refunded through the processor. The customer has no billing contact with an email, so no one was told.",
        ),
        _ => None,
    };
    // Refunds (issue 19): what a processor gave back, and the way to refund more.
    let refundable = state.store.refundable_payment(company.id, &number).await?;
    let refunded = refundable
        .as_ref()
        .filter(|r| r.refunded_minor > 0)
        .map(|r| money(company, r.refunded_minor));
    let refund_href = refundable
        .filter(|r| {
            staff.actor.admin().is_ok() && r.through_processor() && r.refundable_minor() > 0
        })
        .map(|r| format!("/office/payments/{}/refund", path_segment(&r.number)));
    page(&ReceiptPage {
        refunded,
        refund_href,
        chrome: OfficeChrome::of(&staff, &csrf),
        customer: format!("{} ({})", p.row.customer_name, p.row.customer_number),
        customer_href: format!("/office/customers/{}", path_segment(&p.row.customer_number)),
        received: day(&staff.company.time_zone, p.row.received_at),
        method: method_text(&p.row.method, &p.row.channel, &p.row.reference),
        amount: money(company, p.row.amount_minor),
        status: match p.row.status.as_str() {
            "succeeded" => String::new(),
            other => other.to_owned(),
        },
        lines,
        to_credit: (unapplied > 0 && p.row.deposit_estimate.is_none())
            .then(|| money(company, unapplied)),
        tip: (p.row.tip_minor > 0).then(|| money(company, p.row.tip_minor)),
        deposit: p.row.deposit_estimate.clone().map(|n| {
            (
                format!("/office/estimates/{}", path_segment(&n)),
                n,
                (unapplied > 0).then(|| money(company, unapplied)),
            )
        }),
        recorded,
        record_another: record_href_for_customer(&p.row.customer_number),
        notice,
        number: p.row.number,
    })
}
