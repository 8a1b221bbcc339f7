//! The company's own wording of its emails (administrators), and the way back to the
//! shipped default. What a wording must hold (a subject, a text, only the placeholders its
//! kind fills, the link when the email is for acting on one) is the mail crate's
//! `check_template`, beside the defaults it checks against.

use doorstep_core::validation::Invalid;
use doorstep_mail::EmailKind;
use doorstep_mail::templates::check_template;

use crate::error::FieldErrors;
use crate::{Admin, App, AppError};

/// A wording as typed, checked: line ends made `\n`, the subject trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wording {
    subject: String,
    body: String,
}

impl Wording {
    /// Checks `subject` and `body` as a wording of `kind`, refusing each wrong field with
    /// all that is wrong with it.
    pub fn parse(kind: EmailKind, subject: &str, body: &str) -> Result<Wording, FieldErrors> {
        let subject = subject.replace("\r\n", "\n");
        let body = body.replace("\r\n", "\n");
        let problems = check_template(kind, &subject, &body);
        if problems.is_empty() {
            return Ok(Wording {
                subject: subject.trim().to_owned(),
                body,
            });
        }
        let mut errors = FieldErrors::default();
        for field in ["subject", "body"] {
            let messages: Vec<&str> = problems
                .iter()
                .filter(|(f, _)| *f == field)
                .map(|(_, m)| m.as_str())
                .collect();
            if !messages.is_empty() {
                errors.0.push(Invalid::new(field, messages.join(" ")));
            }
        }
        Err(errors)
    }

    /// The subject as saved.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The text as saved.
    pub fn body(&self) -> &str {
        &self.body
    }
}

/// An audit record of `admin` doing `action` to the wording of `kind`.
fn audit(
    admin: Admin<'_>,
    action: &'static str,
    kind: EmailKind,
) -> doorstep_store::audit::NewAuditEvent {
    let detail = serde_json::json!({"kind": kind.as_str()});
    let mut audit = admin.audit(action, ("email_template", 0), detail);
    // A wording is named by its kind (in the detail), not by a number.
    audit.subject_id = None;
    audit
}

/// Saves the company's wording of `kind`, replacing any earlier one; emails of this kind
/// use it from now on.
pub async fn save(
    app: &App,
    admin: Admin<'_>,
    kind: EmailKind,
    wording: Wording,
) -> Result<(), AppError> {
    let company = admin.company().id;
    let mut tx = app.store.begin().await?;
    tx.save_email_template(company, kind.as_str(), &wording.subject, &wording.body)
        .await?;
    tx.audit(company, &audit(admin, "email_template.saved", kind))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Forgets the company's wording of `kind`, so the shipped default is used again.
pub async fn restore(app: &App, admin: Admin<'_>, kind: EmailKind) -> Result<(), AppError> {
    let company = admin.company().id;
    let mut tx = app.store.begin().await?;
    tx.delete_email_template(company, kind.as_str()).await?;
    tx.audit(company, &audit(admin, "email_template.restored", kind))
        .await?;
    tx.commit().await?;
    Ok(())
}
