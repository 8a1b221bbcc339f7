//! Emails to the office, queued in the caller's transaction. Every notice of what a
//! customer did goes to the company's office notice address (its request address, else its
//! main email); a company with neither gets none.

use doorstep_mail::EmailKind;
use doorstep_store::Tx;
use doorstep_store::companies::Company;

use crate::AppError;

/// Queues `kind` to the office of `company` with `values`; false when the company has no
/// address to send it to.
pub(crate) async fn office(
    tx: &mut Tx,
    company: &Company,
    kind: EmailKind,
    values: &[(&str, &str)],
) -> Result<bool, AppError> {
    // Through the open transaction: a writer never waits for a second connection.
    let to = tx.office_notice_address(company.id).await?;
    if to.trim().is_empty() {
        return Ok(false);
    }
    doorstep_mail::enqueue(tx, company.id, kind, &to, &company.name, values).await?;
    Ok(true)
}
