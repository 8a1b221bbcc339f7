//! `GET /jobs/{number}`: one job of the account (site contacts: of their sites).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use doorstep_core::authz::{PortalAction, contact_may, contact_may_see_site};
use doorstep_core::ids::JobId;
use doorstep_core::status::JobStatus;
use doorstep_core::totals::totals;
use doorstep_store::job_detail::{JobDetail, JobFile, JobForm};
use serde::Deserialize;

use super::status_class;
use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::display::{day, money, when};
use crate::extract::{Path, Query};
use crate::kit::schedule::{arrival_text, schedule_type_label, scheduled_text};
use crate::pages::portal::billing::may;
use crate::pages::portal::visits;
use crate::views::PortalChrome;
use crate::{AppState, WebError};

/// A line as shown; its prices only to those who may see money.
struct LineView {
    description: String,
    quantity: String,
    prices: Option<(String, String)>,
}

/// The job's money: its cost and the lines' totals (company contacts only).
struct Prices {
    cost: String,
    subtotal: String,
    taxes: Vec<(String, String)>,
    total: String,
}

/// A stored file as linked.
struct FileView {
    id: i64,
    filename: String,
    has_thumb: bool,
    size: String,
}

/// A completed form (checklist) as shown: read-only, with when it was completed.
struct FormView {
    form: JobForm,
    completed: String,
}

/// The "Change this visit" block: links when the visit may be changed, else why not.
struct ChangeBlock {
    reschedule: String,
    cancel: String,
    refusal: Option<String>,
    asked: Option<String>,
}

