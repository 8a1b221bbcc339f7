//! Support tickets as the portal and the office work them: numbering, lists by account
//! or by status, one ticket with its thread and files, comments and status changes.
//! Portal reads take the account and answer `None` for anything outside it.

use doorstep_core::ids::{
    AttachmentId, CompanyId, ContactId, CustomerId, StaffUserId, SupportRequestId,
};
use doorstep_core::status::SupportStatus;
use time::OffsetDateTime;

use crate::insert::{Sql, bind_vals};
use crate::{Store, StoreError, Tx, db_time, on_pool, on_tx};

/// One ticket in a list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SupportRow {
    /// Id, the list's tie-break.
    pub id: i64,
    /// The company's ticket number (`S-1001`).
    pub number: String,
    /// One-line subject.
    pub subject: String,
    /// Stored status.
    pub status: String,
    /// The account's name (for the office's list).
    pub customer_name: String,
    /// Last change, the list's order.
    pub updated_at: OffsetDateTime,
}

impl SupportRow {
    /// The status; an unknown stored value reads as open.
    pub fn status(&self) -> SupportStatus {
        SupportStatus::parse(&self.status).unwrap_or(SupportStatus::Open)
    }
}

/// One ticket with what its page shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SupportTicket {
    /// Id.
    pub id: i64,
    /// The account.
    pub customer_id: i64,
    /// The account's name.
    pub customer_name: String,
    /// The contact who opened it, if still there.
    pub contact_id: Option<i64>,
    /// That contact's name, empty when unknown.
    pub contact_name: String,
    /// The company's ticket number.
    pub number: String,
    /// One-line subject.
    pub subject: String,
    /// What the customer wrote when opening it.
    pub description: String,
    /// Stored status.
    pub status: String,
    /// When it was opened.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

impl SupportTicket {
    /// The ticket's id.
    pub fn ticket_id(&self) -> SupportRequestId {
        SupportRequestId(self.id)
    }

    /// The status; an unknown stored value reads as open.
    pub fn status(&self) -> SupportStatus {
        SupportStatus::parse(&self.status).unwrap_or(SupportStatus::Open)
    }
}

/// One comment of a ticket's thread.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SupportComment {
    /// Id.
    pub id: i64,
    /// Whether a staff member wrote it (else the customer did).
    pub by_staff: bool,
    /// The author's name: the contact's, or the staff member's; empty when deleted.
    pub author_name: String,
    /// The text.
    pub body: String,
    /// When it was written.
    pub created_at: OffsetDateTime,
}

/// A file attached to a ticket or to one of its comments.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SupportFile {
    /// Id, as in `/files/{id}`.
    pub id: i64,
    /// `support_request` or `support_comment`.
    pub owner_kind: String,
    /// The ticket's or comment's id.
    pub owner_id: i64,
    /// `photo` or `document`.
    pub kind: String,
    /// The name shown and offered on download.
    pub filename: String,
    /// The type decided from the content.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// Where its bytes are.
    pub storage_key: String,
    /// Where its thumbnail is, for photos.
    pub thumb_key: Option<String>,
}

/// Who the customer's notifications go to: the ticket's contact and their preference.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SupportRecipient {
    /// First and last name.
    pub name: String,
    /// Their email, when they have one.
    pub email: Option<String>,
    /// Whether they want email about their requests (`notify_request_updates`).
    pub wants_updates: bool,
}

/// A list cursor: the last row's last change and id.
pub type SupportCursor = (OffsetDateTime, i64);

const TICKET_COLUMNS: &str = "SELECT r.id, r.customer_id, cu.name AS customer_name, r.contact_id, \
     COALESCE(TRIM(ct.first_name || ' ' || ct.last_name), '') AS contact_name, r.number, \
     r.subject, r.description, r.status, r.created_at, r.updated_at \
     FROM support_requests r JOIN customers cu ON cu.company_id = r.company_id AND cu.id = r.customer_id \
     LEFT JOIN contacts ct ON ct.company_id = r.company_id AND ct.id = r.contact_id ";

const FILE_COLUMNS: &str = "SELECT a.id, a.owner_kind, a.owner_id, a.kind, a.filename, \
     a.content_type, a.size_bytes, a.storage_key, a.thumb_key FROM attachments a \
     LEFT JOIN support_comments sc ON a.owner_kind = 'support_comment' \
     AND sc.company_id = a.company_id AND sc.id = a.owner_id \
     JOIN support_requests r ON r.company_id = a.company_id AND r.id = \
     CASE WHEN a.owner_kind = 'support_request' THEN a.owner_id ELSE sc.support_request_id END \
     WHERE a.owner_kind IN ('support_request', 'support_comment') AND a.company_id = ";

