//! `GET /office/requests`: the inbox, filtered by status (several at once, none = all) and
//! searched, keyset-paged newest first; every filter lives in the URL, and a malformed
//! parameter is explained on the page instead of failing it.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use doorstep_core::status::RequestStatus;
use doorstep_store::request_inbox::{InboxFilter, InboxKey, InboxRow};
use time::OffsetDateTime;

use super::{html, require};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::display::{Zone, date, day};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

/// Requests per page.
const PAGE_SIZE: i64 = 25;
/// The longest search kept.
const MAX_SEARCH_CHARS: usize = 100;

/// The inbox's query string, parsed: what is valid applies, what is not is explained.
#[derive(Debug, Default)]
struct InboxQuery {
    filter: InboxFilter,
    after: Option<InboxKey>,
    problems: Vec<String>,
}

/// A cursor as links carry it: `{unix seconds}_{id}`.
fn key_text(key: &InboxKey) -> String {
    format!("{}_{}", key.created_at.unix_timestamp(), key.id)
}

fn parse_key(raw: &str) -> Option<InboxKey> {
    let (secs, id) = raw.split_once('_')?;
    let created_at = OffsetDateTime::from_unix_timestamp(secs.parse().ok()?).ok()?;
    let id = id.parse().ok().filter(|id| *id > 0)?;
    Some(InboxKey { created_at, id })
}

impl InboxQuery {
    fn parse(raw: Option<&str>) -> InboxQuery {
        let mut q = InboxQuery::default();
        for (name, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let value = value.trim();
            match name.as_ref() {
                "status" if !value.is_empty() => match RequestStatus::parse(value) {
                    Ok(s) if !q.filter.statuses.contains(&s) => q.filter.statuses.push(s),
                    Ok(_) => {}
                    Err(_) => q.problems.push(format!(
                        "“{value}” is not a request status; it was left out."
                    )),
                },
                "q" => q.filter.search = value.chars().take(MAX_SEARCH_CHARS).collect(),
                "after" if !value.is_empty() => match parse_key(value) {
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

    /// The query string of this filter, with `after` for a page.
    fn link(&self, after: Option<&InboxKey>) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for status in &self.filter.statuses {
            s.append_pair("status", status.as_str());
        }
        if !self.filter.search.is_empty() {
            s.append_pair("q", &self.filter.search);
        }
        if let Some(k) = after {
            s.append_pair("after", &key_text(k));
        }
        let query = s.finish();
        if query.is_empty() {
            "/office/requests".to_owned()
        } else {
            format!("/office/requests?{query}")
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
    customer: String,
    contact: String,
    site: String,
    preferred: String,
    po_number: String,
    received: String,
}

/// The badge class of a request status.
pub(super) fn status_class(status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::New => "warning",
        RequestStatus::Read => "info",
        RequestStatus::Completed => "success",
        RequestStatus::Declined => "danger",
    }
}

fn row_view(zone: &Zone, r: InboxRow) -> RowView {
    let status = r.status();
    let site = match (&r.site_name, &r.site_line1) {
        (Some(n), Some(l)) if !l.is_empty() => format!("{n}, {l}"),
        (Some(n), _) => n.clone(),
        _ => String::new(),
    };
    RowView {
        href: super::request_path(&r.number),
        status: status.label(),
        status_class: status_class(status),
        contact: r.contact_name(),
        preferred: r.preferred_date.map(date).unwrap_or_default(),
        received: day(zone, r.created_at),
        number: r.number,
        customer: r.customer_name,
        site,
        po_number: r.po_number,
    }
}

#[derive(Template)]
#[template(path = "office/requests/list.html")]
struct ListPage {
    chrome: OfficeChrome,
    statuses: Vec<StatusChoice>,
    search: String,
    filtered: bool,
    problems: Vec<String>,
    rows: Vec<RowView>,
    first: Option<String>,
    next: Option<String>,
}

/// `GET /office/requests`.
pub async fn list(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    require(&staff)?;
    let query = InboxQuery::parse(raw.as_deref());
    let (rows, next) = state
        .store
        .request_inbox_page(staff.company.id, &query.filter, query.after, PAGE_SIZE)
        .await?;
    let statuses = RequestStatus::ALL
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
        search: query.filter.search.clone(),
        filtered: !query.filter.statuses.is_empty() || !query.filter.search.is_empty(),
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
    use super::InboxQuery;
    use doorstep_core::status::RequestStatus;

    #[test]
    fn the_query_keeps_what_is_valid_and_explains_the_rest() {
        let q = InboxQuery::parse(Some(
            "status=new&status=declined&status=bogus&q=+elm+&after=x_1",
        ));
        assert_eq!(
            q.filter.statuses,
            [RequestStatus::New, RequestStatus::Declined]
        );
        assert_eq!(q.filter.search, "elm");
        assert!(q.after.is_none());
        assert_eq!(q.problems.len(), 2);
        assert_eq!(
            q.link(None),
            "/office/requests?status=new&status=declined&q=elm"
        );
        let q = InboxQuery::parse(Some("after=1700000000_42"));
        assert_eq!(q.after.map(|k| k.id), Some(42));
        assert!(q.problems.is_empty());
    }
}
