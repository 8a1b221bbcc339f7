//! `/office/audit` (administrators): the audit log — time, who, what, subject and client
//! address — filtered by who (a staff member, customers in the portal, the system),
//! what (the action), when (from and to dates, UTC) and customer (by number), newest
//! first with keyset paging; `/office/audit.csv` exports the filtered rows (at most
//! [`CSV_MAX`]), every cell a formula could start from neutralised.

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use doorstep_core::ids::{CustomerId, StaffUserId};
use doorstep_store::audit::{AuditActor, AuditFilter, AuditKey, AuditRow};
use serde::Deserialize;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime, Time};

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::display::when;
use crate::extract::Query;
use crate::views::OfficeChrome;
use crate::{AppState, WebError};
use doorstep_core::local_time::Zone;

/// Rows per page.
const PAGE: i64 = 50;
/// The most rows one CSV export holds.
pub const CSV_MAX: usize = 10_000;

/// The filters as they travel in the URL.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct AuditQuery {
    who: String,
    what: String,
    from: String,
    to: String,
    customer: String,
    after: String,
}

/// A row as the page shows it.
struct Line {
    at: String,
    at_iso: String,
    who: String,
    who_kind: &'static str,
    what: String,
    action: String,
    subject: String,
    customer: Option<(String, String)>,
    ip: String,
}

/// An option of a filter's list.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "office/company/audit.html")]
struct AuditPage {
    chrome: OfficeChrome,
    query: AuditQuery,
    who: Vec<Choice>,
    what: Vec<Choice>,
    lines: Vec<Line>,
    next: Option<String>,
    csv: String,
    filtered: bool,
    from_error: Option<String>,
    to_error: Option<String>,
    customer_error: Option<String>,
    cursor_error: Option<&'static str>,
}

/// The filters read from the query, and the messages for the ones that could not be
/// read (a filter that cannot be read matches nothing, so the page never shows more
/// than asked).
struct Read {
    filter: AuditFilter,
    nothing: bool,
    from_error: Option<String>,
    to_error: Option<String>,
    customer_error: Option<String>,
}

fn parse_day(raw: &str) -> Result<Option<Date>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    Date::parse(raw, format_description!("[year]-[month]-[day]"))
        .map(Some)
        .map_err(|_| "Enter a date as YYYY-MM-DD.".to_owned())
}

/// The instant the company's day `day` starts.
fn midnight(zone: &Zone, day: Date) -> OffsetDateTime {
    zone.instant(day, Time::MIDNIGHT)
}

async fn read(state: &AppState, staff: &SignedInStaff, q: &AuditQuery) -> Result<Read, WebError> {
    let mut r = Read {
        filter: AuditFilter::default(),
        nothing: false,
        from_error: None,
        to_error: None,
        customer_error: None,
    };
    r.filter.actor = match q.who.as_str() {
        "" => None,
        "contacts" => Some(AuditActor::Contacts),
        "system" => Some(AuditActor::System),
        other => match other.strip_prefix("staff-").and_then(|id| id.parse().ok()) {
            Some(id) => Some(AuditActor::Staff(StaffUserId(id))),
            None => {
                r.nothing = true;
                None
            }
        },
    };
    let what = q.what.trim();
    if !what.is_empty() {
        r.filter.action = Some(what.to_owned());
    }
    match parse_day(&q.from) {
        Ok(day) => r.filter.from = day.map(|d| midnight(&staff.company.time_zone, d)),
        Err(e) => r.from_error = Some(e),
    }
    match parse_day(&q.to) {
        Ok(day) => {
            r.filter.until = day.map(|d| midnight(&staff.company.time_zone, d + Duration::days(1)))
        }
        Err(e) => r.to_error = Some(e),
    }
    if let (Some(from), Some(until)) = (r.filter.from, r.filter.until)
        && until <= from
    {
        r.to_error = Some("The end date is before the start date.".into());
    }
    let number = q.customer.trim();
    if !number.is_empty() {
        match state
            .store
            .customer_by_number(staff.company.id, &number.to_uppercase())
            .await?
        {
            Some(c) => r.filter.customer = Some(CustomerId(c.id)),
            None => {
                r.customer_error = Some(format!("No customer has the number “{number}”."));
            }
        }
    }
    r.nothing |= r.from_error.is_some() || r.to_error.is_some() || r.customer_error.is_some();
    Ok(r)
}

