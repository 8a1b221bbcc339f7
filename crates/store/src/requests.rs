//! Service requests from the portal, support tickets with their comments, and the
//! availability windows customers may book.

use doorstep_core::ids::{
    CompanyId, ContactId, CustomerId, EstimateId, JobId, ServiceRequestId, SiteId, SupportRequestId,
};
use doorstep_core::status::{RequestStatus, ScheduleType, SupportStatus};
use time::{Date, OffsetDateTime};

use crate::insert::Val;
use crate::{StoreError, Tx, now};

/// What it takes to record a service request.
#[derive(Debug, Clone)]
pub struct NewServiceRequest {
    /// The account.
    pub customer: CustomerId,
    /// The address.
    pub site: Option<SiteId>,
    /// The contact for the visit.
    pub contact: Option<ContactId>,
    /// Who sent it.
    pub submitted_by: Option<ContactId>,
    /// The company's request number.
    pub number: String,
    /// Inbox status.
    pub status: RequestStatus,
    /// Preferred date.
    pub preferred_date: Option<Date>,
    /// AM / PM / all day / exact.
    pub schedule_type: Option<ScheduleType>,
    /// The job type asked for.
    pub job_type: Option<i64>,
    /// What needs doing.
    pub description: String,
    /// Purchase order number.
    pub po_number: String,
    /// The open estimate created with it (seed 000).
    pub estimate: Option<EstimateId>,
    /// The job it became.
    pub converted_job: Option<JobId>,
    /// Why the office declined it.
    pub decline_reason: String,
    /// When it was sent.
    pub created_at: OffsetDateTime,
}

impl Tx {
    /// Records a service request.
    pub async fn insert_service_request(
        &mut self,
        company: CompanyId,
        r: &NewServiceRequest,
    ) -> Result<ServiceRequestId, StoreError> {
        let declined = matches!(r.status, RequestStatus::Declined).then_some(r.created_at);
        let read = (!matches!(r.status, RequestStatus::New)).then_some(r.created_at);
        let completed = matches!(r.status, RequestStatus::Completed).then_some(r.created_at);
        self.insert_row(
            "service_requests",
            company.0,
            &[
                ("customer_id", r.customer.0.into()),
                ("site_id", Val::Int(r.site.map(|s| s.0))),
                ("contact_id", Val::Int(r.contact.map(|c| c.0))),
                (
                    "submitted_by_contact_id",
                    Val::Int(r.submitted_by.map(|c| c.0)),
                ),
                ("number", (&r.number).into()),
                ("status", r.status.as_str().into()),
                ("preferred_date", r.preferred_date.into()),
                (
                    "schedule_type",
                    Val::Text(r.schedule_type.map(|s| s.as_str().to_owned())),
                ),
                ("job_type_id", Val::Int(r.job_type)),
                ("description", (&r.description).into()),
                ("po_number", (&r.po_number).into()),
                ("estimate_id", Val::Int(r.estimate.map(|e| e.0))),
                ("converted_job_id", Val::Int(r.converted_job.map(|j| j.0))),
                ("decline_reason", (&r.decline_reason).into()),
                ("read_at", read.into()),
                ("declined_at", declined.into()),
                ("completed_at", completed.into()),
                ("created_at", r.created_at.into()),
                ("updated_at", r.created_at.into()),
            ],
            true,
        )
        .await
        .map(ServiceRequestId)
    }

    /// Opens a support ticket.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_support_request(
        &mut self,
        company: CompanyId,
        customer: CustomerId,
        contact: Option<ContactId>,
        number: &str,
        subject: &str,
        description: &str,
        status: SupportStatus,
        created_at: OffsetDateTime,
    ) -> Result<SupportRequestId, StoreError> {
        self.insert_row(
            "support_requests",
            company.0,
            &[
                ("customer_id", customer.0.into()),
                ("contact_id", Val::Int(contact.map(|c| c.0))),
                ("number", number.into()),
                ("subject", subject.into()),
                ("description", description.into()),
                ("status", status.as_str().into()),
                ("created_at", created_at.into()),
                ("updated_at", created_at.into()),
            ],
            true,
        )
        .await
        .map(SupportRequestId)
    }

    /// Adds a comment to a support ticket, by a contact or by staff.
    pub async fn insert_support_comment(
        &mut self,
        company: CompanyId,
        ticket: SupportRequestId,
        author_contact: Option<ContactId>,
        author_staff: Option<i64>,
        body: &str,
        created_at: OffsetDateTime,
    ) -> Result<i64, StoreError> {
        self.insert_row(
            "support_comments",
            company.0,
            &[
                ("support_request_id", ticket.0.into()),
                ("author_contact_id", Val::Int(author_contact.map(|c| c.0))),
                ("author_staff_id", Val::Int(author_staff)),
                ("body", body.into()),
                ("created_at", created_at.into()),
            ],
            true,
        )
        .await
    }

    /// Publishes a bookable window with room for `capacity` visits.
    pub async fn insert_availability_window(
        &mut self,
        company: CompanyId,
        date: Date,
        slot: ScheduleType,
        capacity: i64,
    ) -> Result<i64, StoreError> {
        self.insert_row(
            "availability_windows",
            company.0,
            &[
                ("window_date", date.into()),
                ("slot", slot.as_str().into()),
                ("capacity", capacity.into()),
                ("created_at", now().into()),
            ],
            true,
        )
        .await
    }
}
