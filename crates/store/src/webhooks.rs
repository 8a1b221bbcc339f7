//! Outgoing webhooks: a company's endpoints, and their deliveries — the webhook outbox.
//! An event is written in the transaction of the change it tells about, as one delivery
//! row per subscribed endpoint, all under the event's one id; a worker claims due rows
//! under a lease (as the email outbox does), posts them and records the answer.

use doorstep_core::ids::CompanyId;
use time::OffsetDateTime;

use crate::{DbKind, Store, StoreError, Tx, db_time, now, on_pool, on_tx};

/// An endpoint as the office sees it (its secret stays sealed in the store).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Endpoint {
    /// Row id.
    pub id: i64,
    /// Where events are posted.
    pub url: String,
    /// The events it receives, comma-separated.
    pub events: String,
    /// Whether events are still sent to it.
    pub active: bool,
    /// When it was added.
    pub created_at: OffsetDateTime,
}

impl Endpoint {
    /// The events it receives.
    pub fn event_list(&self) -> Vec<&str> {
        self.events.split(',').filter(|e| !e.is_empty()).collect()
    }
}

/// A delivery of one event to one endpoint.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Delivery {
    /// Row id.
    pub id: i64,
    /// The company it is sent for.
    pub company_id: i64,
    /// The endpoint.
    pub endpoint_id: i64,
    /// The event's id (`evt_…`), the same for every endpoint and every attempt.
    pub event_id: String,
    /// The event's type, e.g. `invoice.paid`.
    pub event_type: String,
    /// The JSON body posted.
    pub payload: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    /// Attempts started (counting one in progress).
    pub attempts: i64,
    /// When it is due (again).
    pub next_attempt_at: OffsetDateTime,
    /// The HTTP status of the last answer, if one came.
    pub response_status: Option<i64>,
    /// What went wrong last, empty if nothing did.
    pub last_error: String,
    /// The start of the last answer's body.
    pub response_excerpt: String,
    /// When it was last tried.
    pub last_attempt_at: Option<OffsetDateTime>,
    /// When the receiver accepted it.
    pub delivered_at: Option<OffsetDateTime>,
    /// When the event happened.
    pub created_at: OffsetDateTime,
}

/// A claimed delivery with what the worker needs to post it.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    /// The delivery.
    pub delivery: Delivery,
    /// The endpoint's URL.
    pub url: String,
    /// The endpoint's sealed secret.
    pub secret_sealed: String,
}

/// The outcome of one attempt, as recorded.
#[derive(Debug, Clone, Default)]
pub struct Attempt {
    /// The HTTP status, if an answer came.
    pub response_status: Option<i64>,
    /// What went wrong (empty on success).
    pub error: String,
    /// The start of the answer's body.
    pub excerpt: String,
}

const DELIVERY_COLUMNS: &str = "id, company_id, endpoint_id, event_id, event_type, payload, status, \
    attempts, next_attempt_at, response_status, last_error, response_excerpt, last_attempt_at, \
    delivered_at, created_at";

const CLAIM_POSTGRES: &str = "UPDATE webhook_deliveries SET lease_until = $2, attempts = attempts + 1 \
    WHERE id IN (SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 \
        AND (lease_until IS NULL OR lease_until < $1) ORDER BY next_attempt_at, id LIMIT $3 \
        FOR UPDATE SKIP LOCKED) \
    AND status = 'pending' AND (lease_until IS NULL OR lease_until < $1) RETURNING ";
const CLAIM_SQLITE: &str = "UPDATE webhook_deliveries SET lease_until = $2, attempts = attempts + 1 \
    WHERE id IN (SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 \
        AND (lease_until IS NULL OR lease_until < $1) ORDER BY next_attempt_at, id LIMIT $3) \
    AND status = 'pending' AND (lease_until IS NULL OR lease_until < $1) RETURNING ";

/// Longest error or answer excerpt kept.
const MAX_EXCERPT_CHARS: usize = 300;

fn excerpt(s: &str) -> String {
    s.chars().take(MAX_EXCERPT_CHARS).collect()
}

impl Tx {
    /// Adds an endpoint receiving `events` (comma-separated) and answers its id.
    pub async fn add_webhook_endpoint(
        &mut self,
        company: CompanyId,
        url: &str,
        secret_sealed: &str,
        events: &str,
    ) -> Result<i64, StoreError> {
        let at = now();
        self.insert_row(
            "webhook_endpoints",
            company.0,
            &[
                ("url", url.into()),
                ("secret", secret_sealed.into()),
                ("events", events.into()),
                ("active", true.into()),
                ("created_at", at.into()),
                ("updated_at", at.into()),
            ],
            true,
        )
        .await
    }