fn push_after(sql: &mut Sql, after: Option<SupportCursor>) {
    if let Some((at, id)) = after {
        sql.push(" AND (r.updated_at < ")
            .val(at)
            .push(" OR (r.updated_at = ")
            .val(at)
            .push(" AND r.id < ")
            .val(id)
            .push("))");
    }
}

impl Store {
    /// A page of the account's tickets, most recently changed first.
    pub async fn support_page_for_customer(
        &self,
        company: CompanyId,
        customer: CustomerId,
        after: Option<SupportCursor>,
        limit: i64,
    ) -> Result<Vec<SupportRow>, StoreError> {
        let mut sql = Sql::default();
        sql.push(
            "SELECT r.id, r.number, r.subject, r.status, cu.name AS customer_name, r.updated_at \
             FROM support_requests r JOIN customers cu ON cu.company_id = r.company_id \
             AND cu.id = r.customer_id WHERE r.company_id = ",
        )
        .val(company.0)
        .push(" AND r.customer_id = ")
        .val(customer.0);
        push_after(&mut sql, after);
        sql.push(" ORDER BY r.updated_at DESC, r.id DESC LIMIT ")
            .val(limit);
        let rows = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_all(p).await)?;
        Ok(rows)
    }

    /// A page of the company's tickets in any of `statuses` (all when empty), most
    /// recently changed first.
    pub async fn support_page_for_office(
        &self,
        company: CompanyId,
        statuses: &[SupportStatus],
        after: Option<SupportCursor>,
        limit: i64,
    ) -> Result<Vec<SupportRow>, StoreError> {
        let mut sql = Sql::default();
        sql.push(
            "SELECT r.id, r.number, r.subject, r.status, cu.name AS customer_name, r.updated_at \
             FROM support_requests r JOIN customers cu ON cu.company_id = r.company_id \
             AND cu.id = r.customer_id WHERE r.company_id = ",
        )
        .val(company.0);
        if !statuses.is_empty() {
            sql.push(" AND r.status IN ")
                .list(statuses.iter().map(|s| s.as_str()));
        }
        push_after(&mut sql, after);
        sql.push(" ORDER BY r.updated_at DESC, r.id DESC LIMIT ")
            .val(limit);
        let rows = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_all(p).await)?;
        Ok(rows)
    }

    /// The account's ticket numbered `number`; `None` for any other account's or company's.
    pub async fn support_ticket_for_customer(
        &self,
        company: CompanyId,
        customer: CustomerId,
        number: &str,
    ) -> Result<Option<SupportTicket>, StoreError> {
        let sql = format!(
            "{TICKET_COLUMNS} WHERE r.company_id = $1 AND r.customer_id = $2 AND r.number = $3"
        );
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(customer.0).bind(number).fetch_optional(p).await)?;
        Ok(row)
    }

    /// The company's ticket numbered `number`, for the office.
    pub async fn support_ticket_for_office(
        &self,
        company: CompanyId,
        number: &str,
    ) -> Result<Option<SupportTicket>, StoreError> {
        let sql = format!("{TICKET_COLUMNS} WHERE r.company_id = $1 AND r.number = $2");
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(number).fetch_optional(p).await)?;
        Ok(row)
    }

    /// A ticket's comments, oldest first, with their authors' names.
    pub async fn support_comments(
        &self,
        company: CompanyId,
        ticket: SupportRequestId,
    ) -> Result<Vec<SupportComment>, StoreError> {
        let rows = on_pool!(self, p => sqlx::query_as(
            "SELECT c.id, (c.author_staff_id IS NOT NULL) AS by_staff, \
             COALESCE(s.name, TRIM(ct.first_name || ' ' || ct.last_name), '') AS author_name, \
             c.body, c.created_at FROM support_comments c \
             LEFT JOIN staff_users s ON s.company_id = c.company_id AND s.id = c.author_staff_id \
             LEFT JOIN contacts ct ON ct.company_id = c.company_id AND ct.id = c.author_contact_id \
             WHERE c.company_id = $1 AND c.support_request_id = $2 ORDER BY c.created_at, c.id")
            .bind(company.0).bind(ticket.0).fetch_all(p).await)?;
        Ok(rows)
    }

    /// The files of a ticket and of its comments, in upload order.
    pub async fn support_files(
        &self,
        company: CompanyId,
        ticket: SupportRequestId,
    ) -> Result<Vec<SupportFile>, StoreError> {
        let sql = format!("{FILE_COLUMNS}$1 AND r.id = $2 ORDER BY a.id");
        let rows = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(ticket.0).fetch_all(p).await)?;
        Ok(rows)
    }

    /// A file of one of the account's tickets (or their comments); `None` for anything else.
    pub async fn support_file_for_customer(
        &self,
        company: CompanyId,
        customer: CustomerId,
        id: AttachmentId,
    ) -> Result<Option<SupportFile>, StoreError> {
        let sql = format!("{FILE_COLUMNS}$1 AND a.id = $2 AND r.customer_id = $3");
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(id.0).bind(customer.0).fetch_optional(p).await)?;
        Ok(row)
    }

    /// A file of any of the company's tickets, for the office.
    pub async fn support_file_for_office(
        &self,
        company: CompanyId,
        id: AttachmentId,
    ) -> Result<Option<SupportFile>, StoreError> {
        let sql = format!("{FILE_COLUMNS}$1 AND a.id = $2");
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(id.0).fetch_optional(p).await)?;
        Ok(row)
    }
}

