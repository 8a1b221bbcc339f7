//! Doorstep's email: templates with placeholders, SMTP sending via lettre, and the worker
//! that drains the outbox.
//!
//! Email only leaves through the outbox: a request handler renders a message with
//! [`templates::render`] (or [`enqueue`]) and writes it with `Tx::enqueue_email` in the
//! transaction of whatever caused it; [`worker::run`] sends it later, retrying with backoff.

pub mod smtp;
pub mod templates;
pub mod worker;

use doorstep_core::ids::CompanyId;
use doorstep_store::outbox::{Attachment, NewEmail};
use doorstep_store::{StoreError, Tx};

pub use smtp::{SendError, SmtpConfig, SmtpSender, SmtpTls};
pub use templates::{EmailKind, Rendered, render};
pub use worker::{Wake, drain_once, run};

/// What can go wrong setting up email.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The SMTP URL or the from-address could not be used; says why in one line.
    #[error("{0}")]
    InvalidConfig(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Renders `kind` with the company's own template when it has one and queues it in `tx`,
/// answering the event id. `values` should include `company_name`.
pub async fn enqueue(
    tx: &mut Tx,
    company: CompanyId,
    kind: EmailKind,
    to_address: &str,
    to_name: &str,
    values: &[(&str, &str)],
) -> Result<String, StoreError> {
    enqueue_with(tx, company, kind, (to_address, to_name), values, &[]).await
}

/// [`enqueue`] with files attached (e.g. the invoice's PDF), stored with the email in
/// `tx`; `to` is the recipient's address and name.
pub async fn enqueue_with(
    tx: &mut Tx,
    company: CompanyId,
    kind: EmailKind,
    to: (&str, &str),
    values: &[(&str, &str)],
    attachments: &[Attachment],
) -> Result<String, StoreError> {
    let (to_address, to_name) = to;
    let own = tx.email_template(company, kind.as_str()).await?;
    let rendered = render(
        kind,
        own.as_ref().map(|(s, b)| (s.as_str(), b.as_str())),
        values,
    );
    let body_html = match tx.company_brand(company).await? {
        Some((name, colour, text)) => {
            templates::with_brand_header(&rendered.html, &name, &colour, &text)
        }
        None => rendered.html,
    };
    let email = NewEmail {
        kind: kind.as_str().to_owned(),
        to_address: to_address.to_owned(),
        to_name: templates::single_line(to_name),
        subject: rendered.subject,
        body_text: rendered.text,
        body_html,
    };
    tx.enqueue_email_with(company, &email, attachments).await
}
