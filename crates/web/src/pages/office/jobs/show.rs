//! `GET /office/jobs/{number}`: everything about one job — customer, site, schedule,
//! crew, status with the time of each move and the buttons for the allowed next ones,
//! notes (internal marked), lines (read-only, with links to edit them and to invoice
//! the job), and the request it came from.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use doorstep_core::jobs::{may_schedule, next_moves};
use doorstep_core::status::JobStatus;
use doorstep_core::totals::totals;
use doorstep_core::visits::visit_time_text;
use doorstep_store::office_jobs::OfficeJob;

use super::{html, job_path, load, status_class};
use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::display::money;
use crate::display::when;
use crate::extract::Path;
use crate::kit::urls::path_segment;
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

/// A status move on the timeline.
struct MoveView {
    status: &'static str,
    at: String,
    by: String,
}

/// A button for a next move.
struct ButtonView {
    value: &'static str,
    label: String,
    danger: bool,
}

/// A crew member as a checkbox.
struct CrewView {
    id: i64,
    name: String,
    on_job: bool,
}

/// A line as shown.
struct LineView {
    description: String,
    quantity: String,
    unit_price: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "office/jobs/show.html")]
struct ShowPage {
    chrome: OfficeChrome,
    job: OfficeJob,
    href: String,
    invoice_href: String,
    status: &'static str,
    status_class: &'static str,
    visit: String,
    site: String,
    customer_href: String,
    request_href: Option<String>,
    timeline: Vec<MoveView>,
    buttons: Vec<ButtonView>,
    may_schedule: bool,
    scheduled: bool,
    crew: Vec<CrewView>,
    on_job: Vec<String>,
    lines: Vec<LineView>,
    total: String,
    notice: Option<&'static str>,
    alert: Option<String>,
    /// A refused status move, shown in the Status section.
    status_error: Option<String>,
    files: Vec<super::files::FileView>,
    forms: Vec<super::forms::FormView>,
    extras: Extras,
}

/// What the files and checklist forms of the page show again after a refusal: the
/// message next to each field and the values typed.
#[derive(Default)]
pub(super) struct Extras {
    /// The message next to the files input.
    pub files_error: Option<String>,
    /// The message next to the "Visible to the customer" choice.
    pub visible_error: Option<String>,
    /// The new checklist's title as typed, and its message.
    pub form_title: (String, Option<String>),
    /// The new checklist's items as typed, and their message.
    pub form_items: (String, Option<String>),
    /// A checklist's refusal: its id and the message shown in it.
    pub form_error: Option<(i64, String)>,
    /// A refused status move, shown in the Status section beside its buttons.
    pub status_error: Option<String>,
}

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

/// What a just-finished change says on the page it returns to.
fn notice(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "created" => Some("The job was created."),
        "saved" => Some("The job was saved."),
        "scheduled" => Some("The visit was scheduled."),
        "unscheduled" => Some("The visit was taken off the calendar."),
        "moved" => Some("The status was changed."),
        "crew" => Some("The crew was saved."),
        "technician" => Some("The technician was added to the crew."),
        "files" => Some("The files were added."),
        "shown" => Some("The file is now visible to the customer."),
        "hidden" => Some("The file is now hidden from the customer."),
        "removed" => Some("The file was removed."),
        "checklist" => Some("The checklist was added."),
        "checklist-saved" => Some("The checklist was saved."),
        "checklist-completed" => Some("The checklist was marked completed."),
        _ => None,
    }
}

/// The job's page, with `alert` (a refusal) and `code`.
pub(super) async fn render(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    job: OfficeJob,
    (done, alert): (Option<&str>, Option<String>),
    code: StatusCode,
) -> Result<Response, WebError> {
    render_with(
        state,
        staff,
        csrf,
        job,
        (done, alert),
        Extras::default(),
        code,
    )
    .await
}

/// The job's page, with `alert`, the files and checklist forms' `extras`, and `code`.
pub(super) async fn render_with(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    job: OfficeJob,
    (done, alert): (Option<&str>, Option<String>),
    extras: Extras,
    code: StatusCode,
) -> Result<Response, WebError> {
    let company = staff.company.id;
    let id = job.job_id();
    let history = state.store.job_status_history(company, id).await?;
    let crew_all = state.store.technicians(company).await?;
    let on_ids = state.store.job_technician_ids(company, id).await?;
    let on_job = state.store.job_technicians(company, id).await?;
    let lines = state.store.job_lines(company, id).await?;
    let files = super::files::views(state, staff, &job).await?;
    let forms = super::forms::views(state, staff, &job).await?;
    let cur = staff.company.currency.as_str();
    let priced: Vec<_> = lines.iter().map(|l| l.priced()).collect();
    let sums = totals(&priced);
    let status = job.status();
    let visit = visit_time_text(
        &staff.company.time_zone,
        job.scheduled_start,
        job.scheduled_end,
        job.schedule_type.as_deref(),
    );
    let site = [
        job.site_name.as_deref(),
        job.site_line1.as_deref(),
        job.site_city.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(", ");
    let page = ShowPage {
        chrome: OfficeChrome::of(staff, csrf),
        href: job_path(&job.number),
        invoice_href: format!(
            "/office/invoices/new?job={}",
            form_urlencoded::byte_serialize(job.number.as_bytes()).collect::<String>()
        ),
        status: status.label(),
        status_class: status_class(status),
        visit,
        site,
        customer_href: format!("/office/customers/{}", path_segment(&job.customer_number)),
        request_href: job
            .request_number
            .as_deref()
            .map(|n| format!("/office/requests/{}", path_segment(n))),
        timeline: history
            .iter()
            .map(|h| MoveView {
                status: h.status().label(),
                at: when(&staff.company.time_zone, h.changed_at),
                by: h.staff_name.clone().unwrap_or_default(),
            })
            .collect(),
        buttons: next_moves(status)
            .into_iter()
            .map(|s| ButtonView {
                value: s.as_str(),
                label: match s {
                    JobStatus::Cancelled => "Cancel job…".to_owned(),
                    s => format!("Mark {}", s.label().to_lowercase()),
                },
                danger: s == JobStatus::Cancelled,
            })
            .collect(),
        may_schedule: may_schedule(status),
        scheduled: status == JobStatus::Scheduled,
        crew: crew_all
            .into_iter()
            .map(|t| CrewView {
                on_job: on_ids.contains(&t.id),
                id: t.id,
                name: t.name,
            })
            .collect(),
        on_job,
        lines: lines
            .iter()
            .zip(&priced)
            .map(|(l, p)| LineView {
                description: l.description.clone(),
                quantity: quantity(l.quantity_milli),
                unit_price: money(l.unit_price_minor, cur),
                amount: money(p.amount_minor(), cur),
            })
            .collect(),
        total: money(sums.total_minor, cur),
        notice: notice(done),
        alert,
        status_error: extras.status_error.clone(),
        files,
        forms,
        extras,
        job,
    };
    html(page, code)
}

/// `GET /office/jobs/{number}`.
pub async fn show(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(number): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let job = load(&state, &staff, &number).await?;
    let done = form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "done")
        .map(|(_, v)| v.into_owned());
    render(
        &state,
        &staff,
        &csrf,
        job,
        (done.as_deref(), None),
        StatusCode::OK,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::{notice, quantity};

    #[test]
    fn quantities_and_notices_read_naturally() {
        assert_eq!(quantity(1500), "1.5");
        assert_eq!(quantity(2000), "2");
        assert_eq!(notice(Some("moved")), Some("The status was changed."));
        assert_eq!(notice(Some("<script>")), None);
    }
}
