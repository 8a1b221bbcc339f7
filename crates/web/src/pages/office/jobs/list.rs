//! `GET /office/jobs`: the company's jobs newest first, filtered by status (several at
//! once), date range and technician, searched by number, summary or customer name, and
//! keyset-paged; every filter lives in the URL and a malformed one is explained.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use doorstep_core::jobs::parse_day;
use doorstep_core::local_time::Zone;
use doorstep_core::status::JobStatus;
use doorstep_store::office_jobs::{OfficeJobFilter, OfficeJobKey, OfficeJobRow};
use time::OffsetDateTime;

use super::{Choice, html, job_path, require, status_class};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::display::day;
use crate::kit::schedule::schedule_type_label;
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

/// Jobs per page.
const PAGE_SIZE: i64 = 25;
/// The longest search kept.
const MAX_SEARCH_CHARS: usize = 100;

/// The list's query string, parsed: what is valid applies, what is not is explained.
#[derive(Debug, Default)]
struct ListQuery {
    filter: OfficeJobFilter,
    after: Option<OfficeJobKey>,
    problems: Vec<String>,
}

fn key_text(k: &OfficeJobKey) -> String {
    format!("{}_{}", k.job_date.unix_timestamp(), k.id)
}

fn parse_key(raw: &str) -> Option<OfficeJobKey> {
    let (secs, id) = raw.split_once('_')?;
    let job_date = OffsetDateTime::from_unix_timestamp(secs.parse().ok()?).ok()?;
    let id = id.parse().ok().filter(|id| *id > 0)?;
    Some(OfficeJobKey { job_date, id })
}

impl ListQuery {
    fn parse(raw: Option<&str>) -> ListQuery {
        let mut q = ListQuery::default();
        for (name, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match name.as_ref() {
                "status" => match JobStatus::parse(value) {
                    Ok(s) if !q.filter.statuses.contains(&s) => q.filter.statuses.push(s),
                    Ok(_) => {}
                    Err(_) => q
                        .problems
                        .push(format!("“{value}” is not a job status; it was left out.")),
                },
                "from" => match parse_day("from", value) {
                    Ok(d) => q.filter.from = Some(d),
                    Err(_) => q.problems.push(
                        "The “from” date was not a date (YYYY-MM-DD); it was left out.".into(),
                    ),
                },
                "to" => match parse_day("to", value) {
                    Ok(d) => q.filter.to = Some(d),
                    Err(_) => q
                        .problems
                        .push("The “to” date was not a date (YYYY-MM-DD); it was left out.".into()),
                },
                "technician" => match value.parse::<i64>() {
                    Ok(id) => q.filter.technician = Some(id),
                    Err(_) => q
                        .problems
                        .push("The technician was not one of the crew; it was left out.".into()),
                },
                "q" => q.filter.search = value.chars().take(MAX_SEARCH_CHARS).collect(),
                "after" => match parse_key(value) {
                    Some(k) => q.after = Some(k),
                    None => q
                        .problems
                        .push("The page link was not valid; showing the first page.".into()),
                },
                _ => {}
            }
        }
        q
    }

    fn filtered(&self) -> bool {
        let f = &self.filter;
        !f.statuses.is_empty()
            || f.from.is_some()
            || f.to.is_some()
            || f.technician.is_some()
            || !f.search.is_empty()
    }

    /// The address of this filter, with `after` for a page.
    fn link(&self, after: Option<&OfficeJobKey>) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        let f = &self.filter;
        for status in &f.statuses {
            s.append_pair("status", status.as_str());
        }
        if let Some(d) = f.from {
            s.append_pair("from", &d.to_string());
        }
        if let Some(d) = f.to {
            s.append_pair("to", &d.to_string());
        }
        if let Some(t) = f.technician {
            s.append_pair("technician", &t.to_string());
        }
        if !f.search.is_empty() {
            s.append_pair("q", &f.search);
        }
        if let Some(k) = after {
            s.append_pair("after", &key_text(k));
        }
        let query = s.finish();
        if query.is_empty() {
            "/office/jobs".to_owned()
        } else {
            format!("/office/jobs?{query}")
        }
    }
}

