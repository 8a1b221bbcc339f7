//! Acme's portal service requests, bookable windows and the audit entry of the seed;
//! estimates and conversations are added from here too.

use doorstep_core::ids::{ContactId, CustomerId, SiteId};
use doorstep_core::status::{RequestStatus, ScheduleType};
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::requests::NewServiceRequest;
use time::{OffsetDateTime, Weekday};

use super::acme::Acme;
use super::acme_estimates::{Open, estimates};
use super::acme_messages::conversation;
use super::acme_work::{INSPECTION, REPAIR};
use super::seeder::{Seeder, at};

/// Adds everything of Acme's beyond its people, equipment and jobs.
pub(crate) async fn add(s: &mut Seeder<'_>, a: &Acme) -> anyhow::Result<()> {
    let open = estimates(s, a).await?;
    requests(s, a, &open).await?;
    conversation(s, a, &open).await?;
    let co = s.company;
    // The next two weeks hold the next ten weekdays.
    for offset in 1..=14 {
        let day = s.day(offset);
        if matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
            continue;
        }
        for slot in [ScheduleType::Am, ScheduleType::Pm] {
            s.tx.insert_availability_window(co, day, slot, 3).await?;
        }
    }
    let detail = format!(
        "{{\"customers\":{},\"jobs\":{},\"estimates\":{},\"invoices\":{}}}",
        s.summary.customers, s.summary.jobs, s.summary.estimates, s.summary.invoices
    );
    s.tx.audit(
        co,
        &NewAuditEvent {
            actor_kind: "system",
            actor_id: None,
            actor_label: "doorstep demo".into(),
            action: "demo.seeded",
            subject_kind: "company",
            subject_id: Some(co.0),
            ip: String::new(),
            detail,
            at: time::OffsetDateTime::now_utc(),
        },
    )
    .await?;
    Ok(())
}

/// A request by `who` for the visit at `site`; set the fields that differ.
fn request(
    customer: CustomerId,
    site: SiteId,
    who: ContactId,
    description: &str,
    created_at: OffsetDateTime,
) -> NewServiceRequest {
    NewServiceRequest {
        customer,
        site: Some(site),
        contact: Some(who),
        submitted_by: Some(who),
        number: String::new(),
        status: RequestStatus::New,
        preferred_date: None,
        schedule_type: None,
        job_type: None,
        description: description.into(),
        po_number: String::new(),
        estimate: None,
        converted_job: None,
        decline_reason: String::new(),
        created_at,
    }
}

/// The requests inbox: declined, completed, read and two new ones, oldest first.
async fn requests(s: &mut Seeder<'_>, a: &Acme, open: &Open) -> anyhow::Result<()> {
    let mut r = request(
        a.harbor,
        a.bayview,
        a.sam,
        "The kitchen exhaust hood in the community room is greasy and very noisy. Please clean it.",
        at(s.day(-25), 19, 10),
    );
    r.status = RequestStatus::Declined;
    r.preferred_date = Some(s.day(-20));
    r.schedule_type = Some(ScheduleType::Pm);
    r.decline_reason = "Kitchen hood cleaning isn't a service we offer. We recommend a certified hood-cleaning contractor.".into();
    s.request(r).await?;

    let mut r = request(
        a.harbor,
        a.pier,
        a.dana_harbor,
        "Both restrooms on the 2nd floor have had weak water pressure since last week.",
        at(s.day(-10), 8, 30),
    );
    r.status = RequestStatus::Completed;
    r.preferred_date = Some(s.day(12));
    r.schedule_type = Some(ScheduleType::Am);
    r.job_type = a.job_type(REPAIR);
    r.po_number = "HPC-4470".into();
    r.converted_job = Some(s.job("pier-request")?.id);
    s.request(r).await?;

    let mut r = request(
        a.harbor,
        a.lofts,
        a.dana_harbor,
        "The annual backflow test for Harbor Lofts is due next month. Please schedule it.",
        at(s.day(-3), 14, 0),
    );
    r.status = RequestStatus::Read;
    r.preferred_date = Some(s.day(14));
    r.schedule_type = Some(ScheduleType::AllDay);
    r.job_type = a.job_type(INSPECTION);
    r.po_number = "HPC-4471".into();
    s.request(r).await?;

    let home = a.household;
    let mut r = request(
        home.customer,
        home.site,
        home.contact,
        "The kitchen faucet handle is loose and it drips from the spout.",
        at(s.day(-1), 19, 30),
    );
    r.preferred_date = Some(s.day(4));
    r.schedule_type = Some(ScheduleType::Pm);
    r.job_type = a.job_type(REPAIR);
    r.estimate = Some(open.dana_draft);
    s.request(r).await?;

    let mut r = request(
        a.harbor,
        a.bayview,
        a.sam,
        "Water is dripping through the ceiling of unit 2B from the unit above. The tenant has put a bucket under it.",
        at(s.day(-1), 22, 5),
    );
    r.preferred_date = Some(s.day(1));
    r.schedule_type = Some(ScheduleType::Am);
    r.job_type = a.job_type(REPAIR);
    r.estimate = Some(open.harbor_draft);
    s.request(r).await?;
    Ok(())
}
