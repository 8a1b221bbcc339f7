//! How visit times read: schedule types, booking windows, and proposed or preferred times.

use doorstep_core::local_time::Zone;
use doorstep_core::status::ScheduleType;
use time::OffsetDateTime;

use crate::display::{clock, weekday_date, when};
use doorstep_store::availability::Window;
use doorstep_store::visits::RequestProposal;

/// A stored schedule type as people read it; empty when unknown or unset.
pub fn schedule_type_label(raw: Option<&str>) -> String {
    raw.and_then(|r| ScheduleType::parse(r).ok())
        .map(|t| t.label().to_owned())
        .unwrap_or_default()
}

/// Whether a visit of this schedule type has hours worth showing: not an all-day visit
/// (its start and end are only the working day's bounds).
pub fn shows_hours(slot: Option<&str>) -> bool {
    !matches!(
        slot.and_then(|s| ScheduleType::parse(s).ok()),
        Some(ScheduleType::AllDay)
    )
}

/// When a visit is scheduled, on the company's clock: `Dec 6, 2026, 3:30 PM` for an exact
/// time (or an unknown slot), only the day with its weekday for all day, morning or
/// afternoon (their label says the rest: `Mon, Dec 7, 2026`).
pub fn scheduled_text(zone: &Zone, start: OffsetDateTime, slot: Option<&str>) -> String {
    match slot.and_then(|s| ScheduleType::parse(s).ok()) {
        Some(ScheduleType::Exact) | None => when(zone, start),
        Some(_) => weekday_date(zone.date_of(start)),
    }
}

/// A promised arrival window: `Dec 6, 2026, 9:00 AM – 11:00 AM`, `... from 9:00 AM`; none
/// for an all-day visit.
pub fn arrival_text(
    zone: &Zone,
    slot: Option<&str>,
    from: Option<OffsetDateTime>,
    until: Option<OffsetDateTime>,
) -> String {
    match (from.filter(|_| shows_hours(slot)), until) {
        (Some(a), Some(b)) => format!("{} – {}", when(zone, a), clock(zone, b)),
        (Some(a), None) => format!("{} from {}", crate::display::day(zone, a), clock(zone, a)),
        _ => String::new(),
    }
}

/// How a window reads: `Tue May 6, 2025 · Morning (AM)` or `... · 09:30–11:00`.
pub(crate) fn window_label(w: &Window) -> String {
    doorstep_core::visits::window_text(w.window_date, &w.slot, &w.start_time, &w.end_time)
}

/// A proposed (or preferred) date and time of day as people read it (the words live in
/// `core::visits::day_and_slot`, which emails use too).
pub(crate) fn time_text(date: Option<time::Date>, slot: Option<&str>) -> String {
    doorstep_core::visits::date_slot_text(date, slot)
}

/// The office's proposal as people read it.
pub(crate) fn proposed_time(r: &RequestProposal) -> String {
    time_text(r.proposed_date, r.proposed_schedule_type.as_deref())
}