fn parse_cursor(raw: &str) -> (Option<AuditKey>, Option<&'static str>) {
    if raw.is_empty() {
        return (None, None);
    }
    let parsed = raw.split_once('.').and_then(|(at, id)| {
        let at = OffsetDateTime::from_unix_timestamp(at.parse().ok()?).ok()?;
        Some(AuditKey {
            at,
            id: id.parse().ok()?,
        })
    });
    match parsed {
        Some(k) => (Some(k), None),
        None => (
            None,
            Some("That page link is not valid; showing the first page."),
        ),
    }
}

/// Who acted, as people read it.
fn who(r: &AuditRow) -> (String, &'static str) {
    match r.actor_kind.as_str() {
        "staff" => (
            r.staff_name
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| r.actor_label.clone()),
            "Staff",
        ),
        "contact" => (
            if r.actor_label.is_empty() {
                "Portal user".to_owned()
            } else {
                r.actor_label.clone()
            },
            "Customer",
        ),
        "api" => (r.actor_label.clone(), "API"),
        _ => (
            if r.actor_label.is_empty() {
                "System".to_owned()
            } else {
                r.actor_label.clone()
            },
            "System",
        ),
    }
}

/// An action code as a phrase: `staff.role_changed` reads "Staff: role changed".
fn what(action: &str) -> String {
    let text = action.replace('_', " ");
    let (area, rest) = text.split_once('.').unwrap_or(("", text.as_str()));
    let mut area = area.to_owned();
    if let Some(first) = area.get(..1) {
        area = format!("{}{}", first.to_uppercase(), &area[1..]);
    }
    if area.is_empty() {
        rest.to_owned()
    } else {
        format!("{area}: {rest}")
    }
}

fn subject(r: &AuditRow) -> String {
    let kind = r.subject_kind.replace('_', " ");
    match r.subject_id {
        Some(id) if !kind.is_empty() => format!("{kind} #{id}"),
        _ => kind,
    }
}

fn line(zone: &Zone, r: &AuditRow) -> Line {
    let (name, kind) = who(r);
    Line {
        at: when(zone, r.created_at),
        at_iso: r
            .created_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        who: name,
        who_kind: kind,
        what: what(&r.action),
        action: r.action.clone(),
        subject: subject(r),
        customer: r
            .customer_number
            .clone()
            .map(|n| (n, r.customer_name.clone().unwrap_or_default())),
        ip: r.ip.clone(),
    }
}

/// The query string of `q` with `after` replaced.
fn link(path: &str, q: &AuditQuery, after: Option<String>) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("who", &q.who),
        ("what", &q.what),
        ("from", &q.from),
        ("to", &q.to),
        ("customer", &q.customer),
    ] {
        if !v.trim().is_empty() {
            s.append_pair(k, v.trim());
        }
    }
    if let Some(a) = after {
        s.append_pair("after", &a);
    }
    let qs = s.finish();
    if qs.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{qs}")
    }
}

