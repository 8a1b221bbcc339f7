//! Converting a request to a job, an estimate or a rental (seed 004): each completes the
//! request and links both ways; customer and site always come from the request.

use doorstep_core::ids::{CustomerId, ServiceRequestId};
use doorstep_core::request_form::{DESCRIPTION_MAX, parse_po_number};
use doorstep_core::status::{JobStatus, ScheduleType};
use doorstep_core::validation::Invalid;
use doorstep_core::visits::{exact_hour, window_bounds};
use doorstep_mail::EmailKind;
use doorstep_store::Tx;
use doorstep_store::request_inbox::{
    EstimateFromRequest, JobFromRequest, RentalFromRequest, RequestDetail,
};
use serde_json::json;
use time::macros::format_description;
use time::{Date, Time};

use super::{audit, finish, not_open, request};
use crate::error::FieldErrors;
use crate::links::path_segment;
use crate::{App, AppError, StaffActor};

/// Longest job summary, estimate title or rental name.
pub const SUMMARY_MAX: usize = 120;
/// Longest serial number kept.
pub const SERIAL_MAX: usize = 80;

/// What a request became.
#[derive(Debug, Clone)]
pub struct Converted {
    /// The request's number.
    pub request: String,
    /// The job's or estimate's number, or the rental's name.
    pub made: String,
}

fn parse_day(raw: &str) -> Option<Date> {
    Date::parse(raw.trim(), format_description!("[year]-[month]-[day]")).ok()
}

/// A required one-line name of at most [`SUMMARY_MAX`] characters.
fn parse_title(field: &'static str, raw: &str, what: &str) -> Result<String, Invalid> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(Invalid::new(field, format!("Enter {what}.")));
    }
    if value.chars().count() > SUMMARY_MAX {
        return Err(Invalid::new(
            field,
            format!("Keep the {field} to {SUMMARY_MAX} characters."),
        ));
    }
    Ok(value.to_owned())
}

/// An optional long text of at most [`DESCRIPTION_MAX`] characters, trimmed.
fn parse_text(field: &'static str, raw: &str) -> Result<String, Invalid> {
    if raw.chars().count() > DESCRIPTION_MAX {
        return Err(Invalid::new(
            field,
            format!("Keep the {field} to {DESCRIPTION_MAX} characters."),
        ));
    }
    Ok(raw.trim().to_owned())
}

/// The job form as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct JobForm<'a> {
    /// One line people see in lists.
    pub summary: &'a str,
    /// Longer description.
    pub description: &'a str,
    /// The job type's id, or empty.
    pub job_type: &'a str,
    /// The visit's day `YYYY-MM-DD`, or empty to schedule later.
    pub date: &'a str,
    /// `am`, `pm`, `all_day`, `exact`, or empty.
    pub schedule_type: &'a str,
    /// `HH:MM` for an exact time.
    pub time: &'a str,
    /// The customer's purchase order number.
    pub po_number: &'a str,
}

/// The job to make, checked.
#[derive(Debug, Clone)]
pub struct JobOrder {
    job: JobFromRequest,
    /// The visit's day, slot and exact hours, turned into instants on the company's clock
    /// by [`to_job`].
    hours: Option<VisitHours>,
}

/// A visit's day, slot and exact hours, before they are placed on a company's clock.
type VisitHours = (Date, ScheduleType, Option<(Time, Time)>);

impl JobOrder {
    /// Checks every field of the form, refusing each wrong one. The visit's hours follow
    /// the one window rule (`core::visits::window_bounds`; an exact time is one hour); the
    /// PO number the one PO rule the customer's form follows too.
    pub fn parse(f: &JobForm<'_>) -> Result<JobOrder, FieldErrors> {
        let mut errors = FieldErrors::default();
        let summary = errors.check(parse_title("summary", f.summary, "a summary for the job"));
        let description = errors.check(parse_text("description", f.description));
        let job_type = errors.check(match f.job_type.trim() {
            "" => Ok(None),
            raw => raw
                .parse::<i64>()
                .map(Some)
                .map_err(|_| Invalid::new("job_type", "Choose one of the job types listed.")),
        });
        let schedule_type = errors.check(match f.schedule_type.trim() {
            "" => Ok(None),
            raw => ScheduleType::parse(raw).map(Some).map_err(|_| {
                Invalid::new("schedule_type", "Choose one of the time windows listed.")
            }),
        });
        let time = errors.check(match f.time.trim() {
            "" => Ok(None),
            raw => Time::parse(raw, format_description!("[hour]:[minute]"))
                .map(Some)
                .map_err(|_| Invalid::new("time", "Enter the time as HH:MM, e.g. 14:30.")),
        });
        let day = errors.check(match f.date.trim() {
            "" => Ok(None),
            raw => parse_day(raw).map(Some).ok_or_else(|| {
                Invalid::new("date", "Enter the date as YYYY-MM-DD, e.g. 2025-03-31.")
            }),
        });
        let po_number = errors.check(parse_po_number(f.po_number));
        match (
            summary,
            description,
            job_type,
            schedule_type,
            time,
            day,
            po_number,
        ) {
            (
                Some(summary),
                Some(description),
                Some(job_type),
                Some(schedule_type),
                Some(time),
                Some(day),
                Some(po_number),
            ) if errors.is_empty() => {
                let slot = schedule_type.unwrap_or(ScheduleType::AllDay);
                Ok(JobOrder {
                    job: JobFromRequest {
                        summary,
                        description,
                        job_type,
                        schedule_type,
                        visit: None,
                        po_number,
                    },
                    hours: day.map(|d| (d, slot, time.map(exact_hour))),
                })
            }
            _ => Err(errors),
        }
    }
}

