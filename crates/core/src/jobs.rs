//! Jobs' rules: where a job's status may move, what a schedule as typed means, and what a
//! job's summary, description and notes may be. Kept free of I/O so the office pages, the
//! use cases and (later) the API agree.
//!
//! The status machine: unscheduled → scheduled → on the way → in progress → completed,
//! moving forward only (a step may be skipped: a job can be completed straight from on the
//! way); any status that is not final may be cancelled; completed and cancelled are
//! final. A job becomes scheduled by being given a visit time (the schedule form), and
//! unscheduled again by having it taken away, never by a bare status move.

use time::{Date, OffsetDateTime, Time};

use crate::Invalid;
use crate::control_chars::is_forbidden_in_text;
use crate::local_time::Zone;
use crate::status::{JobStatus, ScheduleType};
use crate::visits::{check_exact_hours, window_bounds};

/// Longest summary, in characters: one line that fits a list and an email subject.
pub const SUMMARY_MAX: usize = 120;
/// Longest description or notes, in characters.
pub const TEXT_MAX: usize = 5000;
/// Longest technician name.
pub const TECHNICIAN_NAME_MAX: usize = 80;

/// The forward order of the statuses a job passes through (cancelled aside).
const ORDER: [JobStatus; 5] = [
    JobStatus::Unscheduled,
    JobStatus::Scheduled,
    JobStatus::OnTheWay,
    JobStatus::InProgress,
    JobStatus::Completed,
];

fn rank(s: JobStatus) -> Option<usize> {
    ORDER.iter().position(|o| *o == s)
}

/// Whether the office may move a job from `from` to `to` with a status button: forward
/// to on the way, in progress or completed, or to cancelled, from any status that is not
/// final. Scheduled and unscheduled are reached by the schedule form.
pub fn may_move(from: JobStatus, to: JobStatus) -> bool {
    if from.is_closed() || from == to {
        return false;
    }
    match to {
        JobStatus::Cancelled => true,
        JobStatus::OnTheWay | JobStatus::InProgress | JobStatus::Completed => {
            matches!((rank(from), rank(to)), (Some(a), Some(b)) if b > a)
        }
        JobStatus::Unscheduled | JobStatus::Scheduled => false,
    }
}

/// The refusal of a move to scheduled or unscheduled, which the schedule form makes (the
/// API words its own, pointing to its schedule endpoint).
pub const USE_SCHEDULE_FORM: &str =
    "Use the schedule form to give the job a visit time or take it away.";

/// Checks a move, with the sentence the office reads when it is refused.
pub fn check_move(from: JobStatus, to: JobStatus) -> Result<(), Invalid> {
    if may_move(from, to) {
        return Ok(());
    }
    let message = if from.is_closed() {
        format!(
            "This job is {}, which is final: it cannot become {}.",
            from.label().to_lowercase(),
            to.label().to_lowercase()
        )
    } else if from == to {
        format!("This job is {} already.", from.label().to_lowercase())
    } else if matches!(to, JobStatus::Scheduled | JobStatus::Unscheduled) {
        USE_SCHEDULE_FORM.to_owned()
    } else {
        format!(
            "A job that is {} cannot go back to {}.",
            from.label().to_lowercase(),
            to.label().to_lowercase()
        )
    };
    Err(Invalid::new("status", message))
}

/// The moves offered from `from`, in the order the buttons show them (cancel last).
pub fn next_moves(from: JobStatus) -> Vec<JobStatus> {
    [
        JobStatus::OnTheWay,
        JobStatus::InProgress,
        JobStatus::Completed,
        JobStatus::Cancelled,
    ]
    .into_iter()
    .filter(|to| may_move(from, *to))
    .collect()
}

/// Whether a job in `status` may be given a (new) visit time or have it taken away.
pub fn may_schedule(status: JobStatus) -> bool {
    matches!(status, JobStatus::Unscheduled | JobStatus::Scheduled)
}

/// The refusal when [`may_schedule`] says no.
pub fn schedule_refusal(status: JobStatus) -> String {
    format!(
        "A job that is {} cannot be scheduled again.",
        status.label().to_lowercase()
    )
}

/// A visit time, checked: the day, how precise, and the hours it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// The visit's day.
    pub date: Date,
    /// Morning, afternoon, all day or exact hours.
    pub slot: ScheduleType,
    /// The visit's start.
    pub start: OffsetDateTime,
    /// The visit's end.
    pub end: OffsetDateTime,
}

/// A day typed as `YYYY-MM-DD`.
pub fn parse_day(field: &'static str, raw: &str) -> Result<Date, Invalid> {
    Date::parse(
        raw.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| Invalid::new(field, "Enter the date as YYYY-MM-DD, e.g. 2025-03-31."))
}

