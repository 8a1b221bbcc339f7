//! Proposing another date and time of day for an open request, with an optional note
//! kept on the request (the portal shows it where the customer answers); the customer is
//! emailed a link to accept or decline it.

use doorstep_core::authz::{OfficeWork, area_of};
use doorstep_core::ids::ServiceRequestId;
use doorstep_core::request_form::{check_date, check_schedule};
use doorstep_core::status::ScheduleType;
use doorstep_core::validation::Invalid;
use doorstep_core::visits::day_and_slot;
use doorstep_mail::EmailKind;
use serde_json::json;
use time::Date;

use super::{audit, request};
use crate::error::FieldErrors;
use crate::links::path_segment;
use crate::{App, AppError, StaffActor};

/// Longest note accepted.
pub const NOTE_MAX: usize = 2000;

/// A proposed time, checked.
#[derive(Debug, Clone)]
pub struct Proposal {
    date: Date,
    slot: ScheduleType,
    note: String,
}

impl Proposal {
    /// Checks the form: a date from `today` on, morning, afternoon or all day (an exact
    /// time is not proposed), and an optional note.
    pub fn parse(
        date: &str,
        schedule_type: &str,
        note: &str,
        today: Date,
    ) -> Result<Proposal, FieldErrors> {
        let mut errors = FieldErrors::default();
        let date = errors.check(check_date(date, today, 0).map_err(|m| Invalid::new("date", m)));
        let slot = errors.check(match check_schedule(schedule_type) {
            Ok(ScheduleType::Exact) | Err(_) => Err(Invalid::new(
                "schedule_type",
                "Choose morning, afternoon or all day.",
            )),
            Ok(s) => Ok(s),
        });
        let note = note.trim();
        if note.chars().count() > NOTE_MAX {
            errors.0.push(Invalid::new(
                "note",
                format!("Keep the note under {NOTE_MAX} characters."),
            ));
        } else if note
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            errors.0.push(Invalid::new(
                "note",
                "The note holds characters that cannot be sent.",
            ));
        }
        match (date, slot) {
            (Some(date), Some(slot)) if errors.is_empty() => Ok(Proposal {
                date,
                slot,
                note: note.to_owned(),
            }),
            _ => Err(errors),
        }
    }
}

/// A time proposed.
#[derive(Debug, Clone)]
pub struct Proposed {
    /// The request's number.
    pub number: String,
    /// Whether the customer was emailed (the request's contact, else whoever sent it).
    pub emailed: bool,
}

/// Proposes the time for request `number` and emails the customer a link to answer; a
/// `not_open` conflict for a declined or converted request.
pub async fn propose(
    app: &App,
    actor: &StaffActor,
    number: &str,
    proposal: Proposal,
) -> Result<Proposed, AppError> {
    actor.require(area_of(OfficeWork::ProposeTime))?;
    let r = request(app, actor, number).await?;
    if !r.status().may_convert() {
        return Err(closed());
    }
    let company = actor.company();
    let to = app
        .store
        .request_proposal_for_office(company.id, &r.number)
        .await?
        .ok_or(AppError::NotFound)?;
    let shown = day_and_slot(proposal.date, Some(proposal.slot));
    let mut tx = app.store.begin().await?;
    if !tx
        .propose_request_time(
            company.id,
            ServiceRequestId(r.id),
            (proposal.date, proposal.slot),
            &proposal.note,
            doorstep_store::now(),
        )
        .await?
    {
        return Err(closed());
    }
    let emailed = match to.contact_email.as_deref().filter(|e| !e.trim().is_empty()) {
        Some(address) => {
            let name = to.contact_name.clone().unwrap_or_default();
            let link = app.links().portal(
                &company.slug,
                &format!("/requests/{}/proposal", path_segment(&r.number)),
            );
            let note = if proposal.note.is_empty() {
                String::new()
            } else {
                format!("Note from the office: {}", proposal.note)
            };
            doorstep_mail::enqueue(
                &mut tx,
                company.id,
                EmailKind::TimeProposed,
                address,
                &name,
                &[
                    ("company_name", company.name.as_str()),
                    ("contact_name", name.as_str()),
                    ("request_number", r.number.as_str()),
                    ("proposed_time", shown.as_str()),
                    ("note", note.as_str()),
                    ("link", link.as_str()),
                ],
            )
            .await?;
            true
        }
        None => false,
    };
    let detail =
        json!({"number": r.number, "proposed": shown, "note": proposal.note, "emailed": emailed});
    tx.audit(
        company.id,
        &audit(actor, "request.time_proposed", &r, detail),
    )
    .await?;
    app.commit(tx, emailed).await?;
    Ok(Proposed {
        number: r.number,
        emailed,
    })
}

/// The refusal for a request no time can be proposed for.
fn closed() -> AppError {
    AppError::conflict(
        super::NOT_OPEN,
        "This request is declined or already converted: no time can be proposed for it.",
    )
}
