//! When a customer may move or cancel a visit themselves, and what a bookable window
//! means in hours. Pure rules, so the portal page, its POST and the tests agree.

use time::{Date, Duration, OffsetDateTime, Time};

use crate::Invalid;
use crate::local_time::{self, Zone};
use crate::settings::PortalSettings;
use crate::status::{JobStatus, ScheduleType};

/// Whether a customer may reschedule or cancel a visit now, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitChange {
    /// The customer may move or cancel it.
    Allowed,
    /// The company does not let customers change visits online.
    Disabled,
    /// Only scheduled visits with a start time can be changed.
    NotScheduled,
    /// The visit is within the company's cut-off (hours before it starts).
    TooLate {
        /// The company's cut-off, in hours.
        cutoff_hours: u32,
    },
}

impl VisitChange {
    /// Whether the change is allowed.
    pub fn is_allowed(&self) -> bool {
        matches!(self, VisitChange::Allowed)
    }

    /// A sentence telling the customer why they cannot change the visit online.
    pub fn refusal(&self) -> Option<String> {
        match self {
            VisitChange::Allowed => None,
            VisitChange::Disabled => {
                Some("Visits cannot be changed online. Please call or email the office.".to_owned())
            }
            VisitChange::NotScheduled => {
                Some("Only a scheduled visit that has not started can be changed.".to_owned())
            }
            VisitChange::TooLate { cutoff_hours } => Some(format!(
                "This visit is less than {cutoff_hours} hours away, so it can no longer be \
                 changed online. Please call or email the office."
            )),
        }
    }
}

/// Whether a visit of `status` starting at `start` may be changed at `now` under
/// `settings`: allowed only when enabled, scheduled, and strictly more than the cut-off away.
pub fn visit_change(
    settings: &PortalSettings,
    status: JobStatus,
    start: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> VisitChange {
    if !settings.allow_reschedule {
        return VisitChange::Disabled;
    }
    let Some(start) = start.filter(|_| status == JobStatus::Scheduled) else {
        return VisitChange::NotScheduled;
    };
    if start - now > Duration::hours(i64::from(settings.reschedule_cutoff_hours)) {
        VisitChange::Allowed
    } else {
        VisitChange::TooLate {
            cutoff_hours: settings.reschedule_cutoff_hours,
        }
    }
}

/// The hours a window of `slot` on `date` covers, on the company's wall clock (`zone`):
/// morning 08:00–12:00, afternoon 12:00–17:00, all day 08:00–17:00, or the exact times.
pub fn window_bounds(
    zone: &Zone,
    date: Date,
    slot: ScheduleType,
    exact: Option<(Time, Time)>,
) -> (OffsetDateTime, OffsetDateTime) {
    let at = |h: u8| Time::from_hms(h, 0, 0).unwrap_or(Time::MIDNIGHT);
    let (from, to) = match (slot, exact) {
        (ScheduleType::Am, _) => (at(8), at(12)),
        (ScheduleType::Pm, _) => (at(12), at(17)),
        (ScheduleType::Exact, Some((a, b))) => (a, b),
        (ScheduleType::AllDay | ScheduleType::Exact, _) => (at(8), at(17)),
    };
    (zone.instant(date, from), zone.instant(date, to))
}

/// The hours of a visit at an exact time `at`: one hour, ending at 23:59 at the latest.
/// Pass it as `exact` to [`window_bounds`].
pub fn exact_hour(at: Time) -> (Time, Time) {
    let end = at
        .hour()
        .checked_add(1)
        .and_then(|h| Time::from_hms(h, at.minute(), 0).ok())
        .unwrap_or(Time::from_hms(23, 59, 0).unwrap_or(at));
    (at, end.max(at))
}

/// A date and time of day as people read it, in pages and emails alike:
/// `Tue, May 6, 2025 · Morning (AM)`, or only the day when no time of day is known.
pub fn day_and_slot(date: Date, slot: Option<ScheduleType>) -> String {
    let day = weekday_text(date);
    match slot {
        Some(s) => format!("{day} · {}", s.label()),
        None => day,
    }
}

/// Reads `HH:MM` as typed in a time field.
pub fn parse_clock(field: &'static str, raw: &str) -> Result<Time, Invalid> {
    let format = time::macros::format_description!("[hour]:[minute]");
    Time::parse(raw.trim(), &format)
        .map_err(|_| Invalid::new(field, "Enter a time as HH:MM, for example 09:30."))
}

/// Checks a window's exact hours: both given and the end after the start.
pub fn check_exact_hours(start: &str, end: &str) -> Result<(Time, Time), Invalid> {
    let a = parse_clock("start_time", start)?;
    let b = parse_clock("end_time", end)?;
    if b <= a {
        return Err(Invalid::new("end_time", "The end must be after the start."));
    }
    Ok((a, b))
}

/// Longest reason a customer may give for cancelling a visit or declining a proposal.
pub const REASON_MAX: usize = 2000;

/// Checks a cancellation reason (trimmed): required, at most [`REASON_MAX`] characters,
/// no control characters but line breaks and tabs.
pub fn check_cancel_reason(raw: &str) -> Result<String, Invalid> {
    let reason = raw.trim();
    if reason.is_empty() {
        return Err(Invalid::new(
            "reason",
            "Tell the office why you are cancelling.",
        ));
    }
    check_reason_text(reason)
}

/// Checks the optional reason given when declining a proposed time (trimmed): at most
/// [`REASON_MAX`] characters.
pub fn check_decline_reason(raw: &str) -> Result<String, Invalid> {
    let reason = raw.trim();
    if reason.chars().count() > REASON_MAX {
        return Err(too_long());
    }
    Ok(reason.to_owned())
}

fn too_long() -> Invalid {
    Invalid::new(
        "reason",
        format!("Keep the reason under {REASON_MAX} characters."),
    )
}

fn check_reason_text(reason: &str) -> Result<String, Invalid> {
    if reason.chars().count() > REASON_MAX {
        return Err(too_long());
    }
    if reason
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(Invalid::new(
            "reason",
            "The reason holds characters that cannot be sent.",
        ));
    }
    Ok(reason.to_owned())
}

