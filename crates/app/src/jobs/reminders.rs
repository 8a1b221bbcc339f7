//! The visit reminder, the day before: a sweep (run periodically by the server on every
//! node) claims the scheduled visits starting tomorrow whose reminder is not sent, with
//! one conditional UPDATE, and queues `EmailKind::VisitReminder` to the contacts who want
//! reminders in the same transaction. Two sweeps at once (two nodes) split the visits
//! between them: each reminder is queued exactly once. "Tomorrow" comes from `now`, the
//! caller's clock, so a test sets it.

use doorstep_core::ids::{CompanyId, CustomerId, SiteId};
use doorstep_core::jobs::reminder_range;
use doorstep_core::local_time::Zone;
use doorstep_core::visits::visit_time_text;
use doorstep_mail::EmailKind;
use doorstep_store::job_writes::Wish;
use time::OffsetDateTime;

use super::emails::JobNews;
use crate::{App, AppError};

/// Most visits one sweep's transaction claims; a sweep repeats until none is left.
pub const REMINDER_BATCH: i64 = 100;

/// Sends the reminders due at `now`: for each time zone companies are in, the visits
/// starting on that zone's tomorrow ([`reminder_range`]); claims up to
/// [`REMINDER_BATCH`] visits per transaction until none is left; how many visits were
/// reminded. A visit whose account has nobody who wants reminders is claimed all the
/// same (nothing to send, ever).
pub async fn send_visit_reminders(app: &App, now: OffsetDateTime) -> Result<usize, AppError> {
    let zones = app.store.company_zones().await?;
    let mut total = 0;
    for stored in zones {
        let zone = Zone::parse(&stored).unwrap_or_else(|_| Zone::utc());
        total += remind_zone(app, &stored, &zone, now).await?;
    }
    Ok(total)
}

/// The reminders due at `now` for the companies in the zone stored as `stored`.
async fn remind_zone(
    app: &App,
    stored: &str,
    zone: &Zone,
    now: OffsetDateTime,
) -> Result<usize, AppError> {
    let range = reminder_range(zone, now);
    let mut total = 0;
    loop {
        let mut tx = app.store.begin().await?;
        let due = tx
            .claim_due_reminders(stored, range, doorstep_store::now(), REMINDER_BATCH)
            .await?;
        if due.is_empty() {
            return Ok(total);
        }
        let mut queued = false;
        for d in &due {
            let company = CompanyId(d.company_id);
            let Some((name, slug, zone)) = tx.company_name_slug_zone(company).await? else {
                continue;
            };
            let zone = Zone::parse(&zone).unwrap_or_else(|_| Zone::utc());
            let when = visit_time_text(
                &zone,
                d.scheduled_start,
                d.scheduled_end,
                d.schedule_type.as_deref(),
            );
            let (date, time) = match when.split_once(" · ") {
                Some((a, b)) => (a.to_owned(), b.to_owned()),
                None => (when.clone(), String::new()),
            };
            let site_name = site_name(&mut tx, company, d.site_id).await?;
            let news = JobNews {
                company: (company, &name, &slug),
                customer: CustomerId(d.customer_id),
                site: d.site_id.map(SiteId),
                number: &d.number,
                summary: &d.summary,
                site_name: &site_name,
            };
            let extra = [("visit_date", date.as_str()), ("visit_time", time.as_str())];
            let sent = news
                .send(
                    app,
                    &mut tx,
                    EmailKind::VisitReminder,
                    Wish::VisitReminders,
                    &extra,
                )
                .await?;
            queued |= sent > 0;
        }
        total += due.len();
        app.commit(tx, queued).await?;
        if (due.len() as i64) < REMINDER_BATCH {
            return Ok(total);
        }
    }
}

/// The name of the job's site, or empty.
async fn site_name(
    tx: &mut doorstep_store::Tx,
    company: CompanyId,
    site: Option<i64>,
) -> Result<String, AppError> {
    let Some(site) = site else {
        return Ok(String::new());
    };
    Ok(tx
        .site_name(company, SiteId(site))
        .await?
        .unwrap_or_default())
}
