//! A customer moving or cancelling a scheduled visit before the company's cut-off. Each
//! use case re-checks authz (site contacts: visits of their sites only), the rule
//! (`core::visits::visit_change`) and the visit's state, then writes the change, the
//! audit record and the office's notice in one transaction, or changes nothing.
//!
//! A move keeps the store's lock order (the job's row, then the windows by id) and every
//! window's count equal to its bookings: see `Tx::move_visit`.

use doorstep_core::authz::{PortalAction, contact_may_see_site};
use doorstep_core::ids::JobId;
use doorstep_core::local_time::Zone;
use doorstep_core::request_form::{check_date, check_schedule};
use doorstep_core::settings::PortalSettings;
use doorstep_core::status::{JobStatus, ScheduleType};
use doorstep_core::validation::Invalid;
use doorstep_core::visits::{
    VisitChange, check_cancel_reason, check_exact_hours, new_time_allowed, too_soon_message,
    visit_change, visit_time_text, window_bounds, window_text,
};
use doorstep_mail::EmailKind;
use doorstep_store::Tx;
use doorstep_store::availability::Window;
use doorstep_store::visits::{MoveOutcome, Visit, VisitMove};
use serde_json::json;
use time::{Date, OffsetDateTime};

use super::Who;
use crate::error::FieldErrors;
use crate::{App, AppError, ContactActor, notify};

/// The account's visit numbered `number` (site contacts: of their sites); not found
/// otherwise.
pub async fn load(app: &App, actor: &ContactActor, number: &str) -> Result<Visit, AppError> {
    actor.require(PortalAction::ViewJobs)?;
    let visit = app
        .store()
        .visit_for_contact(actor.company().id, actor.scope(), number)
        .await?
        .ok_or(AppError::NotFound)?;
    // The store scoped the query; the rule is asked as well, so one mistake is not a leak.
    let (customer, site) = visit.place();
    if !contact_may_see_site(actor.scope(), customer, site) {
        return Err(AppError::NotFound);
    }
    Ok(visit)
}

/// Whether `actor` may change `visit` at `now`, and if not, why.
pub fn change_of(actor: &ContactActor, visit: &Visit, now: OffsetDateTime) -> VisitChange {
    if !actor.may(PortalAction::ChangeVisits) {
        return VisitChange::Disabled;
    }
    let status = JobStatus::parse(&visit.status).unwrap_or(JobStatus::Unscheduled);
    visit_change(
        &actor.company().settings,
        status,
        visit.scheduled_start,
        now,
    )
}

/// The refusal of a rule that says no: a conflict of reason `disabled` (the company
/// does not allow changes online), `not_scheduled` or `too_late`.
fn refused(change: VisitChange) -> AppError {
    let reason = match change {
        VisitChange::Disabled => "disabled",
        VisitChange::NotScheduled => "not_scheduled",
        VisitChange::TooLate { .. } | VisitChange::Allowed => "too_late",
    };
    AppError::conflict(reason, change.refusal().unwrap_or_default())
}

/// The conflict when the visit changed between the page and the answer.
pub fn stale() -> AppError {
    AppError::conflict(
        "changed",
        "This visit changed meanwhile (moved, cancelled or started). Nothing was changed.",
    )
}

/// When a visit is, as people read it on the company's clock.
pub fn visit_time(zone: &Zone, visit: &Visit) -> String {
    visit_time_text(
        zone,
        visit.scheduled_start,
        visit.scheduled_end,
        visit.schedule_type.as_deref(),
    )
}

/// How a window reads.
pub fn window_label(w: &Window) -> String {
    window_text(w.window_date, &w.slot, &w.start_time, &w.end_time)
}

/// The hours `w` covers, on the company's clock (`zone`).
pub fn bounds(zone: &Zone, w: &Window) -> (OffsetDateTime, OffsetDateTime) {
    let slot = ScheduleType::parse(&w.slot).unwrap_or(ScheduleType::AllDay);
    let exact = check_exact_hours(&w.start_time, &w.end_time).ok();
    window_bounds(zone, w.window_date, slot, exact)
}

/// Whether the visit may move into `w`: not the window it holds, and starting beyond the
/// cut-off, so the customer could still change the new time.
pub fn may_move_into(
    zone: &Zone,
    settings: &PortalSettings,
    visit: &Visit,
    w: &Window,
    now: OffsetDateTime,
) -> bool {
    Some(w.id) != visit.availability_window_id && new_time_allowed(settings, bounds(zone, w).0, now)
}

