//! Availability windows customers can book (a day, AM/PM/all day or exact hours, a
//! capacity): day-to-day scheduling, every staff member. The rules of a window and its
//! capacity live in `core::availability`; the store keeps the counts in `0..=capacity`.

use doorstep_core::authz::{OfficeWork, area_of};
use doorstep_core::availability::{
    capacity_fits, parse_capacity, parse_new_capacity, parse_slot, parse_window_date, window_hours,
};
use doorstep_core::validation::Invalid;
use doorstep_store::availability::{CapacityChange, NewWindow};
use time::{Date, Time};

use crate::error::FieldErrors;
use crate::{App, AppError, StaffActor};

/// A new window as typed, checked.
#[derive(Debug, Clone)]
pub struct Window(NewWindow);

impl Window {
    /// Checks the form: a day from `today` on, a slot, the hours of an exact window (the
    /// field `hours` for either of its times) and room for one visit at least.
    pub fn parse(
        date: &str,
        slot: &str,
        (start, end): (&str, &str),
        capacity: &str,
        today: Date,
    ) -> Result<Window, FieldErrors> {
        let mut errors = FieldErrors::default();
        let date = errors.check(parse_window_date(date, today));
        let slot = errors.check(parse_slot(slot));
        let hours = match slot {
            Some(slot) => errors.check(
                window_hours(slot, start, end).map_err(|e| Invalid::new("hours", e.message)),
            ),
            None => None,
        };
        let capacity = errors.check(parse_new_capacity(capacity));
        match (date, slot, hours, capacity) {
            (Some(date), Some(slot), Some(hours), Some(capacity)) => {
                let (start_time, end_time) =
                    hours.map(|(a, b)| (clock(a), clock(b))).unwrap_or_default();
                Ok(Window(NewWindow {
                    date,
                    slot: slot.as_str().to_owned(),
                    start_time,
                    end_time,
                    capacity,
                }))
            }
            _ => Err(errors),
        }
    }
}

/// `HH:MM`, as windows store their exact hours.
fn clock(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// Publishes a window; its id. Refused with [`AppError::Duplicate`] when the company
/// already has one at that time on that day.
pub async fn create(app: &App, actor: &StaffActor, window: Window) -> Result<i64, AppError> {
    actor.require(area_of(OfficeWork::Availability))?;
    let company = actor.company().id;
    let new = window.0;
    let mut tx = app.store.begin().await?;
    let id = tx.create_window(company, &new).await?;
    let detail = serde_json::json!({"date": new.date.to_string(), "slot": new.slot, "start": new.start_time, "end": new.end_time, "capacity": new.capacity});
    let audit = actor.audit(
        "availability_window.created",
        ("availability_window", id),
        detail,
    );
    tx.audit(company, &audit).await?;
    tx.commit().await?;
    Ok(id)
}

/// Sets window `id`'s capacity (as typed), never below what is already booked: that is
/// refused as [`AppError::Invalid`] on `capacity` saying how many are booked.
pub async fn set_capacity(
    app: &App,
    actor: &StaffActor,
    id: i64,
    capacity: &str,
) -> Result<(), AppError> {
    actor.require(area_of(OfficeWork::Availability))?;
    let capacity = parse_capacity(capacity)?;
    let company = actor.company().id;
    let mut tx = app.store.begin().await?;
    match tx.set_window_capacity(company, id, capacity).await? {
        CapacityChange::Done => {}
        CapacityChange::NotFound => return Err(AppError::NotFound),
        CapacityChange::BelowBooked(booked) => {
            capacity_fits(capacity, booked)?;
            // The store and the rule disagree only if the bookings moved meanwhile.
            return Err(AppError::changed());
        }
    }
    let detail = serde_json::json!({"capacity": capacity});
    let audit = actor.audit(
        "availability_window.capacity_changed",
        ("availability_window", id),
        detail,
    );
    tx.audit(company, &audit).await?;
    tx.commit().await?;
    Ok(())
}
