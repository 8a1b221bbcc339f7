//! Documents as printed (PDF): the one layout of an invoice's PDF, used by the portal's
//! download and by the "invoice sent" email's attachment, so both show the same lines
//! and totals; and the pieces the portal's estimate and statement PDFs share with it.
//! No I/O: the caller reads the company's logo and the document.

use doorstep_core::local_time;
use doorstep_core::status::InvoiceStatus;
use doorstep_core::totals::Totals;
use doorstep_pdf::{Align, Column, Document, Party, Table, Total};
use doorstep_store::companies::Company;
use doorstep_store::doc_lines::DocLine;
use doorstep_store::invoices::InvoiceDetail;
use doorstep_store::outbox::Attachment;
use time::Date;

use super::money;

/// The MIME type of the PDFs.
pub const PDF: &str = "application/pdf";

/// `#rrggbb` as a colour for the PDF.
fn rgb(hex: &str) -> Option<(u8, u8, u8)> {
    let h = hex.strip_prefix('#').filter(|h| h.len() == 6)?;
    let byte = |i: usize| u8::from_str_radix(h.get(i..i + 2)?, 16).ok();
    Some((byte(0)?, byte(2)?, byte(4)?))
}

/// The company's letterhead: name, address, phone, email, the logo (its bytes, as
/// stored) and the brand colour; the rest of the document empty.
pub fn letterhead(company: &Company, logo: Option<Vec<u8>>) -> Document {
    let city_region = [company.city.as_str(), company.region.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let city_line = [city_region.as_str(), company.postal_code.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let lines = [
        company.address_line1.clone(),
        company.address_line2.clone(),
        city_line,
        company.phone.clone(),
        company.email.clone(),
    ]
    .into_iter()
    .filter(|l| !l.is_empty())
    .collect();
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

/// The lines as a table; `counts` tells whether an optional line is in the total.
pub fn line_table(
    company: &Company,
    lines: &[DocLine],
    counts: impl Fn(&DocLine) -> bool,
) -> Table {
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

/// One line of the totals.
pub fn total(label: impl Into<String>, amount: String, strong: bool) -> Total {
    Total {
        label: label.into(),
        amount,
        strong,
    }
}

/// Subtotal, the discount if any, and each tax with its rate.
pub fn tax_totals(company: &Company, t: &Totals) -> Vec<Total> {
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

/// Invoice `invoice` on the company's `letterhead`, its status as of `today` (the
/// company's date).
pub fn invoice(
    company: &Company,
    invoice: &InvoiceDetail,
    today: Date,
    head: Document,
) -> Document {
    let row = &invoice.row;
    let mut facts = vec![
        ("Issued".to_owned(), local_time::date(row.issued_on)),
        ("Due".to_owned(), local_time::date(row.due_on)),
        ("Status".to_owned(), row.state(today).label().to_owned()),
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
    Document {
        title: format!("Invoice {}", row.number),
        customer: Party {
            name: invoice.customer_name.clone(),
            lines: invoice.billing_address.clone(),
        },
        facts,
        table: line_table(company, &invoice.lines, |l| l.is_selected),
        totals,
        notes,
        ..head
    }
}

/// A file name safe in a download header and an email: `invoice-I-1001.pdf`.
pub fn filename(kind: &str, number: &str) -> String {
    let safe: String = format!("{kind}-{number}.pdf")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    safe
}

/// Invoice `detail` as the PDF attached to the email that sends it: as it stands once
/// sent (unpaid, or overdue past its due date).
pub(crate) fn invoice_attachment(
    company: &Company,
    detail: &InvoiceDetail,
    today: Date,
    logo: Option<Vec<u8>>,
) -> Result<Attachment, doorstep_pdf::PdfError> {
    let mut sent = detail.clone();
    sent.row.status = InvoiceStatus::Unpaid.as_str().to_owned();
    let doc = invoice(company, &sent, today, letterhead(company, logo));
    Ok(Attachment {
        filename: filename("invoice", &sent.row.number),
        content_type: PDF.to_owned(),
        bytes: doorstep_pdf::render(&doc)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(filename("invoice", "I-1001"), "invoice-I-1001.pdf");
        assert_eq!(filename("invoice", "I 1/\"2"), "invoice-I_1__2.pdf");
    }

    #[test]
    fn brand_colours_parse_from_hex() {
        assert_eq!(rgb("#0b5cad"), Some((11, 92, 173)));
        assert_eq!(rgb("0b5cad"), None);
        assert_eq!(rgb("#0b5ca"), None);
    }
}
