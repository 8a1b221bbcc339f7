//! The webhook worker: claims due deliveries under a lease (so two server processes never
//! post the same row at once), posts each signed, records the answer, and retries
//! failures with exponential backoff for 24 hours (`core::webhooks`).
//!
//! The body posted is the one stored with the event; only the signature's timestamp
//! changes between attempts. A receiver tells a retry from a new event by its `id`.

use std::future::Future;
use std::time::Duration;

use doorstep_store::webhooks::{Attempt, DueDelivery};
use doorstep_store::{StoreError, now};

use crate::App;

/// How many deliveries one claim takes.
pub const BATCH: i64 = 10;
/// How long a claimed delivery is reserved for its worker: longer than a post can take.
pub const LEASE: time::Duration = time::Duration::minutes(2);
/// How long one post may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// The signature header.
pub const SIGNATURE_HEADER: &str = "Doorstep-Signature";
/// How much of an answer's body is read (the log keeps its start).
const EXCERPT_BYTES: usize = 1024;

/// How the worker paces itself.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// How long it waits between polls when nothing was due.
    pub idle: Duration,
    /// When set (tests only), every retry waits this long instead of backing off.
    pub fixed_retry: Option<Duration>,
}

impl Default for Pace {
    fn default() -> Self {
        Pace {
            idle: Duration::from_secs(1),
            fixed_retry: None,
        }
    }
}

/// The HTTP client every post goes through: rustls, no redirects followed, [`TIMEOUT`].
pub fn client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("Doorstep-Webhooks/1")
        .build()
        .map_err(|e| e.to_string())
}

/// Posts due deliveries until `shutdown` completes; a post in progress is finished first
/// (it takes at most [`TIMEOUT`]).
pub async fn run(app: App, pace: Pace, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    let client = match client() {
        Ok(c) => c,
        Err(err) => {
            tracing::error!(%err, "cannot build the webhook HTTP client: webhooks stay pending");
            shutdown.await;
            return;
        }
    };
    loop {
        let tried = tokio::select! {
            biased;
            _ = &mut shutdown => break,
            tried = drain_once(&app, &client, pace) => tried,
        };
        let full = match tried {
            Ok(n) => n as i64 == BATCH,
            Err(err) => {
                tracing::warn!(%err, "cannot claim webhook deliveries");
                false
            }
        };
        if full {
            continue;
        }
        tokio::select! {
            biased;
            _ = &mut shutdown => break,
            _ = tokio::time::sleep(pace.idle) => {}
        }
    }
    tracing::info!("webhook worker stopped");
}

/// Claims and posts one batch of due deliveries; answers how many it tried.
pub async fn drain_once(
    app: &App,
    client: &reqwest::Client,
    pace: Pace,
) -> Result<usize, StoreError> {
    let batch = app.store.claim_due_webhooks(BATCH, LEASE).await?;
    for due in &batch {
        deliver(app, client, due, pace).await;
    }
    Ok(batch.len())
}

/// The signature header's value for `body` at unix time `timestamp`:
/// `t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
pub fn signature(body: &[u8], secret: &str, timestamp: i64) -> String {
    doorstep_payments::webhook::sign(body, secret, timestamp)
}

async fn post(client: &reqwest::Client, due: &DueDelivery, secret: &str) -> Attempt {
    let body = due.delivery.payload.as_bytes().to_vec();
    let header = signature(&body, secret, now().unix_timestamp());
    let sent = client
        .post(&due.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(SIGNATURE_HEADER, header)
        .header("Doorstep-Event", &due.delivery.event_type)
        .body(body)
        .send()
        .await;
    match sent {
        Ok(mut response) => {
            let status = response.status();
            let mut bytes = Vec::new();
            while bytes.len() < EXCERPT_BYTES {
                match response.chunk().await {
                    Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
                    _ => break,
                }
            }
            bytes.truncate(EXCERPT_BYTES);
            let excerpt = String::from_utf8_lossy(&bytes).into_owned();
            Attempt {
                response_status: Some(i64::from(status.as_u16())),
                error: if status.is_success() {
                    String::new()
                } else {
                    format!("The receiver answered {status}.")
                },
                excerpt,
            }
        }
        Err(err) => Attempt {
            response_status: None,
            error: describe(&err),
            excerpt: String::new(),
        },
    }
}

fn describe(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "No answer within 10 seconds.".into()
    } else if err.is_connect() {
        "Could not connect to the receiver.".into()
    } else {
        format!("The request failed: {err}")
    }
}

/// Posts one claimed delivery and records the outcome. A failure to record leaves the row
/// leased, so it is tried again when the lease ends — under the same event id.
async fn deliver(app: &App, client: &reqwest::Client, due: &DueDelivery, pace: Pace) {
    let d = &due.delivery;
    let company = doorstep_core::ids::CompanyId(d.company_id);
    let secret = if due.url.is_empty() {
        None
    } else {
        crate::webhooks::open_secret(app, company, &due.secret_sealed)
    };
    let attempt = match secret {
        Some(secret) => post(client, due, &secret).await,
        None => {
            // Disabled or deleted meanwhile (or its secret is unreadable): not sent.
            let error = if due.url.is_empty() {
                "The endpoint is disabled."
            } else {
                "The endpoint's secret cannot be read with this server's key."
            };
            let attempt = Attempt {
                error: error.into(),
                ..Attempt::default()
            };
            if let Err(err) = app
                .store
                .mark_webhook_failed(d.company_id, d.id, &attempt, None)
                .await
            {
                tracing::error!(delivery = d.id, %err, "cannot record a webhook's outcome");
            }
            return;
        }
    };
    let recorded = if attempt.error.is_empty() {
        tracing::info!(delivery = d.id, event_id = %d.event_id, event = %d.event_type, "webhook delivered");
        app.store
            .mark_webhook_delivered(d.company_id, d.id, &attempt)
            .await
    } else {
        let delay = match pace.fixed_retry {
            Some(fixed) => time::Duration::try_from(fixed).unwrap_or(time::Duration::SECOND),
            None => doorstep_core::webhooks::retry_delay(d.attempts),
        };
        let next = now() + delay;
        let give_up = doorstep_core::webhooks::give_up(d.created_at, next);
        tracing::warn!(
            delivery = d.id,
            event_id = %d.event_id,
            attempts = d.attempts,
            give_up,
            error = %attempt.error,
            "webhook not delivered"
        );
        app.store
            .mark_webhook_failed(d.company_id, d.id, &attempt, (!give_up).then_some(next))
            .await
    };
    if let Err(err) = recorded {
        tracing::error!(delivery = d.id, %err, "cannot record a webhook's outcome");
    }
}
