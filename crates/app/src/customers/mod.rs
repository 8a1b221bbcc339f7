//! The office's use cases for its customer book (issue 17): customer accounts
//! ([`accounts`]), their contacts ([`contacts`]) and their sites ([`sites`]) — created,
//! edited, deactivated and reactivated by any office staff member, each audited. Nothing
//! that has history is ever deleted.
//!
//! A contact's email is added or changed here; the access panel
//! ([`crate::access`]) then enables the portal with it. While a contact has portal access
//! its email cannot change (the login *is* that address): the office turns access off,
//! changes the email and enables access again, which invites the new address. Deactivating
//! a contact turns its portal access off and ends every session of its login at once.

pub mod accounts;
pub mod contacts;
pub mod import;
mod import_rows;
// import-jobs (issue 18)
mod import_jobs;
// import-invoices (issue 18)
mod import_invoices;
pub mod sites;

use doorstep_core::ids::{CompanyId, CustomerId, LoginId};
use doorstep_store::Tx;
use doorstep_store::sessions::SessionOwner;

use crate::AppError;

/// The account `id` of the company, which must be active to take new contacts and
/// sites; `NotFound` for another company's.
async fn active_account(tx: &mut Tx, company: CompanyId, id: CustomerId) -> Result<(), AppError> {
    let state = tx
        .customer_state(company, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !state.active {
        return Err(AppError::conflict(
            "customer_inactive",
            "This customer is deactivated. Reactivate it first.",
        ));
    }
    Ok(())
}

/// Ends every session of `logins`; answers how many ended.
async fn end_sessions(
    tx: &mut Tx,
    company: CompanyId,
    logins: &[LoginId],
) -> Result<u64, AppError> {
    let mut ended = 0;
    for login in logins {
        ended += tx
            .delete_sessions_of(company, SessionOwner::Login(*login), None)
            .await?;
    }
    Ok(ended)
}
