//! The rules of an invoices CSV file (issue 18): one row per line item, the rows sharing
//! an `invoice` (the invoice's id in the other system) being one invoice, whose own
//! fields (customer, job, dates, status, notes, discount) every one of its rows repeats.
//! Each line is read by the line editor's rules ([`crate::documents::parse_line`]), each
//! invoice by the office form's; totals are [`crate::totals`]'s, as for any invoice.
//!
//! An imported invoice is `draft` or `sent`: sent is what the office's send makes
//! (unpaid, shown in the portal), but no email goes to anyone — the other system sent
//! it already. An export also writes `paid` and `void`; such a row imports only as it
//! is, onto the invoice it came from.

use crate::Invalid;
use crate::customer_import::Column;
use crate::documents::invoice_editable;
use crate::status::InvoiceStatus;

/// An invoices file's columns, in the order the template and the export write them.
pub const INVOICE_COLUMNS: [Column; 13] = [
    (
        "invoice",
        "external_ref",
        "Required: the invoice's id in your other system (or its number here, I-1001). Rows with the same invoice are its lines, in file order; a row whose invoice is already here updates that draft invoice.",
    ),
    (
        "customer",
        "customer",
        "Required: the customer's external reference or number (C-1001); the same on every row of one invoice.",
    ),
    (
        "job",
        "job",
        "The job it bills: the job's external reference or number.",
    ),
    (
        "issued_on",
        "issued_on",
        "Issue date, YYYY-MM-DD; empty means today.",
    ),
    (
        "due_on",
        "due_on",
        "Due date, YYYY-MM-DD; empty means by the customer's (else the company's) payment terms.",
    ),
    (
        "status",
        "status",
        "draft or sent; empty means draft. Sent makes it unpaid in the portal; no email is sent for an imported invoice.",
    ),
    ("notes", "notes", "Notes printed on the invoice."),
    (
        "discount",
        "discount",
        "Taken off the invoice before tax, e.g. 10.00.",
    ),
    (
        "description",
        "description",
        "Required: the line's work or item.",
    ),
    (
        "quantity",
        "quantity",
        "The line's quantity, e.g. 2 or 1.5; empty means 1.",
    ),
    (
        "unit_price",
        "unit_price",
        "The line's unit price in the company's currency, e.g. 45.00.",
    ),
    (
        "tax",
        "tax_name",
        "The line's tax: the name of one of your tax rates (or any name, with tax_rate); empty means untaxed.",
    ),
    (
        "tax_rate",
        "tax_rate",
        "The tax in percent, e.g. 8.25; empty with a tax name means that tax rate's.",
    ),
];

/// The template's example: one invoice of two lines.
pub const TEMPLATE_ROWS: [[&str; 13]; 2] = [
    [
        "INV-0001",
        "CRM-0001",
        "",
        "2026-01-15",
        "2026-02-14",
        "sent",
        "Thank you for your business.",
        "",
        "Boiler service",
        "1",
        "120.00",
        "Sales tax",
        "8.25",
    ],
    [
        "INV-0001",
        "CRM-0001",
        "",
        "2026-01-15",
        "2026-02-14",
        "sent",
        "Thank you for your business.",
        "",
        "Filter",
        "2",
        "15.50",
        "",
        "",
    ],
];

/// The `status` column: `draft` (or empty), `sent`; `paid` and `void` as an export
/// writes them. Answers the stored status it stands for.
pub fn parse_status(raw: &str) -> Result<InvoiceStatus, Invalid> {
    match raw.trim().to_lowercase().as_str() {
        "" | "draft" => Ok(InvoiceStatus::Draft),
        "sent" | "unpaid" => Ok(InvoiceStatus::Unpaid),
        "paid" => Ok(InvoiceStatus::Paid),
        "void" => Ok(InvoiceStatus::Void),
        _ => Err(Invalid::new("status", "Enter draft or sent.")),
    }
}

