//! The email outbox: the only way email leaves. Rows are written in the transaction of
//! whatever caused them, so a message goes out if and only if that change commits; a
//! worker claims due rows under a lease, sends them and records the outcome.

use doorstep_core::ids::CompanyId;
use rand::RngCore;
use time::OffsetDateTime;

use crate::{DbKind, Store, StoreError, Tx, db_time, now, on_pool, on_tx};

/// An email to queue for sending.
#[derive(Debug, Clone, Default)]
pub struct NewEmail {
    /// The template kind it was rendered from, e.g. `invitation`.
    pub kind: String,
    /// The recipient's address.
    pub to_address: String,
    /// The recipient's display name (may be empty).
    pub to_name: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub body_text: String,
    /// The HTML alternative (may be empty).
    pub body_html: String,
}

/// A file sent with an email, e.g. an invoice's PDF; kept with the queued email.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Attachment {
    /// The file's name as the recipient sees it, e.g. `invoice-I-1001.pdf`.
    pub filename: String,
    /// Its MIME type, e.g. `application/pdf`.
    pub content_type: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

/// Where a queued email stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailStatus {
    /// Waiting to be sent, or to be retried.
    Pending,
    /// Accepted by the SMTP server.
    Sent,
    /// Given up on.
    Failed,
}

impl EmailStatus {
    /// The value stored in the `status` column.
    pub fn as_str(&self) -> &'static str {
        match self {
            EmailStatus::Pending => "pending",
            EmailStatus::Sent => "sent",
            EmailStatus::Failed => "failed",
        }
    }

    fn from_db(s: &str) -> Self {
        match s {
            "sent" => EmailStatus::Sent,
            "failed" => EmailStatus::Failed,
            _ => EmailStatus::Pending,
        }
    }
}

/// A queued email as the worker and the office's outbox page see it.
#[derive(Debug, Clone)]
pub struct OutboxEmail {
    /// Row id.
    pub id: i64,
    /// The company it is sent for.
    pub company_id: CompanyId,
    /// The company's name, for the From display name.
    pub company_name: String,
    /// Stable random id; the Message-ID is derived from it so receivers can de-duplicate.
    pub event_id: String,
    /// Template kind.
    pub kind: String,
    /// Recipient address.
    pub to_address: String,
    /// Recipient display name.
    pub to_name: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body_text: String,
    /// HTML alternative, possibly empty.
    pub body_html: String,
    /// Where it stands.
    pub status: EmailStatus,
    /// How many sends were started (counting one in progress).
    pub attempts: i64,
    /// What went wrong last time, empty if nothing did.
    pub last_error: String,
    /// When it is due (again).
    pub next_attempt_at: OffsetDateTime,
    /// When it was queued.
    pub created_at: OffsetDateTime,
    /// When the SMTP server accepted it.
    pub sent_at: Option<OffsetDateTime>,
    /// Its files, in order: read by [`Store::claim_due_emails`] for sending; the
    /// office's reads leave it empty.
    pub attachments: Vec<Attachment>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    company_id: i64,
    company_name: Option<String>,
    event_id: String,
    kind: String,
    to_address: String,
    to_name: String,
    subject: String,
    body_text: String,
    body_html: String,
    status: String,
    attempts: i64,
    last_error: String,
    next_attempt_at: OffsetDateTime,
    created_at: OffsetDateTime,
    sent_at: Option<OffsetDateTime>,
}

impl From<Row> for OutboxEmail {
    fn from(r: Row) -> Self {
        OutboxEmail {
            id: r.id,
            company_id: CompanyId(r.company_id),
            company_name: r.company_name.unwrap_or_default(),
            event_id: r.event_id,
            kind: r.kind,
            to_address: r.to_address,
            to_name: r.to_name,
            subject: r.subject,
            body_text: r.body_text,
            body_html: r.body_html,
            status: EmailStatus::from_db(&r.status),
            attempts: r.attempts,
            last_error: r.last_error,
            next_attempt_at: r.next_attempt_at,
            created_at: r.created_at,
            sent_at: r.sent_at,
            attachments: Vec::new(),
        }
    }
}

/// The office's reads join the company for its name.
const SELECT_JOINED: &str = "SELECT o.id, o.company_id, c.name AS company_name, o.event_id, o.kind, \
    o.to_address, o.to_name, o.subject, o.body_text, o.body_html, o.status, o.attempts, o.last_error, \
    o.next_attempt_at, o.created_at, o.sent_at FROM email_outbox o JOIN companies c ON c.id = o.company_id";