/// Who writes on a ticket.
#[derive(Debug, Clone, Copy)]
pub enum SupportAuthor {
    /// The customer, as one of the account's contacts.
    Contact(ContactId),
    /// A member of the office staff.
    Staff(StaffUserId),
}

impl Tx {
    /// The ticket's contact as a recipient of updates, when the ticket has one; read in
    /// the transaction that queues the email, never from a second connection.
    pub async fn support_recipient(
        &mut self,
        company: CompanyId,
        contact: ContactId,
    ) -> Result<Option<SupportRecipient>, StoreError> {
        let row = on_tx!(self, c => sqlx::query_as(
            "SELECT TRIM(ct.first_name || ' ' || ct.last_name) AS name, \
             COALESCE(NULLIF(ct.email, ''), l.email) AS email, \
             (ct.notify_request_updates = TRUE) AS wants_updates FROM contacts ct \
             LEFT JOIN portal_logins l ON l.company_id = ct.company_id AND l.id = ct.login_id \
             WHERE ct.company_id = $1 AND ct.id = $2")
            .bind(company.0).bind(contact.0).fetch_optional(&mut *c).await)?;
        Ok(row)
    }

    /// Hands out the company's next ticket number (`S-1001`, `S-1002`, ...). The counter
    /// starts past the tickets already there, and skips numbers taken by imports.
    pub async fn next_support_number(&mut self, company: CompanyId) -> Result<String, StoreError> {
        loop {
            let n: i64 = on_tx!(self, c => sqlx::query_scalar(
                "INSERT INTO support_counters (company_id, last_number) \
                 VALUES ($1, 1001 + (SELECT COUNT(*) FROM support_requests WHERE company_id = $1)) \
                 ON CONFLICT (company_id) DO UPDATE SET last_number = support_counters.last_number + 1 \
                 RETURNING last_number")
                .bind(company.0).fetch_one(&mut *c).await)?;
            let number = format!("S-{n}");
            let taken: Option<i64> = on_tx!(self, c => sqlx::query_scalar(
                "SELECT id FROM support_requests WHERE company_id = $1 AND number = $2")
                .bind(company.0).bind(&number).fetch_optional(&mut *c).await)?;
            if taken.is_none() {
                return Ok(number);
            }
        }
    }

    /// Opens a ticket for `customer` under the next number, answering its id and number.
    pub async fn open_support_request(
        &mut self,
        company: CompanyId,
        customer: CustomerId,
        contact: ContactId,
        subject: &str,
        description: &str,
    ) -> Result<(SupportRequestId, String), StoreError> {
        let number = self.next_support_number(company).await?;
        let id = self
            .insert_support_request(
                company,
                customer,
                Some(contact),
                &number,
                subject,
                description,
                SupportStatus::Open,
                crate::now(),
            )
            .await?;
        Ok((id, number))
    }

    /// Adds a comment and moves the ticket from `from` to `to` (the same status to keep
    /// it), touching its last change. Answers `None`, writing nothing, when the ticket
    /// is no longer in `from` (someone changed it meanwhile).
    pub async fn add_support_comment(
        &mut self,
        company: CompanyId,
        ticket: SupportRequestId,
        author: SupportAuthor,
        body: &str,
        from: SupportStatus,
        to: SupportStatus,
    ) -> Result<Option<i64>, StoreError> {
        if !self.set_support_status(company, ticket, from, to).await? {
            return Ok(None);
        }
        let (contact, staff) = match author {
            SupportAuthor::Contact(c) => (Some(c), None),
            SupportAuthor::Staff(s) => (None, Some(s.0)),
        };
        let id = self
            .insert_support_comment(company, ticket, contact, staff, body, crate::now())
            .await?;
        Ok(Some(id))
    }

    /// Moves a ticket from `from` to `to` and touches its last change; `false`, writing
    /// nothing, when it is no longer in `from`.
    pub async fn set_support_status(
        &mut self,
        company: CompanyId,
        ticket: SupportRequestId,
        from: SupportStatus,
        to: SupportStatus,
    ) -> Result<bool, StoreError> {
        let at = db_time(crate::now());
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE support_requests SET status = $1, updated_at = $2 \
             WHERE company_id = $3 AND id = $4 AND status = $5")
            .bind(to.as_str()).bind(at).bind(company.0).bind(ticket.0).bind(from.as_str())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }
}