/// Makes the job from request `number` and completes the request. Refused with
/// `Invalid("job_type")` for a job type that is not the company's, and a `not_open`
/// conflict when the request is declined or converted (also when that happened meanwhile).
pub async fn to_job(
    app: &App,
    actor: &StaffActor,
    number: &str,
    mut order: JobOrder,
) -> Result<Converted, AppError> {
    let zone = &actor.company().time_zone;
    order.job.visit = order
        .hours
        .map(|(day, slot, exact)| window_bounds(zone, day, slot, exact));
    let r = request(app, actor, number).await?;
    if !r.status().may_convert() {
        return Err(not_open());
    }
    let company = actor.company().id;
    if let Some(id) = order.job.job_type {
        let choices = app.store.job_type_choices(company).await?;
        if !choices.iter().any(|(c, _)| *c == id) {
            return Err(Invalid::new("job_type", "Choose one of the job types listed.").into());
        }
    }
    let at = doorstep_store::now();
    let mut tx = app.store.begin().await?;
    let Some((job_id, job_number)) = tx
        .convert_request_to_job(company, ServiceRequestId(r.id), &order.job, at)
        .await?
    else {
        // Answered meanwhile: the transaction is dropped, so nothing is kept.
        return Err(not_open());
    };
    // A job like any other: its first status is on its timeline.
    let status = if order.job.visit.is_some() {
        JobStatus::Scheduled
    } else {
        JobStatus::Unscheduled
    };
    tx.record_job_status(
        company,
        (CustomerId(r.customer_id), job_id),
        status,
        at,
        Some(actor.id()),
    )
    .await?;
    let link = app.links().portal(
        &actor.company().slug,
        &format!("/jobs/{}", path_segment(&job_number)),
    );
    let made = format!("job {job_number}");
    let emailed = accepted(&mut tx, actor, &r, &made, &link).await?;
    let detail = json!({ "job_id": job_id.0, "job_number": job_number, "emailed": emailed });
    let record = audit(actor, "request.converted_to_job", &r, detail);
    finish(app, tx, actor, record, emailed).await?;
    Ok(Converted {
        request: r.number,
        made: job_number,
    })
}

/// Emails the customer that request `r` was accepted and became `made` (the request's
/// contact when they have an email, else whoever sent it, as a decline is told), in `tx`;
/// whether an email was queued.
async fn accepted(
    tx: &mut Tx,
    actor: &StaffActor,
    r: &RequestDetail,
    made: &str,
    link: &str,
) -> Result<bool, AppError> {
    let Some((address, name)) = r.customer_recipient() else {
        return Ok(false);
    };
    let company = actor.company();
    doorstep_mail::enqueue(
        tx,
        company.id,
        EmailKind::RequestAccepted,
        &address,
        &name,
        &[
            ("company_name", company.name.as_str()),
            ("contact_name", name.as_str()),
            ("request_number", r.number.as_str()),
            ("made", made),
            ("link", link),
        ],
    )
    .await?;
    Ok(true)
}

/// The estimate form as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct EstimateForm<'a> {
    /// Short title.
    pub title: &'a str,
    /// Scope of work.
    pub scope: &'a str,
    /// Last day to approve `YYYY-MM-DD`, or empty.
    pub expires_on: &'a str,
}

/// The estimate to make, checked.
#[derive(Debug, Clone)]
pub struct EstimateOrder {
    estimate: EstimateFromRequest,
}

impl EstimateOrder {
    /// Checks every field; the estimate is issued `today` and may not expire before it.
    pub fn parse(f: &EstimateForm<'_>, today: Date) -> Result<EstimateOrder, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = errors.check(parse_title("title", f.title, "a title for the estimate"));
        let scope = errors.check(parse_text("scope", f.scope));
        let expires_on = errors.check(match f.expires_on.trim() {
            "" => Ok(None),
            raw => match parse_day(raw) {
                Some(d) if d >= today => Ok(Some(d)),
                Some(_) => Err(Invalid::new(
                    "expires_on",
                    "The last day to approve cannot be in the past.",
                )),
                None => Err(Invalid::new(
                    "expires_on",
                    "Enter the date as YYYY-MM-DD, e.g. 2025-03-31.",
                )),
            },
        });
        match (title, scope, expires_on) {
            (Some(title), Some(scope), Some(expires_on)) => Ok(EstimateOrder {
                estimate: EstimateFromRequest {
                    title,
                    scope,
                    issued_on: today,
                    expires_on,
                },
            }),
            _ => Err(errors),
        }
    }
}

