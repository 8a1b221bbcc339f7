//! The invoices CSV export (issue 18), one row per line item in the columns the invoices
//! import reads ([`INVOICE_COLUMNS`]), so an exported file imported again changes
//! nothing. Paged by invoice id (an invoice's lines never split across pages) and
//! streamed by [`super::exports`]. An invoice without lines has no row.
//!
//! [`INVOICE_COLUMNS`]: doorstep_core::invoice_import::INVOICE_COLUMNS

use doorstep_core::catalogue::price_input;
use doorstep_core::documents::{quantity_input, rate_input};
use doorstep_core::ids::CompanyId;
use doorstep_core::import_kinds::csv_line;
use doorstep_core::invoice_import::status_cell;
use doorstep_core::money::Currency;
use doorstep_core::status::InvoiceStatus;
use doorstep_store::{Store, StoreError};

/// Invoices read per page.
const PAGE: i64 = 200;

/// The CSV lines of the company's invoices after id `after`, with the last invoice's id;
/// `None` at the end.
pub(super) async fn page(
    store: &Store,
    company: CompanyId,
    after: i64,
) -> Result<Option<(String, i64)>, StoreError> {
    let Some(page) = store.export_invoices(company, after, PAGE).await? else {
        return Ok(None);
    };
    let currency = Currency::parse(&page.currency).unwrap_or(Currency::USD);
    let mut out = String::new();
    let mut lines = page.lines.iter().peekable();
    let mut last = after;
    for i in &page.invoices {
        last = i.id;
        let status = InvoiceStatus::parse(&i.status).map_or("", status_cell);
        let (issued, due) = (i.issued_on.to_string(), i.due_on.to_string());
        let discount = if i.discount_minor == 0 {
            String::new()
        } else {
            price_input(i.discount_minor, currency)
        };
        let reference = i.external_ref.as_deref().unwrap_or(&i.number);
        while let Some(l) = lines.next_if(|l| l.invoice_id <= i.id) {
            if l.invoice_id != i.id {
                continue;
            }
            let rate = match l.tax_name {
                Some(_) => rate_input(l.tax_rate_bp),
                None => String::new(),
            };
            out.push_str(&csv_line([
                reference,
                &i.customer,
                i.job.as_deref().unwrap_or_default(),
                &issued,
                &due,
                status,
                &i.notes,
                &discount,
                &l.description,
                &quantity_input(l.quantity_milli),
                &price_input(l.unit_price_minor, currency),
                l.tax_name.as_deref().unwrap_or_default(),
                &rate,
            ]));
        }
    }
    Ok(Some((out, last)))
}
