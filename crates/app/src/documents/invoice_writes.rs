//! The writes of an invoice's create and edit inside a transaction the caller owns:
//! the office's and the API's use cases ([`super::invoices::create`],
//! [`super::invoices::edit`]) each call them in their own transaction, and the CSV
//! import of invoices (issue 18) calls them for every invoice of a file in its one
//! transaction, so an invoice is written the same way whichever way it comes.

use doorstep_core::ids::{CompanyId, CustomerId, InvoiceId, JobId, SiteId};
use doorstep_core::status::InvoiceStatus;
use doorstep_store::Tx;
use doorstep_store::billing::NewInvoice;
use doorstep_store::jobs::{LineOwner, NewLine};
use doorstep_store::office_documents::{InvoiceFields, stored_total};
use doorstep_store::request_inbox::Numbered;
use time::Date;

use super::invoices::SENT;
use super::lines::Lines;
use crate::AppError;

/// A new invoice as [`write_new`] writes it: always a draft (sending is its own step).
#[derive(Debug, Clone)]
pub(crate) struct NewDraft<'a> {
    /// The customer billed.
    pub customer: CustomerId,
    /// One of its sites.
    pub site: Option<SiteId>,
    /// The job it bills.
    pub job: Option<JobId>,
    /// Issued.
    pub issued_on: Date,
    /// Due.
    pub due_on: Date,
    /// Notes printed on it.
    pub notes: String,
    /// Its lines, in order.
    pub lines: &'a [NewLine],
    /// Discount, minor units.
    pub discount_minor: i64,
    /// Its id in another system.
    pub external_ref: Option<&'a str>,
}

/// Writes draft `d` in `tx` (the caller's transaction: the office's own, or an import's
/// one for a whole file) under the company's next number, with its lines, discount and
/// external id; answers its id, number and total.
pub(crate) async fn write_new(
    tx: &mut Tx,
    company: CompanyId,
    d: &NewDraft<'_>,
) -> Result<(InvoiceId, String, i64), AppError> {
    let total = stored_total(d.lines, d.discount_minor);
    let number = tx.next_number(company, Numbered::Invoice).await?;
    let id = tx
        .insert_invoice(
            company,
            &NewInvoice {
                customer: d.customer,
                site: d.site,
                job: d.job,
                number: number.clone(),
                status: InvoiceStatus::Draft,
                issued_on: d.issued_on,
                due_on: d.due_on,
                total_minor: total,
                paid_minor: 0,
                notes: d.notes.clone(),
                paid_at: None,
                voided_at: None,
            },
        )
        .await?;
    tx.insert_lines(company, LineOwner::Invoice(id), d.lines)
        .await?;
    tx.set_invoice_discount(company, id, d.discount_minor)
        .await?;
    if let Some(r) = d.external_ref {
        tx.set_invoice_external_ref(company, id, r).await?;
    }
    Ok((id, number, total))
}

/// Writes the change of draft invoice `id` in `tx` (the caller's transaction): its
/// fields `f`, and its lines and external id when given. Refused with a `sent` conflict
/// when it is no longer a draft.
pub(crate) async fn write_edit(
    tx: &mut Tx,
    company: CompanyId,
    id: InvoiceId,
    f: &InvoiceFields,
    lines: Option<&Lines>,
    external_ref: Option<&str>,
) -> Result<(), AppError> {
    if !tx.update_invoice(company, id, f).await? {
        return Err(AppError::conflict("sent", SENT));
    }
    if let Some(l) = lines
        && !tx
            .replace_lines(
                company,
                LineOwner::Invoice(id),
                l.lines(),
                l.discount_minor(),
            )
            .await?
    {
        return Err(AppError::conflict("sent", SENT));
    }
    if let Some(r) = external_ref {
        tx.set_invoice_external_ref(company, id, r).await?;
    }
    Ok(())
}
