//! Creating or updating a job by its id in another system (the API's
//! `PUT /api/v1/jobs/external/{ref}`): the office's own [`create`] and [`edit`](super::edit), chosen by
//! whether the company has a job with that reference. A job stays with its account.

use doorstep_core::customers::check_external_ref;
use doorstep_core::validation::Invalid;

use super::edit::edit_found;
use super::{Changed, JobEdit, NewJob, create, job};
use crate::{App, AppError, StaffActor};

/// Why a job found by its reference is not given to another customer (the API's upsert
/// and the CSV import of jobs say the same).
pub(crate) const NO_MOVE: &str =
    "This job belongs to another customer; a job cannot move between customers.";

/// Creates the job with external reference `reference` (the job's fields from `new`), or
/// edits the company's job that has it; `true` when it was created. Refused with
/// `Invalid("external_ref")` for an empty or wrong reference and `Invalid("customer")`
/// when the job found is another account's.
pub async fn upsert_by_external_ref(
    app: &App,
    actor: &StaffActor,
    reference: &str,
    new: NewJob,
) -> Result<(Changed, bool), AppError> {
    actor.require(doorstep_core::authz::OfficeArea::DayToDay)?;
    let Some(reference) = check_external_ref(reference)? else {
        return Err(Invalid::new(
            "external_ref",
            "Give the job's id in your other system to create or update it by that id.",
        )
        .into());
    };
    let company = actor.company().id;
    match app.store.job_by_external_ref(company, &reference).await? {
        Some((_, number)) => {
            let found = job(app, actor, &number).await?;
            if found.customer() != new.customer() {
                return Err(Invalid::new("customer", NO_MOVE).into());
            }
            let changed = edit_found(app, actor, &found, JobEdit::of(new.details())).await?;
            Ok((changed, false))
        }
        None => Ok((
            create(app, actor, new.with_external_ref(reference)).await?,
            true,
        )),
    }
}