/// How the export writes `status` (what [`parse_status`] reads back).
pub fn status_cell(status: InvoiceStatus) -> &'static str {
    match status {
        InvoiceStatus::Draft => "draft",
        InvoiceStatus::Unpaid => "sent",
        InvoiceStatus::Paid => "paid",
        InvoiceStatus::Void => "void",
    }
}

/// A new invoice is imported as a draft or as sent: paying or voiding it is the office's
/// business afterwards (a payment has its own record and receipt).
pub fn check_new_status(status: InvoiceStatus) -> Result<(), Invalid> {
    match status {
        InvoiceStatus::Draft | InvoiceStatus::Unpaid => Ok(()),
        _ => Err(Invalid::new(
            "status",
            "A new invoice imports as draft or sent; record its payments or void it here afterwards.",
        )),
    }
}

/// Why invoice `status` with `paid_minor` paid cannot take a re-import's change: the
/// office's rule ([`invoice_editable`]) keeps a sent invoice as the customer saw it, and
/// one with payments as its payments were made against. `None` while it is a draft.
pub fn reimport_refusal(status: InvoiceStatus, paid_minor: i64) -> Option<&'static str> {
    if paid_minor > 0 {
        return Some(
            "This invoice has payments recorded; it can no longer change. Nothing was imported.",
        );
    }
    if invoice_editable(status) {
        return None;
    }
    Some(match status {
        InvoiceStatus::Void => {
            "This invoice is void; it can no longer change. Nothing was imported."
        }
        _ => {
            "This invoice was sent; it can no longer change (void it and import a new one if it is wrong). Nothing was imported."
        }
    })
}

/// A row's draft/sent change: a sent invoice is never made a draft again.
pub fn check_status_change(from: InvoiceStatus, to: InvoiceStatus) -> Result<(), Invalid> {
    match (from, to) {
        (InvoiceStatus::Draft, InvoiceStatus::Draft | InvoiceStatus::Unpaid) => Ok(()),
        (a, b) if a == b => Ok(()),
        _ => Err(Invalid::new(
            "status",
            "This invoice's status cannot become that by import: draft may become sent, nothing else.",
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_status_the_export_writes_reads_back() {
        for s in InvoiceStatus::ALL {
            assert_eq!(parse_status(status_cell(*s)).unwrap(), *s);
        }
        assert_eq!(parse_status(" Sent ").unwrap(), InvoiceStatus::Unpaid);
        assert_eq!(parse_status("").unwrap(), InvoiceStatus::Draft);
        assert_eq!(parse_status("open").unwrap_err().field, "status");
    }

    #[test]
    fn only_drafts_without_payments_take_a_reimport() {
        assert_eq!(reimport_refusal(InvoiceStatus::Draft, 0), None);
        assert!(
            reimport_refusal(InvoiceStatus::Unpaid, 100)
                .unwrap()
                .contains("payments")
        );
        assert!(
            reimport_refusal(InvoiceStatus::Paid, 100)
                .unwrap()
                .contains("payments")
        );
        assert!(
            reimport_refusal(InvoiceStatus::Unpaid, 0)
                .unwrap()
                .contains("sent")
        );
        assert!(
            reimport_refusal(InvoiceStatus::Void, 0)
                .unwrap()
                .contains("void")
        );
    }

    #[test]
    fn new_invoices_are_drafts_or_sent_and_never_go_back() {
        assert!(check_new_status(InvoiceStatus::Draft).is_ok());
        assert!(check_new_status(InvoiceStatus::Unpaid).is_ok());
        assert!(check_new_status(InvoiceStatus::Paid).is_err());
        assert!(check_status_change(InvoiceStatus::Draft, InvoiceStatus::Unpaid).is_ok());
        assert!(check_status_change(InvoiceStatus::Unpaid, InvoiceStatus::Draft).is_err());
        assert!(check_status_change(InvoiceStatus::Draft, InvoiceStatus::Paid).is_err());
    }
}
