//! Giving a job a visit time (a day with morning, afternoon, all day or exact hours) or
//! taking it away. Scheduling an unscheduled job makes it scheduled; unscheduling a
//! scheduled one makes it unscheduled. Each status change is recorded like a move.

use doorstep_core::jobs::{Schedule, may_schedule, parse_schedule, schedule_refusal};
use doorstep_core::local_time::Zone;
use doorstep_core::status::JobStatus;
use doorstep_store::job_writes::VisitTime;
use serde_json::json;

use super::{Changed, job};
use crate::error::FieldErrors;
use crate::{App, AppError, StaffActor};

/// A visit time as typed, checked.
#[derive(Debug, Clone, Copy)]
pub struct ScheduleOrder(Schedule);

impl ScheduleOrder {
    /// Checks the day, the time of day and, for exact hours, start and end.
    pub fn parse(
        zone: &Zone,
        date: &str,
        slot: &str,
        start: &str,
        end: &str,
    ) -> Result<ScheduleOrder, FieldErrors> {
        parse_schedule(zone, date, slot, start, end)
            .map(ScheduleOrder)
            .map_err(FieldErrors)
    }
}

fn not_schedulable(status: JobStatus) -> AppError {
    AppError::conflict("not_schedulable", schedule_refusal(status))
}

/// Gives job `number` the visit `order` (a new time for a scheduled one). Refused with a
/// `not_schedulable` conflict once the crew is on the way or the job is closed, and
/// `changed` when its status moved meanwhile.
pub async fn schedule(
    app: &App,
    actor: &StaffActor,
    number: &str,
    order: ScheduleOrder,
) -> Result<Changed, AppError> {
    let j = job(app, actor, number).await?;
    let from = j.status();
    if !may_schedule(from) {
        return Err(not_schedulable(from));
    }
    let s = order.0;
    let to = JobStatus::Scheduled;
    let company = actor.company().id;
    let at = doorstep_store::now();
    let visit = VisitTime {
        slot: s.slot,
        start: s.start,
        end: s.end,
    };
    let mut tx = app.store.begin().await?;
    if !tx
        .schedule_job(company, j.job_id(), (from, to), Some(visit), at)
        .await?
    {
        return Err(AppError::changed());
    }
    if from != to {
        tx.record_job_status(
            company,
            (j.customer(), j.job_id()),
            to,
            at,
            Some(actor.id()),
        )
        .await?;
    }
    let detail = json!({
        "number": j.number, "from": from.as_str(), "to": to.as_str(),
        "date": s.date.to_string(), "schedule_type": s.slot.as_str(),
        "start": s.start.to_string(), "end": s.end.to_string(),
    });
    tx.audit(
        company,
        &actor.audit("job.scheduled", ("job", j.id), detail),
    )
    .await?;
    app.commit(tx, false).await?;
    Ok(Changed {
        number: j.number.clone(),
        status: to,
        emailed: false,
    })
}

/// Takes the visit of job `number` away: it becomes unscheduled (a window place it held
/// is given back). Refused as [`schedule`] is.
pub async fn unschedule(app: &App, actor: &StaffActor, number: &str) -> Result<Changed, AppError> {
    let j = job(app, actor, number).await?;
    let from = j.status();
    if !may_schedule(from) {
        return Err(not_schedulable(from));
    }
    let to = JobStatus::Unscheduled;
    let company = actor.company().id;
    let at = doorstep_store::now();
    let mut tx = app.store.begin().await?;
    if !tx
        .schedule_job(company, j.job_id(), (from, to), None, at)
        .await?
    {
        return Err(AppError::changed());
    }
    if from != to {
        tx.record_job_status(
            company,
            (j.customer(), j.job_id()),
            to,
            at,
            Some(actor.id()),
        )
        .await?;
    }
    let detail = json!({"number": j.number, "from": from.as_str(), "to": to.as_str()});
    tx.audit(
        company,
        &actor.audit("job.unscheduled", ("job", j.id), detail),
    )
    .await?;
    app.commit(tx, false).await?;
    Ok(Changed {
        number: j.number.clone(),
        status: to,
        emailed: false,
    })
}
