//! Job forms (checklists): the office adds one to a job with its items typed one per line,
//! ticks items and writes a note while it is open, and marks it completed (who and when);
//! a completed checklist no longer changes and shows on the customer's job page.

use doorstep_core::job_forms::{
    form_open, parse_form_items, parse_form_note, parse_form_title, ticked_items,
};
use serde_json::json;

use super::job;
use crate::error::FieldErrors;
use crate::{App, AppError, StaffActor};

/// A new checklist as typed, checked.
#[derive(Debug, Clone)]
pub struct NewChecklist {
    title: String,
    items: Vec<String>,
}

impl NewChecklist {
    /// Checks the title (required) and the items (one per line, at least one).
    pub fn parse(title: &str, items: &str) -> Result<NewChecklist, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = errors.check(parse_form_title(title));
        let items = errors.check(parse_form_items(items));
        match (title, items) {
            (Some(title), Some(items)) if errors.is_empty() => Ok(NewChecklist { title, items }),
            _ => Err(errors),
        }
    }
}

/// A checklist's ticks and note as sent, checked; `complete` marks it completed.
#[derive(Debug, Clone)]
pub struct ChecklistAnswers {
    ticked: Vec<String>,
    note: String,
    complete: bool,
}

impl ChecklistAnswers {
    /// Checks the note; the ticks (item indexes) are checked against the checklist's
    /// items by [`save_checklist`].
    pub fn parse(
        ticked: &[&str],
        note: &str,
        complete: bool,
    ) -> Result<ChecklistAnswers, FieldErrors> {
        let mut errors = FieldErrors::default();
        let note = errors.check(parse_form_note(note));
        match note {
            Some(note) if errors.is_empty() => Ok(ChecklistAnswers {
                ticked: ticked.iter().map(|t| (*t).to_owned()).collect(),
                note,
                complete,
            }),
            _ => Err(errors),
        }
    }
}

/// What saving a checklist did.
#[derive(Debug, Clone)]
pub struct ChecklistSaved {
    /// The job's number.
    pub number: String,
    /// Whether it is now completed.
    pub completed: bool,
}

/// Adds an open checklist to job `number`; its id.
pub async fn add_checklist(
    app: &App,
    actor: &StaffActor,
    number: &str,
    c: NewChecklist,
) -> Result<i64, AppError> {
    let j = job(app, actor, number).await?;
    let company = actor.company().id;
    let mut tx = app.store.begin().await?;
    let id = tx
        .insert_checklist(company, j.job_id(), &c.title, &c.items, actor.id())
        .await?;
    let detail = json!({"number": j.number, "title": c.title, "items": c.items.len()});
    tx.audit(
        company,
        &actor.audit("job.form_added", ("job_form", id), detail),
    )
    .await?;
    app.commit(tx, false).await?;
    Ok(id)
}

/// Saves the ticks and note of checklist `form` of job `number`, completing it when asked.
/// A checklist that is not the job's is `NotFound`; a completed one is a `Conflict`
/// (`completed`); a tick that names no item is `Invalid("items")`.
pub async fn save_checklist(
    app: &App,
    actor: &StaffActor,
    number: &str,
    form: i64,
    a: ChecklistAnswers,
) -> Result<ChecklistSaved, AppError> {
    let j = job(app, actor, number).await?;
    let company = actor.company().id;
    let f = app
        .store
        .office_job_form(company, j.job_id(), form)
        .await?
        .ok_or(AppError::NotFound)?;
    if !form_open(f.completed_at.is_some()) {
        return Err(completed());
    }
    let sent: Vec<&str> = a.ticked.iter().map(String::as_str).collect();
    let ticks = ticked_items(f.items.len(), &sent)?;
    let items: Vec<(String, bool)> = f
        .items
        .iter()
        .zip(ticks)
        .map(|((label, _), t)| (label.clone(), t))
        .collect();
    let mut tx = app.store.begin().await?;
    let by = a.complete.then(|| actor.id());
    if !tx
        .save_checklist(company, (j.job_id(), f.id), &items, &a.note, by)
        .await?
    {
        return Err(completed());
    }
    let action = if a.complete {
        "job.form_completed"
    } else {
        "job.form_saved"
    };
    let done = items.iter().filter(|(_, t)| *t).count();
    let detail =
        json!({"number": j.number, "title": f.title, "ticked": done, "items": items.len()});
    tx.audit(company, &actor.audit(action, ("job_form", f.id), detail))
        .await?;
    app.commit(tx, false).await?;
    Ok(ChecklistSaved {
        number: j.number,
        completed: a.complete,
    })
}

fn completed() -> AppError {
    AppError::conflict(
        "completed",
        "This checklist was already marked completed; it no longer changes.",
    )
}
