//! "My requests": `GET /requests` (the account's requests, newest first, keyset paging;
//! site contacts see their sites' only) and `GET /requests/{number}` (one request: what
//! was asked, its status, what it became, the decline reason; right after submitting it
//! is the confirmation page).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use doorstep_core::authz::PortalAction;
use doorstep_core::ids::ServiceRequestId;
use doorstep_core::status::{RequestStatus, ScheduleType};
use serde::Deserialize;

use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::display::weekday_date;
use crate::extract::{Path, Query};
use crate::kit::render::page;
use crate::kit::urls::path_segment;
use crate::pages::portal::billing::{PAGE, may, require};
use crate::views::PortalChrome;
use crate::{AppState, WebError};

/// The list's query string.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    after: Option<String>,
}

struct Row {
    number: String,
    href: String,
    status: &'static str,
    sent_on: String,
    preferred: String,
    site: String,
    description: String,
}

#[derive(Template)]
#[template(path = "portal/requests/list.html")]
struct ListPage {
    chrome: PortalChrome,
    rows: Vec<Row>,
    next: Option<String>,
    message: Option<&'static str>,
    first_page: bool,
}

fn status_label(raw: &str) -> &'static str {
    RequestStatus::parse(raw).map_or("Sent", |s| s.customer_label())
}

fn short(text: &str) -> String {
    let mut s: String = text.chars().take(80).collect();
    if text.chars().count() > 80 {
        s.push('…');
    }
    s
}

/// `GET /requests`.
pub async fn list(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::RequestService)?;
    let raw = query.after.as_deref().filter(|r| !r.is_empty());
    let (after, message) = match raw.map(str::parse::<i64>) {
        None => (None, None),
        Some(Ok(id)) if id > 0 => (Some(id), None),
        Some(_) => (
            None,
            Some("That page link is not valid; showing the first page."),
        ),
    };
    let mut found = state
        .store
        .my_requests(contact.portal.company.id, &contact.scope, after, PAGE + 1)
        .await?;
    let next = if found.len() as i64 > PAGE {
        found.truncate(PAGE as usize);
        found.last().map(|r| format!("/requests?after={}", r.id))
    } else {
        None
    };
    let rows = found
        .into_iter()
        .map(|r| Row {
            href: format!("/requests/{}", path_segment(&r.number)),
            number: r.number,
            status: status_label(&r.status),
            sent_on: crate::display::day(&contact.portal.company.time_zone, r.created_at),
            preferred: r
                .preferred_date
                .map(crate::display::date)
                .unwrap_or_default(),
            site: r.site_name.unwrap_or_default(),
            description: short(&r.description),
        })
        .collect();
    page(&ListPage {
        chrome: PortalChrome::of(&contact, &csrf).at("/requests"),
        rows,
        next,
        message,
        first_page: after.is_none(),
    })
}

/// The detail page's query string.
#[derive(Debug, Deserialize)]
pub struct DetailQuery {
    submitted: Option<String>,
}

struct Photo {
    full: String,
    thumb: String,
    name: String,
}

#[derive(Template)]
#[template(path = "portal/requests/detail.html")]
struct DetailPage {
    chrome: PortalChrome,
    just_sent: bool,
    number: String,
    status: &'static str,
    declined: bool,
    decline_reason: String,
    when: String,
    address: String,
    contact: String,
    what: Vec<String>,
    description: String,
    po_number: String,
    estimate: Option<(String, Option<String>)>,
    job: Option<(String, String)>,
    converted_estimate: Option<(String, Option<String>)>,
    /// The rental the office made of it.
    rental: Option<String>,
    photos: Vec<Photo>,
    proposal: Option<ProposalLink>,
}

/// A time the office proposed, linked to the page that answers it.
struct ProposalLink {
    when: String,
    /// The office's note with it (empty for none).
    note: String,
    awaits: bool,
    answer: String,
    href: String,
}

