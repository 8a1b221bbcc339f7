//! Support requests in the portal (seed 002): the account's tickets, opening one with
//! files, and one ticket's thread with a form to answer. Company contacts only, and only
//! when the company allows support requests (authz `PortalAction::Support`); otherwise
//! every page is a 404. Writing queues the office's email in the same transaction.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_core::authz::PortalAction;
use doorstep_core::ids::AttachmentId;
use doorstep_core::status::SupportStatus;
use doorstep_core::support::{self as rules, FILES_MAX};
use doorstep_mail::EmailKind;
use doorstep_store::Tx;
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::support::{SupportAuthor, SupportFile, SupportTicket};
use serde::Deserialize;

use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::extract::{Path, Query};
use crate::kit::cursors::{parse_support_cursor, support_cursor};
use crate::kit::dates::when;
use crate::kit::render::page;
use crate::kit::threads::{EntryView, RowView, status_class, store_files, thread};
use crate::kit::urls::path_segment;
use crate::pages::portal::billing::{PAGE, require};
use crate::uploads::read_form;
use crate::views::PortalChrome;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "portal/support_list.html")]
struct ListPage {
    chrome: PortalChrome,
    rows: Vec<RowView>,
    next: Option<String>,
    message: Option<&'static str>,
}

/// The list's query string; read as text so a bad value gets a message, not a 400.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    after: Option<String>,
}

/// `GET /support`.
pub async fn list(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::Support)?;
    let company = &contact.portal.company;
    let (after, message) = parse_support_cursor(query.after.as_deref());
    let mut rows = state
        .store
        .support_page_for_customer(company.id, contact.scope.customer, after, PAGE + 1)
        .await?;
    let mut next = None;
    if rows.len() as i64 > PAGE {
        rows.truncate(PAGE as usize);
        next = rows
            .last()
            .map(|r| format!("/support?after={}", support_cursor((r.updated_at, r.id))));
    }
    let rows = rows
        .into_iter()
        .map(|r| RowView {
            href: format!("/support/{}", path_segment(&r.number)),
            status: r.status().label(),
            status_class: status_class(r.status()),
            updated: when(r.updated_at),
            number: r.number,
            subject: r.subject,
            customer_name: r.customer_name,
        })
        .collect();
    page(&ListPage {
        chrome: PortalChrome::of(&contact, &csrf).at("/support"),
        rows,
        next,
        message,
    })
}

