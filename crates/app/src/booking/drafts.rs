//! Drafts of a service request: started by step 1's answers, saved step by step, with up
//! to the company's limit of photos. A draft belongs to one login acting for one account;
//! anyone else's draft is not found. A submitted draft takes no more changes: each use
//! case then answers with the request it became.

use doorstep_core::authz::{PortalAction, request_photo_limit};
use doorstep_core::request_form::RequestAnswers;
use doorstep_core::validation::Invalid;
use doorstep_store::request_portal::{DraftPhoto, RequestDraft};

use super::checks::{Context, check_step};
use super::form::{Errors, Step, answered, valid_key};
use crate::crypto::random_hex;
use crate::files::StoredFile;
use crate::{App, AppError, ContactActor};

/// The file field of the photos step, and the field its refusals name.
pub const PHOTOS_FIELD: &str = "photos";

/// How many photos `actor` may attach to a request; with none the photos step is skipped.
pub fn photo_limit(actor: &ContactActor) -> u8 {
    request_photo_limit(actor.scope(), &actor.company().settings)
}

/// The draft `key` of this contact, with its answers (authz first; anyone else's draft,
/// or a malformed key, is not found).
pub async fn load(
    app: &App,
    actor: &ContactActor,
    key: &str,
) -> Result<(RequestDraft, RequestAnswers), AppError> {
    actor.require(PortalAction::RequestService)?;
    if !valid_key(key) {
        return Err(AppError::NotFound);
    }
    let draft = app
        .store()
        .request_draft(actor.company().id, key, actor.login(), actor.customer())
        .await?
        .ok_or(AppError::NotFound)?;
    let answers = serde_json::from_str(&draft.answers).unwrap_or_default();
    Ok((draft, answers))
}

/// The answers of one step, checked against what the contact may pick now.
#[derive(Debug, Clone)]
pub struct CheckedStep {
    step: Step,
    answers: RequestAnswers,
}

impl CheckedStep {
    /// Checks `answers` (with the posted fields of `step` already read in, and `errors`
    /// from reading them) against `ctx`; the messages by field otherwise.
    pub fn check(
        step: Step,
        answers: &RequestAnswers,
        mut errors: Errors,
        ctx: &Context,
    ) -> Result<CheckedStep, Errors> {
        if matches!(step, Step::Photos | Step::Summary) {
            errors.add("step", "This step takes no answers.");
        }
        check_step(step, answers, ctx, &mut errors);
        if errors.is_empty() {
            Ok(CheckedStep {
                step,
                answers: answers.clone(),
            })
        } else {
            Err(errors)
        }
    }
}

/// Starts a draft with step 1's answers; its key.
pub async fn start(
    app: &App,
    actor: &ContactActor,
    first: CheckedStep,
) -> Result<String, AppError> {
    actor.require(PortalAction::RequestService)?;
    if first.step != Step::When {
        return Err(Invalid::new("step", "Start with the first step.").into());
    }
    let mut answers = first.answers;
    answers.done = Step::When.number();
    let key = random_hex(16);
    let json = to_json(&answers)?;
    app.store()
        .create_request_draft(
            actor.company().id,
            &key,
            actor.login(),
            actor.contact(),
            actor.customer(),
            &json,
        )
        .await?;
    Ok(key)
}

/// What became of a draft's change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftSaved {
    /// Saved; the step to show next.
    Next(Step),
    /// The draft was submitted (meanwhile, or before): the request it became.
    Submitted(String),
}

/// Saves a step's answers to draft `key`: not found for a step not yet open. Moves on to
/// the next step, or to the summary once every step was answered (so "Make changes"
/// returns there).
pub async fn save(
    app: &App,
    actor: &ContactActor,
    key: &str,
    checked: CheckedStep,
) -> Result<DraftSaved, AppError> {
    let (draft, stored) = load(app, actor, key).await?;
    if let Some(number) = draft.request_number {
        return Ok(DraftSaved::Submitted(number));
    }
    let step = checked.step;
    let limit = photo_limit(actor);
    if step.number() > answered(&stored, limit) + 1 {
        return Err(AppError::NotFound);
    }
    let mut answers = checked.answers;
    let all_done = answered(&stored, limit) + 1 >= Step::Summary.number();
    answers.done = stored.done.max(step.number());
    let mut next = if all_done { Step::Summary } else { step.next() };
    if next == Step::Photos && limit == 0 {
        next = Step::Summary;
    }
    write_answers(app, actor, key, &draft, &answers, next).await
}

/// Saves `answers` unless the draft was submitted meanwhile (another tab).
async fn write_answers(
    app: &App,
    actor: &ContactActor,
    key: &str,
    draft: &RequestDraft,
    answers: &RequestAnswers,
    next: Step,
) -> Result<DraftSaved, AppError> {
    let json = to_json(answers)?;
    if app
        .store()
        .save_request_draft(actor.company().id, draft.id, &json)
        .await?
    {
        return Ok(DraftSaved::Next(next));
    }
    submitted_meanwhile(app, actor, key).await
}