/// Reads the schedule form: a day (required), a time of day (`am`, `pm`, `all_day` or
/// `exact`), and for `exact` a start and an end `HH:MM` (end after start). Every wrong
/// field is reported. The hours follow the one window rule, `visits::window_bounds`.
pub fn parse_schedule(
    zone: &Zone,
    date: &str,
    slot: &str,
    start: &str,
    end: &str,
) -> Result<Schedule, Vec<Invalid>> {
    let mut errors = Vec::new();
    let day = if date.trim().is_empty() {
        errors.push(Invalid::new("date", "Choose the day of the visit."));
        None
    } else {
        parse_day("date", date).map_err(|e| errors.push(e)).ok()
    };
    let slot = ScheduleType::parse(slot.trim())
        .map_err(|_| {
            errors.push(Invalid::new(
                "schedule_type",
                "Choose morning, afternoon, all day or exact hours.",
            ))
        })
        .ok();
    let exact: Option<(Time, Time)> = match slot {
        Some(ScheduleType::Exact) => check_exact_hours(start, end)
            .map_err(|e| errors.push(e))
            .ok(),
        _ => None,
    };
    match (day, slot) {
        (Some(date), Some(slot)) if errors.is_empty() => {
            let (start, end) = window_bounds(zone, date, slot, exact);
            Ok(Schedule {
                date,
                slot,
                start,
                end,
            })
        }
        _ => Err(errors),
    }
}

/// A summary as stored: trimmed, present, one line, at most [`SUMMARY_MAX`] characters.
pub fn parse_summary(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(Invalid::new("summary", "Enter a summary for the job."));
    }
    if s.chars().count() > SUMMARY_MAX {
        return Err(Invalid::new(
            "summary",
            format!("Keep the summary to {SUMMARY_MAX} characters or fewer."),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(Invalid::new(
            "summary",
            "The summary must be a single line of text.",
        ));
    }
    Ok(s.to_owned())
}

/// An optional long text (description, notes) as stored: trimmed, at most [`TEXT_MAX`]
/// characters, line breaks and tabs kept, other control characters refused.
pub fn parse_text(field: &'static str, raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.chars().count() > TEXT_MAX {
        return Err(Invalid::new(
            field,
            format!("Keep it to {TEXT_MAX} characters or fewer."),
        ));
    }
    if s.chars().any(is_forbidden_in_text) {
        return Err(Invalid::new(
            field,
            "This text holds characters that cannot be saved.",
        ));
    }
    Ok(s.to_owned())
}

/// A crew member's name: trimmed, present, one line, at most [`TECHNICIAN_NAME_MAX`].
pub fn parse_technician_name(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(Invalid::new("name", "Enter the technician's name."));
    }
    if s.chars().count() > TECHNICIAN_NAME_MAX || s.chars().any(char::is_control) {
        return Err(Invalid::new(
            "name",
            format!("Keep the name to one line of {TECHNICIAN_NAME_MAX} characters or fewer."),
        ));
    }
    Ok(s.to_owned())
}

/// The visits a reminder sweep at `now` is due for, in a company whose zone is `zone`:
/// those starting on the company's tomorrow, from its local midnight to the next (a day
/// of 23 or 25 hours when the clocks change). A company in Auckland is reminded of
/// its tomorrow while it is still today in UTC, one in Chicago after UTC's midnight.
pub fn reminder_range(zone: &Zone, now: OffsetDateTime) -> (OffsetDateTime, OffsetDateTime) {
    let today = zone.date_of(now);
    let tomorrow = today.next_day().unwrap_or(today);
    let after = tomorrow.next_day().unwrap_or(tomorrow);
    (
        zone.instant(tomorrow, Time::MIDNIGHT),
        zone.instant(after, Time::MIDNIGHT),
    )
}

/// Whether the customer hears of a move to `to` by email (when they want request
/// updates): on the way and completed.
pub fn emails_customer(to: JobStatus) -> bool {
    matches!(to, JobStatus::OnTheWay | JobStatus::Completed)
}

