//! Jobs as the demo describes them, and what hangs off them: lines, crews, photos,
//! documents, completed forms and ratings. Their invoices and payments are in `billing`.

use doorstep_core::ids::{AssetId, ContactId, CustomerId, InvoiceId, JobId, SiteId, TechnicianId};
use doorstep_core::status::{JobKind, JobStatus, PaymentMethodKind, ScheduleType};
use doorstep_core::visits::window_bounds;
use doorstep_store::jobs::{LineOwner, NewJob, NewLine};
use time::{Date, Duration, OffsetDateTime};

use super::lines::total_of;
use super::seeder::{Seeder, at, demo_zone, number};

/// How a finished job is billed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Bill {
    /// No invoice.
    None,
    /// Paid in full `after` days after the visit; invoices sharing a `group` are settled
    /// together by one payment, dated after the last of them.
    Paid {
        method: PaymentMethodKind,
        after: i64,
        group: Option<u8>,
    },
    /// Sent, due in the future.
    Unpaid,
    /// Sent, due date passed.
    Overdue,
    /// `percent` of it paid so far.
    Partial {
        method: PaymentMethodKind,
        percent: i64,
    },
    /// Voided after it was sent.
    Void,
}

impl Bill {
    /// Paid in full a few days after the visit.
    pub(crate) fn paid(method: PaymentMethodKind) -> Bill {
        Bill::Paid {
            method,
            after: 6,
            group: None,
        }
    }
}