/// The new time the customer chose, checked as far as the form alone allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewTime {
    /// A published window, by id (checked against the company's windows when moving).
    Window(i64),
    /// A date and time of day for the office to confirm (no window published).
    Date(Date, ScheduleType),
}

const PICK_WINDOW: &str = "Choose one of the open windows.";

impl NewTime {
    /// Reads the reschedule form: a window (`mode` `window`, or any `window` given) or a
    /// date with morning, afternoon or all day, beyond the cut-off. Messages name the
    /// fields `window`, `date` and `schedule_type`. Dates and hours are the company's
    /// (`zone`).
    pub fn parse(
        zone: &Zone,
        settings: &PortalSettings,
        mode: &str,
        window: &str,
        date: &str,
        schedule_type: &str,
        now: OffsetDateTime,
    ) -> Result<NewTime, FieldErrors> {
        let mut errors = FieldErrors::default();
        if mode == "window" || !window.trim().is_empty() {
            return match window.trim().parse::<i64>() {
                Ok(id) => Ok(NewTime::Window(id)),
                Err(_) => {
                    errors.0.push(Invalid::new("window", PICK_WINDOW));
                    Err(errors)
                }
            };
        }
        let day = errors.check(
            check_date(date, zone.date_of(now), settings.request_lead_days)
                .map_err(|m| Invalid::new("date", m)),
        );
        let slot = match check_schedule(schedule_type) {
            Ok(ScheduleType::Exact) | Err(_) => {
                errors.0.push(Invalid::new(
                    "schedule_type",
                    "Choose morning, afternoon or all day.",
                ));
                None
            }
            Ok(s) => Some(s),
        };
        match (day, slot) {
            (Some(d), Some(s))
                if !new_time_allowed(settings, window_bounds(zone, d, s, None).0, now) =>
            {
                errors
                    .0
                    .push(Invalid::new("date", too_soon_message(settings)));
                Err(errors)
            }
            (Some(d), Some(s)) => Ok(NewTime::Date(d, s)),
            _ => Err(errors),
        }
    }
}

/// What a reschedule did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rescheduled {
    /// The visit is in the new window.
    Moved,
    /// The office was asked for the date; the visit stays until it confirms.
    Asked,
}

/// Moves visit `number` into a published window (a place taken there, the held one given
/// back), or asks the office for a date. Refused: not found for a visit the contact may
/// not see; a `disabled`, `not_scheduled` or `too_late` conflict when the rule says no;
/// [`AppError::Invalid`] (field `window`) for a window that is not the company's or too
/// soon; a `full` conflict when its last place went; a `changed` conflict when the visit
/// changed meanwhile.
pub async fn reschedule(
    app: &App,
    actor: &ContactActor,
    number: &str,
    to: NewTime,
) -> Result<Rescheduled, AppError> {
    let visit = load(app, actor, number).await?;
    let now = doorstep_store::now();
    let change = change_of(actor, &visit, now);
    if !change.is_allowed() {
        return Err(refused(change));
    }
    let company = actor.company();
    let settings = &company.settings;
    let window = match to {
        NewTime::Window(id) => {
            let w = app
                .store()
                .office_window(company.id, id)
                .await?
                .ok_or_else(|| Invalid::new("window", PICK_WINDOW))?;
            if !new_time_allowed(settings, bounds(&company.time_zone, &w).0, now) {
                return Err(Invalid::new("window", too_soon_message(settings)).into());
            }
            Some(w)
        }
        NewTime::Date(..) => None,
    };
    let person = actor.who(app).await?;
    let old_time = visit_time(&actor.company().time_zone, &visit);
    let mut tx = app.store.begin().await?;
    let job = JobId(visit.id);
    let (action, new_time, outcome) = match (&to, window) {
        (_, Some(w)) => {
            let (start, end) = bounds(&company.time_zone, &w);
            let move_to = VisitMove {
                window: w.id,
                slot: ScheduleType::parse(&w.slot).unwrap_or(ScheduleType::AllDay),
                start,
                end,
                today: company.time_zone.date_of(now),
            };
            let held = visit.availability_window_id;
            match tx
                .move_visit(company.id, actor.scope(), job, held, &move_to)
                .await?
            {
                MoveOutcome::Moved => {}
                MoveOutcome::WindowFull => {
                    return Err(AppError::conflict(
                        "full",
                        "That window has just filled up. Choose another; nothing was changed.",
                    ));
                }
                MoveOutcome::Stale => return Err(stale()),
            }
            ("visit.rescheduled", window_label(&w), Rescheduled::Moved)
        }
        (NewTime::Date(date, slot), None) => {
            if !tx
                .ask_visit_date(company.id, actor.scope(), job, *date, *slot, now)
                .await?
            {
                return Err(stale());
            }
            (
                "visit.reschedule_requested",
                format!(
                    "{} (asked for; the office will confirm)",
                    doorstep_core::visits::day_and_slot(*date, Some(*slot))
                ),
                Rescheduled::Asked,
            )
        }
        (NewTime::Window(_), None) => return Err(Invalid::new("window", PICK_WINDOW).into()),
    };
    let detail = json!({"number": visit.number, "from": old_time, "to": new_time});
    let next_step = match outcome {
        Rescheduled::Moved => "Your visit is booked at the new time.",
        Rescheduled::Asked => {
            "The office will confirm the new date; until it does, the visit stays at the time it was."
        }
    };
    let told = Told {
        action,
        detail,
        email: EmailKind::VisitRescheduled,
        customer_email: EmailKind::VisitRescheduledCustomer,
        values: &[
            ("old_time", old_time.as_str()),
            ("new_time", new_time.as_str()),
            ("next_step", next_step),
        ],
    };
    finish(app, tx, actor, &person, &visit, told).await?;
    Ok(outcome)
}

