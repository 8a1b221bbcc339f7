//! `GET /jobs`: the account's jobs, filtered, searched and paged by the URL.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use doorstep_core::authz::{PortalAction, contact_may};
use doorstep_core::settings::PortalSettings;
use doorstep_core::status::JobStatus;
use doorstep_store::job_list::{DateOrder, JobRow};

use super::query::ListQuery;
use super::{location, status_class};
use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::display::{Zone, day, iso_day};
use crate::kit::schedule::{schedule_type_label, scheduled_text};
use crate::views::PortalChrome;
use crate::{AppState, WebError};

/// Jobs per page.
const PAGE_SIZE: i64 = 25;

/// Which columns the company shows.
pub struct Columns {
    /// Site name and address.
    pub location: bool,
    /// The summary line.
    pub summary: bool,
    /// The list date.
    pub date: bool,
    /// The status badge.
    pub status: bool,
    /// The visit's start.
    pub schedule_date: bool,
    /// AM / PM / all day / exact.
    pub schedule_type: bool,
    /// The job type, under the company's own label.
    pub job_type: Option<String>,
}

impl Columns {
    /// The columns `settings` leave visible; the number always shows, as it opens the job.
    pub fn of(settings: &PortalSettings) -> Columns {
        let shown = |name: &str| {
            !settings
                .hidden_job_columns
                .iter()
                .any(|h| h.eq_ignore_ascii_case(name))
        };
        Columns {
            location: shown("location"),
            summary: shown("summary"),
            date: shown("date"),
            status: shown("status"),
            schedule_date: settings.show_schedule_date,
            schedule_type: settings.show_schedule_type,
            job_type: settings
                .show_job_type
                .then(|| settings.job_type_label().to_owned()),
        }
    }
}

/// One job as the list shows it.
pub struct ListRow {
    number: String,
    href: String,
    location: String,
    summary: String,
    date: String,
    date_iso: String,
    status: &'static str,
    status_class: &'static str,
    schedule_date: String,
    schedule_type: String,
    job_type: String,
}

impl ListRow {
    fn of(zone: &Zone, r: &JobRow) -> ListRow {
        let status = r.status();
        ListRow {
            number: r.number.clone(),
            href: format!(
                "/jobs/{}",
                form_urlencoded::byte_serialize(r.number.as_bytes()).collect::<String>()
            ),
            location: location(
                r.site_name.as_deref(),
                r.site_line1.as_deref(),
                r.site_city.as_deref(),
            ),
            summary: r.summary.clone(),
            date: day(zone, r.job_date),
            date_iso: iso_day(zone, r.job_date),
            status: status.label(),
            status_class: status_class(status),
            schedule_date: r
                .scheduled_start
                .map(|t| scheduled_text(zone, t, r.schedule_type.as_deref()))
                .unwrap_or_default(),
            schedule_type: schedule_type_label(r.schedule_type.as_deref()),
            job_type: r.job_type.clone().unwrap_or_default(),
        }
    }
}

/// A status checkbox of the filter.
struct StatusChoice {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "portal/jobs/list.html")]
struct ListPage {
    chrome: PortalChrome,
    columns: Columns,
    rows: Vec<ListRow>,
    statuses: Vec<StatusChoice>,
    search: String,
    from: String,
    to: String,
    oldest_first: bool,
    filtered: bool,
    problems: Vec<String>,
    next: Option<String>,
    prev: Option<String>,
}

/// `GET /jobs`.
pub async fn list(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    contact: SignedInContact,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let company = &contact.portal.company;
    if !contact_may(&contact.scope, &company.settings, PortalAction::ViewJobs) {
        return Err(WebError::NotFound);
    }
    let query = ListQuery::parse(raw.as_deref(), &company.time_zone);
    let page = state
        .store
        .job_page(
            company.id,
            &contact.scope,
            &query.filter,
            query.cursor,
            PAGE_SIZE,
        )
        .await?;
    let filter = &query.filter;
    let html = ListPage {
        chrome: PortalChrome::of(&contact, &csrf).at("/jobs"),
        columns: Columns::of(&company.settings),
        rows: page
            .rows
            .iter()
            .map(|r| ListRow::of(&company.time_zone, r))
            .collect(),
        statuses: JobStatus::ALL
            .iter()
            .map(|s| StatusChoice {
                value: s.as_str(),
                label: s.label(),
                checked: filter.statuses.contains(s),
            })
            .collect(),
        search: filter.search.clone(),
        from: query.from_text.clone(),
        to: query.to_text.clone(),
        oldest_first: filter.order == DateOrder::Oldest,
        filtered: !filter.statuses.is_empty()
            || !filter.search.is_empty()
            || filter.from.is_some()
            || filter.until.is_some(),
        problems: query.problems.clone(),
        next: page.next.map(|c| query.href("/jobs", Some(c))),
        prev: page.prev.map(|c| query.href("/jobs", Some(c))),
    }
    .render()
    .map_err(WebError::internal)?;
    let status = if query.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok((status, Html(html)).into_response())
}
