//! Jobs with their technicians, forms and priced lines; job types and technicians.

use doorstep_core::ids::{
    AssetId, CatalogueItemId, CompanyId, CustomerId, EstimateId, InvoiceId, JobId, SiteId,
    TechnicianId,
};
use doorstep_core::status::{JobKind, JobStatus, ScheduleType};
use time::OffsetDateTime;

use crate::insert::Val;
use crate::{StoreError, Tx, now};

/// What it takes to create a job.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// The account.
    pub customer: CustomerId,
    /// Where the work happens.
    pub site: Option<SiteId>,
    /// The equipment serviced, if any.
    pub asset: Option<AssetId>,
    /// The job type (`job_types.id`).
    pub job_type: Option<i64>,
    /// The company's job number.
    pub number: String,
    /// Service visit or product sale.
    pub kind: JobKind,
    /// Status.
    pub status: JobStatus,
    /// One line people see in lists.
    pub summary: String,
    /// Longer description.
    pub description: String,
    /// How precise the schedule is.
    pub schedule_type: Option<ScheduleType>,
    /// Visit start.
    pub scheduled_start: Option<OffsetDateTime>,
    /// Visit end.
    pub scheduled_end: Option<OffsetDateTime>,
    /// Start of the promised arrival window.
    pub arrival_window_start: Option<OffsetDateTime>,
    /// End of the promised arrival window.
    pub arrival_window_end: Option<OffsetDateTime>,
    /// When the work was finished.
    pub completed_at: Option<OffsetDateTime>,
    /// Notes for the technicians.
    pub work_order_notes: String,
    /// Notes the customer sees in the portal.
    pub customer_notes: String,
    /// The job's id in another system (the API's upsert and the CSV import match on it).
    pub external_ref: Option<String>,
    /// Notes printed on the invoice.
    pub invoice_notes: String,
    /// Customer's purchase order number.
    pub po_number: String,
    /// Custom field values as a JSON object.
    pub custom_fields: String,
    /// The job's total, minor units, as computed from its lines.
    pub total_minor: i64,
    /// When the job was created.
    pub created_at: OffsetDateTime,
}

/// Which document a priced line belongs to.
#[derive(Debug, Clone, Copy)]
pub enum LineOwner {
    /// A job's products and services.
    Job(JobId),
    /// An estimate's priced scope.
    Estimate(EstimateId),
    /// An invoice's lines.
    Invoice(InvoiceId),
}

/// One priced line.
#[derive(Debug, Clone)]
pub struct NewLine {
    /// Catalogue item it came from.
    pub catalogue_item: Option<CatalogueItemId>,
    /// `service`, `product`, `labour`, `material` or `fee`.
    pub kind: String,
    /// What was done or sold.
    pub description: String,
    /// Quantity in thousandths.
    pub quantity_milli: i64,
    /// Unit price, minor units.
    pub unit_price_minor: i64,
    /// Tax name, if taxed.
    pub tax_name: Option<String>,
    /// Tax rate in basis points.
    pub tax_rate_bp: i64,
    /// An optional line the customer may tick on an estimate.
    pub is_optional: bool,
    /// Whether an optional line is ticked.
    pub is_selected: bool,
}

impl Tx {
    /// Creates a job; its list date is the visit start, or its creation when unscheduled.
    pub async fn insert_job(
        &mut self,
        company: CompanyId,
        j: &NewJob,
    ) -> Result<JobId, StoreError> {
        let job_date = j.scheduled_start.unwrap_or(j.created_at);
        self.insert_row(
            "jobs",
            company.0,
            &[
                ("customer_id", j.customer.0.into()),
                ("site_id", Val::Int(j.site.map(|s| s.0))),
                ("asset_id", Val::Int(j.asset.map(|a| a.0))),
                ("job_type_id", Val::Int(j.job_type)),
                ("number", (&j.number).into()),
                ("kind", j.kind.as_str().into()),
                ("status", j.status.as_str().into()),
                ("summary", (&j.summary).into()),
                ("description", (&j.description).into()),
                (
                    "schedule_type",
                    Val::Text(j.schedule_type.map(|s| s.as_str().to_owned())),
                ),
                ("scheduled_start", j.scheduled_start.into()),
                ("scheduled_end", j.scheduled_end.into()),
                ("arrival_window_start", j.arrival_window_start.into()),
                ("arrival_window_end", j.arrival_window_end.into()),
                ("job_date", job_date.into()),
                ("completed_at", j.completed_at.into()),
                ("work_order_notes", (&j.work_order_notes).into()),
                ("customer_notes", (&j.customer_notes).into()),
                ("external_ref", Val::Text(j.external_ref.clone())),
                ("invoice_notes", (&j.invoice_notes).into()),
                ("po_number", (&j.po_number).into()),
                ("custom_fields", (&j.custom_fields).into()),
                ("total_minor", j.total_minor.into()),
                ("created_at", j.created_at.into()),
                ("updated_at", now().into()),
            ],
            true,
        )
        .await
        .map(JobId)
    }