/// Cancels visit `number` with the customer's reason (see
/// `core::visits::check_cancel_reason`), giving back the window place it held. Refused as
/// [`reschedule`] is.
pub async fn cancel(
    app: &App,
    actor: &ContactActor,
    number: &str,
    reason: &str,
) -> Result<(), AppError> {
    let visit = load(app, actor, number).await?;
    let now = doorstep_store::now();
    let change = change_of(actor, &visit, now);
    if !change.is_allowed() {
        return Err(refused(change));
    }
    let reason = check_cancel_reason(reason)?;
    let person = actor.who(app).await?;
    let old_time = visit_time(&actor.company().time_zone, &visit);
    let mut tx = app.store.begin().await?;
    if !tx
        .cancel_visit(
            actor.company().id,
            actor.scope(),
            JobId(visit.id),
            &reason,
            now,
        )
        .await?
    {
        return Err(stale());
    }
    let detail = json!({"number": visit.number, "visit": old_time, "reason": reason});
    let told = Told {
        action: "visit.cancelled",
        detail,
        email: EmailKind::VisitCancelled,
        customer_email: EmailKind::VisitCancelledCustomer,
        values: &[("old_time", old_time.as_str()), ("reason", reason.as_str())],
    };
    finish(app, tx, actor, &person, &visit, told).await
}

/// What a visit change records: its audit action and detail, the office's email and the
/// customer's confirmation, with the values beyond the company, account, job, contact and
/// link.
struct Told<'a> {
    action: &'static str,
    detail: serde_json::Value,
    email: EmailKind,
    customer_email: EmailKind,
    values: &'a [(&'a str, &'a str)],
}

/// Audits the change made in `tx`, queues the office's notice and the confirmation to the
/// person who made the change (at their login's address), and commits.
async fn finish(
    app: &App,
    mut tx: Tx,
    actor: &ContactActor,
    person: &Who,
    visit: &Visit,
    told: Told<'_>,
) -> Result<(), AppError> {
    let company = actor.company();
    let audit = actor.audit(&person.email, told.action, ("job", visit.id), told.detail);
    tx.audit(company.id, &audit).await?;
    let mut values: Vec<(&str, &str)> = vec![
        ("company_name", company.name.as_str()),
        ("customer_name", actor.customer_name()),
        ("job_number", &visit.number),
        ("job_summary", &visit.summary),
        ("contact_name", &person.name),
        ("contact_email", &person.email),
    ];
    let link = app.links().portal(
        &company.slug,
        &format!("/jobs/{}", crate::links::path_segment(&visit.number)),
    );
    values.push(("link", &link));
    values.extend_from_slice(told.values);
    let mut queued = notify::office(&mut tx, company, told.email, &values).await?;
    if !person.email.trim().is_empty() {
        doorstep_mail::enqueue(
            &mut tx,
            company.id,
            told.customer_email,
            &person.email,
            &person.name,
            &values,
        )
        .await?;
        queued = true;
    }
    app.commit(tx, queued).await?;
    Ok(())
}
