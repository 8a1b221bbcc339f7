//! The company's time zone, its "today", and how dates and times read.
//!
//! Instants are stored in UTC ([`OffsetDateTime`]); people read them in their company's time
//! zone ([`Zone`], an IANA name such as `America/Chicago`, from jiff's bundled database so a
//! machine without `/usr/share/zoneinfo` reads the same). Calendar dates (a job's date, an
//! invoice's due date, a window's date) are already local and are formatted without
//! conversion. One format per kind, in pages, emails and PDFs alike:
//!
//! | kind                | fn                | reads                    |
//! |---------------------|-------------------|--------------------------|
//! | date                | [`date`]          | `Dec 6, 2026`            |
//! | date with weekday   | [`weekday_date`]  | `Mon, Dec 7, 2026`       |
//! | time                | [`time_of_day`]   | `3:31 PM`                |
//! | date and time       | [`date_time`]     | `Dec 6, 2026, 3:31 PM`   |
//!
//! Machines (`<time datetime>`, `<input type=date>`) keep ISO `2026-12-06` ([`iso_date`]).
//! "Today" and every cut-off are the company's: [`today`].

use jiff::tz::TimeZone;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use crate::Invalid;

/// A company's time zone: an IANA name and its rules.
#[derive(Debug, Clone)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name == other.name
    }
}

impl Eq for Zone {}

impl Default for Zone {
    fn default() -> Zone {
        Zone::utc()
    }
}

impl std::fmt::Display for Zone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

impl Zone {
    /// Reads an IANA time zone name (`America/Chicago`, `Pacific/Auckland`, `UTC`); an
    /// unknown name is refused with a message saying what is expected. The name is kept as
    /// the database spells it (`america/chicago` becomes `America/Chicago`).
    pub fn parse(name: &str) -> Result<Zone, Invalid> {
        let name = name.trim();
        let refuse = || {
            Invalid::new(
                "time_zone",
                format!(
                    "\"{name}\" is not a time zone. Use an IANA name such as America/Chicago, \
                     Europe/London or Pacific/Auckland."
                ),
            )
        };
        // Only names: no POSIX rules ("EST5EDT,M3.2.0,M11.1.0") or paths.
        if name.is_empty() || name.len() > 64 || name.contains(['.', ',', ' ']) {
            return Err(refuse());
        }
        let tz = TimeZone::get(name).map_err(|_| refuse())?;
        let name = tz.iana_name().unwrap_or(name).to_owned();
        Ok(Zone { name, tz })
    }

    /// Coordinated Universal Time, the zone of a company that has not chosen one.
    pub fn utc() -> Zone {
        Zone {
            name: "UTC".into(),
            tz: TimeZone::UTC,
        }
    }

    /// The IANA name, as stored.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The wall-clock date and time of the instant `at` in this zone.
    pub fn local(&self, at: OffsetDateTime) -> PrimitiveDateTime {
        let at_utc = at.to_offset(time::UtcOffset::UTC);
        let utc = PrimitiveDateTime::new(at_utc.date(), at_utc.time());
        let Ok(ts) = jiff::Timestamp::new(at.unix_timestamp(), 0) else {
            return utc;
        };
        let dt = self.tz.to_datetime(ts);
        let date = Month::try_from(dt.month() as u8)
            .ok()
            .and_then(|m| Date::from_calendar_date(i32::from(dt.year()), m, dt.day() as u8).ok());
        let clock = Time::from_hms_nano(
            dt.hour() as u8,
            dt.minute() as u8,
            dt.second() as u8,
            at.nanosecond(),
        );
        match (date, clock) {
            (Some(d), Ok(t)) => PrimitiveDateTime::new(d, t),
            _ => utc,
        }
    }

    /// The local date of the instant `at`.
    pub fn date_of(&self, at: OffsetDateTime) -> Date {
        self.local(at).date()
    }

