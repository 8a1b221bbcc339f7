//! Invoices, estimates and the account statement as PDF downloads, built from the same
//! store reads as their pages, so a PDF shows exactly what the page does.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use doorstep_core::ageing::AgeBucket;
use doorstep_core::authz::PortalAction;
use doorstep_core::totals::Totals;
use doorstep_pdf::{Align, Column, Document, Party, Table, Total};
use doorstep_store::companies::Company;
use doorstep_store::doc_lines::DocLine;
use time::Date;

use crate::auth::session::SignedInContact;
use crate::extract::Path;
use crate::kit::dates::today;
use crate::pages::portal::billing::require;
use crate::views::{Brand, money};
use crate::{AppState, WebError};

/// A calendar date as pages show it: `Mar 12, 2026`.
fn day(d: Date) -> String {
    crate::display::date(d)
}

/// `#rrggbb` as a colour for the PDF.
fn rgb(hex: &str) -> Option<(u8, u8, u8)> {
    let h = hex.strip_prefix('#').filter(|h| h.len() == 6)?;
    let byte = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    Some((byte(0)?, byte(2)?, byte(4)?))
}

/// The company's letterhead: name, address, phone, email, logo and colour.
async fn letterhead(state: &AppState, company: &Company) -> Document {
    let brand = Brand::of(company);
    let mut lines = brand.address.clone();
    lines.extend(
        [brand.phone.clone(), brand.email.clone()]
            .into_iter()
            .filter(|l| !l.is_empty()),
    );
    let logo = match &company.logo_key {
        Some(key) => state.files.read(key).await.ok(),
        None => None,
    };
    Document {
        company: Party {
            name: company.name.clone(),
            lines,
        },
        logo_png: logo,
        accent: rgb(&company.brand_primary),
        footer: format!("{} · Thank you for your business.", company.name),
        ..Document::default()
    }
}

fn line_table(company: &Company, lines: &[DocLine], counts: impl Fn(&DocLine) -> bool) -> Table {
    let col = |title: &str, align, weight| Column {
        title: title.into(),
        align,
        weight,
    };
    Table {
        columns: vec![
            col("Description", Align::Left, 6),
            col("Qty", Align::Right, 1),
            col("Unit price", Align::Right, 2),
            col("Amount", Align::Right, 2),
        ],
        rows: lines
            .iter()
            .map(|l| {
                let description = match (l.is_optional, counts(l)) {
                    (true, true) => format!("{} (option, chosen)", l.description),
                    (true, false) => format!("{} (option, not included)", l.description),
                    _ => l.description.clone(),
                };
                vec![
                    description,
                    l.quantity(),
                    money(company, l.unit_price_minor),
                    money(company, l.amount_minor()),
                ]
            })
            .collect(),
    }
}

fn total(label: impl Into<String>, amount: String, strong: bool) -> Total {
    Total {
        label: label.into(),
        amount,
        strong,
    }
}

fn tax_totals(company: &Company, t: &Totals) -> Vec<Total> {
    let mut out = vec![total("Subtotal", money(company, t.subtotal_minor), false)];
    if t.discount_minor > 0 {
        out.push(total("Discount", money(company, -t.discount_minor), false));
    }
    for (name, rate, amount) in &t.taxes {
        let label = format!("{name} ({}%)", *rate as f64 / 100.0);
        out.push(total(label, money(company, *amount), false));
    }
    out
}

/// Sends `doc` as a download named `filename`.
fn pdf_response(doc: &Document, filename: &str) -> Result<Response, WebError> {
    let bytes = doorstep_pdf::render(doc).map_err(WebError::internal)?;
    let safe: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
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
    let row = &invoice.row;
    let mut facts = vec![
        ("Issued".to_owned(), day(row.issued_on)),
        ("Due".to_owned(), day(row.due_on)),
        (
            "Status".to_owned(),
            row.state(today(&company.time_zone)).label().to_owned(),
        ),
    ];
    if let Some(job) = &invoice.job_number {
        facts.push(("Job".into(), job.clone()));
    }
    if let Some((site, street)) = &invoice.site {
        facts.push(("Service location".into(), format!("{site}, {street}")));
    }
    let mut totals = tax_totals(company, &invoice.totals());
    totals.push(total("Total", money(company, row.total_minor), true));
    totals.push(total("Paid", money(company, row.paid_minor), false));
    totals.push(total(
        "Balance due",
        money(company, row.balance_minor()),
        true,
    ));
    let notes = if invoice.notes.trim().is_empty() {
        Vec::new()
    } else {
        vec![("Notes".to_owned(), invoice.notes.clone())]
    };
    let doc = Document {
        title: format!("Invoice {}", row.number),
        customer: Party {
            name: invoice.customer_name.clone(),
            lines: invoice.billing_address.clone(),
        },
        facts,
        table: line_table(company, &invoice.lines, |l| l.is_selected),
        totals,
        notes,
        ..letterhead(&state, company).await
    };
    pdf_response(&doc, &format!("invoice-{}.pdf", row.number))
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
                .label()
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
    pdf_response(&doc, &format!("estimate-{}.pdf", estimate.number))
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
    pdf_response(&doc, &format!("statement-{}.pdf", statement.as_of))
}