/// `GET /office/audit`.
pub async fn list(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<AuditQuery>,
) -> Result<Response, WebError> {
    staff.actor.admin()?;
    let company = staff.company.id;
    let read = read(&state, &staff, &query).await?;
    let (after, cursor_error) = parse_cursor(query.after.trim());
    let (rows, next) = if read.nothing {
        (Vec::new(), None)
    } else {
        state
            .store
            .audit_page(company, &read.filter, after, PAGE)
            .await?
    };
    let next = next.map(|k| {
        link(
            "/office/audit",
            &query,
            Some(format!("{}.{}", k.at.unix_timestamp(), k.id)),
        )
    });
    let mut who = vec![
        Choice {
            value: String::new(),
            label: "Everyone".into(),
            selected: query.who.is_empty(),
        },
        Choice {
            value: "contacts".into(),
            label: "Customers in the portal".into(),
            selected: query.who == "contacts",
        },
        Choice {
            value: "system".into(),
            label: "System (sign-in attempts, command line)".into(),
            selected: query.who == "system",
        },
    ];
    for s in state.store.staff_of(company).await? {
        let value = format!("staff-{}", s.id.0);
        who.push(Choice {
            selected: query.who == value,
            label: format!("{} ({})", s.name, s.email),
            value,
        });
    }
    let mut what_choices = vec![Choice {
        value: String::new(),
        label: "Anything".into(),
        selected: query.what.is_empty(),
    }];
    for action in state.store.audit_actions(company).await? {
        what_choices.push(Choice {
            selected: query.what == action,
            label: what(&action),
            value: action,
        });
    }
    let filtered = [
        &query.who,
        &query.what,
        &query.from,
        &query.to,
        &query.customer,
    ]
    .iter()
    .any(|v| !v.trim().is_empty());
    let page = AuditPage {
        chrome: OfficeChrome::of(&staff, &csrf),
        csv: link("/office/audit.csv", &query, None),
        lines: rows
            .iter()
            .map(|r| line(&staff.company.time_zone, r))
            .collect(),
        next,
        who,
        what: what_choices,
        filtered,
        from_error: read.from_error,
        to_error: read.to_error,
        customer_error: read.customer_error,
        cursor_error,
        query,
    };
    crate::kit::render::page(&page)
}

/// One CSV cell: quoted, quotes doubled, and a value a spreadsheet would read as a
/// formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) prefixed with
/// `'` so it stays text.
pub fn csv_cell(value: &str) -> String {
    let neutral = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    format!("\"{}\"", neutral.replace('"', "\"\""))
}

/// `GET /office/audit.csv`: the filtered rows, newest first, at most [`CSV_MAX`].
pub async fn csv(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Query(query): Query<AuditQuery>,
) -> Result<Response, WebError> {
    staff.actor.admin()?;
    let company = staff.company.id;
    let read = read(&state, &staff, &query).await?;
    let mut out = String::from(
        "time,actor_kind,who,action,subject_kind,subject_id,customer_number,customer_name,client_address,detail\r\n",
    );
    let mut after = None;
    let mut written = 0;
    while !read.nothing && written < CSV_MAX {
        let want = (CSV_MAX - written).min(1000) as i64;
        let (rows, next) = state
            .store
            .audit_page(company, &read.filter, after, want)
            .await?;
        for r in &rows {
            let (name, _) = who(r);
            let cells = [
                r.created_at
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
                r.actor_kind.clone(),
                name,
                r.action.clone(),
                r.subject_kind.clone(),
                r.subject_id.map(|i| i.to_string()).unwrap_or_default(),
                r.customer_number.clone().unwrap_or_default(),
                r.customer_name.clone().unwrap_or_default(),
                r.ip.clone(),
                r.detail.clone(),
            ];
            let row: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
            out.push_str(&row.join(","));
            out.push_str("\r\n");
        }
        written += rows.len();
        match next {
            Some(k) => after = Some(k),
            None => break,
        }
    }
    let name = format!("audit-{}.csv", doorstep_store::now().date());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        out,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::{csv_cell, what};

    #[test]
    fn formula_cells_are_neutralised_and_quotes_doubled() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+1"), "\"'+1\"");
        assert_eq!(csv_cell("-2"), "\"'-2\"");
        assert_eq!(csv_cell("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(csv_cell("\tx"), "\"'\tx\"");
        assert_eq!(csv_cell("plain, text"), "\"plain, text\"");
        assert_eq!(csv_cell(""), "\"\"");
    }

    #[test]
    fn actions_read_as_phrases() {
        assert_eq!(what("staff.role_changed"), "Staff: role changed");
        assert_eq!(what("sign_in.failed"), "Sign in: failed");
        assert_eq!(what("odd"), "odd");
    }
}
