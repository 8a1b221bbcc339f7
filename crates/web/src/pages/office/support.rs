//! The office's support inbox: tickets filtered by status (several at once, none = all)
//! with keyset paging, one ticket's thread, replies with files and status changes. Each
//! change is audited, and the ticket's contact is emailed (when they want request
//! updates) through the outbox in the same transaction.

use askama::Template;
use axum::extract::{Multipart, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::{AppError, support};
use doorstep_core::authz::OfficeArea;
use doorstep_core::ids::AttachmentId;
use doorstep_core::status::SupportStatus;
use doorstep_core::support::{self as rules, FILES_MAX};
use doorstep_store::support::SupportTicket;

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::Path;
use crate::kit::cursors::{parse_support_cursor, support_cursor};
use crate::kit::files::{content_disposition, send};
use crate::kit::render::page;
use crate::kit::threads::{AnswerForm, EntryView, RowView, status_class, store_files, thread};
use crate::kit::urls::path_segment;
use crate::uploads::read_form;
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

const PAGE: i64 = 50;

/// One status checkbox of the filter.
struct StatusCheck {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "office/support_list.html")]
struct ListPage {
    chrome: OfficeChrome,
    statuses: Vec<StatusCheck>,
    rows: Vec<RowView>,
    next: Option<String>,
    message: Option<&'static str>,
}

/// `GET /office/support?status=open&status=in_progress&after=...`.
pub async fn list(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let mut chosen = Vec::new();
    let mut message = None;
    for (_, v) in pairs.iter().filter(|(k, _)| k == "status") {
        match SupportStatus::parse(v) {
            Ok(s) if !chosen.contains(&s) => chosen.push(s),
            Ok(_) => {}
            Err(_) => message = Some("An unknown status in the filter was left out."),
        }
    }
    let after_raw = pairs
        .iter()
        .find(|(k, _)| k == "after")
        .map(|(_, v)| v.as_str());
    let (after, bad_cursor) = parse_support_cursor(after_raw);
    let message = bad_cursor.or(message);
    let mut rows = state
        .store
        .support_page_for_office(staff.company.id, &chosen, after, PAGE + 1)
        .await?;
    let mut next = None;
    if rows.len() as i64 > PAGE {
        rows.truncate(PAGE as usize);
        next = rows.last().map(|r| {
            let mut q = form_urlencoded::Serializer::new(String::new());
            for s in &chosen {
                q.append_pair("status", s.as_str());
            }
            q.append_pair("after", &support_cursor((r.updated_at, r.id)));
            format!("/office/support?{}", q.finish())
        });
    }
    let rows = rows
        .into_iter()
        .map(|r| RowView::of(r, "/office/support", &staff.company.time_zone))
        .collect();
    let statuses = SupportStatus::ALL
        .iter()
        .map(|s| StatusCheck {
            value: s.as_str(),
            label: s.label(),
            checked: chosen.contains(s),
        })
        .collect();
    page(&ListPage {
        chrome: OfficeChrome::of(&staff, &csrf),
        statuses,
        rows,
        next,
        message,
    })
}

/// One choice of the status select.
struct StatusOption {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "office/support_show.html")]
struct ShowPage {
    chrome: OfficeChrome,
    t: SupportTicket,
    href: String,
    status: &'static str,
    status_class: &'static str,
    entries: Vec<EntryView>,
    may_comment: bool,
    reply_statuses: Vec<StatusOption>,
    statuses: Vec<StatusOption>,
    notice: Option<&'static str>,
    refusal: Option<String>,
    body: (String, Option<String>),
    files_error: Option<String>,
    files_max: usize,
}

async fn load(
    state: &AppState,
    staff: &SignedInStaff,
    number: &str,
) -> Result<SupportTicket, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    state
        .store
        .support_ticket_for_office(staff.company.id, number)
        .await?
        .ok_or(WebError::NotFound)
}

async fn show_page(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    t: SupportTicket,
    form: AnswerForm,
) -> Result<Response, WebError> {
    let entries = thread(
        state,
        &staff.company,
        &t,
        "/office/support/files/",
        |name| {
            if name.is_empty() {
                "Office".to_owned()
            } else {
                format!("{name} (office)")
            }
        },
    )
    .await?;
    let current = t.status();
    // After a reply the ticket usually waits on the customer; "keep" leaves it as it is.
    let reply_statuses = SupportStatus::ALL
        .iter()
        .filter(|s| **s != SupportStatus::Closed || current == SupportStatus::Closed)
        .map(|s| StatusOption {
            value: s.as_str(),
            label: s.label(),
            selected: *s == SupportStatus::WaitingOnCustomer,
        })
        .collect();
    let statuses = SupportStatus::ALL
        .iter()
        .filter(|s| rules::office_may_set(current, **s).is_ok())
        .map(|s| StatusOption {
            value: s.as_str(),
            label: s.label(),
            selected: false,
        })
        .collect();
    let may_comment = rules::may_comment(current);
    crate::kit::render::page_with(
        form.status,
        &ShowPage {
            chrome: OfficeChrome::of(staff, csrf),
            href: format!("/office/support/{}", path_segment(&t.number)),
            status: current.label(),
            status_class: status_class(current),
            entries,
            may_comment,
            reply_statuses,
            statuses,
            notice: form.notice,
            refusal: form.refusal,
            body: form.body,
            files_error: form.files_error,
            files_max: FILES_MAX,
            t,
        },
    )
}

