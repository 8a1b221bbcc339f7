//! The job list's URL: filters, sort and page cursor read from the query string (so a
//! list can be bookmarked), with a message for each part that makes no sense.

use doorstep_core::local_time::Zone;
use doorstep_core::status::JobStatus;
use doorstep_store::job_list::{Cursor, DateOrder, JobFilter, JobKey};
use time::macros::format_description;
use time::{Date, OffsetDateTime, Time};

/// The longest search kept; anything longer is cut.
const MAX_SEARCH_CHARS: usize = 100;

/// A list's query string, parsed: what is valid is applied, what is not is explained.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// The filter to apply.
    pub filter: JobFilter,
    /// The page to show.
    pub cursor: Option<Cursor>,
    /// The dates as typed (valid ones), to put back in the form.
    pub from_text: String,
    /// The end date as typed (valid), to put back in the form.
    pub to_text: String,
    /// One message per malformed parameter.
    pub problems: Vec<String>,
}

fn parse_day(raw: &str) -> Option<Date> {
    Date::parse(raw.trim(), format_description!("[year]-[month]-[day]")).ok()
}

fn parse_key(raw: &str) -> Option<JobKey> {
    let (secs, id) = raw.split_once('_')?;
    let date = OffsetDateTime::from_unix_timestamp(secs.parse().ok()?).ok()?;
    let id = id.parse().ok().filter(|id| *id > 0)?;
    Some(JobKey { date, id })
}

/// A page cursor as it appears in links: `{unix seconds}_{id}`.
pub fn key_text(key: &JobKey) -> String {
    format!("{}_{}", key.date.unix_timestamp(), key.id)
}

impl ListQuery {
    /// Reads `raw` (the query string, possibly empty); dates are days on the company's
    /// clock (`zone`).
    pub fn parse(raw: Option<&str>, zone: &Zone) -> ListQuery {
        let mut q = ListQuery::default();
        for (name, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let value = value.trim();
            match name.as_ref() {
                "status" if !value.is_empty() => match JobStatus::parse(value) {
                    Ok(s) if !q.filter.statuses.contains(&s) => q.filter.statuses.push(s),
                    Ok(_) => {}
                    Err(_) => q
                        .problems
                        .push(format!("“{value}” is not a job status; it was left out.")),
                },
                "q" => q.filter.search = value.chars().take(MAX_SEARCH_CHARS).collect(),
                "from" | "to" if !value.is_empty() => match parse_day(value) {
                    Some(day) if name == "from" => {
                        q.filter.from = Some(zone.instant(day, Time::MIDNIGHT));
                        q.from_text = value.to_owned();
                    }
                    Some(day) => {
                        // "To" includes the whole day: jobs before the next midnight.
                        q.filter.until = day.next_day().map(|d| zone.instant(d, Time::MIDNIGHT));
                        q.to_text = value.to_owned();
                    }
                    None => q.problems.push(format!(
                        "“{value}” is not a date. Use the form YYYY-MM-DD, e.g. 2025-03-31."
                    )),
                },
                "sort" => match value {
                    "" | "newest" => q.filter.order = DateOrder::Newest,
                    "oldest" => q.filter.order = DateOrder::Oldest,
                    _ => q.problems.push(format!(
                        "“{value}” is not a sort order; showing newest first."
                    )),
                },
                "after" | "before" if !value.is_empty() => match parse_key(value) {
                    Some(key) if name == "after" => q.cursor = Some(Cursor::After(key)),
                    Some(key) => q.cursor = Some(Cursor::Before(key)),
                    None => q.problems.push(
                        "That page link is not valid; showing the first page instead.".into(),
                    ),
                },
                _ => {}
            }
        }
        if let (Some(from), Some(until)) = (q.filter.from, q.filter.until)
            && from >= until
        {
            q.problems
                .push("The “from” date is after the “to” date; the dates were ignored.".into());
            q.filter.from = None;
            q.filter.until = None;
            q.from_text.clear();
            q.to_text.clear();
        }
        q
    }

    /// The list's URL at `path` with these filters and `cursor`.
    pub fn href(&self, path: &str, cursor: Option<Cursor>) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for s in &self.filter.statuses {
            out.append_pair("status", s.as_str());
        }
        if !self.filter.search.is_empty() {
            out.append_pair("q", &self.filter.search);
        }
        if !self.from_text.is_empty() {
            out.append_pair("from", &self.from_text);
        }
        if !self.to_text.is_empty() {
            out.append_pair("to", &self.to_text);
        }
        if self.filter.order == DateOrder::Oldest {
            out.append_pair("sort", "oldest");
        }
        match cursor {
            Some(Cursor::After(k)) => out.append_pair("after", &key_text(&k)),
            Some(Cursor::Before(k)) => out.append_pair("before", &key_text(&k)),
            None => &mut out,
        };
        let query = out.finish();
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_filter_round_trips_through_the_url() {
        let q = ListQuery::parse(
            Some(
                "status=scheduled&status=completed&q=leak+J-1&from=2025-01-01&to=2025-01-31&sort=oldest",
            ),
            &Zone::utc(),
        );
        assert!(q.problems.is_empty(), "{:?}", q.problems);
        assert_eq!(
            q.filter.statuses,
            [JobStatus::Scheduled, JobStatus::Completed]
        );
        assert_eq!(q.filter.search, "leak J-1");
        assert_eq!(q.filter.order, DateOrder::Oldest);
        let href = q.href("/jobs", None);
        let again = ListQuery::parse(href.split_once('?').map(|(_, q)| q), &Zone::utc());
        assert_eq!(again.href("/jobs", None), href);
        assert_eq!(
            again.filter.until.map(|t| t.unix_timestamp()),
            Some(1_738_368_000) // 2025-02-01T00:00Z: the whole of the 31st is in.
        );
    }

    #[test]
    fn malformed_parameters_are_explained_and_left_out() {
        let q = ListQuery::parse(
            Some("status=done&from=2025-13-01&sort=up&after=x_1"),
            &Zone::utc(),
        );
        assert_eq!(q.problems.len(), 4, "{:?}", q.problems);
        assert!(q.filter.statuses.is_empty());
        assert!(q.filter.from.is_none());
        assert!(q.cursor.is_none());
    }

    #[test]
    fn reversed_dates_are_refused() {
        let q = ListQuery::parse(Some("from=2025-02-01&to=2025-01-01"), &Zone::utc());
        assert_eq!(q.problems.len(), 1);
        assert!(q.filter.from.is_none() && q.filter.until.is_none());
    }

    #[test]
    fn cursors_round_trip() {
        let key = JobKey {
            date: OffsetDateTime::from_unix_timestamp(1_700_000_000)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH),
            id: 42,
        };
        assert_eq!(parse_key(&key_text(&key)), Some(key));
        assert_eq!(parse_key("1_0"), None);
        assert_eq!(parse_key("99999999999999999_1"), None);
    }
}
