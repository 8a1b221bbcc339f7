//! Support tickets (seed 002): a company contact opens one with files and writes on it;
//! the office replies and moves its status. A comment is one operation whoever writes it:
//! the rules of who may and what the status becomes live in `core::support`.

use doorstep_core::authz::{OfficeArea, PortalAction};
use doorstep_core::ids::{CompanyId, ContactId, CustomerId};
use doorstep_core::status::SupportStatus;
use doorstep_core::support::{self as rules, FILES_MAX};
use doorstep_core::validation::Invalid;
use doorstep_mail::EmailKind;
use doorstep_store::Tx;
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::support::{SupportAuthor, SupportTicket};

use crate::error::FieldErrors;
use crate::files::StoredFile;
use crate::links::path_segment;
use crate::{App, AppError, ContactActor, StaffActor, notify};

/// A new ticket as typed, checked.
#[derive(Debug, Clone)]
pub struct NewTicket {
    subject: String,
    description: String,
}

impl NewTicket {
    /// Checks the form's subject and description, refusing each wrong field.
    pub fn parse(subject: &str, description: &str) -> Result<NewTicket, FieldErrors> {
        let mut errors = FieldErrors::default();
        let subject = errors.check(rules::parse_subject(subject));
        let description = errors.check(rules::parse_body("description", description));
        match (subject, description) {
            (Some(subject), Some(description)) => Ok(NewTicket {
                subject,
                description,
            }),
            _ => Err(errors),
        }
    }
}

/// A comment as typed, checked.
#[derive(Debug, Clone)]
pub struct Comment {
    body: String,
    status: Option<SupportStatus>,
}

impl Comment {
    /// Checks the text of a comment.
    pub fn parse(body: &str) -> Result<Comment, Invalid> {
        Ok(Comment {
            body: rules::parse_body("body", body)?,
            status: None,
        })
    }

    /// The status the office chose on its reply form (an unknown or empty one keeps the
    /// ticket's own; a reply never closes a ticket, see `core::support::after_office_reply`).
    pub fn with_status(mut self, raw: Option<&str>) -> Comment {
        self.status = raw.and_then(|s| SupportStatus::parse(s).ok());
        self
    }
}

/// A ticket written on.
#[derive(Debug, Clone)]
pub struct Written {
    /// The ticket's number.
    pub number: String,
    /// Its status now.
    pub status: SupportStatus,
}

/// Refuses files beyond what one message may carry.
fn check_files(files: &[StoredFile]) -> Result<(), AppError> {
    if files.len() > FILES_MAX {
        return Err(Invalid::new(
            "files",
            format!(
                "Attach at most {FILES_MAX} files; you chose {}.",
                files.len()
            ),
        )
        .into());
    }
    Ok(())
}

/// Opens a ticket for the contact's account, with its files; queues the office's notice.
pub async fn open(
    app: &App,
    actor: &ContactActor,
    ticket: NewTicket,
    files: &[StoredFile],
) -> Result<Written, AppError> {
    actor.require(PortalAction::Support)?;
    check_files(files)?;
    let company = actor.company();
    let crate::actor::Who { name, email: label } = actor.who(app).await?;
    let mut tx = app.store.begin().await?;
    let (id, number) = tx
        .open_support_request(
            company.id,
            actor.customer(),
            actor.contact(),
            &ticket.subject,
            &ticket.description,
        )
        .await?;
    record_files(&mut tx, actor, files, "support_request", id.0).await?;
    let detail = serde_json::json!({"number": number, "files": files.len()});
    let audit = actor.audit(&label, "support.opened", ("support_request", id.0), detail);
    tx.audit(company.id, &audit).await?;
    let wrote = CustomerWrote {
        name: &name,
        number: &number,
        subject: &ticket.subject,
        message: &ticket.description,
        status: SupportStatus::Open,
        files: files.len(),
    };
    let queued = wrote.notify(app, &mut tx, actor).await?;
    app.commit(tx, queued).await?;
    Ok(Written {
        number,
        status: SupportStatus::Open,
    })
}

