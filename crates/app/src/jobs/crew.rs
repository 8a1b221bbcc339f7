//! The crew: named technicians of the company (the `technicians` table), added by any
//! office staff member and put on jobs.

use doorstep_core::ids::TechnicianId;
use doorstep_core::jobs::parse_technician_name;
use doorstep_core::validation::Invalid;
use serde_json::json;

use super::{Changed, job};
use crate::{App, AppError, StaffActor};

/// Longest phone number kept.
const PHONE_MAX: usize = 40;

/// A crew member as typed, checked.
#[derive(Debug, Clone)]
pub struct NewTechnician {
    name: String,
    phone: String,
}

impl NewTechnician {
    /// Checks the name (required) and the phone (optional, one short line).
    pub fn parse(name: &str, phone: &str) -> Result<NewTechnician, Invalid> {
        let name = parse_technician_name(name)?;
        let phone = phone.trim();
        if phone.chars().count() > PHONE_MAX || phone.chars().any(char::is_control) {
            return Err(Invalid::new(
                "phone",
                format!("Keep the phone to {PHONE_MAX} characters."),
            ));
        }
        Ok(NewTechnician {
            name,
            phone: phone.to_owned(),
        })
    }
}

/// Adds a technician to the company's crew.
pub async fn add_technician(
    app: &App,
    actor: &StaffActor,
    t: NewTechnician,
) -> Result<TechnicianId, AppError> {
    actor.require(doorstep_core::authz::OfficeArea::DayToDay)?;
    let company = actor.company().id;
    let mut tx = app.store.begin().await?;
    let id = tx.insert_technician(company, &t.name, &t.phone).await?;
    let detail = json!({"name": t.name});
    tx.audit(
        company,
        &actor.audit("technician.added", ("technician", id.0), detail),
    )
    .await?;
    app.commit(tx, false).await?;
    Ok(id)
}

/// Puts exactly the technicians `ids` on job `number`. Refused with `Invalid("crew")`
/// for an id that is not one of the company's active crew.
pub async fn set_crew(
    app: &App,
    actor: &StaffActor,
    number: &str,
    ids: &[i64],
) -> Result<Changed, AppError> {
    let j = job(app, actor, number).await?;
    let company = actor.company().id;
    let crew = app.store.technicians(company).await?;
    let mut chosen: Vec<i64> = ids.to_vec();
    chosen.sort_unstable();
    chosen.dedup();
    if chosen.iter().any(|id| !crew.iter().any(|t| t.id == *id)) {
        return Err(Invalid::new("crew", "Choose technicians from the crew listed.").into());
    }
    let names: Vec<&str> = crew
        .iter()
        .filter(|t| chosen.contains(&t.id))
        .map(|t| t.name.as_str())
        .collect();
    let ids: Vec<TechnicianId> = chosen.iter().copied().map(TechnicianId).collect();
    let mut tx = app.store.begin().await?;
    tx.set_job_technicians(company, j.job_id(), &ids).await?;
    let detail = json!({"number": j.number, "technicians": names});
    tx.audit(company, &actor.audit("job.crew_set", ("job", j.id), detail))
        .await?;
    app.commit(tx, false).await?;
    Ok(Changed {
        number: j.number.clone(),
        status: j.status(),
        emailed: false,
    })
}