// Claiming: $1 = now, $2 = lease end, $3 = batch size. The engines differ only in the lock
// clause. PostgreSQL: SKIP LOCKED lets several nodes claim disjoint rows at once, and the
// outer conditions are re-checked against a row another node updated meanwhile. SQLite has
// a single writer, so the statement alone is atomic.
const CLAIM_POSTGRES: &str = "UPDATE email_outbox SET lease_until = $2, attempts = attempts + 1 \
    WHERE id IN (SELECT id FROM email_outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
        AND (lease_until IS NULL OR lease_until < $1) ORDER BY next_attempt_at, id LIMIT $3 \
        FOR UPDATE SKIP LOCKED) \
    AND status = 'pending' AND (lease_until IS NULL OR lease_until < $1) \
    RETURNING id, company_id, CAST(NULL AS TEXT) AS company_name, event_id, kind, to_address, to_name, \
    subject, body_text, body_html, status, attempts, last_error, next_attempt_at, created_at, sent_at";
const CLAIM_SQLITE: &str = "UPDATE email_outbox SET lease_until = $2, attempts = attempts + 1 \
    WHERE id IN (SELECT id FROM email_outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
        AND (lease_until IS NULL OR lease_until < $1) ORDER BY next_attempt_at, id LIMIT $3) \
    AND status = 'pending' AND (lease_until IS NULL OR lease_until < $1) \
    RETURNING id, company_id, CAST(NULL AS TEXT) AS company_name, event_id, kind, to_address, to_name, \
    subject, body_text, body_html, status, attempts, last_error, next_attempt_at, created_at, sent_at";

/// Longest error text kept; SMTP replies can be long and the office needs only the gist.
const MAX_ERROR_CHARS: usize = 500;