/// The page's notice after a redirect.
#[derive(serde::Deserialize, Default)]
pub struct Flash {
    done: Option<String>,
}

/// `GET /office/support/{number}`.
pub async fn show(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    crate::extract::Query(flash): crate::extract::Query<Flash>,
) -> Result<Response, WebError> {
    let t = load(&state, &staff, &number).await?;
    let notice = match flash.done.as_deref() {
        Some("replied") => Some("Reply sent."),
        Some("status") => Some("Status changed."),
        _ => None,
    };
    show_page(&state, &staff, &csrf, t, AnswerForm::notice(notice)).await
}

const CLOSED: &str = "This ticket is closed. Reopen it (set the status to Open) before replying.";
const CHANGED: &str = "The ticket changed while you were working on it; check it and try again.";

/// `POST /office/support/{number}/reply` (multipart: body, files, status).
pub async fn reply(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let t = load(&state, &staff, &number).await?;
    let upload = read_form(multipart).await?;
    let raw = upload.field("body").unwrap_or_default().to_owned();
    let again = |t, form| show_page(&state, &staff, &csrf, t, form);
    let typed = |status| AnswerForm::again(status, raw.clone());
    if !rules::may_comment(t.status()) {
        return again(t, typed(StatusCode::CONFLICT).refusal(CLOSED)).await;
    }
    let comment = match support::Comment::parse(&raw) {
        Ok(comment) => comment.with_status(upload.field("status")),
        Err(e) => {
            let files = (!upload.files.is_empty())
                .then(|| "Choose the files again after writing the reply.".to_owned());
            let form = typed(StatusCode::UNPROCESSABLE_ENTITY).text_error(e.message);
            return again(t, form.files_error(files)).await;
        }
    };
    let stored = match store_files(&state.files, &upload).await? {
        Ok(stored) => stored,
        Err(message) => {
            let form = typed(StatusCode::UNPROCESSABLE_ENTITY).files_error(Some(message));
            return again(t, form).await;
        }
    };
    match support::reply(&state.app, &staff.actor, &number, comment, &stored).await {
        Ok(written) => Ok(Redirect::to(&format!(
            "/office/support/{}?done=replied",
            path_segment(&written.number)
        ))
        .into_response()),
        Err(AppError::Conflict { reason, .. }) => {
            let fresh = load(&state, &staff, &number).await?;
            let refusal = if reason == "closed" { CLOSED } else { CHANGED };
            again(fresh, typed(StatusCode::CONFLICT).refusal(refusal)).await
        }
        Err(AppError::Invalid(e)) => {
            let form = typed(StatusCode::UNPROCESSABLE_ENTITY).files_error(Some(e.message));
            again(t, form).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /office/support/{number}/status` (form: status).
pub async fn set_status(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    crate::extract::Form(pairs): crate::extract::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let raw = crate::extract::field(&pairs, "status");
    let (refusal, status) = match support::set_status(&state.app, &staff.actor, &number, raw).await
    {
        Ok(written) => {
            return Ok(Redirect::to(&format!(
                "/office/support/{}?done=status",
                path_segment(&written.number)
            ))
            .into_response());
        }
        Err(AppError::Invalid(e)) => (e.message, StatusCode::UNPROCESSABLE_ENTITY),
        Err(AppError::Conflict { .. }) => (CHANGED.to_owned(), StatusCode::CONFLICT),
        Err(e) => return Err(e.into()),
    };
    let t = load(&state, &staff, &number).await?;
    let form = AnswerForm::again(status, String::new()).refusal(refusal);
    show_page(&state, &staff, &csrf, t, form).await
}

/// `GET /office/support/files/{id}`: a ticket's file, always as a download.
pub async fn file(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let id = id.parse::<i64>().map_err(|_| WebError::NotFound)?;
    let f = state
        .store
        .support_file_for_office(staff.company.id, AttachmentId(id))
        .await?
        .ok_or(WebError::NotFound)?;
    send(
        &state,
        &f.storage_key,
        "application/octet-stream",
        content_disposition(false, &f.filename),
    )
    .await
}