/// Whether a visit may be moved to a time starting at `start`: strictly beyond the
/// company's cut-off from `now`, so the customer could still change the new time too.
pub fn new_time_allowed(
    settings: &PortalSettings,
    start: OffsetDateTime,
    now: OffsetDateTime,
) -> bool {
    start > now + Duration::hours(i64::from(settings.reschedule_cutoff_hours))
}

/// The message when a new time is within the cut-off.
pub fn too_soon_message(settings: &PortalSettings) -> String {
    format!(
        "Choose a time more than {} hours away.",
        settings.reschedule_cutoff_hours
    )
}

/// A day as people read it in emails and pages: `Tue, May 6, 2025`.
fn weekday_text(date: Date) -> String {
    local_time::weekday_date(date)
}

/// A stored `HH:MM` as people read it (`9:30 AM`); kept as stored if unreadable.
fn hours_text(raw: &str) -> String {
    parse_clock("time", raw)
        .map(local_time::time_of_day)
        .unwrap_or_else(|_| raw.to_owned())
}

/// A date and time of day (a proposed, preferred or asked-for time) as people read it:
/// `Tue, May 6, 2025 · Morning (AM)`, or only the day without a slot.
pub fn date_slot_text(date: Option<Date>, slot: Option<&str>) -> String {
    date.map(|d| day_and_slot(d, slot.and_then(|s| ScheduleType::parse(s).ok())))
        .unwrap_or_default()
}

/// A window's time of day on the request form: its slot's label, and its hours when it has
/// them (`Morning (AM) 8:00 AM–12:00 PM`).
pub fn slot_and_hours(slot: &str, start: &str, end: &str) -> String {
    let label = ScheduleType::parse(slot).map(|s| s.label()).unwrap_or("");
    if start.is_empty() {
        label.to_owned()
    } else {
        format!("{label} {}–{}", hours_text(start), hours_text(end))
    }
}

/// A published window as people read it: `Tue, May 6, 2025 · Morning (AM)` or
/// `... · 9:30 AM–11:00 AM` for exact hours.
pub fn window_text(date: Date, slot: &str, start: &str, end: &str) -> String {
    let slot = match ScheduleType::parse(slot) {
        Ok(ScheduleType::Exact) => format!("{}–{}", hours_text(start), hours_text(end)),
        Ok(s) => s.label().to_owned(),
        Err(_) => slot.to_owned(),
    };
    format!("{} · {slot}", weekday_text(date))
}

