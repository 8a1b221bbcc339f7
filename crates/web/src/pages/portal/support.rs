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
use doorstep_store::support::{SupportAuthor, SupportCursor, SupportFile, SupportTicket};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::extract::{Path, Query};
use crate::files::FileStore;
use crate::pages::portal::billing::{PAGE, page, path_segment, require};
use crate::uploads::{StoredFile, UploadForm, read_form, store_file};
use crate::views::PortalChrome;
use crate::{AppState, WebError};

/// A list cursor as it travels in a URL: `{unix seconds}.{id}`.
pub fn support_cursor((at, id): SupportCursor) -> String {
    format!("{}.{id}", at.unix_timestamp())
}

/// Reads a cursor written by [`support_cursor`]: the cursor, or none and the message to
/// show when it is malformed (the list then starts at its first page).
pub fn parse_support_cursor(raw: Option<&str>) -> (Option<SupportCursor>, Option<&'static str>) {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else {
        return (None, None);
    };
    let parsed = raw.split_once('.').and_then(|(at, id)| {
        let at = OffsetDateTime::from_unix_timestamp(at.parse().ok()?).ok()?;
        Some((at, id.parse::<i64>().ok()?))
    });
    match parsed {
        Some(c) => (Some(c), None),
        None => (
            None,
            Some("That page link is not valid; showing the first page."),
        ),
    }
}

/// The badge class of a ticket status.
pub fn status_class(status: SupportStatus) -> &'static str {
    match status {
        SupportStatus::Open => "warn",
        SupportStatus::InProgress => "",
        SupportStatus::WaitingOnCustomer => "danger",
        SupportStatus::Resolved | SupportStatus::Closed => "ok",
    }
}

/// A timestamp as pages show it: `2026-11-23 14:05 UTC`.
pub fn when(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    at.format(&format).unwrap_or_default()
}

/// One ticket in a list.
pub struct RowView {
    /// Number.
    pub number: String,
    /// Link to its page.
    pub href: String,
    /// Subject.
    pub subject: String,
    /// Account name (office).
    pub customer_name: String,
    /// Status label.
    pub status: &'static str,
    /// Badge class.
    pub status_class: &'static str,
    /// Last change.
    pub updated: String,
}

/// One file as a thread shows it.
pub struct FileView {
    /// Download link.
    pub href: String,
    /// Name.
    pub filename: String,
    /// Size, for people.
    pub size: String,
}

/// One entry of a thread: the opening description or a comment.
pub struct EntryView {
    /// Who wrote it, as shown.
    pub author: String,
    /// Whether the office wrote it.
    pub by_staff: bool,
    /// When.
    pub at: String,
    /// The text.
    pub body: String,
    /// Its files.
    pub files: Vec<FileView>,
}

fn size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

/// The thread of `ticket`: its description (with the ticket's files), then every comment
/// oldest first with its files; staff authors as `"{name}" (office)` labels are decided by
/// `staff_label`, files linked under `file_base`.
pub async fn thread(
    state: &AppState,
    company: doorstep_core::ids::CompanyId,
    ticket: &SupportTicket,
    file_base: &str,
    staff_label: impl Fn(&str) -> String,
) -> Result<Vec<EntryView>, WebError> {
    let files = state
        .store
        .support_files(company, ticket.ticket_id())
        .await?;
    let comments = state
        .store
        .support_comments(company, ticket.ticket_id())
        .await?;
    let files_of = |kind: &str, owner: i64| -> Vec<FileView> {
        files
            .iter()
            .filter(|f: &&SupportFile| f.owner_kind == kind && f.owner_id == owner)
            .map(|f| FileView {
                href: format!("{file_base}{}", f.id),
                filename: f.filename.clone(),
                size: size(f.size_bytes),
            })
            .collect()
    };
    let opener = if ticket.contact_name.is_empty() {
        ticket.customer_name.clone()
    } else {
        ticket.contact_name.clone()
    };
    let mut entries = vec![EntryView {
        author: opener,
        by_staff: false,
        at: when(ticket.created_at),
        body: ticket.description.clone(),
        files: files_of("support_request", ticket.id),
    }];
    for c in comments {
        let author = if c.by_staff {
            staff_label(&c.author_name)
        } else if c.author_name.is_empty() {
            ticket.customer_name.clone()
        } else {
            c.author_name.clone()
        };
        entries.push(EntryView {
            author,
            by_staff: c.by_staff,
            at: when(c.created_at),
            body: c.body,
            files: files_of("support_comment", c.id),
        });
    }
    Ok(entries)
}

/// Checks and stores the form's files (at most [`FILES_MAX`]); the message for the files
/// field when one is refused. Files are written before their rows, so a refusal leaves
/// only unreferenced bytes for the sweeper.
pub async fn store_files(
    files: &FileStore,
    form: &UploadForm,
) -> Result<Result<Vec<StoredFile>, String>, WebError> {
    if form.files.len() > FILES_MAX {
        return Ok(Err(format!(
            "Attach at most {FILES_MAX} files; you chose {}.",
            form.files.len()
        )));
    }
    let mut stored = Vec::with_capacity(form.files.len());
    for part in &form.files {
        match store_file(files, part).await {
            Ok(f) => stored.push(f),
            Err(crate::uploads::UploadError::Rejected(e)) => {
                return Ok(Err(format!("{}: {e}", part.filename)));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Ok(stored))
}

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