/// The page's query string: what a visit change just did.
#[derive(Debug, Deserialize)]
pub struct DetailQuery {
    changed: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/jobs/detail.html")]
struct DetailPage {
    chrome: PortalChrome,
    changed: Option<&'static str>,
    change: Option<ChangeBlock>,
    job: JobDetail,
    status: &'static str,
    status_class: &'static str,
    location: Vec<String>,
    scheduled: String,
    schedule_type: String,
    arrival: String,
    job_type: Option<(String, String)>,
    completed: String,
    technicians: Vec<String>,
    prices: Option<Prices>,
    photos: Vec<FileView>,
    documents: Vec<FileView>,
    forms: Vec<FormView>,
    lines: Vec<LineView>,
    /// When the status last moved, as the page words times.
    status_changed: String,
    /// Each status move: its id, status and when.
    timeline: Vec<(i64, &'static str, String)>,
}

/// A quantity in thousandths, without needless decimals: `1.5`, `2`.
fn quantity(milli: i64) -> String {
    let whole = milli / 1000;
    let frac = (milli % 1000).abs();
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{frac:03}")
            .trim_end_matches('0')
            .to_owned()
    }
}

fn size(bytes: i64) -> String {
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else if bytes < 1024 * 1024 {
        format!("{} KB", (bytes + 1023) / 1024)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

fn file_view(f: &JobFile) -> FileView {
    FileView {
        id: f.id,
        filename: f.filename.clone(),
        has_thumb: f.thumb_key.is_some(),
        size: size(f.size_bytes),
    }
}

/// `GET /jobs/{number}`.
pub async fn show(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    contact: SignedInContact,
    Path(number): Path<String>,
    Query(query): Query<DetailQuery>,
) -> Result<Response, WebError> {
    let company = &contact.portal.company;
    let settings = &company.settings;
    let zone = &company.time_zone;
    if !contact_may(&contact.scope, settings, PortalAction::ViewJobs) {
        return Err(WebError::NotFound);
    }
    let mut job = state
        .store
        .job_for_contact(company.id, &contact.scope, &number)
        .await?
        .ok_or(WebError::NotFound)?;
    // The store scoped the query; the rule is asked as well, so one mistake is not a leak.
    let (customer, site) = job.place();
    if !contact_may_see_site(&contact.scope, customer, site) {
        return Err(WebError::NotFound);
    }
    let id = JobId(job.id);
    let technicians = state.store.job_technicians(company.id, id).await?;
    // Who moved it stays the office's: the customer sees each status and when.
    let timeline: Vec<(i64, &'static str, String)> = state
        .store
        .job_status_history(company.id, id)
        .await?
        .iter()
        .map(|h| {
            (
                h.id,
                h.status().label(),
                when(&company.time_zone, h.changed_at),
            )
        })
        .collect();
    let lines = state.store.job_lines(company.id, id).await?;
    let files = state.store.job_files(company.id, id).await?;
    let forms = if settings.show_completed_job_forms {
        state.store.job_forms(company.id, id).await?
    } else {
        Vec::new()
    };
    let cur = company.currency.as_str();
    let priced: Vec<_> = lines.iter().map(|l| l.priced()).collect();
    let sums = totals(&priced);
    // Site contacts never see money: no cost, prices, totals or invoice notes.
    let money_shown = may(&contact, PortalAction::SeeMoney);
    if !money_shown {
        job.invoice_notes.clear();
    }
    let prices = money_shown.then(|| Prices {
        cost: money(job.total_minor, cur),
        subtotal: money(sums.subtotal_minor, cur),
        taxes: sums
            .taxes
            .iter()
            .map(|(name, rate, tax)| {
                let pct = format!("{}.{:02}", rate / 100, rate % 100);
                let pct = pct.trim_end_matches('0').trim_end_matches('.');
                (format!("{name} ({pct}%)"), money(*tax, cur))
            })
            .collect(),
        total: money(sums.total_minor, cur),
    });
    let status = job.status();
    let location = [
        job.site_name.clone(),
        job.site_line1.clone(),
        Some(
            [job.site_city.as_deref(), job.site_region.as_deref()]
                .into_iter()
                .flatten()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ")
                + job
                    .site_postal_code
                    .as_deref()
                    .filter(|p| !p.is_empty())
                    .map(|p| format!(" {p}"))
                    .unwrap_or_default()
                    .as_str(),
        ),
    ]
    .into_iter()
    .flatten()
    .map(|s| s.trim().to_owned())
    .filter(|s| !s.is_empty())
    .collect();
    let change = change_block(&state, &contact, &job).await?;
    let changed = match query.changed.as_deref() {
        Some("moved") => Some("Your visit was moved. The office has been told."),
        Some("asked") => {
            Some("Your request for another date was sent. The office will confirm it.")
        }
        Some("cancelled") => Some("Your visit was cancelled. The office has been told."),
        _ => None,
    };
    let page = DetailPage {
        chrome: PortalChrome::of(&contact, &csrf).at("/jobs"),
        changed,
        change,
        status: status.label(),
        status_class: status_class(status),
        location,
        scheduled: job
            .scheduled_start
            .filter(|_| settings.show_schedule_date)
            .map(|t| scheduled_text(zone, t, job.schedule_type.as_deref()))
            .unwrap_or_default(),
        schedule_type: if settings.show_schedule_type {
            schedule_type_label(job.schedule_type.as_deref())
        } else {
            String::new()
        },
        arrival: arrival_text(
            zone,
            job.schedule_type.as_deref(),
            job.arrival_window_start,
            job.arrival_window_end,
        ),
        job_type: job
            .job_type
            .clone()
            .filter(|_| settings.show_job_type)
            .map(|t| (settings.job_type_label().to_owned(), t)),
        completed: job.completed_at.map(|t| day(zone, t)).unwrap_or_default(),
        technicians,
        prices,
        photos: files
            .iter()
            .filter(|f| f.kind == "photo")
            .map(file_view)
            .collect(),
        documents: files
            .iter()
            .filter(|f| f.kind != "photo")
            .map(file_view)
            .collect(),
        forms: forms
            .into_iter()
            .map(|form| FormView {
                completed: form.completed_at.map(|t| when(zone, t)).unwrap_or_default(),
                form,
            })
            .collect(),
        status_changed: timeline.last().map(|t| t.2.clone()).unwrap_or_default(),
        timeline,
        lines: lines
            .iter()
            .zip(&priced)
            .map(|(l, p)| LineView {
                description: l.description.clone(),
                quantity: quantity(l.quantity_milli),
                prices: money_shown
                    .then(|| (money(l.unit_price_minor, cur), money(p.amount_minor(), cur))),
            })
            .collect(),
        job,
    };
    crate::kit::render::page(&page)
}

/// The "Change this visit" block of a scheduled visit still ahead, when the company
/// lets customers change visits; none otherwise.
async fn change_block(
    state: &AppState,
    contact: &SignedInContact,
    job: &JobDetail,
) -> Result<Option<ChangeBlock>, WebError> {
    let now = doorstep_store::now();
    let ahead = job.scheduled_start.is_some_and(|s| s > now);
    if job.status() != JobStatus::Scheduled || !ahead || !may(contact, PortalAction::ChangeVisits) {
        return Ok(None);
    }
    let Some(visit) = state
        .store
        .visit_for_contact(contact.portal.company.id, &contact.scope, &job.number)
        .await?
    else {
        return Ok(None);
    };
    let href = visits::job_href(&visit);
    Ok(Some(ChangeBlock {
        reschedule: format!("{href}/reschedule"),
        cancel: format!("{href}/cancel"),
        refusal: visits::change_of(contact, &visit, now).refusal(),
        asked: visit.reschedule_requested_date.map(|d| {
            format!(
                "{}{}",
                crate::display::weekday_date(d),
                visit
                    .reschedule_requested_schedule_type
                    .as_deref()
                    .map(|s| format!(" · {}", schedule_type_label(Some(s))))
                    .unwrap_or_default()
            )
        }),
    }))
}

#[cfg(test)]
mod tests {
    use super::{quantity, size};

    #[test]
    fn quantities_and_sizes_read_naturally() {
        assert_eq!(quantity(1500), "1.5");
        assert_eq!(quantity(2000), "2");
        assert_eq!(quantity(1250), "1.25");
        assert_eq!(size(900), "900 bytes");
        assert_eq!(size(2048), "2 KB");
        assert_eq!(size(3 * 1024 * 1024), "3.0 MB");
    }
}