/// When a visit is, on the company's clock (`zone`): `Tue, Mar 4, 2025 · Morning (AM)`,
/// `... · All day` (no hours), or with its hours (`Tue, Mar 4, 2025 · 9:00 AM–11:00 AM`);
/// `not scheduled` without a start.
pub fn visit_time_text(
    zone: &Zone,
    start: Option<OffsetDateTime>,
    end: Option<OffsetDateTime>,
    slot: Option<&str>,
) -> String {
    let Some(start) = start else {
        return "not scheduled".into();
    };
    let day = |t: OffsetDateTime| weekday_text(zone.date_of(t));
    let clock = |t: OffsetDateTime| local_time::clock(zone, t);
    match slot.and_then(|s| ScheduleType::parse(s).ok()) {
        Some(ScheduleType::Exact) | None => match end {
            Some(end) => format!("{} · {}–{}", day(start), clock(start), clock(end)),
            None => format!("{} · {}", day(start), clock(start)),
        },
        Some(slot) => format!("{} · {}", day(start), slot.label()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    #[test]
    fn a_cancel_reason_is_required_short_enough_and_printable() {
        assert_eq!(check_cancel_reason("  ").unwrap_err().field, "reason");
        assert!(check_cancel_reason(&"x".repeat(2001)).is_err());
        assert!(check_cancel_reason("bad\u{0}byte").is_err());
        assert_eq!(
            check_cancel_reason(" Moving house\non Friday ").unwrap(),
            "Moving house\non Friday"
        );
        assert_eq!(check_decline_reason("").unwrap(), "");
        assert!(check_decline_reason(&"x".repeat(2001)).is_err());
    }

    #[test]
    fn a_new_time_must_start_beyond_the_cut_off() {
        let now = datetime!(2025-03-01 09:00 UTC);
        let s = settings(true, 24);
        assert!(new_time_allowed(&s, datetime!(2025-03-02 09:01 UTC), now));
        assert!(!new_time_allowed(&s, datetime!(2025-03-02 09:00 UTC), now));
        assert!(too_soon_message(&s).contains("24 hours"));
    }

    #[test]
    fn times_read_as_people_say_them() {
        let d = date!(2025 - 05 - 06);
        assert_eq!(
            date_slot_text(Some(d), Some("am")),
            "Tue, May 6, 2025 · Morning (AM)"
        );
        assert_eq!(date_slot_text(Some(d), None), "Tue, May 6, 2025");
        assert_eq!(date_slot_text(None, Some("am")), "");
        assert_eq!(
            window_text(d, "exact", "09:30", "11:00"),
            "Tue, May 6, 2025 · 9:30 AM–11:00 AM"
        );
        assert_eq!(
            visit_time_text(
                &Zone::utc(),
                Some(datetime!(2025-03-04 09:00 UTC)),
                Some(datetime!(2025-03-04 11:30 UTC)),
                Some("exact")
            ),
            "Tue, Mar 4, 2025 · 9:00 AM–11:30 AM"
        );
        assert_eq!(
            visit_time_text(&Zone::utc(), None, None, None),
            "not scheduled"
        );
        // In the company's zone; an all-day visit shows no hours.
        let chicago = Zone::parse("America/Chicago").unwrap();
        assert_eq!(
            visit_time_text(
                &chicago,
                Some(datetime!(2025-03-04 15:00 UTC)),
                Some(datetime!(2025-03-04 17:30 UTC)),
                Some("exact")
            ),
            "Tue, Mar 4, 2025 · 9:00 AM–11:30 AM"
        );
        assert_eq!(
            visit_time_text(
                &chicago,
                Some(datetime!(2025-03-04 14:00 UTC)),
                Some(datetime!(2025-03-04 23:00 UTC)),
                Some("all_day")
            ),
            "Tue, Mar 4, 2025 · All day"
        );
        assert_eq!(
            slot_and_hours("exact", "09:30", "13:00"),
            "Exact time 9:30 AM–1:00 PM"
        );
    }

    use super::*;
    use time::macros::{date, datetime, time};

    fn settings(allow: bool, hours: u32) -> PortalSettings {
        PortalSettings {
            allow_reschedule: allow,
            reschedule_cutoff_hours: hours,
            ..PortalSettings::default()
        }
    }

    #[test]
    fn a_visit_more_than_the_cut_off_away_may_be_changed_and_one_inside_it_may_not() {
        let now = datetime!(2025-03-01 09:00 UTC);
        let s = settings(true, 24);
        let start = |t| Some(t);
        assert_eq!(
            visit_change(
                &s,
                JobStatus::Scheduled,
                start(datetime!(2025-03-02 09:01 UTC)),
                now
            ),
            VisitChange::Allowed
        );
        // Exactly at the cut-off is already too late: "more than" the cut-off away.
        assert_eq!(
            visit_change(
                &s,
                JobStatus::Scheduled,
                start(datetime!(2025-03-02 09:00 UTC)),
                now
            ),
            VisitChange::TooLate { cutoff_hours: 24 }
        );
        assert_eq!(
            visit_change(
                &s,
                JobStatus::Scheduled,
                start(datetime!(2025-02-28 09:00 UTC)),
                now
            ),
            VisitChange::TooLate { cutoff_hours: 24 }
        );
        let zero = settings(true, 0);
        assert!(
            visit_change(
                &zero,
                JobStatus::Scheduled,
                start(datetime!(2025-03-01 09:01 UTC)),
                now
            )
            .is_allowed()
        );
    }

    #[test]
    fn disabled_companies_and_unscheduled_or_started_visits_are_refused_with_a_reason() {
        let now = datetime!(2025-03-01 09:00 UTC);
        let later = Some(datetime!(2025-04-01 09:00 UTC));
        assert_eq!(
            visit_change(&settings(false, 24), JobStatus::Scheduled, later, now),
            VisitChange::Disabled
        );
        for status in [
            JobStatus::Unscheduled,
            JobStatus::OnTheWay,
            JobStatus::InProgress,
            JobStatus::Completed,
            JobStatus::Cancelled,
        ] {
            assert_eq!(
                visit_change(&settings(true, 24), status, later, now),
                VisitChange::NotScheduled,
                "{status}"
            );
        }
        assert_eq!(
            visit_change(&settings(true, 24), JobStatus::Scheduled, None, now),
            VisitChange::NotScheduled
        );
        assert!(VisitChange::Allowed.refusal().is_none());
        let late = VisitChange::TooLate { cutoff_hours: 48 }
            .refusal()
            .unwrap_or_default();
        assert!(late.contains("48 hours"), "{late}");
    }

    #[test]
    fn windows_cover_their_slot_and_exact_hours_must_run_forwards() {
        let d = date!(2025 - 05 - 06);
        assert_eq!(
            window_bounds(&Zone::utc(), d, ScheduleType::Am, None),
            (
                datetime!(2025-05-06 08:00 UTC),
                datetime!(2025-05-06 12:00 UTC)
            )
        );
        assert_eq!(
            window_bounds(&Zone::utc(), d, ScheduleType::Pm, None).1,
            datetime!(2025-05-06 17:00 UTC)
        );
        assert_eq!(
            window_bounds(
                &Zone::utc(),
                d,
                ScheduleType::Exact,
                Some((time!(9:30), time!(11:00)))
            ),
            (
                datetime!(2025-05-06 09:30 UTC),
                datetime!(2025-05-06 11:00 UTC)
            )
        );
        // On a company's wall clock: Chicago's morning is 13:00–17:00 UTC in summer.
        let chicago = Zone::parse("America/Chicago").unwrap();
        assert_eq!(
            window_bounds(&chicago, d, ScheduleType::Am, None),
            (
                datetime!(2025-05-06 13:00 UTC),
                datetime!(2025-05-06 17:00 UTC)
            )
        );
        assert_eq!(
            check_exact_hours("09:30", "11:00"),
            Ok((time!(9:30), time!(11:00)))
        );
        assert_eq!(
            check_exact_hours("11:00", "09:30").unwrap_err().field,
            "end_time"
        );
        assert_eq!(
            check_exact_hours("9h", "10:00").unwrap_err().field,
            "start_time"
        );
        assert_eq!(
            check_exact_hours("09:00", "").unwrap_err().field,
            "end_time"
        );
    }

    #[test]
    fn one_window_rule_serves_the_office_and_the_portal() {
        // The office's conversion and the demo read the same hours as the portal:
        // morning 8–12, afternoon 12–17, all day 8–17, an exact time one hour.
        let d = date!(2030 - 05 - 06);
        let bounds = |slot| window_bounds(&Zone::utc(), d, slot, None);
        assert_eq!(
            bounds(ScheduleType::Am),
            (
                datetime!(2030-05-06 8:00 UTC),
                datetime!(2030-05-06 12:00 UTC)
            )
        );
        assert_eq!(
            bounds(ScheduleType::Pm),
            (
                datetime!(2030-05-06 12:00 UTC),
                datetime!(2030-05-06 17:00 UTC)
            )
        );
        assert_eq!(bounds(ScheduleType::AllDay), bounds(ScheduleType::Exact));
        assert_eq!(exact_hour(time!(14:30)), (time!(14:30), time!(15:30)));
        assert_eq!(
            day_and_slot(d, Some(ScheduleType::Pm)),
            "Mon, May 6, 2030 · Afternoon (PM)"
        );
        assert_eq!(day_and_slot(d, None), "Mon, May 6, 2030");
        assert_eq!(exact_hour(time!(23:30)), (time!(23:30), time!(23:59)));
        assert_eq!(
            window_bounds(
                &Zone::utc(),
                d,
                ScheduleType::Exact,
                Some(exact_hour(time!(14:30)))
            ),
            (
                datetime!(2030-05-06 14:30 UTC),
                datetime!(2030-05-06 15:30 UTC)
            )
        );
    }
}