    /// Sets endpoint `id`'s events; whether it is the company's.
    pub async fn set_webhook_events(
        &mut self,
        company: CompanyId,
        id: i64,
        events: &str,
    ) -> Result<bool, StoreError> {
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE webhook_endpoints SET events = $3, updated_at = $4 WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id).bind(events).bind(db_time(now()))
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Turns endpoint `id` on or off; whether it changed.
    pub async fn set_webhook_active(
        &mut self,
        company: CompanyId,
        id: i64,
        active: bool,
    ) -> Result<bool, StoreError> {
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE webhook_endpoints SET active = $3, updated_at = $4 \
             WHERE company_id = $1 AND id = $2 AND active = $5")
            .bind(company.0).bind(id).bind(active).bind(db_time(now())).bind(!active)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Deletes endpoint `id` and its deliveries; whether it was the company's.
    pub async fn delete_webhook_endpoint(
        &mut self,
        company: CompanyId,
        id: i64,
    ) -> Result<bool, StoreError> {
        on_tx!(self, c => sqlx::query(
            "DELETE FROM webhook_deliveries WHERE company_id = $1 AND endpoint_id = $2")
            .bind(company.0).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        let n = on_tx!(self, c => sqlx::query(
            "DELETE FROM webhook_endpoints WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Queues event `event_id` of type `event_type` for every active endpoint of the
    /// company that receives that type, with the body `payload` builds from the company's
    /// slug (built only when some endpoint receives it); answers how many deliveries.
    pub async fn enqueue_webhook_event(
        &mut self,
        company: CompanyId,
        event_id: &str,
        event_type: &str,
        payload: impl FnOnce(&str) -> String,
    ) -> Result<usize, StoreError> {
        let endpoints: Vec<(i64, String)> = on_tx!(self, c => sqlx::query_as(
            "SELECT id, events FROM webhook_endpoints WHERE company_id = $1 AND active = $2 ORDER BY id")
            .bind(company.0).bind(true).fetch_all(&mut *c).await)?;
        let receivers: Vec<i64> = endpoints
            .into_iter()
            .filter(|(_, events)| events.split(',').any(|e| e == event_type || e == "*"))
            .map(|(id, _)| id)
            .collect();
        if receivers.is_empty() {
            return Ok(0);
        }
        let slug: String = on_tx!(self, c => sqlx::query_scalar(
            "SELECT slug FROM companies WHERE id = $1")
            .bind(company.0).fetch_one(&mut *c).await)?;
        let payload = payload(&slug);
        let at = now();
        for endpoint in &receivers {
            self.insert_row(
                "webhook_deliveries",
                company.0,
                &[
                    ("endpoint_id", (*endpoint).into()),
                    ("event_id", event_id.into()),
                    ("event_type", event_type.into()),
                    ("payload", (&payload).into()),
                    ("status", "pending".into()),
                    ("attempts", 0i64.into()),
                    ("next_attempt_at", at.into()),
                    ("created_at", at.into()),
                ],
                false,
            )
            .await?;
        }
        Ok(receivers.len())
    }

    /// The email of portal login `login` (for the `contact.signed_up` event).
    pub async fn portal_login_email(
        &mut self,
        company: CompanyId,
        login: doorstep_core::ids::LoginId,
    ) -> Result<String, StoreError> {
        let email: Option<String> = on_tx!(self, c => sqlx::query_scalar(
            "SELECT email FROM portal_logins WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(login.0).fetch_optional(&mut *c).await)?;
        Ok(email.unwrap_or_default())
    }

    /// Makes delivery `id` due again now, under the same event id (a new 24-hour window
    /// from now); its endpoint's id when it was the company's and not in flight.
    pub async fn redeliver_webhook(
        &mut self,
        company: CompanyId,
        id: i64,
    ) -> Result<Option<i64>, StoreError> {
        let at = db_time(now());
        let n: Option<i64> = on_tx!(self, c => sqlx::query_scalar(
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $3, created_at = $3, \
             attempts = 0, lease_until = NULL \
             WHERE company_id = $1 AND id = $2 \
             AND (status <> 'pending' OR lease_until IS NULL OR lease_until < $3) RETURNING endpoint_id")
            .bind(company.0).bind(id).bind(at)
            .fetch_optional(&mut *c).await)?;
        Ok(n)
    }
}

impl Store {
    /// The company's endpoints, oldest first.
    pub async fn webhook_endpoints(&self, company: CompanyId) -> Result<Vec<Endpoint>, StoreError> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT id, url, events, active, created_at FROM webhook_endpoints \
             WHERE company_id = $1 ORDER BY id")
            .bind(company.0).fetch_all(p).await)?)
    }

    /// Endpoint `id` of the company.
    pub async fn webhook_endpoint(
        &self,
        company: CompanyId,
        id: i64,
    ) -> Result<Option<Endpoint>, StoreError> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT id, url, events, active, created_at FROM webhook_endpoints \
             WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id).fetch_optional(p).await)?)
    }

    /// Whether delivery `id` is the company's.
    pub async fn webhook_delivery_exists(
        &self,
        company: CompanyId,
        id: i64,
    ) -> Result<bool, StoreError> {
        let found: Option<i64> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT id FROM webhook_deliveries WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id).fetch_optional(p).await)?;
        Ok(found.is_some())
    }

    /// The sealed secret of endpoint `id` of the company.
    pub async fn webhook_secret(
        &self,
        company: CompanyId,
        id: i64,
    ) -> Result<Option<String>, StoreError> {
        Ok(on_pool!(self, p => sqlx::query_scalar(
            "SELECT secret FROM webhook_endpoints WHERE company_id = $1 AND id = $2")
            .bind(company.0).bind(id).fetch_optional(p).await)?)
    }

    /// One page of endpoint `endpoint`'s deliveries, newest first; pass the last id of a
    /// page as `before_id` for the next.
    pub async fn webhook_deliveries(
        &self,
        company: CompanyId,
        endpoint: i64,
        before_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries \
             WHERE company_id = $1 AND endpoint_id = $2 AND id < $3 ORDER BY id DESC LIMIT $4"
        );
        Ok(on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(endpoint).bind(before_id.unwrap_or(i64::MAX)).bind(limit)
            .fetch_all(p).await)?)
    }

    /// Every delivery of the company's events of type `event_type`, oldest first.
    pub async fn webhook_deliveries_of_type(
        &self,
        company: CompanyId,
        event_type: &str,
    ) -> Result<Vec<Delivery>, StoreError> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries \
             WHERE company_id = $1 AND event_type = $2 ORDER BY id"
        );
        Ok(on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(event_type).fetch_all(p).await)?)
    }

    /// Claims up to `limit` due deliveries of every company for one worker: each is
    /// leased for `lease` and its attempt counted, so no other worker takes it meanwhile.
    /// A delivery whose endpoint was disabled is claimed and must be recorded as failed.
    pub async fn claim_due_webhooks(
        &self,
        limit: i64,
        lease: time::Duration,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let at = now();
        let claim = match self.kind() {
            DbKind::Postgres => CLAIM_POSTGRES,
            DbKind::Sqlite => CLAIM_SQLITE,
        };
        let sql = format!("{claim}{DELIVERY_COLUMNS}");
        let mut rows: Vec<Delivery> = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(db_time(at)).bind(db_time(at + lease)).bind(limit)
            .fetch_all(p).await)?;
        rows.sort_by_key(|d| (d.next_attempt_at, d.id));
        let mut due = Vec::with_capacity(rows.len());
        for delivery in rows {
            let endpoint: Option<(String, String, bool)> = on_pool!(self, p => sqlx::query_as(
                "SELECT url, secret, active FROM webhook_endpoints WHERE company_id = $1 AND id = $2")
                .bind(delivery.company_id).bind(delivery.endpoint_id).fetch_optional(p).await)?;
            let (url, secret_sealed) = match endpoint {
                Some((url, secret, true)) => (url, secret),
                _ => (String::new(), String::new()),
            };
            due.push(DueDelivery {
                delivery,
                url,
                secret_sealed,
            });
        }
        Ok(due)
    }

    /// Records delivery `id` as accepted by the receiver, ending its lease.
    pub async fn mark_webhook_delivered(
        &self,
        company: i64,
        id: i64,
        attempt: &Attempt,
    ) -> Result<(), StoreError> {
        let at = db_time(now());
        on_pool!(self, p => sqlx::query(
            "UPDATE webhook_deliveries SET status = 'delivered', delivered_at = $3, last_attempt_at = $3, \
             lease_until = NULL, response_status = $4, response_excerpt = $5, last_error = '' \
             WHERE company_id = $1 AND id = $2 AND status = 'pending'")
            .bind(company).bind(id).bind(at).bind(attempt.response_status)
            .bind(excerpt(&attempt.excerpt))
            .execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Records a failed attempt and ends the lease: tried again at `retry_at`, or given
    /// up on (status `failed`) when it is `None`.
    pub async fn mark_webhook_failed(
        &self,
        company: i64,
        id: i64,
        attempt: &Attempt,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<(), StoreError> {
        let at = db_time(now());
        let status = if retry_at.is_some() {
            "pending"
        } else {
            "failed"
        };
        let next = db_time(retry_at.unwrap_or(now()));
        on_pool!(self, p => sqlx::query(
            "UPDATE webhook_deliveries SET status = $3, next_attempt_at = $4, last_attempt_at = $5, \
             lease_until = NULL, response_status = $6, response_excerpt = $7, last_error = $8 \
             WHERE company_id = $1 AND id = $2 AND status = 'pending'")
            .bind(company).bind(id).bind(status).bind(next).bind(at)
            .bind(attempt.response_status).bind(excerpt(&attempt.excerpt)).bind(excerpt(&attempt.error))
            .execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