    /// The instant the wall clock in this zone reads `time` on `date` (in UTC). A time
    /// skipped by a spring-forward gap is read after the gap (2:30 becomes 3:30); a time
    /// repeated by a fall-back is the first of the two.
    pub fn instant(&self, date: Date, time: Time) -> OffsetDateTime {
        let naive = date.with_time(time).assume_utc();
        let Ok(dt) = jiff::civil::DateTime::new(
            date.year() as i16,
            u8::from(date.month()) as i8,
            date.day() as i8,
            time.hour() as i8,
            time.minute() as i8,
            time.second() as i8,
            0,
        ) else {
            return naive;
        };
        self.tz
            .to_ambiguous_timestamp(dt)
            .compatible()
            .ok()
            .and_then(|ts| OffsetDateTime::from_unix_timestamp(ts.as_second()).ok())
            .map(|t| t + time::Duration::nanoseconds(i64::from(time.nanosecond())))
            .unwrap_or(naive)
    }
}

/// Today's date in `zone` at the instant `now`: the day due dates, expiry and cut-offs are
/// judged by.
pub fn today(zone: &Zone, now: OffsetDateTime) -> Date {
    zone.date_of(now)
}

fn month_name(m: Month) -> &'static str {
    match m {
        Month::January => "Jan",
        Month::February => "Feb",
        Month::March => "Mar",
        Month::April => "Apr",
        Month::May => "May",
        Month::June => "Jun",
        Month::July => "Jul",
        Month::August => "Aug",
        Month::September => "Sep",
        Month::October => "Oct",
        Month::November => "Nov",
        Month::December => "Dec",
    }
}

/// A calendar date: `Dec 6, 2026`.
pub fn date(d: Date) -> String {
    format!("{} {}, {}", month_name(d.month()), d.day(), d.year())
}

/// A calendar date with its weekday: `Mon, Dec 7, 2026`.
pub fn weekday_date(d: Date) -> String {
    let wd = d.weekday().to_string();
    format!("{}, {}", wd.get(..3).unwrap_or(&wd), date(d))
}

/// A time of day: `3:31 PM`, `12:00 AM` at midnight.
pub fn time_of_day(t: Time) -> String {
    let (h, period) = match t.hour() {
        0 => (12, "AM"),
        h @ 1..=11 => (h, "AM"),
        12 => (12, "PM"),
        h => (h - 12, "PM"),
    };
    format!("{h}:{:02} {period}", t.minute())
}

/// An instant's local date in `zone`: `Dec 6, 2026`.
pub fn day(zone: &Zone, at: OffsetDateTime) -> String {
    date(zone.date_of(at))
}

/// An instant's local time in `zone`: `3:31 PM`.
pub fn clock(zone: &Zone, at: OffsetDateTime) -> String {
    time_of_day(zone.local(at).time())
}

/// An instant as people read it in `zone`: `Dec 6, 2026, 3:31 PM`.
pub fn date_time(zone: &Zone, at: OffsetDateTime) -> String {
    let local = zone.local(at);
    format!("{}, {}", date(local.date()), time_of_day(local.time()))
}