/// The contact writes on ticket `number` of their account; a ticket waiting on them goes
/// back to the office. Refused with a `closed` conflict when the ticket is closed, and a
/// `changed` one when it changed meanwhile.
pub async fn comment(
    app: &App,
    actor: &ContactActor,
    number: &str,
    comment: Comment,
    files: &[StoredFile],
) -> Result<Written, AppError> {
    actor.require(PortalAction::Support)?;
    check_files(files)?;
    let company = actor.company();
    let t = app
        .store
        .support_ticket_for_customer(company.id, actor.customer(), number)
        .await?
        .ok_or(AppError::NotFound)?;
    let from = t.status();
    let to = rules::after_customer_comment(from);
    let crate::actor::Who { name, email: label } = actor.who(app).await?;
    let mut tx = app.store.begin().await?;
    let author = SupportAuthor::Contact(actor.contact());
    let audit = |files: usize| {
        let detail = serde_json::json!({"number": t.number, "from": from.as_str(), "to": to.as_str(), "files": files});
        actor.audit(
            &label,
            "support.commented",
            ("support_request", t.id),
            detail,
        )
    };
    write(
        &mut tx,
        company.id,
        &t,
        (author, &comment.body, to),
        files,
        audit,
    )
    .await?;
    let wrote = CustomerWrote {
        name: &name,
        number: &t.number,
        subject: &t.subject,
        message: &comment.body,
        status: to,
        files: files.len(),
    };
    let queued = wrote.notify(app, &mut tx, actor).await?;
    updated(&mut tx, company.id, &t, "customer_commented", (from, to)).await?;
    app.commit(tx, queued).await?;
    Ok(Written {
        number: t.number,
        status: to,
    })
}

/// The office replies on ticket `number`, moving it to the status chosen on the form
/// (never to closed); the ticket's contact is emailed when they want updates.
pub async fn reply(
    app: &App,
    actor: &StaffActor,
    number: &str,
    comment: Comment,
    files: &[StoredFile],
) -> Result<Written, AppError> {
    actor.require(OfficeArea::DayToDay)?;
    check_files(files)?;
    let company = actor.company();
    let t = app
        .store
        .support_ticket_for_office(company.id, number)
        .await?
        .ok_or(AppError::NotFound)?;
    let from = t.status();
    let to = rules::after_office_reply(from, comment.status);
    let mut tx = app.store.begin().await?;
    let author = SupportAuthor::Staff(actor.id());
    let audit = |files: usize| {
        let detail = serde_json::json!({"number": t.number, "from": from.as_str(), "to": to.as_str(), "files": files});
        actor.audit("support.replied", ("support_request", t.id), detail)
    };
    write(
        &mut tx,
        company.id,
        &t,
        (author, &comment.body, to),
        files,
        audit,
    )
    .await?;
    let queued = notify_contact(app, &mut tx, company, &t, &comment.body, to).await?;
    updated(&mut tx, company.id, &t, "office_replied", (from, to)).await?;
    app.commit(tx, queued).await?;
    Ok(Written {
        number: t.number,
        status: to,
    })
}

/// The office moves ticket `number` to the status named `raw` (see
/// `core::support::office_may_set`); the contact is told as for a reply.
pub async fn set_status(
    app: &App,
    actor: &StaffActor,
    number: &str,
    raw: &str,
) -> Result<Written, AppError> {
    actor.require(OfficeArea::DayToDay)?;
    let company = actor.company();
    let t = app
        .store
        .support_ticket_for_office(company.id, number)
        .await?
        .ok_or(AppError::NotFound)?;
    let from = t.status();
    let to = SupportStatus::parse(raw).map_err(|_| Invalid::new("status", "Choose a status."))?;
    rules::office_may_set(from, to)?;
    let mut tx = app.store.begin().await?;
    if !tx
        .set_support_status(company.id, t.ticket_id(), from, to)
        .await?
    {
        return Err(AppError::changed());
    }
    let detail = serde_json::json!({"number": t.number, "from": from.as_str(), "to": to.as_str()});
    let audit = actor.audit("support.status_changed", ("support_request", t.id), detail);
    tx.audit(company.id, &audit).await?;
    let note = format!(
        "The status of your request changed from {} to {}.",
        from.label(),
        to.label()
    );
    let queued = notify_contact(app, &mut tx, company, &t, &note, to).await?;
    updated(&mut tx, company.id, &t, "status_changed", (from, to)).await?;
    app.commit(tx, queued).await?;
    Ok(Written {
        number: t.number,
        status: to,
    })
}

