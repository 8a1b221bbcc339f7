//! Support requests in the portal (seed 002): the account's tickets, opening one with
//! files, and one ticket's thread with a form to answer. Company contacts only, and only
//! when the company allows support requests (authz `PortalAction::Support`); otherwise
//! every page is a 404. Writing queues the office's email in the same transaction.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::{AppError, support};
use doorstep_core::authz::PortalAction;
use doorstep_core::ids::AttachmentId;
use doorstep_core::support::{self as rules, FILES_MAX};
use doorstep_store::support::{SupportFile, SupportTicket};
use serde::Deserialize;

use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::extract::{Path, Query};
use crate::kit::cursors::{parse_support_cursor, support_cursor};
use crate::kit::render::page;
use crate::kit::threads::{AnswerForm, EntryView, RowView, status_class, store_files, thread};
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
        .map(|r| RowView::of(r, "/support", &company.time_zone))
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
    crate::kit::render::page_with(
        status,
        &NewPage {
            chrome: PortalChrome::of(contact, csrf).at("/support"),
            form,
            subject_max: rules::SUBJECT_MAX,
            files_max: FILES_MAX,
        },
    )
}

/// `GET /support/new`.
pub async fn new_form(
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::Support)?;
    new_page(&contact, &csrf, NewTicketForm::default(), StatusCode::OK)
}

/// `POST /support/new` (multipart: subject, description, files).
pub async fn create(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    multipart: Multipart,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::Support)?;
    let upload = read_form(multipart).await?;
    let raw_subject = upload.field("subject").unwrap_or_default().to_owned();
    let raw_description = upload.field("description").unwrap_or_default().to_owned();
    let ticket = match support::NewTicket::parse(&raw_subject, &raw_description) {
        Ok(ticket) => ticket,
        Err(errors) => {
            let form = NewTicketForm {
                subject: (raw_subject, errors.get("subject")),
                description: (raw_description, errors.get("description")),
                files: (!upload.files.is_empty())
                    .then(|| "Choose your files again after fixing the other fields.".to_owned()),
            };
            return new_page(&contact, &csrf, form, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let files_refused = |message| NewTicketForm {
        subject: (raw_subject.clone(), None),
        description: (raw_description.clone(), None),
        files: Some(message),
    };
    let stored = match store_files(&state.files, &upload).await? {
        Ok(stored) => stored,
        Err(message) => {
            return new_page(
                &contact,
                &csrf,
                files_refused(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    match support::open(&state.app, &contact.actor, ticket, &stored).await {
        Ok(opened) => Ok(Redirect::to(&format!(
            "/support/{}?done=opened",
            path_segment(&opened.number)
        ))
        .into_response()),
        Err(AppError::Invalid(e)) => new_page(
            &contact,
            &csrf,
            files_refused(e.message),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => Err(e.into()),
    }
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
    /// The notice's alert kind: a success after a redirect, a warning when the form came back.
    notice_kind: &'static str,
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

async fn show_page(
    state: &AppState,
    contact: &SignedInContact,
    csrf: &str,
    t: SupportTicket,
    form: AnswerForm,
) -> Result<Response, WebError> {
    let company = &contact.portal.company;
    let office = company.name.clone();
    let entries = thread(state, company, &t, "/files/", |staff| {
        if staff.is_empty() {
            office.clone()
        } else {
            format!("{staff} ({office})")
        }
    })
    .await?;
    let may_comment = rules::may_comment(t.status());
    crate::kit::render::page_with(
        form.status,
        &ShowPage {
            chrome: PortalChrome::of(contact, csrf).at("/support"),
            href: format!("/support/{}", path_segment(&t.number)),
            status: t.status().label(),
            status_class: status_class(t.status()),
            entries,
            may_comment,
            notice: form.notice,
            notice_kind: if form.status.is_success() {
                "success"
            } else {
                "warning"
            },
            refusal: (!may_comment).then_some(CLOSED),
            body: form.body,
            files_error: form.files_error,
            files_max: FILES_MAX,
            t,
        },
    )
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
    show_page(&state, &contact, &csrf, t, AnswerForm::notice(notice)).await
}

/// `POST /support/{number}/comments` (multipart: body, files).
pub async fn comment(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let t = load(&state, &contact, &number).await?;
    let upload = read_form(multipart).await?;
    let raw = upload.field("body").unwrap_or_default().to_owned();
    let again = |t, form| show_page(&state, &contact, &csrf, t, form);
    let typed = |status| AnswerForm::again(status, raw.clone());
    if !rules::may_comment(t.status()) {
        return again(t, typed(StatusCode::CONFLICT)).await;
    }
    let comment = match support::Comment::parse(&raw) {
        Ok(comment) => comment,
        Err(e) => {
            let files = (!upload.files.is_empty())
                .then(|| "Choose your files again after writing your message.".to_owned());
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
    match support::comment(&state.app, &contact.actor, &number, comment, &stored).await {
        Ok(written) => Ok(Redirect::to(&format!(
            "/support/{}?done=commented",
            path_segment(&written.number)
        ))
        .into_response()),
        Err(AppError::Conflict { .. }) => {
            // The office changed the ticket meanwhile: show it as it is now.
            let fresh = load(&state, &contact, &number).await?;
            let mut form = typed(StatusCode::CONFLICT);
            form.notice = Some(
                "The request changed while you were writing; check it and send your message again.",
            );
            again(fresh, form).await
        }
        Err(AppError::Invalid(e)) => {
            let form = typed(StatusCode::UNPROCESSABLE_ENTITY).files_error(Some(e.message));
            again(t, form).await
        }
        Err(e) => Err(e.into()),
    }
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
