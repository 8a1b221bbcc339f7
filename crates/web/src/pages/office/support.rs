//! The office's support inbox: tickets filtered by status (several at once, none = all)
//! with keyset paging, one ticket's thread, replies with files and status changes. Each
//! change is audited, and the ticket's contact is emailed (when they want request
//! updates) through the outbox in the same transaction.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, Multipart, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_core::authz::{OfficeArea, staff_may};
use doorstep_core::ids::{AttachmentId, ContactId};
use doorstep_core::status::SupportStatus;
use doorstep_core::support::{self as rules, FILES_MAX};
use doorstep_mail::EmailKind;
use doorstep_store::Tx;
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::support::{SupportAuthor, SupportTicket};

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::Path;
use crate::kit::cursors::{parse_support_cursor, support_cursor};
use crate::kit::dates::when;
use crate::kit::files::{content_disposition, send};
use crate::kit::render::page;
use crate::kit::threads::{EntryView, RowView, status_class, store_files, thread};
use crate::kit::urls::path_segment;
use crate::uploads::read_form;
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

const PAGE: i64 = 50;

fn require(staff: &SignedInStaff) -> Result<(), WebError> {
    if staff_may(staff.staff.role, OfficeArea::DayToDay) {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

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
    require(&staff)?;
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
        .map(|r| RowView {
            href: format!("/office/support/{}", path_segment(&r.number)),
            status: r.status().label(),
            status_class: status_class(r.status()),
            updated: when(r.updated_at),
            number: r.number,
            subject: r.subject,
            customer_name: r.customer_name,
        })
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
    require(staff)?;
    state
        .store
        .support_ticket_for_office(staff.company.id, number)
        .await?
        .ok_or(WebError::NotFound)
}

#[allow(clippy::too_many_arguments)]
async fn show_page(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    t: SupportTicket,
    notice: Option<&'static str>,
    refusal: Option<String>,
    body: (String, Option<String>),
    files_error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let entries = thread(
        state,
        staff.company.id,
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
    let mut response = page(&ShowPage {
        chrome: OfficeChrome::of(staff, csrf),
        href: format!("/office/support/{}", path_segment(&t.number)),
        status: current.label(),
        status_class: status_class(current),
        entries,
        may_comment,
        reply_statuses,
        statuses,
        notice,
        refusal,
        body,
        files_error,
        files_max: FILES_MAX,
        t,
    })?;
    *response.status_mut() = status;
    Ok(response)
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
    show_page(
        &state,
        &staff,
        &csrf,
        t,
        notice,
        None,
        Default::default(),
        None,
        StatusCode::OK,
    )
    .await
}

fn audit(
    staff: &SignedInStaff,
    action: &'static str,
    t: &SupportTicket,
    peer: SocketAddr,
    detail: serde_json::Value,
) -> NewAuditEvent {
    NewAuditEvent {
        actor_kind: "staff",
        actor_id: Some(staff.staff.id.0),
        actor_label: staff.staff.email.clone(),
        action,
        subject_kind: "support_request",
        subject_id: Some(t.id),
        ip: peer.ip().to_string(),
        detail: detail.to_string(),
        at: doorstep_store::now(),
    }
}

/// Emails the ticket's contact about a reply or a status change, when they have an email
/// and want updates about their requests.
async fn notify_customer(
    state: &AppState,
    tx: &mut Tx,
    staff: &SignedInStaff,
    t: &SupportTicket,
    reply: &str,
    status: SupportStatus,
) -> Result<(), WebError> {
    let Some(contact) = t.contact_id else {
        return Ok(());
    };
    let company = &staff.company;
    // Through the open transaction: a writer never waits for a second connection.
    let Some(to) = tx.support_recipient(company.id, ContactId(contact)).await? else {
        return Ok(());
    };
    let Some(email) = to.email.filter(|e| !e.trim().is_empty()) else {
        return Ok(());
    };
    if !to.wants_updates {
        return Ok(());
    }
    let link = format!(
        "{}/support/{}",
        state.config.portal_url(&company.slug),
        path_segment(&t.number)
    );
    doorstep_mail::enqueue(
        tx,
        company.id,
        EmailKind::SupportReply,
        &email,
        &to.name,
        &[
            ("company_name", company.name.as_str()),
            ("contact_name", to.name.as_str()),
            ("support_subject", t.subject.as_str()),
            ("support_number", t.number.as_str()),
            ("reply", reply),
            ("status", status.label()),
            ("link", &link),
        ],
    )
    .await?;
    Ok(())
}

const CLOSED: &str = "This ticket is closed. Reopen it (set the status to Open) before replying.";
const CHANGED: &str = "The ticket changed while you were working on it; check it and try again.";

/// `POST /office/support/{number}/reply` (multipart: body, files, status).
pub async fn reply(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(number): Path<String>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let t = load(&state, &staff, &number).await?;
    let upload = read_form(multipart).await?;
    let raw = upload.field("body").unwrap_or_default().to_owned();
    let from = t.status();
    if !rules::may_comment(from) {
        return show_page(
            &state,
            &staff,
            &csrf,
            t,
            None,
            Some(CLOSED.into()),
            (raw, None),
            None,
            StatusCode::CONFLICT,
        )
        .await;
    }
    // An unknown or missing status keeps the ticket's own.
    let to = upload
        .field("status")
        .and_then(|s| SupportStatus::parse(s).ok())
        .filter(|s| *s != SupportStatus::Closed)
        .unwrap_or(from);
    let body = match rules::parse_body("body", &raw) {
        Ok(body) => body,
        Err(e) => {
            let again = (!upload.files.is_empty())
                .then(|| "Choose the files again after writing the reply.".to_owned());
            return show_page(
                &state,
                &staff,
                &csrf,
                t,
                None,
                None,
                (raw, Some(e.message)),
                again,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let stored = match store_files(&state.files, &upload).await? {
        Ok(stored) => stored,
        Err(message) => {
            return show_page(
                &state,
                &staff,
                &csrf,
                t,
                None,
                None,
                (raw, None),
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let company = staff.company.id;
    let customer = doorstep_core::ids::CustomerId(t.customer_id);
    let mut tx = state.store.begin().await?;
    let Some(comment) = tx
        .add_support_comment(
            company,
            t.ticket_id(),
            SupportAuthor::Staff(staff.staff.id),
            &body,
            from,
            to,
        )
        .await?
    else {
        drop(tx);
        let fresh = load(&state, &staff, &number).await?;
        return show_page(
            &state,
            &staff,
            &csrf,
            fresh,
            None,
            Some(CHANGED.into()),
            (raw, None),
            None,
            StatusCode::CONFLICT,
        )
        .await;
    };
    for f in &stored {
        tx.insert_attachment(
            company,
            &f.attachment(Some(customer), "support_comment", comment),
        )
        .await?;
    }
    let detail = serde_json::json!({"number": t.number, "from": from.as_str(), "to": to.as_str(), "files": stored.len()});
    tx.audit(company, &audit(&staff, "support.replied", &t, peer, detail))
        .await?;
    notify_customer(&state, &mut tx, &staff, &t, &body, to).await?;
    tx.commit().await?;
    state.mail_wake.wake();
    Ok(Redirect::to(&format!(
        "/office/support/{}?done=replied",
        path_segment(&t.number)
    ))
    .into_response())
}

/// `POST /office/support/{number}/status` (form: status).
pub async fn set_status(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(number): Path<String>,
    crate::extract::Form(pairs): crate::extract::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = load(&state, &staff, &number).await?;
    let from = t.status();
    let raw = pairs
        .iter()
        .find(|(k, _)| k == "status")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let to = match SupportStatus::parse(raw) {
        Ok(to) => to,
        Err(_) => {
            return show_page(
                &state,
                &staff,
                &csrf,
                t,
                None,
                Some("Choose a status.".into()),
                Default::default(),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    if let Err(e) = rules::office_may_set(from, to) {
        return show_page(
            &state,
            &staff,
            &csrf,
            t,
            None,
            Some(e.message),
            Default::default(),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let company = staff.company.id;
    let mut tx = state.store.begin().await?;
    if !tx
        .set_support_status(company, t.ticket_id(), from, to)
        .await?
    {
        drop(tx);
        let fresh = load(&state, &staff, &number).await?;
        return show_page(
            &state,
            &staff,
            &csrf,
            fresh,
            None,
            Some(CHANGED.into()),
            Default::default(),
            None,
            StatusCode::CONFLICT,
        )
        .await;
    }
    let detail = serde_json::json!({"number": t.number, "from": from.as_str(), "to": to.as_str()});
    tx.audit(
        company,
        &audit(&staff, "support.status_changed", &t, peer, detail),
    )
    .await?;
    let note = format!(
        "The status of your request changed from {} to {}.",
        from.label(),
        to.label()
    );
    notify_customer(&state, &mut tx, &staff, &t, &note, to).await?;
    tx.commit().await?;
    state.mail_wake.wake();
    Ok(Redirect::to(&format!(
        "/office/support/{}?done=status",
        path_segment(&t.number)
    ))
    .into_response())
}

/// `GET /office/support/files/{id}`: a ticket's file, always as a download.
pub async fn file(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    require(&staff)?;
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
