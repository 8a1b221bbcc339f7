//! Invoices for finished jobs, the payments that settle them, and estimates.

use doorstep_core::ids::{CustomerId, EstimateId, InvoiceId, PaymentId};
use doorstep_core::status::{InvoiceStatus, PaymentMethodKind};
use doorstep_store::billing::{NewEstimate, NewInvoice, NewPayment};
use doorstep_store::jobs::{LineOwner, NewLine};
use time::{Date, Duration, OffsetDateTime};

use super::lines::total_of;
use super::seeder::{Seeder, at, number};
use super::work::{Bill, JobRecord};

/// Invoices waiting for the one payment that settles them together.
#[derive(Debug, Clone)]
pub(crate) struct PaymentGroup {
    id: u8,
    customer: CustomerId,
    method: PaymentMethodKind,
    received_at: OffsetDateTime,
    allocations: Vec<(InvoiceId, i64)>,
}

impl Seeder<'_> {
    /// Invoices a job as `plan` says, with its payment when paid or part-paid.
    pub(crate) async fn bill(
        &mut self,
        job: &JobRecord,
        plan: Bill,
        notes: &str,
        paid_from: Date,
    ) -> anyhow::Result<Option<InvoiceId>> {
        let issued = job.day;
        let due = issued + Duration::days(self.terms_of(job.customer));
        let yesterday = self.day(-1);
        // A payment is never in the future, nor before its invoice.
        let received = |after: i64, from: Date| {
            at(
                (from + Duration::days(after)).min(yesterday).max(issued),
                10,
                15,
            )
        };
        let (status, due, paid, paid_at, voided_at) = match plan {
            Bill::None => return Ok(None),
            Bill::Paid { after, .. } => {
                let when = received(after, paid_from);
                (InvoiceStatus::Paid, due, job.total, Some(when), None)
            }
            Bill::Unpaid => (InvoiceStatus::Unpaid, due.max(self.day(7)), 0, None, None),
            Bill::Overdue => (InvoiceStatus::Unpaid, due.min(yesterday), 0, None, None),
            Bill::Partial { percent, .. } => (
                InvoiceStatus::Unpaid,
                due,
                job.total * percent / 100,
                None,
                None,
            ),
            Bill::Void => {
                let when = at((issued + Duration::days(2)).min(yesterday), 9, 0);
                (InvoiceStatus::Void, due, 0, None, Some(when))
            }
        };
        let invoice = self
            .tx
            .insert_invoice(
                self.company,
                &NewInvoice {
                    customer: job.customer,
                    site: job.site,
                    job: Some(job.id),
                    number: number("I", self.summary.invoices + 1),
                    status,
                    issued_on: issued,
                    due_on: due.max(issued),
                    total_minor: job.total,
                    paid_minor: paid,
                    notes: notes.to_owned(),
                    paid_at,
                    voided_at,
                },
            )
            .await?;
        self.summary.invoices += 1;
        self.tx
            .insert_lines(self.company, LineOwner::Invoice(invoice), &job.lines)
            .await?;
        match plan {
            Bill::Paid {
                method,
                group: Some(g),
                ..
            } => {
                let received_at = paid_at.unwrap_or_else(|| received(0, issued));
                match self.groups.iter_mut().find(|x| x.id == g) {
                    Some(group) => group.allocations.push((invoice, job.total)),
                    None => self.groups.push(PaymentGroup {
                        id: g,
                        customer: job.customer,
                        method,
                        received_at,
                        allocations: vec![(invoice, job.total)],
                    }),
                }
            }
            Bill::Paid { method, .. } => {
                let when = paid_at.unwrap_or_else(|| received(0, issued));
                self.pay(job.customer, method, when, vec![(invoice, job.total)])
                    .await?;
            }
            Bill::Partial { method, .. } if paid > 0 => {
                self.pay(
                    job.customer,
                    method,
                    received(9, issued),
                    vec![(invoice, paid)],
                )
                .await?;
            }
            _ => {}
        }
        Ok(Some(invoice))
    }

    /// Records the payments that settle several invoices at once.
    pub(crate) async fn pay_groups(&mut self) -> anyhow::Result<()> {
        for g in std::mem::take(&mut self.groups) {
            self.pay(g.customer, g.method, g.received_at, g.allocations)
                .await?;
        }
        Ok(())
    }

    /// Records a succeeded payment settling `allocations`.
    pub(crate) async fn pay(
        &mut self,
        customer: CustomerId,
        method: PaymentMethodKind,
        received_at: OffsetDateTime,
        allocations: Vec<(InvoiceId, i64)>,
    ) -> anyhow::Result<PaymentId> {
        let n = number("P", self.summary.payments + 1);
        let tag = n.to_ascii_lowercase().replace('-', "_");
        let (processor, processor_ref, reference) = match method {
            PaymentMethodKind::Card => (
                Some("stripe".to_owned()),
                Some(format!("pi_demo_{tag}")),
                "Paid online by card".to_owned(),
            ),
            PaymentMethodKind::Ach => (
                Some("stripe".to_owned()),
                Some(format!("py_demo_{tag}")),
                "Bank transfer (ACH)".to_owned(),
            ),
            PaymentMethodKind::Check => (
                None,
                None,
                format!("Check #{}", self.rng.between(1040, 8999)),
            ),
            PaymentMethodKind::Cash => (None, None, "Cash paid to the technician".to_owned()),
            PaymentMethodKind::Credit => (None, None, "Account credit applied".to_owned()),
        };
        let id = self
            .tx
            .insert_payment(
                self.company,
                &NewPayment {
                    customer,
                    number: n,
                    amount_minor: allocations.iter().map(|(_, a)| a).sum(),
                    method,
                    status: "succeeded".into(),
                    processor,
                    processor_ref,
                    reference,
                    received_at,
                    allocations,
                },
            )
            .await?;
        self.summary.payments += 1;
        Ok(id)
    }

    /// Makes an estimate under the next E- number, its total (and an approval's) from `lines`.
    pub(crate) async fn estimate(
        &mut self,
        mut e: NewEstimate,
        lines: &[NewLine],
    ) -> anyhow::Result<EstimateId> {
        e.number = number("E", self.summary.estimates + 1);
        e.total_minor = total_of(lines);
        if let Some(a) = e.approval.as_mut() {
            a.total_minor = e.total_minor;
        }
        let id = self.tx.insert_estimate(self.company, &e).await?;
        self.tx
            .insert_lines(self.company, LineOwner::Estimate(id), lines)
            .await?;
        self.summary.estimates += 1;
        Ok(id)
    }
}
