//! The office's payments: the list (method, dates, search, keyset paging), recording a
//! payment taken offline (`/office/payments/new`), applying account credit, one
//! payment's receipt, and the payments part of an invoice's office page.

pub mod autopay_failures;
pub mod invoice_part;
pub mod list;
pub mod receipt;
pub mod record;

use doorstep_core::payments::stored_method_label;
use doorstep_store::companies::Company;

use crate::kit::urls::path_segment;

/// The receipt page of payment `number`.
pub(crate) fn receipt_href(number: &str) -> String {
    format!("/office/payments/{}", path_segment(number))
}

/// The form recording a payment for invoice `number`: the "Record payment" link of the
/// office's invoice page.
pub fn record_href_for_invoice(number: &str) -> String {
    format!(
        "/office/payments/new?invoice={}",
        form_urlencoded::byte_serialize(number.as_bytes()).collect::<String>()
    )
}

/// The form recording a payment for account `number`.
pub(crate) fn record_href_for_customer(number: &str) -> String {
    format!(
        "/office/payments/new?customer={}",
        form_urlencoded::byte_serialize(number.as_bytes()).collect::<String>()
    )
}

/// How a stored payment's method reads, with its reference when it adds something.
pub(crate) fn method_text(method: &str, channel: &str, reference: &str) -> String {
    let label = stored_method_label(method, channel);
    if reference.is_empty() || reference == "Account credit applied" {
        label.to_owned()
    } else {
        format!("{label} · {reference}")
    }
}

/// An amount in the company's currency.
pub(crate) fn money(company: &Company, minor: i64) -> String {
    crate::views::money(company, minor)
}