/// A status checkbox.
struct StatusChoice {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

/// One row as shown.
struct RowView {
    number: String,
    href: String,
    status: &'static str,
    status_class: &'static str,
    summary: String,
    customer: String,
    site: String,
    when: String,
}

fn row_view(zone: &Zone, r: OfficeJobRow) -> RowView {
    let status = r.status();
    let when = match r.scheduled_start {
        Some(t) => {
            let slot = schedule_type_label(r.schedule_type.as_deref());
            if slot.is_empty() {
                day(zone, t)
            } else {
                format!("{} · {slot}", day(zone, t))
            }
        }
        None => format!("Not scheduled (created {})", day(zone, r.job_date)),
    };
    RowView {
        href: job_path(&r.number),
        status: status.label(),
        status_class: status_class(status),
        when,
        customer: r.customer_name,
        site: r.site_name.unwrap_or_default(),
        summary: r.summary,
        number: r.number,
    }
}

#[derive(Template)]
#[template(path = "office/jobs/list.html")]
struct ListPage {
    chrome: OfficeChrome,
    statuses: Vec<StatusChoice>,
    technicians: Vec<Choice>,
    search: String,
    from: String,
    to: String,
    filtered: bool,
    problems: Vec<String>,
    rows: Vec<RowView>,
    first: Option<String>,
    next: Option<String>,
}

/// `GET /office/jobs`.
pub async fn list(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    require(&staff)?;
    let query = ListQuery::parse(raw.as_deref());
    let (rows, next) = state
        .store
        .office_job_page(staff.company.id, &query.filter, query.after, PAGE_SIZE)
        .await?;
    let chosen = query
        .filter
        .technician
        .map(|t| t.to_string())
        .unwrap_or_default();
    let technicians = state
        .store
        .technicians(staff.company.id)
        .await?
        .into_iter()
        .map(|t| Choice::of(t.id, t.name, &chosen))
        .collect();
    let statuses = JobStatus::ALL
        .iter()
        .map(|s| StatusChoice {
            value: s.as_str(),
            label: s.label(),
            checked: query.filter.statuses.contains(s),
        })
        .collect();
    let status = if query.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let page = ListPage {
        chrome: OfficeChrome::of(&staff, &csrf),
        statuses,
        technicians,
        search: query.filter.search.clone(),
        from: query.filter.from.map(|d| d.to_string()).unwrap_or_default(),
        to: query.filter.to.map(|d| d.to_string()).unwrap_or_default(),
        filtered: query.filtered(),
        problems: query.problems.clone(),
        rows: rows
            .into_iter()
            .map(|r| row_view(&staff.company.time_zone, r))
            .collect(),
        first: query.after.map(|_| query.link(None)),
        next: next.as_ref().map(|k| query.link(Some(k))),
    };
    html(page, status)
}

#[cfg(test)]
mod tests {
    use super::ListQuery;
    use doorstep_core::status::JobStatus;

    #[test]
    fn the_query_keeps_what_is_valid_and_explains_the_rest() {
        let q = ListQuery::parse(Some(
            "status=scheduled&status=bogus&from=2025-03-01&to=x&technician=4&q=+leak+&after=1_2",
        ));
        assert_eq!(q.filter.statuses, [JobStatus::Scheduled]);
        assert_eq!(q.filter.search, "leak");
        assert_eq!(q.filter.technician, Some(4));
        assert!(q.filter.to.is_none());
        assert_eq!(q.problems.len(), 2);
        assert_eq!(
            q.link(None),
            "/office/jobs?status=scheduled&from=2025-03-01&technician=4&q=leak"
        );
        assert_eq!(q.after.map(|k| k.id), Some(2));
    }
}