/// Makes (or fills the open draft of) the estimate from request `number` and completes
/// the request; refused as [`to_job`] is.
pub async fn to_estimate(
    app: &App,
    actor: &StaffActor,
    number: &str,
    order: EstimateOrder,
) -> Result<Converted, AppError> {
    let r = request(app, actor, number).await?;
    if !r.status().may_convert() {
        return Err(not_open());
    }
    let mut tx = app.store.begin().await?;
    let Some((estimate_id, estimate_number)) = tx
        .convert_request_to_estimate(
            actor.company().id,
            ServiceRequestId(r.id),
            &order.estimate,
            doorstep_store::now(),
        )
        .await?
    else {
        return Err(not_open());
    };
    let link = app.links().portal_url(&actor.company().slug);
    let made = format!("estimate {estimate_number}, which the office is preparing");
    let emailed = accepted(&mut tx, actor, &r, &made, &link).await?;
    let detail = json!({ "estimate_id": estimate_id.0, "estimate_number": estimate_number, "emailed": emailed });
    let record = audit(actor, "request.converted_to_estimate", &r, detail);
    finish(app, tx, actor, record, emailed).await?;
    Ok(Converted {
        request: r.number,
        made: estimate_number,
    })
}

/// The rental form as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct RentalForm<'a> {
    /// What the rental is called on the account.
    pub name: &'a str,
    /// The unit's serial number, or empty.
    pub serial_number: &'a str,
    /// First day `YYYY-MM-DD`.
    pub start_on: &'a str,
    /// Last day, or empty.
    pub end_on: &'a str,
}

/// The rental to record, checked (the product comes from the request).
#[derive(Debug, Clone)]
pub struct RentalOrder {
    name: String,
    serial_number: String,
    start_on: Date,
    end_on: Option<Date>,
}

impl RentalOrder {
    /// Checks every field; the last day may not come before the first.
    pub fn parse(f: &RentalForm<'_>) -> Result<RentalOrder, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = errors.check(parse_title("name", f.name, "what is rented"));
        let serial_number = f.serial_number.trim();
        if serial_number.chars().count() > SERIAL_MAX {
            errors.0.push(Invalid::new(
                "serial_number",
                format!("Keep the serial number to {SERIAL_MAX} characters."),
            ));
        }
        let start_on = errors.check(parse_day(f.start_on).ok_or_else(|| {
            Invalid::new(
                "start_on",
                "Enter the first day as YYYY-MM-DD, e.g. 2025-03-31.",
            )
        }));
        let end_on = errors.check(match f.end_on.trim() {
            "" => Ok(None),
            raw => match (parse_day(raw), start_on) {
                (Some(end), Some(start)) if end < start => Err(Invalid::new(
                    "end_on",
                    "The last day cannot be before the first.",
                )),
                (Some(end), _) => Ok(Some(end)),
                (None, _) => Err(Invalid::new(
                    "end_on",
                    "Enter the last day as YYYY-MM-DD, or leave it empty.",
                )),
            },
        });
        match (name, start_on, end_on) {
            (Some(name), Some(start_on), Some(end_on)) if errors.is_empty() => Ok(RentalOrder {
                name,
                serial_number: serial_number.to_owned(),
                start_on,
                end_on,
            }),
            _ => Err(errors),
        }
    }
}

/// Records the rental of request `number` for its account (the product asked for, if
/// any) and completes the request; refused as [`to_job`] is.
pub async fn to_rental(
    app: &App,
    actor: &StaffActor,
    number: &str,
    order: RentalOrder,
) -> Result<Converted, AppError> {
    let r = request(app, actor, number).await?;
    if !r.status().may_convert() {
        return Err(not_open());
    }
    let rental = RentalFromRequest {
        name: order.name,
        catalogue_item: r.catalogue_item_id,
        serial_number: order.serial_number,
        start_on: order.start_on,
        end_on: order.end_on,
    };
    let mut tx = app.store.begin().await?;
    let Some(asset) = tx
        .convert_request_to_rental(
            actor.company().id,
            ServiceRequestId(r.id),
            &rental,
            doorstep_store::now(),
        )
        .await?
    else {
        return Err(not_open());
    };
    let detail = json!({ "asset_id": asset.0, "name": rental.name });
    let record = audit(actor, "request.converted_to_rental", &r, detail);
    finish(app, tx, actor, record, false).await?;
    Ok(Converted {
        request: r.number,
        made: rental.name,
    })
}