fn new_event_id() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Tx {
    /// Queues an email in this transaction and answers its event id; it is sent only if
    /// the transaction commits.
    pub async fn enqueue_email(
        &mut self,
        company: CompanyId,
        e: &NewEmail,
    ) -> Result<String, StoreError> {
        self.enqueue_email_with(company, e, &[]).await
    }

    /// Queues an email with `attachments` in this transaction (see
    /// [`Tx::enqueue_email`]): the files are stored with it, so the email sent is the one
    /// committed, whatever changes later.
    pub async fn enqueue_email_with(
        &mut self,
        company: CompanyId,
        e: &NewEmail,
        attachments: &[Attachment],
    ) -> Result<String, StoreError> {
        let event_id = new_event_id();
        let at = now();
        let id = self
            .insert_row(
                "email_outbox",
                company.0,
                &[
                    ("event_id", (&event_id).into()),
                    ("kind", (&e.kind).into()),
                    ("to_address", (&e.to_address).into()),
                    ("to_name", (&e.to_name).into()),
                    ("subject", (&e.subject).into()),
                    ("body_text", (&e.body_text).into()),
                    ("body_html", (&e.body_html).into()),
                    ("status", EmailStatus::Pending.as_str().into()),
                    ("attempts", 0i64.into()),
                    ("next_attempt_at", at.into()),
                    ("created_at", at.into()),
                ],
                true,
            )
            .await?;
        for a in attachments {
            on_tx!(self, c => sqlx::query(
                "INSERT INTO email_attachments (company_id, outbox_id, filename, content_type, bytes) \
                 VALUES ($1, $2, $3, $4, $5)")
                .bind(company.0).bind(id).bind(&a.filename).bind(&a.content_type).bind(&a.bytes)
                .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        }
        Ok(event_id)
    }
}

impl Store {
    /// Claims up to `limit` due emails of every company for one sender: each is leased
    /// for `lease` and its attempt counted, so no other worker takes it meanwhile.
    pub async fn claim_due_emails(
        &self,
        limit: i64,
        lease: time::Duration,
    ) -> Result<Vec<OutboxEmail>, StoreError> {
        let at = now();
        let sql = match self.kind() {
            DbKind::Postgres => CLAIM_POSTGRES,
            DbKind::Sqlite => CLAIM_SQLITE,
        };
        let rows: Vec<Row> = on_pool!(self, p => sqlx::query_as(sql)
            .bind(db_time(at)).bind(db_time(at + lease)).bind(limit)
            .fetch_all(p).await)?;
        let mut emails: Vec<OutboxEmail> = rows.into_iter().map(OutboxEmail::from).collect();
        emails.sort_by_key(|e| (e.next_attempt_at, e.id));
        // RETURNING cannot join on SQLite, so the names come in a second read.
        let mut names: Vec<(CompanyId, String)> = Vec::new();
        for email in &mut emails {
            if let Some((_, name)) = names.iter().find(|(id, _)| *id == email.company_id) {
                email.company_name = name.clone();
                continue;
            }
            let name: Option<String> = on_pool!(self, p => sqlx::query_scalar(
                "SELECT name FROM companies WHERE id = $1")
                .bind(email.company_id.0).fetch_optional(p).await)?;
            email.company_name = name.unwrap_or_default();
            names.push((email.company_id, email.company_name.clone()));
        }
        for email in &mut emails {
            email.attachments = self.email_attachments(email.company_id, email.id).await?;
        }
        Ok(emails)
    }

    /// The files of email `id` of the company, in the order they were queued.
    pub async fn email_attachments(
        &self,
        company: CompanyId,
        id: i64,
    ) -> Result<Vec<Attachment>, StoreError> {
        let rows: Vec<Attachment> = on_pool!(self, p => sqlx::query_as(
            "SELECT filename, content_type, bytes FROM email_attachments \
             WHERE company_id = $1 AND outbox_id = $2 ORDER BY id")
            .bind(company.0).bind(id).fetch_all(p).await)?;
        Ok(rows)
    }

    /// Records that the SMTP server accepted an email, ending its lease.
    pub async fn mark_email_sent(&self, company: CompanyId, id: i64) -> Result<(), StoreError> {
        on_pool!(self, p => sqlx::query(
            "UPDATE email_outbox SET status = 'sent', sent_at = $3, lease_until = NULL, last_error = '' \
             WHERE company_id = $1 AND id = $2 AND status = 'pending'")
            .bind(company.0).bind(id).bind(db_time(now()))
            .execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Records a failed send and ends the lease: retried at `retry_at`, or given up on
    /// (status `failed`) when it is `None`.
    pub async fn mark_email_failed(
        &self,
        company: CompanyId,
        id: i64,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<(), StoreError> {
        let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
        match retry_at {
            Some(at) => on_pool!(self, p => sqlx::query(
                "UPDATE email_outbox SET next_attempt_at = $3, last_error = $4, lease_until = NULL \
                 WHERE company_id = $1 AND id = $2 AND status = 'pending'")
                .bind(company.0).bind(id).bind(db_time(at)).bind(&error)
                .execute(p).await.map(|r| r.rows_affected()))?,
            None => on_pool!(self, p => sqlx::query(
                "UPDATE email_outbox SET status = 'failed', last_error = $3, lease_until = NULL \
                 WHERE company_id = $1 AND id = $2 AND status = 'pending'")
                .bind(company.0).bind(id).bind(&error)
                .execute(p).await.map(|r| r.rows_affected()))?,
        };
        Ok(())
    }

    /// Hands back a claimed email that was never tried (the worker is stopping): the
    /// lease ends and the attempt is not counted.
    pub async fn release_email(&self, company: CompanyId, id: i64) -> Result<(), StoreError> {
        on_pool!(self, p => sqlx::query(
            "UPDATE email_outbox SET lease_until = NULL, attempts = attempts - 1 \
             WHERE company_id = $1 AND id = $2 AND status = 'pending' AND lease_until IS NOT NULL")
            .bind(company.0).bind(id)
            .execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// One page of a company's outbox, newest first; pass the last id of a page as
    /// `before_id` for the next one.
    pub async fn outbox_page(
        &self,
        company: CompanyId,
        before_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<OutboxEmail>, StoreError> {
        // Ordered by (created_at, id) so the existing (company_id, created_at, id) index
        // serves the page; the cursor row is looked up within the same company.
        let rows: Vec<Row> = match before_id {
            None => {
                let sql = format!(
                    "{SELECT_JOINED} WHERE o.company_id = $1 \
                     ORDER BY o.created_at DESC, o.id DESC LIMIT $2"
                );
                on_pool!(self, p => sqlx::query_as(&sql)
                    .bind(company.0).bind(limit).fetch_all(p).await)?
            }
            Some(before) => {
                let sql = format!(
                    "{SELECT_JOINED} WHERE o.company_id = $1 AND (o.created_at, o.id) < \
                     (SELECT b.created_at, b.id FROM email_outbox b WHERE b.company_id = $1 AND b.id = $2) \
                     ORDER BY o.created_at DESC, o.id DESC LIMIT $3"
                );
                on_pool!(self, p => sqlx::query_as(&sql)
                    .bind(company.0).bind(before).bind(limit).fetch_all(p).await)?
            }
        };
        Ok(rows.into_iter().map(OutboxEmail::from).collect())
    }

    /// One email of a company's outbox.
    pub async fn outbox_email(
        &self,
        company: CompanyId,
        id: i64,
    ) -> Result<Option<OutboxEmail>, StoreError> {
        let sql = format!("{SELECT_JOINED} WHERE o.company_id = $1 AND o.id = $2");
        let row: Option<Row> = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(id).fetch_optional(p).await)?;
        Ok(row.map(OutboxEmail::from))
    }

    /// Test helper: makes every pending email of every company due now and unleased, as
    /// if its retry time had come.
    #[doc(hidden)]
    pub async fn make_due_now(&self) -> Result<(), StoreError> {
        on_pool!(self, p => sqlx::query(
            "UPDATE email_outbox SET next_attempt_at = $1, lease_until = NULL WHERE status = 'pending'")
            .bind(db_time(now())).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn event_ids_are_128_random_bits_in_hex() {
        let a = super::new_event_id();
        let b = super::new_event_id();
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