/// The request a draft became after a write found it submitted.
async fn submitted_meanwhile(
    app: &App,
    actor: &ContactActor,
    key: &str,
) -> Result<DraftSaved, AppError> {
    let (draft, _) = load(app, actor, key).await?;
    draft
        .request_number
        .map(DraftSaved::Submitted)
        .ok_or(AppError::NotFound)
}

fn to_json(answers: &RequestAnswers) -> Result<String, AppError> {
    serde_json::to_string(answers).map_err(|e| AppError::Internal(format!("draft answers: {e}")))
}

/// The message for more photos than the company takes.
pub fn too_many(limit: u8, held: usize, chosen: usize) -> String {
    let photos = if limit == 1 { "photo" } else { "photos" };
    if held > 0 {
        format!(
            "You can attach up to {limit} {photos}. This request has {held} already: remove one to add another."
        )
    } else {
        format!("You can attach up to {limit} {photos}; you chose {chosen}.")
    }
}

/// Refuses more photos than the draft may still take, before any is stored: the page
/// asks this first, so refused files are never written to disk.
pub async fn check_room(
    app: &App,
    actor: &ContactActor,
    draft: &RequestDraft,
    chosen: usize,
) -> Result<(), AppError> {
    let limit = photo_limit(actor);
    let held = app
        .store()
        .draft_photos(actor.company().id, draft.id)
        .await?
        .len();
    if held + chosen > usize::from(limit) {
        return Err(Invalid::new(PHOTOS_FIELD, too_many(limit, held, chosen)).into());
    }
    Ok(())
}

fn draft_photo(file: &StoredFile) -> DraftPhoto {
    DraftPhoto {
        id: 0,
        filename: file.filename.clone(),
        content_type: file.content_type.clone(),
        size_bytes: file.size_bytes,
        storage_key: file.storage_key.clone(),
        thumb_key: file.thumb_key.clone(),
        width: file.width,
        height: file.height,
    }
}

/// Adds the photos (already on disk) to draft `key`, all or none; with `continuing`
/// then marks the photos step answered and moves on to the summary. Refused (field
/// `photos`) when nothing was chosen without continuing, or beyond the company's limit
/// (counted again under the draft's lock, so two tabs never pass it together); not
/// found when the company takes no photos or the step is not open yet.
pub async fn add_photos(
    app: &App,
    actor: &ContactActor,
    key: &str,
    files: &[StoredFile],
    continuing: bool,
) -> Result<DraftSaved, AppError> {
    let (draft, mut answers) = load(app, actor, key).await?;
    if let Some(number) = draft.request_number {
        return Ok(DraftSaved::Submitted(number));
    }
    let limit = photo_limit(actor);
    if limit == 0 || Step::Photos.number() > answers.done + 1 {
        return Err(AppError::NotFound);
    }
    if files.is_empty() && !continuing {
        return Err(Invalid::new(PHOTOS_FIELD, "Choose one or more photos to add.").into());
    }
    let company = actor.company().id;
    if !files.is_empty() {
        let mut tx = app.store.begin().await?;
        for file in files {
            if !tx
                .add_draft_photo(company, draft.id, i64::from(limit), &draft_photo(file))
                .await?
            {
                // Once what it saw is durable, so the reads below see it too.
                tx.rollback().await?;
                let (draft, _) = load(app, actor, key).await?;
                if let Some(number) = draft.request_number {
                    return Ok(DraftSaved::Submitted(number));
                }
                let held = app.store().draft_photos(company, draft.id).await?.len();
                return Err(Invalid::new(PHOTOS_FIELD, too_many(limit, held, files.len())).into());
            }
        }
        tx.commit().await?;
    }
    if !continuing {
        return Ok(DraftSaved::Next(Step::Photos));
    }
    answers.done = answers.done.max(Step::Photos.number());
    write_answers(app, actor, key, &draft, &answers, Step::Summary).await
}

/// Removes photo `photo` from draft `key` (the bytes stay until the sweeper finds them
/// unreferenced); not found when the draft has no such photo.
pub async fn remove_photo(
    app: &App,
    actor: &ContactActor,
    key: &str,
    photo: i64,
) -> Result<DraftSaved, AppError> {
    let (draft, _) = load(app, actor, key).await?;
    if let Some(number) = draft.request_number {
        return Ok(DraftSaved::Submitted(number));
    }
    if !app
        .store()
        .remove_draft_photo(actor.company().id, draft.id, photo)
        .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(DraftSaved::Next(Step::Photos))
}

#[cfg(test)]
mod tests {
    use super::too_many;

    #[test]
    fn the_limit_message_names_the_limit_and_what_to_do() {
        assert_eq!(
            too_many(4, 0, 5),
            "You can attach up to 4 photos; you chose 5."
        );
        assert!(too_many(4, 4, 1).contains("remove one to add another"));
        assert!(too_many(1, 1, 1).starts_with("You can attach up to 1 photo."));
    }
}