/// `GET /requests/{number}`.
pub async fn show(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Query(query): Query<DetailQuery>,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::RequestService)?;
    let company = &contact.portal.company;
    let r = state
        .store
        .my_request(company.id, &contact.scope, &number)
        .await?
        .ok_or(WebError::NotFound)?;
    let slot = r
        .schedule_type
        .as_deref()
        .and_then(|s| ScheduleType::parse(s).ok());
    let when = match (r.preferred_date, slot) {
        (Some(d), Some(ScheduleType::Exact)) => format!(
            "{} at {}",
            weekday_date(d),
            doorstep_core::visits::parse_clock("time", &r.preferred_time)
                .map(doorstep_core::local_time::time_of_day)
                .unwrap_or_else(|_| r.preferred_time.clone())
        ),
        (Some(d), Some(s)) => format!("{} · {}", weekday_date(d), s.label()),
        (Some(d), None) => weekday_date(d),
        (None, _) => "No date given".into(),
    };
    let when = if r.window_date.is_some() {
        format!("{when} (booked window)")
    } else {
        when
    };
    let address = [
        r.site_name.clone(),
        r.site_line1.clone(),
        r.site_city.clone(),
    ]
    .into_iter()
    .flatten()
    .filter(|p| !p.is_empty())
    .collect::<Vec<_>>()
    .join(", ");
    let name = format!(
        "{} {}",
        r.contact_first.clone().unwrap_or_default(),
        r.contact_last.clone().unwrap_or_default()
    );
    let contact_text = [
        name.trim().to_owned(),
        r.contact_email.clone().unwrap_or_default(),
        r.contact_phone.clone().unwrap_or_default(),
    ]
    .into_iter()
    .filter(|p| !p.is_empty())
    .collect::<Vec<_>>()
    .join(", ");
    let mut what = Vec::new();
    if let Some(t) = &r.job_type_name {
        what.push(format!("{}: {t}", company.settings.job_type_label()));
    }
    if let Some(i) = &r.item_name {
        what.push(i.clone());
    }
    if r.is_sub_customer {
        what.push("For a sub-customer".into());
    }
    let estimates = may(&contact, PortalAction::ViewEstimates);
    let estimate_link = |n: &String| {
        (
            n.clone(),
            estimates.then(|| format!("/estimates/{}", path_segment(n))),
        )
    };
    let photos = state
        .store
        .portal_request_photos(company.id, ServiceRequestId(r.id))
        .await?
        .into_iter()
        .map(|p| Photo {
            full: format!("/requests/{}/photos/{}", path_segment(&r.number), p.id),
            thumb: format!(
                "/requests/{}/photos/{}/thumb",
                path_segment(&r.number),
                p.id
            ),
            name: p.filename,
        })
        .collect();
    let proposal = if may(&contact, PortalAction::AnswerProposals) {
        state
            .store
            .request_proposal_for_contact(company.id, &contact.scope, &r.number)
            .await?
            .and_then(|p| {
                let answer = match p.proposal_status.as_deref()? {
                    "accepted" => "you accepted it",
                    "declined" => "you declined it",
                    _ => "no longer open",
                }
                .to_owned();
                Some(ProposalLink {
                    when: crate::kit::schedule::proposed_time(&p),
                    note: p.proposal_note.trim().to_owned(),
                    awaits: p.awaits_answer(),
                    answer,
                    href: crate::kit::urls::proposal_href(&p.number),
                })
            })
    } else {
        None
    };
    let status = RequestStatus::parse(&r.status).unwrap_or(RequestStatus::New);
    page(&DetailPage {
        proposal,
        chrome: PortalChrome::of(&contact, &csrf).at("/requests"),
        just_sent: query.submitted.is_some(),
        status: status_label(&r.status),
        declined: status == RequestStatus::Declined,
        decline_reason: r.decline_reason.clone(),
        when,
        address,
        contact: contact_text,
        what,
        description: r.description.clone(),
        po_number: r.po_number.clone(),
        estimate: r.estimate_number.as_ref().map(|n| {
            let (n, href) = estimate_link(n);
            let sent = r.estimate_status.as_deref() != Some("draft");
            (n, href.filter(|_| sent))
        }),
        job: r
            .job_number
            .as_ref()
            .map(|n| (n.clone(), format!("/jobs/{}", path_segment(n)))),
        converted_estimate: r.converted_estimate_number.as_ref().map(estimate_link),
        rental: r.converted_rental_name.clone(),
        photos,
        number: r.number,
    })
}
