//! Invoices, estimates and the account statement as PDF downloads, built from the same
//! store reads as their pages, so a PDF shows exactly what the page does. The layout of
//! an invoice is `app::documents::printed`'s, the one the "invoice sent" email attaches.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use doorstep_app::documents::printed::{self, line_table, tax_totals, total};
use doorstep_core::ageing::AgeBucket;
use doorstep_core::authz::PortalAction;
use doorstep_pdf::{Align, Column, Document, Party, Table, Total};
use doorstep_store::companies::Company;
use time::Date;

use crate::auth::session::SignedInContact;
use crate::extract::Path;
use crate::kit::dates::today;
use crate::pages::portal::billing::require;
use crate::views::money;
use crate::{AppState, WebError};

/// A calendar date as pages show it: `Mar 12, 2026`.
fn day(d: Date) -> String {
    crate::display::date(d)
}

/// The company's letterhead, with its logo read from the files.
pub(crate) async fn letterhead(state: &AppState, company: &Company) -> Document {
    let logo = match &company.logo_key {
        Some(key) => state.files.read(key).await.ok(),
        None => None,
    };
    printed::letterhead(company, logo)
}

/// Sends `doc` as a download named `filename`.
fn pdf_response(doc: &Document, safe: &str) -> Result<Response, WebError> {
    let bytes = doorstep_pdf::render(doc).map_err(WebError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /invoices/{number}/pdf`.
pub async fn invoice(
    State(state): State<AppState>,
    contact: SignedInContact,
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
    let today = today(&company.time_zone);
    let doc = printed::invoice(company, &invoice, today, letterhead(&state, company).await);
    pdf_response(&doc, &printed::filename("invoice", &invoice.row.number))
}

/// `GET /estimates/{number}/pdf`.
pub async fn estimate(
    State(state): State<AppState>,
    contact: SignedInContact,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::ViewEstimates)?;
    let company = &contact.portal.company;
    let estimate = state
        .store
        .estimate_document(company.id, &contact.scope, &number)
        .await?
        .ok_or(WebError::NotFound)?;
    let mut facts = vec![
        ("Issued".to_owned(), day(estimate.issued_on)),
        (
            "Status".to_owned(),
            estimate
                .status_seen(today(&company.time_zone))
                .customer_label()
                .to_owned(),
        ),
    ];
    if let Some(expires) = estimate.expires_on {
        facts.push(("Valid until".into(), day(expires)));
    }
    if let Some((site, street)) = &estimate.site {
        facts.push(("Service location".into(), format!("{site}, {street}")));
    }
    let t = estimate.totals();
    let mut totals = tax_totals(company, &t);
    totals.push(total("Total", money(company, t.total_minor), true));
    if estimate.deposit_minor > 0 {
        totals.push(total(
            "Deposit on approval",
            money(company, estimate.deposit_minor),
            false,
        ));
    }
    let mut notes = Vec::new();
    if !estimate.scope.trim().is_empty() {
        notes.push(("Scope of work".to_owned(), estimate.scope.clone()));
    }
    if !estimate.notes.trim().is_empty() {
        notes.push(("Notes".to_owned(), estimate.notes.clone()));
    }
    if let Some(a) = &estimate.approval {
        notes.push((
            "Approved".to_owned(),
            format!(
                "Signed by {} on {}.",
                a.signed_name,
                day(company.time_zone.date_of(a.at))
            ),
        ));
    }
    if let Some((at, reason)) = &estimate.decline {
        let why = if reason.is_empty() {
            String::new()
        } else {
            format!(" Reason: {reason}")
        };
        notes.push((
            "Declined".to_owned(),
            format!("On {}.{why}", day(company.time_zone.date_of(*at))),
        ));
    }
    let doc = Document {
        title: format!("Estimate {}", estimate.number),
        customer: Party {
            name: estimate.customer_name.clone(),
            lines: vec![estimate.title.clone()],
        },
        facts,
        table: line_table(company, &estimate.lines, |l| l.is_selected),
        totals,
        notes,
        ..letterhead(&state, company).await
    };
    pdf_response(&doc, &printed::filename("estimate", &estimate.number))
}

/// `GET /statement/pdf`.
pub async fn statement(
    State(state): State<AppState>,
    contact: SignedInContact,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::ViewInvoices)?;
    let company = &contact.portal.company;
    let today = today(&company.time_zone);
    let statement = state
        .store
        .statement(company.id, &contact.scope, today)
        .await?
        .ok_or(WebError::NotFound)?;
    let col = |title: &str, align, weight| Column {
        title: title.into(),
        align,
        weight,
    };
    let table = Table {
        columns: vec![
            col("Invoice", Align::Left, 2),
            col("Issued", Align::Left, 2),
            col("Due", Align::Left, 2),
            col("Age", Align::Left, 2),
            col("Total", Align::Right, 2),
            col("Balance", Align::Right, 2),
        ],
        rows: statement
            .open
            .iter()
            .map(|i| {
                vec![
                    i.number.clone(),
                    day(i.issued_on),
                    day(i.due_on),
                    AgeBucket::of(i.due_on, today).label().to_owned(),
                    money(company, i.total_minor),
                    money(company, i.balance_minor()),
                ]
            })
            .collect(),
    };
    let mut totals: Vec<Total> = AgeBucket::ALL
        .iter()
        .map(|b| {
            total(
                b.label(),
                money(company, statement.ageing.amount(*b)),
                false,
            )
        })
        .collect();
    totals.push(total(
        "Balance due",
        money(company, statement.ageing.total),
        true,
    ));
    if company.settings.show_credit && statement.credit_minor > 0 {
        totals.push(total(
            "Credit on account",
            money(company, statement.credit_minor),
            false,
        ));
    }
    let doc = Document {
        title: "Account statement".into(),
        customer: Party {
            name: statement.customer_name.clone(),
            lines: Vec::new(),
        },
        facts: vec![("As of".into(), day(statement.as_of))],
        table,
        totals,
        ..letterhead(&state, company).await
    };
    pdf_response(
        &doc,
        &printed::filename("statement", &statement.as_of.to_string()),
    )
}
