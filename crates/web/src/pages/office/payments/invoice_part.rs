//! The payments part of the office's invoice page (`office/invoice_payments.html`): each
//! payment of the invoice with its date, method and amount, and the "Record payment"
//! link while the invoice is open. The invoice page holds an [`InvoicePayments`] in a
//! field named `payments` and includes the template.

use doorstep_core::ids::InvoiceId;
use doorstep_store::companies::Company;

use super::{method_text, money, receipt_href, record_href_for_invoice};
use crate::display::day;
use crate::{AppState, WebError};

/// One payment of the invoice.
pub struct InvoicePaymentLine {
    /// The receipt number.
    pub number: String,
    /// Its receipt page.
    pub href: String,
    /// When it was received.
    pub date: String,
    /// How it was paid (with the check number or reference).
    pub method: String,
    /// What went to this invoice.
    pub amount: String,
}

/// Everything the part shows.
pub struct InvoicePayments {
    /// The payments, oldest first.
    pub rows: Vec<InvoicePaymentLine>,
    /// Where "Record payment" goes, while the invoice is open.
    pub record_href: Option<String>,
}

/// The payments part for the company's invoice `number` (`None` when it has none by
/// that number); `open` says whether the invoice still takes payments.
pub async fn invoice_payments(
    state: &AppState,
    company: &Company,
    invoice: InvoiceId,
    number: &str,
    open: bool,
) -> Result<InvoicePayments, WebError> {
    let rows = state
        .store
        .payments_of_invoice(company.id, invoice)
        .await?
        .into_iter()
        .map(|p| InvoicePaymentLine {
            href: receipt_href(&p.number),
            date: day(&company.time_zone, p.received_at),
            method: method_text(&p.method, &p.channel, &p.reference),
            amount: money(company, p.amount_minor),
            number: p.number,
        })
        .collect();
    Ok(InvoicePayments {
        rows,
        record_href: open.then(|| record_href_for_invoice(number)),
    })
}

#[cfg(test)]
mod tests {
    use askama::Template;

    use super::*;

    #[derive(Template)]
    #[template(
        source = r#"{% include "office/invoice_payments.html" %}"#,
        ext = "html"
    )]
    struct Host {
        payments: InvoicePayments,
    }

    #[test]
    fn the_part_lists_each_payment_and_offers_recording_another() {
        let host = Host {
            payments: InvoicePayments {
                rows: vec![InvoicePaymentLine {
                    number: "P-1001".into(),
                    href: receipt_href("P-1001"),
                    date: "Mar 4, 2025".into(),
                    method: "Check · Check #4417".into(),
                    amount: "$50.00".into(),
                }],
                record_href: Some(record_href_for_invoice("I-1046")),
            },
        };
        let html = host.render().unwrap_or_default();
        assert!(
            html.contains("P-1001") && html.contains("$50.00") && html.contains("Check #4417"),
            "{html}"
        );
        assert!(
            html.contains("/office/payments/new?invoice=I-1046"),
            "{html}"
        );
        let empty = Host {
            payments: InvoicePayments {
                rows: vec![],
                record_href: None,
            },
        };
        let html = empty.render().unwrap_or_default();
        assert!(
            html.contains("No payments yet") && !html.contains("Record payment"),
            "{html}"
        );
    }
}
