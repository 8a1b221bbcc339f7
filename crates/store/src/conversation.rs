//! Messages between customers and the office, ratings of finished jobs, and in-portal
//! notifications.

use doorstep_core::ids::{CompanyId, ContactId, CustomerId, JobId, LoginId, StaffUserId};
use time::OffsetDateTime;

use crate::insert::Val;
use crate::{StoreError, Tx};

/// What it takes to record a message.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// The account the conversation is with.
    pub customer: CustomerId,
    /// The job it is about, if any.
    pub job: Option<JobId>,
    /// The contact who wrote it (customer side).
    pub author_contact: Option<ContactId>,
    /// The staff member who wrote it (office side).
    pub author_staff: Option<StaffUserId>,
    /// The text.
    pub body: String,
    /// When it was sent.
    pub created_at: OffsetDateTime,
    /// When the office read it.
    pub read_by_office_at: Option<OffsetDateTime>,
    /// When the customer read it.
    pub read_by_customer_at: Option<OffsetDateTime>,
}

impl Tx {
    /// Records a message.
    pub async fn insert_message(
        &mut self,
        company: CompanyId,
        m: &NewMessage,
    ) -> Result<i64, StoreError> {
        self.insert_row(
            "messages",
            company.0,
            &[
                ("customer_id", m.customer.0.into()),
                ("job_id", Val::Int(m.job.map(|j| j.0))),
                ("author_contact_id", Val::Int(m.author_contact.map(|c| c.0))),
                ("author_staff_id", Val::Int(m.author_staff.map(|s| s.0))),
                ("body", (&m.body).into()),
                ("read_by_office_at", m.read_by_office_at.into()),
                ("read_by_customer_at", m.read_by_customer_at.into()),
                ("created_at", m.created_at.into()),
            ],
            true,
        )
        .await
    }

    /// Records a rating of a completed job (one per job).
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_rating(
        &mut self,
        company: CompanyId,
        customer: CustomerId,
        job: JobId,
        contact: Option<ContactId>,
        stars: i64,
        comment: &str,
        created_at: OffsetDateTime,
    ) -> Result<i64, StoreError> {
        self.insert_row(
            "ratings",
            company.0,
            &[
                ("customer_id", customer.0.into()),
                ("job_id", job.0.into()),
                ("contact_id", Val::Int(contact.map(|c| c.0))),
                ("stars", stars.into()),
                ("comment", comment.into()),
                ("created_at", created_at.into()),
            ],
            true,
        )
        .await
    }

    /// Puts a notification in a login's bell for one account.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_notification(
        &mut self,
        company: CompanyId,
        login: LoginId,
        customer: CustomerId,
        kind: &str,
        title: &str,
        link: &str,
        created_at: OffsetDateTime,
    ) -> Result<i64, StoreError> {
        self.insert_row(
            "notifications",
            company.0,
            &[
                ("login_id", login.0.into()),
                ("customer_id", customer.0.into()),
                ("kind", kind.into()),
                ("title", title.into()),
                ("link", link.into()),
                ("created_at", created_at.into()),
            ],
            true,
        )
        .await
    }
}
