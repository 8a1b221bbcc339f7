//! What customers send from the portal: service requests (drafts, photos, submission),
//! answers to the office's proposals, and visit changes (reschedule, cancel).
//!
//! Every office notice goes to the company's office notice address through
//! [`crate::notify::office`], in the transaction of the change it tells of.

pub mod checks;
pub mod drafts;
pub mod form;
pub mod proposals;
pub mod submit;
pub mod visits;

pub use checks::Context;
pub use form::{Errors, Step};

use crate::{App, AppError, ContactActor};

/// Who is acting, as the office's emails and the audit log name them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Who {
    /// The contact's full name.
    pub(crate) name: String,
    /// The login's email.
    pub(crate) email: String,
}

/// The acting contact's name and login email. Read before a transaction opens: a writer
/// holds one connection and never waits for a second.
pub(crate) async fn who(app: &App, actor: &ContactActor) -> Result<Who, AppError> {
    let company = actor.company().id;
    let name = app
        .store()
        .contact_access(company, actor.contact())
        .await?
        .map(|a| {
            format!("{} {}", a.first_name, a.last_name)
                .trim()
                .to_owned()
        })
        .unwrap_or_default();
    let email = app
        .store()
        .login_email(company, actor.login())
        .await?
        .unwrap_or_default();
    Ok(Who { name, email })
}