/// A job to make, with what hangs off it.
#[derive(Debug, Clone)]
pub(crate) struct JobSpec {
    /// A name other parts of the demo find the job by ("" for none).
    pub(crate) tag: &'static str,
    pub(crate) customer: CustomerId,
    pub(crate) site: Option<SiteId>,
    pub(crate) asset: Option<AssetId>,
    pub(crate) job_type: Option<i64>,
    pub(crate) kind: JobKind,
    pub(crate) status: JobStatus,
    pub(crate) summary: String,
    pub(crate) description: String,
    /// The visit day; the creation day when unscheduled; the sale day for a sale.
    pub(crate) day: Date,
    /// The schedule type and, for exact times, the hour; None when unscheduled.
    pub(crate) slot: Option<(ScheduleType, u8)>,
    pub(crate) work_order_notes: String,
    pub(crate) invoice_notes: String,
    pub(crate) po_number: String,
    pub(crate) custom_fields: String,
    pub(crate) lines: Vec<NewLine>,
    pub(crate) technicians: Vec<TechnicianId>,
    pub(crate) bill: Bill,
    pub(crate) photos: usize,
    /// A text document: file name and content.
    pub(crate) document: Option<(&'static str, String)>,
    /// A completed form: title and JSON answers.
    pub(crate) form: Option<(&'static str, String)>,
    /// A rating: stars, comment, by whom.
    pub(crate) rating: Option<(i64, &'static str, ContactId)>,
}

impl JobSpec {
    /// A service visit with everything else empty.
    pub(crate) fn new(
        customer: CustomerId,
        site: Option<SiteId>,
        day: Date,
        status: JobStatus,
    ) -> Self {
        JobSpec {
            tag: "",
            customer,
            site,
            asset: None,
            job_type: None,
            kind: JobKind::Service,
            status,
            summary: String::new(),
            description: String::new(),
            day,
            slot: None,
            work_order_notes: String::new(),
            invoice_notes: String::new(),
            po_number: String::new(),
            custom_fields: "{}".into(),
            lines: Vec::new(),
            technicians: Vec::new(),
            bill: Bill::None,
            photos: 0,
            document: None,
            form: None,
            rating: None,
        }
    }
}

/// A job as made, for what refers to it later.
#[derive(Debug, Clone)]
pub(crate) struct JobRecord {
    pub(crate) id: JobId,
    pub(crate) tag: &'static str,
    pub(crate) customer: CustomerId,
    pub(crate) site: Option<SiteId>,
    pub(crate) day: Date,
    pub(crate) total: i64,
    pub(crate) lines: Vec<NewLine>,
    /// The job's invoice, if billed.
    pub(crate) invoice: Option<InvoiceId>,
}

/// Visit start and end (the office's window rule, `core::visits::window_bounds`; an
/// exact visit lasts two hours from `hour`), and the promised arrival window inside it.
fn schedule(day: Date, slot: ScheduleType, hour: u8) -> [OffsetDateTime; 4] {
    let exact = (at(day, hour, 0).time(), at(day, hour + 2, 0).time());
    let (start, end) = window_bounds(&demo_zone(), day, slot, Some(exact));
    let arrival = match slot {
        ScheduleType::Am => [at(day, 8, 0), at(day, 10, 0)],
        ScheduleType::Pm => [at(day, 13, 0), at(day, 15, 0)],
        ScheduleType::AllDay => [start, end],
        ScheduleType::Exact => [start, start + Duration::minutes(30)],
    };
    [start, end, arrival[0], arrival[1]]
}

impl Seeder<'_> {
    /// Makes `specs` in date order, so job (and invoice) numbers follow the calendar.
    pub(crate) async fn add_jobs(&mut self, mut specs: Vec<JobSpec>) -> anyhow::Result<()> {
        specs.sort_by_key(|s| (s.day, s.slot.map_or(0, |(_, h)| h)));
        // A group's payment arrives after its last invoice.
        let mut group_day: Vec<(u8, Date)> = Vec::new();
        for s in &specs {
            if let Bill::Paid { group: Some(g), .. } = s.bill {
                match group_day.iter_mut().find(|(x, _)| *x == g) {
                    Some((_, d)) => *d = (*d).max(s.day),
                    None => group_day.push((g, s.day)),
                }
            }
        }
        for spec in specs {
            let paid_from = match spec.bill {
                Bill::Paid { group: Some(g), .. } => group_day
                    .iter()
                    .find(|(x, _)| *x == g)
                    .map_or(spec.day, |(_, d)| *d),
                _ => spec.day,
            };
            self.add_job(spec, paid_from).await?;
        }
        self.pay_groups().await
    }

    async fn add_job(&mut self, spec: JobSpec, paid_from: Date) -> anyhow::Result<()> {
        let times = spec.slot.map(|(slot, hour)| schedule(spec.day, slot, hour));
        let created_at = match times {
            Some(_) => {
                let lead = self.rng.between(4, 16);
                at((spec.day - Duration::days(lead)).min(self.day(-1)), 14, 20)
            }
            None => at(spec.day, 9, 40),
        };
        let completed_at = (spec.status == JobStatus::Completed).then(|| match times {
            Some([start, ..]) => start + Duration::minutes(110),
            None => at(spec.day, 11, 5),
        });
        let total = total_of(&spec.lines);
        let job_number = number("J", self.summary.jobs + 1);
        let id = self
            .tx
            .insert_job(
                self.company,
                &NewJob {
                    customer: spec.customer,
                    site: spec.site,
                    asset: spec.asset,
                    job_type: spec.job_type,
                    number: job_number,
                    kind: spec.kind,
                    status: spec.status,
                    summary: spec.summary.clone(),
                    description: spec.description.clone(),
                    schedule_type: spec.slot.map(|(s, _)| s),
                    scheduled_start: times.map(|t| t[0]),
                    scheduled_end: times.map(|t| t[1]),
                    arrival_window_start: times.map(|t| t[2]),
                    arrival_window_end: times.map(|t| t[3]),
                    completed_at,
                    work_order_notes: spec.work_order_notes.clone(),
                    customer_notes: String::new(),
                    external_ref: None,
                    invoice_notes: spec.invoice_notes.clone(),
                    po_number: spec.po_number.clone(),
                    custom_fields: spec.custom_fields.clone(),
                    total_minor: total,
                    created_at,
                },
            )
            .await?;
        self.summary.jobs += 1;
        self.tx
            .insert_lines(self.company, LineOwner::Job(id), &spec.lines)
            .await?;
        for t in &spec.technicians {
            self.tx.assign_technician(self.company, id, *t).await?;
        }
        if spec.photos > 0 {
            self.photos(spec.customer, id, spec.photos).await?;
        }
        if let Some((filename, text)) = &spec.document {
            self.document(spec.customer, id, filename, text).await?;
        }
        if let Some((title, answers)) = &spec.form {
            self.tx
                .insert_job_form(self.company, id, title, answers, completed_at)
                .await?;
        }
        if let (Some((stars, comment, contact)), Some(done)) = (spec.rating, completed_at) {
            self.tx
                .insert_rating(
                    self.company,
                    spec.customer,
                    id,
                    Some(contact),
                    stars,
                    comment,
                    done + Duration::hours(20),
                )
                .await?;
        }
        let mut record = JobRecord {
            id,
            tag: spec.tag,
            customer: spec.customer,
            site: spec.site,
            day: spec.day,
            total,
            lines: spec.lines,
            invoice: None,
        };
        record.invoice = self
            .bill(&record, spec.bill, &spec.invoice_notes, paid_from)
            .await?;
        self.jobs.push(record);
        Ok(())
    }
}
