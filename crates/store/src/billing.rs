//! Estimates, invoices, payments and saved payment methods.

use doorstep_core::ids::{
    CompanyId, ContactId, CustomerId, EstimateId, InvoiceId, JobId, PaymentId, SiteId,
};
use doorstep_core::status::{EstimateStatus, InvoiceStatus, PaymentMethodKind};
use time::{Date, OffsetDateTime};

use crate::insert::Val;
use crate::{StoreError, Tx, now};

/// What it takes to create an estimate.
#[derive(Debug, Clone)]
pub struct NewEstimate {
    /// The account.
    pub customer: CustomerId,
    /// Where the work would happen.
    pub site: Option<SiteId>,
    /// The company's estimate number.
    pub number: String,
    /// Short title.
    pub title: String,
    /// The scope of work.
    pub scope: String,
    /// Status.
    pub status: EstimateStatus,
    /// Date issued.
    pub issued_on: Date,
    /// Date after which it can no longer be approved.
    pub expires_on: Option<Date>,
    /// Deposit to pay on approval, minor units.
    pub deposit_minor: i64,
    /// Total of the selected lines, minor units.
    pub total_minor: i64,
    /// The approval, when approved: signer's typed name, contact, time, address and amount.
    pub approval: Option<Approval>,
    /// The decline, when declined: time and reason.
    pub decline: Option<(OffsetDateTime, String)>,
    /// The job it became.
    pub converted_job: Option<JobId>,
}

/// An estimate's approval as signed.
#[derive(Debug, Clone)]
pub struct Approval {
    /// The full name typed as signature.
    pub signed_name: String,
    /// The contact who approved.
    pub contact: Option<ContactId>,
    /// When.
    pub at: OffsetDateTime,
    /// From which address.
    pub ip: String,
    /// The exact total approved, minor units.
    pub total_minor: i64,
}

/// What it takes to create an invoice.
#[derive(Debug, Clone)]
pub struct NewInvoice {
    /// The account.
    pub customer: CustomerId,
    /// The service location.
    pub site: Option<SiteId>,
    /// The job it bills.
    pub job: Option<JobId>,
    /// The company's invoice number.
    pub number: String,
    /// Status (overdue is derived from `due_on`).
    pub status: InvoiceStatus,
    /// Date issued.
    pub issued_on: Date,
    /// Date due.
    pub due_on: Date,
    /// Total, minor units.
    pub total_minor: i64,
    /// Paid so far, minor units.
    pub paid_minor: i64,
    /// Notes printed on the invoice.
    pub notes: String,
    /// When it was paid in full.
    pub paid_at: Option<OffsetDateTime>,
    /// When it was voided.
    pub voided_at: Option<OffsetDateTime>,
}

/// What it takes to record a payment.
#[derive(Debug, Clone)]
pub struct NewPayment {
    /// The paying account.
    pub customer: CustomerId,
    /// The company's receipt number.
    pub number: String,
    /// Amount, minor units, positive.
    pub amount_minor: i64,
    /// How it was paid.
    pub method: PaymentMethodKind,
    /// `pending`, `succeeded`, `failed` or `refunded`.
    pub status: String,
    /// The processor's name, for online payments.
    pub processor: Option<String>,
    /// The processor's id of the payment.
    pub processor_ref: Option<String>,
    /// Cheque number or other reference.
    pub reference: String,
    /// When the money arrived.
    pub received_at: OffsetDateTime,
    /// Invoices it settles and how much of each.
    pub allocations: Vec<(InvoiceId, i64)>,
}

/// A card or bank account saved at the processor (only its description is kept here).
#[derive(Debug, Clone)]
pub struct NewPaymentMethod {
    /// The account.
    pub customer: CustomerId,
    /// Processor name.
    pub processor: String,
    /// The processor's id of the method.
    pub processor_ref: String,
    /// `card` or `bank`.
    pub kind: String,
    /// Card brand or bank name.
    pub brand: String,
    /// Last four digits.
    pub last4: String,
    /// Expiry month (cards).
    pub exp_month: Option<i64>,
    /// Expiry year (cards).
    pub exp_year: Option<i64>,
    /// The default method.
    pub is_default: bool,
    /// Autopay opted in.
    pub autopay: bool,
}

