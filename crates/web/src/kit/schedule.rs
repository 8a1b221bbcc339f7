//! How visit times read: schedule types, booking windows, and proposed or preferred times.

use doorstep_core::status::ScheduleType;
use doorstep_store::availability::Window;
use doorstep_store::visits::RequestProposal;

/// A stored schedule type as people read it; empty when unknown or unset.
pub fn schedule_type_label(raw: Option<&str>) -> String {
    raw.and_then(|r| ScheduleType::parse(r).ok())
        .map(|t| t.label().to_owned())
        .unwrap_or_default()
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
