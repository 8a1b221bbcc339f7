//! A job's photos and documents: the office adds them (checked by content and stored
//! before the use case runs, see [`crate::files`]), each visible to the customer or not,
//! shows or hides one, and removes one (kept for the history, shown to nobody).

use doorstep_core::ids::AttachmentId;
use doorstep_core::job_forms::JOB_FILES_AT_ONCE;
use doorstep_core::validation::Invalid;
use serde_json::json;

use super::job;
use crate::files::StoredFile;
use crate::{App, AppError, StaffActor};

/// Files just added to a job.
#[derive(Debug, Clone)]
pub struct FilesAdded {
    /// The job's number.
    pub number: String,
    /// How many files.
    pub count: usize,
}

/// Whether the customer sees a file, as a form sends it: `yes` or `no`; anything else
/// is refused.
pub fn parse_visibility(raw: Option<&str>) -> Result<bool, Invalid> {
    match raw.map(str::trim) {
        Some("yes") => Ok(true),
        Some("no") => Ok(false),
        _ => Err(Invalid::new(
            "visible",
            "Choose whether the customer sees the files.",
        )),
    }
}

/// Adds `files` (already on disk) to job `number`, each visible to the customer when
/// `visible`. Refused with `Invalid("files")` for none or more than
/// [`JOB_FILES_AT_ONCE`].
pub async fn add_files(
    app: &App,
    actor: &StaffActor,
    number: &str,
    files: &[StoredFile],
    visible: bool,
) -> Result<FilesAdded, AppError> {
    let j = job(app, actor, number).await?;
    if files.is_empty() {
        return Err(Invalid::new("files", "Choose a photo or document to add.").into());
    }
    if files.len() > JOB_FILES_AT_ONCE {
        return Err(Invalid::new(
            "files",
            format!(
                "Add at most {JOB_FILES_AT_ONCE} files at once; you chose {}.",
                files.len()
            ),
        )
        .into());
    }
    let company = actor.company().id;
    let mut tx = app.store.begin().await?;
    for f in files {
        let row = f.attachment(Some(j.customer()), "job", j.id);
        tx.insert_job_file(
            company,
            (j.customer(), j.job_id()),
            &row,
            visible,
            actor.id(),
        )
        .await?;
    }
    let names: Vec<&str> = files.iter().map(|f| f.filename.as_str()).collect();
    let detail = json!({"number": j.number, "files": names, "customer_visible": visible});
    tx.audit(
        company,
        &actor.audit("job.files_added", ("job", j.id), detail),
    )
    .await?;
    app.commit(tx, false).await?;
    Ok(FilesAdded {
        number: j.number,
        count: files.len(),
    })
}

/// Shows file `file` of job `number` to the customer, or hides it. A file that is not
/// the job's (or was removed) is `NotFound`.
pub async fn set_file_visibility(
    app: &App,
    actor: &StaffActor,
    number: &str,
    file: i64,
    visible: bool,
) -> Result<String, AppError> {
    let j = job(app, actor, number).await?;
    let company = actor.company().id;
    let f = app
        .store
        .office_job_file(company, j.job_id(), AttachmentId(file))
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = app.store.begin().await?;
    if !tx
        .set_job_file_visible(company, j.job_id(), AttachmentId(f.id), visible)
        .await?
    {
        return Err(AppError::NotFound);
    }
    let action = if visible {
        "job.file_shown"
    } else {
        "job.file_hidden"
    };
    let detail = json!({"number": j.number, "file": f.filename});
    tx.audit(company, &actor.audit(action, ("attachment", f.id), detail))
        .await?;
    app.commit(tx, false).await?;
    Ok(j.number)
}

/// Removes file `file` of job `number`: nobody sees it any more; the row stays for the
/// history. A file that is not the job's (or was already removed) is `NotFound`.
pub async fn remove_file(
    app: &App,
    actor: &StaffActor,
    number: &str,
    file: i64,
) -> Result<String, AppError> {
    let j = job(app, actor, number).await?;
    let company = actor.company().id;
    let f = app
        .store
        .office_job_file(company, j.job_id(), AttachmentId(file))
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = app.store.begin().await?;
    if !tx
        .remove_job_file(company, j.job_id(), AttachmentId(f.id))
        .await?
    {
        return Err(AppError::NotFound);
    }
    let detail = json!({"number": j.number, "file": f.filename});
    tx.audit(
        company,
        &actor.audit("job.file_removed", ("attachment", f.id), detail),
    )
    .await?;
    app.commit(tx, false).await?;
    Ok(j.number)
}