impl Tx {
    /// Creates an estimate.
    pub async fn insert_estimate(
        &mut self,
        company: CompanyId,
        e: &NewEstimate,
    ) -> Result<EstimateId, StoreError> {
        let at = now();
        let a = e.approval.as_ref();
        self.insert_row(
            "estimates",
            company.0,
            &[
                ("customer_id", e.customer.0.into()),
                ("site_id", Val::Int(e.site.map(|s| s.0))),
                ("number", (&e.number).into()),
                ("title", (&e.title).into()),
                ("scope", (&e.scope).into()),
                ("status", e.status.as_str().into()),
                ("issued_on", e.issued_on.into()),
                ("expires_on", e.expires_on.into()),
                ("deposit_minor", e.deposit_minor.into()),
                ("total_minor", e.total_minor.into()),
                ("approved_at", a.map(|a| a.at).into()),
                ("approved_by_name", a.map(|a| a.signed_name.clone()).into()),
                (
                    "approved_by_contact_id",
                    Val::Int(a.and_then(|a| a.contact).map(|c| c.0)),
                ),
                ("approved_ip", a.map(|a| a.ip.clone()).into()),
                ("approved_total_minor", a.map(|a| a.total_minor).into()),
                ("declined_at", e.decline.as_ref().map(|d| d.0).into()),
                (
                    "decline_reason",
                    e.decline
                        .as_ref()
                        .map(|d| d.1.clone())
                        .unwrap_or_default()
                        .into(),
                ),
                ("converted_job_id", Val::Int(e.converted_job.map(|j| j.0))),
                ("created_at", at.into()),
                ("updated_at", at.into()),
            ],
            true,
        )
        .await
        .map(EstimateId)
    }

    /// Creates an invoice.
    pub async fn insert_invoice(
        &mut self,
        company: CompanyId,
        i: &NewInvoice,
    ) -> Result<InvoiceId, StoreError> {
        let at = now();
        self.insert_row(
            "invoices",
            company.0,
            &[
                ("customer_id", i.customer.0.into()),
                ("site_id", Val::Int(i.site.map(|s| s.0))),
                ("job_id", Val::Int(i.job.map(|j| j.0))),
                ("number", (&i.number).into()),
                ("status", i.status.as_str().into()),
                ("issued_on", i.issued_on.into()),
                ("due_on", i.due_on.into()),
                ("total_minor", i.total_minor.into()),
                ("paid_minor", i.paid_minor.into()),
                ("notes", (&i.notes).into()),
                ("paid_at", i.paid_at.into()),
                ("voided_at", i.voided_at.into()),
                ("created_at", at.into()),
                ("updated_at", at.into()),
            ],
            true,
        )
        .await
        .map(InvoiceId)
    }

    /// Records a payment and its allocations to invoices, together.
    pub async fn insert_payment(
        &mut self,
        company: CompanyId,
        p: &NewPayment,
    ) -> Result<PaymentId, StoreError> {
        let id = self
            .insert_row(
                "payments",
                company.0,
                &[
                    ("customer_id", p.customer.0.into()),
                    ("number", (&p.number).into()),
                    ("amount_minor", p.amount_minor.into()),
                    ("method", p.method.as_str().into()),
                    ("status", (&p.status).into()),
                    ("processor", (&p.processor).into()),
                    ("processor_ref", (&p.processor_ref).into()),
                    // A processor took it online; without one the office recorded it.
                    (
                        "channel",
                        if p.processor.is_some() {
                            "online"
                        } else {
                            "office"
                        }
                        .into(),
                    ),
                    ("reference", (&p.reference).into()),
                    ("received_at", p.received_at.into()),
                    ("created_at", now().into()),
                ],
                true,
            )
            .await?;
        for (invoice, amount) in &p.allocations {
            self.insert_row(
                "payment_allocations",
                company.0,
                &[
                    ("payment_id", id.into()),
                    ("invoice_id", invoice.0.into()),
                    ("amount_minor", (*amount).into()),
                ],
                false,
            )
            .await?;
        }
        Ok(PaymentId(id))
    }

    /// Saves the description of a payment method held by the processor.
    pub async fn insert_payment_method(
        &mut self,
        company: CompanyId,
        m: &NewPaymentMethod,
    ) -> Result<i64, StoreError> {
        self.insert_row(
            "payment_methods",
            company.0,
            &[
                ("customer_id", m.customer.0.into()),
                ("processor", (&m.processor).into()),
                ("processor_ref", (&m.processor_ref).into()),
                ("kind", (&m.kind).into()),
                ("brand", (&m.brand).into()),
                ("last4", (&m.last4).into()),
                ("exp_month", m.exp_month.into()),
                ("exp_year", m.exp_year.into()),
                ("is_default", m.is_default.into()),
                ("autopay", m.autopay.into()),
                ("created_at", now().into()),
            ],
            true,
        )
        .await
    }
}