/// A calendar date for machines (`<time datetime>`, `<input type=date>`): `2026-12-06`.
pub fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use time::macros::{date, datetime, time};

    use super::*;

    fn zone(name: &str) -> Zone {
        Zone::parse(name).unwrap()
    }

    #[test]
    fn names_are_read_from_the_bundled_database_and_unknown_ones_refused() {
        assert_eq!(zone("America/Chicago").name(), "America/Chicago");
        assert_eq!(zone(" america/chicago ").name(), "America/Chicago");
        assert_eq!(zone("UTC").name(), "UTC");
        assert_eq!(Zone::utc(), zone("UTC"));
        assert_eq!(Zone::default().name(), "UTC");
        for bad in [
            "",
            "Mars/Olympus",
            "Chicago",
            "EST5EDT,M3.2.0,M11.1.0",
            "../etc/passwd",
        ] {
            let e = Zone::parse(bad).unwrap_err();
            assert_eq!(e.field, "time_zone");
            assert!(
                e.message.contains("America/Chicago"),
                "{bad}: {}",
                e.message
            );
        }
    }

    #[test]
    fn the_four_formats() {
        assert_eq!(date(date!(2026 - 12 - 06)), "Dec 6, 2026");
        assert_eq!(weekday_date(date!(2026 - 12 - 07)), "Mon, Dec 7, 2026");
        assert_eq!(time_of_day(time!(15:31)), "3:31 PM");
        assert_eq!(time_of_day(time!(0:05)), "12:05 AM");
        assert_eq!(time_of_day(time!(12:00)), "12:00 PM");
        assert_eq!(time_of_day(time!(9:07)), "9:07 AM");
        let at = datetime!(2026-12-06 21:31 UTC);
        assert_eq!(
            date_time(&zone("America/Chicago"), at),
            "Dec 6, 2026, 3:31 PM"
        );
        assert_eq!(date_time(&Zone::utc(), at), "Dec 6, 2026, 9:31 PM");
        assert_eq!(iso_date(date!(2026 - 01 - 02)), "2026-01-02");
    }

    #[test]
    fn auckland_is_already_tomorrow_when_chicago_is_still_today() {
        // 22:30 UTC on Dec 6: 4:30 PM Dec 6 in Chicago (UTC-6), 11:30 AM Dec 7 in Auckland
        // (UTC+13 in summer).
        let at = datetime!(2026-12-06 22:30 UTC);
        let chicago = zone("America/Chicago");
        let auckland = zone("Pacific/Auckland");
        assert_eq!(today(&chicago, at), date!(2026 - 12 - 06));
        assert_eq!(today(&auckland, at), date!(2026 - 12 - 07));
        assert_eq!(date_time(&auckland, at), "Dec 7, 2026, 11:30 AM");
        assert_eq!(clock(&chicago, at), "4:30 PM");
        assert_eq!(day(&auckland, at), "Dec 7, 2026");
        // Auckland's midnight crossed: 10:59 UTC is 11:59 PM, 11:00 UTC midnight next day.
        assert_eq!(
            date_time(&auckland, datetime!(2026-12-06 10:59 UTC)),
            "Dec 6, 2026, 11:59 PM"
        );
        assert_eq!(
            date_time(&auckland, datetime!(2026-12-06 11:00 UTC)),
            "Dec 7, 2026, 12:00 AM"
        );
        // Winter there (NZST, UTC+12).
        assert_eq!(
            date_time(&auckland, datetime!(2026-07-01 12:00 UTC)),
            "Jul 2, 2026, 12:00 AM"
        );
    }

    #[test]
    fn daylight_saving_edges_in_chicago() {
        let chicago = zone("America/Chicago");
        // Spring forward: Mar 8, 2026, 2:00 AM CST becomes 3:00 AM CDT (08:00 UTC).
        assert_eq!(clock(&chicago, datetime!(2026-03-08 07:59 UTC)), "1:59 AM");
        assert_eq!(clock(&chicago, datetime!(2026-03-08 08:00 UTC)), "3:00 AM");
        // 2:30 AM does not exist that day: read after the gap.
        assert_eq!(
            chicago.instant(date!(2026 - 03 - 08), time!(2:30)),
            datetime!(2026-03-08 08:30 UTC)
        );
        // Fall back: Nov 1, 2026, 1:30 AM happens twice; the first (CDT) is meant.
        assert_eq!(
            chicago.instant(date!(2026 - 11 - 01), time!(1:30)),
            datetime!(2026-11-01 06:30 UTC)
        );
        assert_eq!(clock(&chicago, datetime!(2026-11-01 07:30 UTC)), "1:30 AM");
        // An ordinary day's 8:00 AM in summer and winter.
        assert_eq!(
            chicago.instant(date!(2026 - 07 - 01), time!(8:00)),
            datetime!(2026-07-01 13:00 UTC)
        );
        assert_eq!(
            chicago.instant(date!(2026 - 12 - 07), time!(8:00)),
            datetime!(2026-12-07 14:00 UTC)
        );
    }

    #[test]
    fn local_and_instant_agree_and_keep_fractions() {
        let auckland = zone("Pacific/Auckland");
        let at = datetime!(2026-12-06 03:27:57.5 UTC);
        let local = auckland.local(at);
        assert_eq!(local, datetime!(2026-12-06 16:27:57.5));
        assert_eq!(auckland.instant(local.date(), local.time()), at);
        // An instant given with another offset is the same instant.
        let same = datetime!(2026-12-05 21:27:57.5 -6);
        assert_eq!(auckland.local(same), local);
    }
}