/// Adds one comment with its files and audit record: the status moves from the ticket's
/// as read to `to` only if nobody changed it meanwhile.
async fn write(
    tx: &mut Tx,
    company: CompanyId,
    t: &SupportTicket,
    (author, body, to): (SupportAuthor, &str, SupportStatus),
    files: &[StoredFile],
    audit: impl FnOnce(usize) -> NewAuditEvent,
) -> Result<(), AppError> {
    let from = t.status();
    if !rules::may_comment(from) {
        return Err(AppError::conflict(
            "closed",
            "This request is closed, so it cannot be answered.",
        ));
    }
    let Some(comment) = tx
        .add_support_comment(company, t.ticket_id(), author, body, from, to)
        .await?
    else {
        return Err(AppError::changed());
    };
    let customer = Some(CustomerId(t.customer_id));
    for f in files {
        tx.insert_attachment(company, &f.attachment(customer, "support_comment", comment))
            .await?;
    }
    tx.audit(company, &audit(files.len())).await?;
    Ok(())
}

async fn record_files(
    tx: &mut Tx,
    actor: &ContactActor,
    files: &[StoredFile],
    owner_kind: &'static str,
    owner: i64,
) -> Result<(), AppError> {
    for f in files {
        let row = f.attachment(Some(actor.customer()), owner_kind, owner);
        tx.insert_attachment(actor.company().id, &row).await?;
    }
    Ok(())
}

/// What the office is told when a customer opens or writes on a ticket.
struct CustomerWrote<'a> {
    name: &'a str,
    number: &'a str,
    subject: &'a str,
    message: &'a str,
    status: SupportStatus,
    files: usize,
}

impl CustomerWrote<'_> {
    async fn notify(&self, app: &App, tx: &mut Tx, actor: &ContactActor) -> Result<bool, AppError> {
        let company = actor.company();
        let link = app.links().portal(
            &company.slug,
            &format!("/office/support/{}", path_segment(self.number)),
        );
        let files = self.files.to_string();
        notify::office(
            tx,
            company,
            EmailKind::SupportCustomerWrote,
            &[
                ("company_name", company.name.as_str()),
                ("customer_name", actor.customer_name()),
                ("contact_name", self.name),
                ("support_number", self.number),
                ("support_subject", self.subject),
                ("message", self.message),
                ("status", self.status.label()),
                ("files", &files),
                ("link", &link),
            ],
        )
        .await
    }
}

/// Emails the ticket's contact about a reply or a status change, when they have an email
/// and want updates about their requests; whether one was queued.
async fn notify_contact(
    app: &App,
    tx: &mut Tx,
    company: &doorstep_store::companies::Company,
    t: &SupportTicket,
    reply: &str,
    status: SupportStatus,
) -> Result<bool, AppError> {
    let Some(contact) = t.contact_id else {
        return Ok(false);
    };
    // Through the open transaction: a writer never waits for a second connection.
    let Some(to) = tx.support_recipient(company.id, ContactId(contact)).await? else {
        return Ok(false);
    };
    let Some(email) = to.email.filter(|e| !e.trim().is_empty()) else {
        return Ok(false);
    };
    if !to.wants_updates {
        return Ok(false);
    }
    let link = app.links().portal(
        &company.slug,
        &format!("/support/{}", path_segment(&t.number)),
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
    Ok(true)
}

/// The `support.updated` webhook event of ticket `t`: what happened and the status move.
async fn updated(
    tx: &mut Tx,
    company: CompanyId,
    t: &SupportTicket,
    change: &str,
    (from, to): (SupportStatus, SupportStatus),
) -> Result<(), AppError> {
    let data = serde_json::json!({"number": t.number, "change": change, "from": from.as_str(), "to": to.as_str()});
    crate::webhooks::emit(tx, company, "support.updated", data).await
}
