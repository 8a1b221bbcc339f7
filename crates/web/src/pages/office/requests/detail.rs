//! `GET /office/requests/{number}` ("View details"): everything the request holds, its
//! photos, what it became, and the answers still open. Opening a New request marks it
//! Read (audited) and tells the badge.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use doorstep_core::ids::ServiceRequestId;
use doorstep_store::request_inbox::RequestDetail;

use super::list::status_class;
use super::{html, load, request_path};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::display::{Zone, date, when};
use crate::extract::Path;
use crate::kit::files::{content_disposition, send};
use crate::kit::schedule::proposed_time;
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

/// A photo as the page links it.
pub(super) struct PhotoView {
    thumb: String,
    full: String,
    filename: String,
}

/// What the decline form shows again after a refusal.
#[derive(Default)]
pub(super) struct DeclineForm {
    /// The reason as typed.
    pub reason: String,
    /// The message next to the field.
    pub error: Option<String>,
}

/// What the "Propose another time" form shows again after a refusal.
#[derive(Default)]
pub(super) struct ProposeForm {
    /// The date as typed.
    pub date: String,
    /// `am`, `pm` or `all_day`.
    pub schedule_type: String,
    /// The note to the customer as typed.
    pub note: String,
    /// The message next to the date.
    pub date_error: Option<String>,
    /// The message next to the time of day.
    pub schedule_error: Option<String>,
    /// The message next to the note.
    pub note_error: Option<String>,
}

#[derive(Template)]
#[template(path = "office/requests/detail.html")]
pub(super) struct DetailPage {
    /// The propose form, as typed after a refusal.
    pub(super) propose: ProposeForm,
    proposal: Option<(String, String)>,
    visit_note: Option<String>,
    chrome: OfficeChrome,
    r: RequestDetail,
    href: String,
    status: &'static str,
    status_class: &'static str,
    received: String,
    preferred: String,
    schedule: String,
    address: String,
    contact: String,
    submitter: String,
    photos: Vec<PhotoView>,
    may_answer: bool,
    refusal: Option<&'static str>,
    decline: DeclineForm,
}

