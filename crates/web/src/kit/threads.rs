//! Support tickets as both audiences show them: list rows, status badges, the thread of
//! description and comments with their files, and storing a form's files.

use doorstep_core::status::SupportStatus;
use doorstep_core::support::FILES_MAX;
use doorstep_store::support::{SupportFile, SupportRow, SupportTicket};

use crate::display::{Zone, when};
use crate::files::FileStore;
use crate::kit::urls::path_segment;
use crate::uploads::{StoredFile, UploadForm, store_file};
use crate::{AppState, WebError};

/// The badge class of a ticket status, by meaning: waiting on the customer is a warning
/// (someone has to act), not a danger.
pub fn status_class(status: SupportStatus) -> &'static str {
    match status {
        SupportStatus::Open | SupportStatus::InProgress => "info",
        SupportStatus::WaitingOnCustomer => "warning",
        SupportStatus::Resolved => "success",
        SupportStatus::Closed => "",
    }
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

impl RowView {
    /// The list row of `r`, linking to `{base}/{number}` (`/support` or `/office/support`),
    /// its time in the company's `zone`.
    pub fn of(r: SupportRow, base: &str, zone: &Zone) -> RowView {
        RowView {
            href: format!("{base}/{}", path_segment(&r.number)),
            status: r.status().label(),
            status_class: status_class(r.status()),
            updated: when(zone, r.updated_at),
            number: r.number,
            subject: r.subject,
            customer_name: r.customer_name,
        }
    }
}

/// What a ticket's page shows around its answer form: a notice, a refusal, what was
/// typed with its error, the files' error, and the status the page answers with.
#[derive(Default)]
pub struct AnswerForm {
    /// The HTTP status (200 unless refused).
    pub status: axum::http::StatusCode,
    /// A notice after a redirect.
    pub notice: Option<&'static str>,
    /// Why the answer was refused, for the whole form.
    pub refusal: Option<String>,
    /// The text typed, and what is wrong with it.
    pub body: (String, Option<String>),
    /// What is wrong with the files.
    pub files_error: Option<String>,
}

impl AnswerForm {
    /// The page after a redirect, with `notice`.
    pub fn notice(notice: Option<&'static str>) -> AnswerForm {
        AnswerForm {
            notice,
            ..AnswerForm::default()
        }
    }

    /// The form answered with `status`, keeping the text `typed`.
    pub fn again(status: axum::http::StatusCode, typed: String) -> AnswerForm {
        AnswerForm {
            status,
            body: (typed, None),
            ..AnswerForm::default()
        }
    }

    /// The same, with `error` next to the text.
    pub fn text_error(mut self, error: String) -> AnswerForm {
        self.body.1 = Some(error);
        self
    }

    /// The same, with `error` next to the files.
    pub fn files_error(mut self, error: Option<String>) -> AnswerForm {
        self.files_error = error;
        self
    }

    /// The same, with `refusal` above the form.
    pub fn refusal(mut self, refusal: impl Into<String>) -> AnswerForm {
        self.refusal = Some(refusal.into());
        self
    }
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
    company: &doorstep_store::companies::Company,
    ticket: &SupportTicket,
    file_base: &str,
    staff_label: impl Fn(&str) -> String,
) -> Result<Vec<EntryView>, WebError> {
    let files = state
        .store
        .support_files(company.id, ticket.ticket_id())
        .await?;
    let comments = state
        .store
        .support_comments(company.id, ticket.ticket_id())
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
        at: when(&company.time_zone, ticket.created_at),
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
            at: when(&company.time_zone, c.created_at),
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
