//! The office's request inbox: reading, answering, proposing times, converting and
//! declining what customers sent. Every answer is refused for a request that is no
//! longer open twice over: by the domain rule (`RequestStatus::may_convert`,
//! `may_decline`) before anything is written, and by the store's guarded UPDATE inside
//! the transaction, which is dropped (nothing kept) when it fails. Each committed answer
//! tells the open inbox streams, so their New count follows at once.

mod convert;
mod decline;
mod propose;
mod read;

pub use convert::{
    Converted, EstimateForm, EstimateOrder, JobForm, JobOrder, RentalForm, RentalOrder,
    SUMMARY_MAX, to_estimate, to_job, to_rental,
};
pub use decline::{Decline, Declined, decline};
pub use propose::{Proposal, Proposed, propose};
pub use read::mark_read;

use doorstep_core::authz::OfficeArea;
use doorstep_store::Tx;
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::request_inbox::RequestDetail;

use crate::{App, AppError, StaffActor};

/// The code of the conflict a request that is no longer open (declined, or converted
/// already) answers with.
pub const NOT_OPEN: &str = "not_open";

/// The refusal for a request that is declined or converted already.
fn not_open() -> AppError {
    AppError::conflict(
        NOT_OPEN,
        "This request is no longer open: a declined request can never be converted, and a \
         converted request cannot be converted again. Nothing was changed.",
    )
}

/// The company's request `number`, when the actor works the inbox; `NotFound` otherwise
/// (another company's number included).
async fn request(app: &App, actor: &StaffActor, number: &str) -> Result<RequestDetail, AppError> {
    actor.require(OfficeArea::DayToDay)?;
    app.store
        .request_detail(actor.company().id, number)
        .await?
        .ok_or(AppError::NotFound)
}

/// The audit record of the actor doing `action` to request `r`.
fn audit(
    actor: &StaffActor,
    action: &'static str,
    r: &RequestDetail,
    detail: serde_json::Value,
) -> NewAuditEvent {
    actor.audit(action, ("service_request", r.id), detail)
}

/// Records the audit of an answer, commits it, and tells the inbox streams (and the mail
/// worker, when an email was queued).
async fn finish(
    app: &App,
    mut tx: Tx,
    actor: &StaffActor,
    record: NewAuditEvent,
    emailed: bool,
) -> Result<(), AppError> {
    let company = actor.company().id;
    tx.audit(company, &record).await?;
    app.commit(tx, emailed).await?;
    app.request_events().notify(company);
    Ok(())
}