fn joined(parts: &[Option<&str>]) -> String {
    parts
        .iter()
        .flatten()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A typed `HH:MM` as people read it (`9:30 AM`), as typed when unreadable.
fn hours(raw: &str) -> String {
    doorstep_core::visits::parse_clock("time", raw)
        .map(doorstep_core::local_time::time_of_day)
        .unwrap_or_else(|_| raw.to_owned())
}

/// What the customer did to the visit of the job a request became, in a sentence.
fn visit_note(zone: &Zone, v: &doorstep_store::visits::VisitChanges) -> Option<String> {
    if let Some(at) = v.cancelled_at.filter(|_| v.status == "cancelled") {
        return Some(format!(
            "The customer cancelled the visit on {}. Reason: {}",
            when(zone, at),
            v.cancel_reason
        ));
    }
    let asked = v.reschedule_requested_date?;
    let slot =
        crate::kit::schedule::schedule_type_label(v.reschedule_requested_schedule_type.as_deref());
    Some(format!(
        "The customer asks to move the visit to {}{}. Confirm it with them.",
        date(asked),
        if slot.is_empty() {
            String::new()
        } else {
            format!(" · {slot}")
        }
    ))
}

/// The request's page, with a refusal message or the decline form as typed.
pub(super) async fn page(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    r: RequestDetail,
    refusal: Option<&'static str>,
    decline: DeclineForm,
) -> Result<DetailPage, WebError> {
    let href = request_path(&r.number);
    let photos = state
        .store
        .request_photos(staff.company.id, ServiceRequestId(r.id))
        .await?
        .into_iter()
        .map(|p| PhotoView {
            thumb: format!("{href}/photos/{}/thumb", p.id),
            full: format!("{href}/photos/{}", p.id),
            filename: p.filename,
        })
        .collect();
    let status = r.status();
    let schedule = match (r.schedule(), r.preferred_time.trim()) {
        (Some(s), "") => s.label().to_owned(),
        (Some(s), t) => format!("{} ({})", s.label(), hours(t)),
        (None, t) => t.to_owned(),
    };
    let proposal = state
        .store
        .request_proposal_for_office(staff.company.id, &r.number)
        .await?
        .and_then(|p| {
            let answer = match p.proposal_status.as_deref()? {
                "accepted" => "accepted by the customer",
                "declined" => "declined by the customer",
                _ => "awaiting the customer's answer",
            };
            Some((proposed_time(&p), answer.to_owned()))
        });
    let visit_note = match r.converted_job_number.as_deref() {
        Some(job) => state
            .store
            .office_visit_changes(staff.company.id, job)
            .await?
            .and_then(|v| visit_note(&staff.company.time_zone, &v)),
        None => None,
    };
    let submitter =
        joined(&[r.submitter_first.as_deref(), r.submitter_last.as_deref()]).replace(", ", " ");
    Ok(DetailPage {
        propose: ProposeForm {
            schedule_type: "all_day".into(),
            ..ProposeForm::default()
        },
        proposal,
        visit_note,
        chrome: OfficeChrome::of(staff, csrf),
        href,
        status: status.label(),
        status_class: status_class(status),
        received: when(&staff.company.time_zone, r.created_at),
        preferred: r.preferred_date.map(date).unwrap_or_default(),
        schedule,
        address: joined(&[
            r.site_line1.as_deref(),
            r.site_line2.as_deref(),
            r.site_city.as_deref(),
            r.site_region.as_deref(),
            r.site_postal_code.as_deref(),
        ]),
        contact: r.contact_name(),
        submitter,
        photos,
        may_answer: status.may_convert(),
        refusal,
        decline,
        r,
    })
}

/// `GET /office/requests/{number}`.
pub async fn show(
    State(state): State<AppState>,
    mut staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    let mut r = load(&state, &staff, &number).await?;
    if r.status() == doorstep_core::status::RequestStatus::New {
        if doorstep_app::requests::mark_read(&state.app, &staff.actor, &number).await? {
            staff.new_requests = state.store.new_request_count(staff.company.id).await?;
        }
        r = load(&state, &staff, &number).await?;
    }
    let page = page(&state, &staff, &csrf, r, None, DeclineForm::default()).await?;
    html(page, StatusCode::OK)
}

/// Finds a photo of the request named in the path; 404 for anything else.
async fn photo(
    state: &AppState,
    staff: &SignedInStaff,
    number: &str,
    id: &str,
) -> Result<doorstep_store::request_inbox::RequestPhoto, WebError> {
    let r = load(state, staff, number).await?;
    let id = id.parse::<i64>().map_err(|_| WebError::NotFound)?;
    state
        .store
        .request_photo(staff.company.id, ServiceRequestId(r.id), id)
        .await?
        .ok_or(WebError::NotFound)
}

/// `GET /office/requests/{number}/photos/{id}`: the photo, re-encoded at upload.
pub async fn photo_full(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path((number, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let p = photo(&state, &staff, &number, &id).await?;
    let image = p.content_type.starts_with("image/") && p.content_type != "image/svg+xml";
    let content_type = if image {
        p.content_type.as_str()
    } else {
        "application/octet-stream"
    };
    send(
        &state,
        &p.storage_key,
        content_type,
        content_disposition(image, &p.filename),
    )
    .await
}

/// `GET /office/requests/{number}/photos/{id}/thumb`: its thumbnail.
pub async fn photo_thumb(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path((number, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let p = photo(&state, &staff, &number, &id).await?;
    let key = p.thumb_key.as_deref().ok_or(WebError::NotFound)?;
    send(
        &state,
        key,
        doorstep_media::THUMB_CONTENT_TYPE,
        content_disposition(true, &format!("thumb-{}", p.filename)),
    )
    .await
}
