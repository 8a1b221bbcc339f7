//! Opening a New request marks it Read.

use doorstep_core::ids::ServiceRequestId;
use doorstep_core::status::RequestStatus;

use super::{audit, finish, request};
use crate::{App, AppError, StaffActor};

/// Marks request `number` Read when it is New (audited, the inbox streams told); whether
/// it was. Someone else opening it first is no error: it is simply no longer New.
pub async fn mark_read(app: &App, actor: &StaffActor, number: &str) -> Result<bool, AppError> {
    let r = request(app, actor, number).await?;
    if r.status() != RequestStatus::New {
        return Ok(false);
    }
    let mut tx = app.store.begin().await?;
    if !tx
        .mark_request_read(
            actor.company().id,
            ServiceRequestId(r.id),
            doorstep_store::now(),
        )
        .await?
    {
        return Ok(false);
    }
    let record = audit(actor, "request.read", &r, serde_json::json!({}));
    finish(app, tx, actor, record, false).await?;
    Ok(true)
}
