//! Moving a job's status with the office's buttons (see `core::jobs::may_move`): each
//! move is recorded with its time and who made it (the job page's timeline and the
//! portal's live status read it), audited, and — on the way and completed — emailed to
//! the contacts who want updates, in the same transaction.

use doorstep_core::jobs::{check_move, emails_customer};
use doorstep_core::status::JobStatus;
use doorstep_core::validation::Invalid;
use doorstep_mail::EmailKind;
use doorstep_store::job_writes::Wish;
use serde_json::json;

use super::emails::JobNews;
use super::{Changed, job};
use crate::{App, AppError, StaffActor};

/// Moves job `number` to the status named `raw`. Refused with `Invalid("status")` for a
/// move the rules do not allow (completed → on the way, say), with the sentence to show,
/// and `changed` when another move came first.
pub async fn move_status(
    app: &App,
    actor: &StaffActor,
    number: &str,
    raw: &str,
) -> Result<Changed, AppError> {
    let j = job(app, actor, number).await?;
    let to = JobStatus::parse(raw.trim())
        .map_err(|_| Invalid::new("status", "Choose one of the statuses offered."))?;
    let from = j.status();
    check_move(from, to)?;
    let company = actor.company();
    let at = doorstep_store::now();
    let mut tx = app.store.begin().await?;
    if !tx
        .move_job_status(company.id, j.job_id(), (from, to), at)
        .await?
    {
        return Err(AppError::changed());
    }
    tx.record_job_status(
        company.id,
        (j.customer(), j.job_id()),
        to,
        at,
        Some(actor.id()),
    )
    .await?;
    let sent = if emails_customer(to) {
        let kind = if to == JobStatus::Completed {
            EmailKind::JobCompleted
        } else {
            EmailKind::JobOnTheWay
        };
        let news = JobNews {
            company: (company.id, &company.name, &company.slug),
            customer: j.customer(),
            site: j.site_id.map(doorstep_core::ids::SiteId),
            number: &j.number,
            summary: &j.summary,
            site_name: j.site_name.as_deref().unwrap_or(""),
        };
        news.send(app, &mut tx, kind, Wish::RequestUpdates, &[])
            .await?
    } else {
        0
    };
    let detail =
        json!({"number": j.number, "from": from.as_str(), "to": to.as_str(), "emailed": sent});
    tx.audit(
        company.id,
        &actor.audit("job.status_changed", ("job", j.id), detail),
    )
    .await?;
    let data = json!({"number": j.number, "customer_id": j.customer().0, "from": from.as_str(), "to": to.as_str()});
    crate::webhooks::emit(&mut tx, company.id, "job.status_changed", data).await?;
    app.commit(tx, sent > 0).await?;
    Ok(Changed {
        number: j.number.clone(),
        status: to,
        emailed: sent > 0,
    })
}