/// Checks the status a job imported from another system starts in (issue 18): unscheduled,
/// or — a past job — completed or cancelled. Scheduled needs a visit time, which only the
/// schedule form gives; on the way and in progress are live moves the office makes (and
/// the customer hears of), not history a file brings.
pub fn check_imported_status(status: JobStatus) -> Result<(), Invalid> {
    match status {
        JobStatus::Unscheduled | JobStatus::Completed | JobStatus::Cancelled => Ok(()),
        JobStatus::Scheduled => Err(Invalid::new(
            "status",
            "A job becomes scheduled when it is given a visit time: import it as unscheduled, then schedule it.",
        )),
        JobStatus::OnTheWay | JobStatus::InProgress => Err(Invalid::new(
            "status",
            "An imported job starts unscheduled, completed or cancelled; the office moves a job on its way or in progress.",
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_imported_job_starts_unscheduled_completed_or_cancelled() {
        for s in JobStatus::ALL {
            let ok = matches!(
                s,
                JobStatus::Unscheduled | JobStatus::Completed | JobStatus::Cancelled
            );
            assert_eq!(check_imported_status(*s).is_ok(), ok, "{s:?}");
        }
        assert_eq!(
            check_imported_status(JobStatus::Scheduled)
                .unwrap_err()
                .field,
            "status"
        );
    }
    use time::Duration;
    use time::macros::{date, datetime};

    #[test]
    fn jobs_move_forward_and_final_statuses_stay() {
        use JobStatus::*;
        assert!(may_move(Scheduled, OnTheWay));
        assert!(may_move(OnTheWay, InProgress));
        assert!(may_move(InProgress, Completed));
        assert!(may_move(OnTheWay, Completed), "a step may be skipped");
        assert!(may_move(Unscheduled, Cancelled));
        assert!(may_move(InProgress, Cancelled));
        assert!(!may_move(Completed, OnTheWay));
        assert!(!may_move(Cancelled, Scheduled));
        assert!(!may_move(Completed, Cancelled));
        assert!(!may_move(InProgress, OnTheWay));
        assert!(!may_move(Unscheduled, Scheduled), "scheduling does that");
        assert!(!may_move(Scheduled, Scheduled));
    }

    #[test]
    fn a_refused_move_says_why() {
        let e = check_move(JobStatus::Completed, JobStatus::OnTheWay).unwrap_err();
        assert_eq!(e.field, "status");
        assert!(
            e.message.contains("completed, which is final"),
            "{}",
            e.message
        );
        let e = check_move(JobStatus::InProgress, JobStatus::OnTheWay).unwrap_err();
        assert!(e.message.contains("cannot go back"), "{}", e.message);
        let e = check_move(JobStatus::Unscheduled, JobStatus::Scheduled).unwrap_err();
        assert!(e.message.contains("schedule form"));
    }

    #[test]
    fn the_buttons_offer_the_allowed_moves() {
        use JobStatus::*;
        assert_eq!(
            next_moves(Scheduled),
            [OnTheWay, InProgress, Completed, Cancelled]
        );
        assert_eq!(next_moves(InProgress), [Completed, Cancelled]);
        assert!(next_moves(Completed).is_empty());
        assert!(next_moves(Cancelled).is_empty());
        assert!(may_schedule(Unscheduled) && may_schedule(Scheduled));
        assert!(!may_schedule(OnTheWay) && !may_schedule(Completed));
    }

    #[test]
    fn schedules_read_windows_and_exact_hours() {
        let s = parse_schedule(&Zone::utc(), "2025-03-04", "am", "", "").unwrap();
        assert_eq!(s.start, datetime!(2025-03-04 08:00 UTC));
        assert_eq!(s.end, datetime!(2025-03-04 12:00 UTC));
        let s = parse_schedule(&Zone::utc(), "2025-03-04", "all_day", "", "").unwrap();
        assert_eq!(s.slot, ScheduleType::AllDay);
        let s = parse_schedule(&Zone::utc(), "2025-03-04", "exact", "09:30", "11:00").unwrap();
        assert_eq!(s.start, datetime!(2025-03-04 09:30 UTC));
        assert_eq!(s.end, datetime!(2025-03-04 11:00 UTC));
        assert_eq!(s.date, date!(2025 - 03 - 04));
    }

    #[test]
    fn bad_schedules_name_each_field() {
        let fields = |e: Vec<Invalid>| e.into_iter().map(|e| e.field).collect::<Vec<_>>();
        assert_eq!(
            fields(parse_schedule(&Zone::utc(), "", "noon", "", "").unwrap_err()),
            ["date", "schedule_type"]
        );
        assert_eq!(
            fields(parse_schedule(&Zone::utc(), "2025-02-30", "am", "", "").unwrap_err()),
            ["date"]
        );
        assert_eq!(
            fields(
                parse_schedule(&Zone::utc(), "2025-03-04", "exact", "11:00", "10:00").unwrap_err()
            ),
            ["end_time"]
        );
        assert_eq!(
            fields(parse_schedule(&Zone::utc(), "2025-03-04", "exact", "x", "10:00").unwrap_err()),
            ["start_time"]
        );
    }

    #[test]
    fn job_texts_are_checked() {
        assert_eq!(parse_summary("  Fix leak "), Ok("Fix leak".into()));
        assert_eq!(parse_summary("").unwrap_err().field, "summary");
        assert!(parse_summary(&"x".repeat(121)).is_err());
        assert!(parse_summary("a\nb").is_err());
        assert_eq!(parse_text("notes", " a\nb "), Ok("a\nb".into()));
        assert_eq!(parse_text("notes", "").unwrap(), "");
        assert!(parse_text("notes", &"x".repeat(5001)).is_err());
        assert!(parse_text("notes", "a\u{7}").is_err());
        assert_eq!(parse_technician_name(" Ray "), Ok("Ray".into()));
        assert!(parse_technician_name(" ").is_err());
    }

    #[test]
    fn reminders_are_due_for_tomorrows_visits() {
        let (from, to) = reminder_range(&Zone::utc(), datetime!(2025-03-04 23:59 UTC));
        assert_eq!(from, datetime!(2025-03-05 00:00 UTC));
        assert_eq!(to, datetime!(2025-03-06 00:00 UTC));
        assert!(emails_customer(JobStatus::OnTheWay) && emails_customer(JobStatus::Completed));
        assert!(!emails_customer(JobStatus::InProgress));
    }

    #[test]
    fn reminders_follow_the_companys_tomorrow_in_auckland() {
        let z = Zone::parse("Pacific/Auckland").unwrap();
        // 23:30 UTC on Mar 4 is 12:30 on Mar 5 in Auckland (NZDT, +13): tomorrow is Mar 6.
        let (from, to) = reminder_range(&z, datetime!(2025-03-04 23:30 UTC));
        assert_eq!(from, datetime!(2025-03-06 00:00 +13));
        assert_eq!(to, datetime!(2025-03-07 00:00 +13));
        // 10:59 UTC on Mar 4 is 23:59 in Auckland, still Mar 4: tomorrow is Mar 5;
        // one minute later it is Mar 5 there and tomorrow moves on.
        assert_eq!(
            reminder_range(&z, datetime!(2025-03-04 10:59 UTC)).0,
            datetime!(2025-03-05 00:00 +13)
        );
        assert_eq!(
            reminder_range(&z, datetime!(2025-03-04 11:00 UTC)).0,
            datetime!(2025-03-06 00:00 +13)
        );
        // DST ends on Sun Apr 6 2025 (03:00 NZDT becomes 02:00 NZST): that day has 25 hours.
        let (from, to) = reminder_range(&z, datetime!(2025-04-05 09:00 +13));
        assert_eq!(from, datetime!(2025-04-06 00:00 +13));
        assert_eq!(to, datetime!(2025-04-07 00:00 +12));
        assert_eq!(to - from, Duration::hours(25));
        // DST starts on Sun Sep 28 2025 (02:00 NZST becomes 03:00 NZDT): 23 hours.
        let (from, to) = reminder_range(&z, datetime!(2025-09-27 09:00 +12));
        assert_eq!(to - from, Duration::hours(23));
        assert_eq!(to, datetime!(2025-09-29 00:00 +13));
    }

    #[test]
    fn reminders_follow_the_companys_tomorrow_in_chicago() {
        let z = Zone::parse("America/Chicago").unwrap();
        // 03:00 UTC on Mar 5 is 21:00 (CST, -6) on Mar 4 in Chicago: tomorrow is Mar 5.
        let (from, to) = reminder_range(&z, datetime!(2025-03-05 03:00 UTC));
        assert_eq!(from, datetime!(2025-03-05 00:00 -6));
        assert_eq!(to, datetime!(2025-03-06 00:00 -6));
        // Around Chicago's midnight: 23:59 on Mar 4 and 00:00 on Mar 5.
        assert_eq!(
            reminder_range(&z, datetime!(2025-03-04 23:59 -6)).0,
            datetime!(2025-03-05 00:00 -6)
        );
        assert_eq!(
            reminder_range(&z, datetime!(2025-03-05 00:00 -6)).0,
            datetime!(2025-03-06 00:00 -6)
        );
        // DST starts on Sun Mar 9 2025: that day has 23 hours and ends at CDT (-5).
        let (from, to) = reminder_range(&z, datetime!(2025-03-08 12:00 -6));
        assert_eq!(from, datetime!(2025-03-09 00:00 -6));
        assert_eq!(to, datetime!(2025-03-10 00:00 -5));
        assert_eq!(to - from, Duration::hours(23));
        // DST ends on Sun Nov 2 2025: 25 hours.
        let (from, to) = reminder_range(&z, datetime!(2025-11-01 12:00 -5));
        assert_eq!(from, datetime!(2025-11-02 00:00 -5));
        assert_eq!(to - from, Duration::hours(25));
    }
}