/// What was typed on the new-ticket form, and what is wrong with it.
#[derive(Default)]
struct NewTicketForm {
    subject: (String, Option<String>),
    description: (String, Option<String>),
    files: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/support_new.html")]
struct NewPage {
    chrome: PortalChrome,
    form: NewTicketForm,
    subject_max: usize,
    files_max: usize,
}

fn new_page(
    contact: &SignedInContact,
    csrf: &str,
    form: NewTicketForm,
    status: StatusCode,
) -> Result<Response, WebError> {
    let mut response = page(&NewPage {
        chrome: PortalChrome::of(contact, csrf).at("/support"),
        form,
        subject_max: rules::SUBJECT_MAX,
        files_max: FILES_MAX,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /support/new`.
pub async fn new_form(
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::Support)?;
    new_page(&contact, &csrf, NewTicketForm::default(), StatusCode::OK)
}

/// The signed-in contact's name and login email, for emails and the audit log.
async fn who(state: &AppState, contact: &SignedInContact) -> Result<(String, String), WebError> {
    let company = contact.portal.company.id;
    let name = state
        .store
        .contact_access(company, contact.active.contact)
        .await?
        .map(|a| {
            format!("{} {}", a.first_name, a.last_name)
                .trim()
                .to_owned()
        })
        .unwrap_or_default();
    let email = state
        .store
        .login_email(company, contact.portal.login)
        .await?
        .unwrap_or_default();
    Ok((name, email))
}

/// Queues the office's notice that the customer wrote, when the company has an address.
#[allow(clippy::too_many_arguments)]
async fn notify_office(
    state: &AppState,
    tx: &mut Tx,
    contact: &SignedInContact,
    contact_name: &str,
    number: &str,
    subject: &str,
    message: &str,
    status: SupportStatus,
    files: usize,
) -> Result<(), WebError> {
    let company = &contact.portal.company;
    // Through the open transaction: a writer never waits for a second connection.
    let to = tx.office_notice_address(company.id).await?;
    if to.trim().is_empty() {
        return Ok(());
    }
    let link = format!(
        "{}/office/support/{}",
        state.config.portal_url(&company.slug),
        path_segment(number)
    );
    let files = files.to_string();
    doorstep_mail::enqueue(
        tx,
        company.id,
        EmailKind::SupportCustomerWrote,
        &to,
        &company.name,
        &[
            ("company_name", company.name.as_str()),
            ("customer_name", contact.active.customer_name.as_str()),
            ("contact_name", contact_name),
            ("support_number", number),
            ("support_subject", subject),
            ("message", message),
            ("status", status.label()),
            ("files", &files),
            ("link", &link),
        ],
    )
    .await?;
    Ok(())
}

fn audit(
    contact: &SignedInContact,
    email: &str,
    action: &'static str,
    ticket: i64,
    peer: SocketAddr,
    detail: serde_json::Value,
) -> NewAuditEvent {
    NewAuditEvent {
        actor_kind: "contact",
        actor_id: Some(contact.active.contact.0),
        actor_label: email.to_owned(),
        action,
        subject_kind: "support_request",
        subject_id: Some(ticket),
        ip: peer.ip().to_string(),
        detail: detail.to_string(),
        at: doorstep_store::now(),
    }
}

/// `POST /support/new` (multipart: subject, description, files).
pub async fn create(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::Support)?;
    let upload = read_form(multipart).await?;
    let raw_subject = upload.field("subject").unwrap_or_default().to_owned();
    let raw_description = upload.field("description").unwrap_or_default().to_owned();
    let subject = rules::parse_subject(&raw_subject);
    let description = rules::parse_body("description", &raw_description);
    let (Ok(subject), Ok(description)) = (subject.clone(), description.clone()) else {
        let form = NewTicketForm {
            subject: (raw_subject, subject.err().map(|e| e.message)),
            description: (raw_description, description.err().map(|e| e.message)),
            files: (!upload.files.is_empty())
                .then(|| "Choose your files again after fixing the other fields.".to_owned()),
        };
        return new_page(&contact, &csrf, form, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let stored = match store_files(&state.files, &upload).await? {
        Ok(stored) => stored,
        Err(message) => {
            let form = NewTicketForm {
                subject: (raw_subject, None),
                description: (raw_description, None),
                files: Some(message),
            };
            return new_page(&contact, &csrf, form, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let company = &contact.portal.company;
    let (name, email) = who(&state, &contact).await?;
    let mut tx = state.store.begin().await?;
    let (ticket, number) = tx
        .open_support_request(
            company.id,
            contact.scope.customer,
            contact.active.contact,
            &subject,
            &description,
        )
        .await?;
    for f in &stored {
        tx.insert_attachment(
            company.id,
            &f.attachment(Some(contact.scope.customer), "support_request", ticket.0),
        )
        .await?;
    }
    tx.audit(
        company.id,
        &audit(
            &contact,
            &email,
            "support.opened",
            ticket.0,
            peer,
            serde_json::json!({"number": number, "files": stored.len()}),
        ),
    )
    .await?;
    notify_office(
        &state,
        &mut tx,
        &contact,
        &name,
        &number,
        &subject,
        &description,
        SupportStatus::Open,
        stored.len(),
    )
    .await?;
    tx.commit().await?;
    state.mail_wake.wake();
    Ok(Redirect::to(&format!("/support/{}?done=opened", path_segment(&number))).into_response())
}

#[derive(Template)]
#[template(path = "portal/support_show.html")]
struct ShowPage {
    chrome: PortalChrome,
    t: SupportTicket,
    href: String,
    status: &'static str,
    status_class: &'static str,
    entries: Vec<EntryView>,
    may_comment: bool,
    notice: Option<&'static str>,
    refusal: Option<&'static str>,
    body: (String, Option<String>),
    files_error: Option<String>,
    files_max: usize,
}

/// The page's notice after a redirect.
#[derive(Deserialize, Default)]
pub struct Flash {
    done: Option<String>,
}

const CLOSED: &str = "This request is closed, so it cannot be answered. Open a new support request if you need more help.";

async fn load(
    state: &AppState,
    contact: &SignedInContact,
    number: &str,
) -> Result<SupportTicket, WebError> {
    require(contact, PortalAction::Support)?;
    state
        .store
        .support_ticket_for_customer(contact.portal.company.id, contact.scope.customer, number)
        .await?
        .ok_or(WebError::NotFound)
}

#[allow(clippy::too_many_arguments)]
async fn show_page(
    state: &AppState,
    contact: &SignedInContact,
    csrf: &str,
    t: SupportTicket,
    notice: Option<&'static str>,
    body: (String, Option<String>),
    files_error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let company = contact.portal.company.id;
    let office = contact.portal.company.name.clone();
    let entries = thread(state, company, &t, "/files/", |staff| {
        if staff.is_empty() {
            office.clone()
        } else {
            format!("{staff} ({office})")
        }
    })
    .await?;
    let may_comment = rules::may_comment(t.status());
    let mut response = page(&ShowPage {
        chrome: PortalChrome::of(contact, csrf).at("/support"),
        href: format!("/support/{}", path_segment(&t.number)),
        status: t.status().label(),
        status_class: status_class(t.status()),
        entries,
        may_comment,
        notice,
        refusal: (!may_comment).then_some(CLOSED),
        body,
        files_error,
        files_max: FILES_MAX,
        t,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /support/{number}`.
pub async fn show(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    Query(flash): Query<Flash>,
) -> Result<Response, WebError> {
    let t = load(&state, &contact, &number).await?;
    let notice = match flash.done.as_deref() {
        Some("opened") => {
            Some("Your support request was sent. We will let you know when the office answers.")
        }
        Some("commented") => Some("Your message was sent to the office."),
        _ => None,
    };
    show_page(
        &state,
        &contact,
        &csrf,
        t,
        notice,
        Default::default(),
        None,
        StatusCode::OK,
    )
    .await
}

/// `POST /support/{number}/comments` (multipart: body, files).
pub async fn comment(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(number): Path<String>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let t = load(&state, &contact, &number).await?;
    let upload = read_form(multipart).await?;
    let raw = upload.field("body").unwrap_or_default().to_owned();
    let from = t.status();
    if !rules::may_comment(from) {
        return show_page(
            &state,
            &contact,
            &csrf,
            t,
            None,
            (raw, None),
            None,
            StatusCode::CONFLICT,
        )
        .await;
    }
    let body = match rules::parse_body("body", &raw) {
        Ok(body) => body,
        Err(e) => {
            let again = (!upload.files.is_empty())
                .then(|| "Choose your files again after writing your message.".to_owned());
            return show_page(
                &state,
                &contact,
                &csrf,
                t,
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
                &contact,
                &csrf,
                t,
                None,
                (raw, None),
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let to = rules::after_customer_comment(from);
    let company = &contact.portal.company;
    let (name, email) = who(&state, &contact).await?;
    let mut tx = state.store.begin().await?;
    let Some(comment) = tx
        .add_support_comment(
            company.id,
            t.ticket_id(),
            SupportAuthor::Contact(contact.active.contact),
            &body,
            from,
            to,
        )
        .await?
    else {
        // The office changed the ticket meanwhile: show it as it is now.
        drop(tx);
        let fresh = load(&state, &contact, &number).await?;
        return show_page(
            &state,
            &contact,
            &csrf,
            fresh,
            Some(
                "The request changed while you were writing; check it and send your message again.",
            ),
            (raw, None),
            None,
            StatusCode::CONFLICT,
        )
        .await;
    };
    for f in &stored {
        tx.insert_attachment(
            company.id,
            &f.attachment(Some(contact.scope.customer), "support_comment", comment),
        )
        .await?;
    }
    tx.audit(
        company.id,
        &audit(
            &contact,
            &email,
            "support.commented",
            t.id,
            peer,
            serde_json::json!({"number": t.number, "from": from.as_str(), "to": to.as_str(), "files": stored.len()}),
        ),
    )
    .await?;
    notify_office(
        &state,
        &mut tx,
        &contact,
        &name,
        &t.number,
        &t.subject,
        &body,
        to,
        stored.len(),
    )
    .await?;
    tx.commit().await?;
    state.mail_wake.wake();
    Ok(Redirect::to(&format!(
        "/support/{}?done=commented",
        path_segment(&t.number)
    ))
    .into_response())
}

/// A support file of the contact's account, for `/files/{id}`; `None` when the contact
/// may not use support or the file is not one of the account's tickets'.
pub async fn file_for_contact(
    state: &AppState,
    contact: &SignedInContact,
    id: AttachmentId,
) -> Result<Option<SupportFile>, WebError> {
    if require(contact, PortalAction::Support).is_err() {
        return Ok(None);
    }
    Ok(state
        .store
        .support_file_for_customer(contact.portal.company.id, contact.scope.customer, id)
        .await?)
}