    /// Adds priced lines to a job, estimate or invoice, in order.
    pub async fn insert_lines(
        &mut self,
        company: CompanyId,
        owner: LineOwner,
        lines: &[NewLine],
    ) -> Result<(), StoreError> {
        let (job, estimate, invoice) = match owner {
            LineOwner::Job(id) => (Some(id.0), None, None),
            LineOwner::Estimate(id) => (None, Some(id.0), None),
            LineOwner::Invoice(id) => (None, None, Some(id.0)),
        };
        for (position, l) in (0_i64..).zip(lines) {
            self.insert_row(
                "line_items",
                company.0,
                &[
                    ("job_id", Val::Int(job)),
                    ("estimate_id", Val::Int(estimate)),
                    ("invoice_id", Val::Int(invoice)),
                    ("catalogue_item_id", Val::Int(l.catalogue_item.map(|c| c.0))),
                    ("position", position.into()),
                    ("kind", (&l.kind).into()),
                    ("description", (&l.description).into()),
                    ("quantity_milli", l.quantity_milli.into()),
                    ("unit_price_minor", l.unit_price_minor.into()),
                    ("tax_name", (&l.tax_name).into()),
                    ("tax_rate_bp", l.tax_rate_bp.into()),
                    ("is_optional", l.is_optional.into()),
                    ("is_selected", l.is_selected.into()),
                ],
                true,
            )
            .await?;
        }
        Ok(())
    }

    /// Adds a technician to the company's crew.
    pub async fn insert_technician(
        &mut self,
        company: CompanyId,
        name: &str,
        phone: &str,
    ) -> Result<TechnicianId, StoreError> {
        self.insert_row(
            "technicians",
            company.0,
            &[
                ("name", name.into()),
                ("phone", phone.into()),
                ("created_at", now().into()),
            ],
            true,
        )
        .await
        .map(TechnicianId)
    }

    /// Assigns a technician to a job.
    pub async fn assign_technician(
        &mut self,
        company: CompanyId,
        job: JobId,
        technician: TechnicianId,
    ) -> Result<(), StoreError> {
        self.insert_row(
            "job_technicians",
            company.0,
            &[
                ("job_id", job.0.into()),
                ("technician_id", technician.0.into()),
            ],
            false,
        )
        .await
        .map(|_| ())
    }

    /// Adds a job type; `requestable` ones are offered on the request form.
    pub async fn insert_job_type(
        &mut self,
        company: CompanyId,
        name: &str,
        requestable: bool,
        sort_order: i64,
    ) -> Result<i64, StoreError> {
        self.insert_row(
            "job_types",
            company.0,
            &[
                ("name", name.into()),
                ("requestable", requestable.into()),
                ("sort_order", sort_order.into()),
                ("created_at", now().into()),
            ],
            true,
        )
        .await
    }

    /// Records a completed job form (checklist); `answers` is a JSON list of `{label, value}`.
    pub async fn insert_job_form(
        &mut self,
        company: CompanyId,
        job: JobId,
        title: &str,
        answers: &str,
        completed_at: Option<OffsetDateTime>,
    ) -> Result<i64, StoreError> {
        self.insert_row(
            "job_forms",
            company.0,
            &[
                ("job_id", job.0.into()),
                ("title", title.into()),
                ("answers", answers.into()),
                ("completed_at", completed_at.into()),
                ("created_at", now().into()),
            ],
            true,
        )
        .await
    }

    /// Declares a custom job field the portal may show.
    pub async fn insert_custom_job_field(
        &mut self,
        company: CompanyId,
        key: &str,
        label: &str,
    ) -> Result<i64, StoreError> {
        self.insert_row(
            "custom_job_fields",
            company.0,
            &[
                ("field_key", key.into()),
                ("label", label.into()),
                ("created_at", now().into()),
            ],
            true,
        )
        .await
    }
}
