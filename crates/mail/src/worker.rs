//! The outbox worker: claims due emails under a lease, sends them, and records the outcome,
//! retrying failures with exponential backoff.
//!
//! Several workers (on several nodes) may run at once: a claimed row is leased to one of
//! them. Told to stop, a worker finishes the send in progress (within its grace period)
//! and records it, and hands back the rest of its batch at once: a send dropped half-way
//! may have been delivered without being recorded, and would go out again when its lease
//! ended. Only a send still unfinished at the end of the grace period keeps its lease and
//! is retried; receivers can tell that retry apart by its Message-ID, derived from the
//! event id.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use doorstep_store::outbox::OutboxEmail;
use doorstep_store::{Store, StoreError, now};
use tokio::sync::Notify;

use crate::smtp::SmtpSender;

/// How many emails one claim takes.
pub const BATCH: i64 = 10;
/// How long a claimed email is reserved for its worker; longer than a send can take.
pub const LEASE: time::Duration = time::Duration::minutes(2);
/// How long the worker waits between polls when nothing is due and nobody woke it.
pub const IDLE: Duration = Duration::from_secs(1);
/// After this many attempts an email is given up on.
pub const MAX_ATTEMPTS: i64 = 10;

/// Wakes the worker early, e.g. right after a request committed an email; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Wake(Arc<Notify>);

impl Wake {
    /// A new handle; give one clone to [`run`] and others to whoever queues email.
    pub fn new() -> Wake {
        Wake::default()
    }

    /// Asks the worker to poll now; a wake while it is busy is kept for its next wait.
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// Sends due email until `shutdown` completes; a send in progress then has `grace` to
/// finish. Without a sender (no SMTP configured) it only waits: emails stay pending in the
/// outbox, where the office can see them.
pub async fn run(
    store: Store,
    sender: Option<SmtpSender>,
    wake: Wake,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) {
    tokio::pin!(shutdown);
    let Some(sender) = sender else {
        tracing::warn!("no SMTP server configured: emails stay pending in the outbox");
        shutdown.await;
        return;
    };
    tracing::info!("email worker started");
    loop {
        let claimed = tokio::select! {
            biased;
            _ = &mut shutdown => break,
            claimed = store.claim_due_emails(BATCH, LEASE) => claimed,
        };
        let full_batch = match claimed {
            Ok(batch) => {
                let full = batch.len() as i64 == BATCH;
                let mut pending = batch.into_iter();
                while let Some(email) = pending.next() {
                    let send = deliver(&store, &sender, &email);
                    tokio::pin!(send);
                    tokio::select! {
                        biased;
                        _ = &mut shutdown => {
                            // Dropping the send could deliver the email unrecorded; let it
                            // finish and record its outcome. The untried ones go back now.
                            let (_, finished) = tokio::join!(
                                release(&store, pending),
                                tokio::time::timeout(grace, send)
                            );
                            if finished.is_err() {
                                tracing::warn!(
                                    outbox_id = email.id,
                                    "email still sending at the end of the grace period; \
                                     it is retried when its lease ends"
                                );
                            }
                            tracing::info!("email worker stopped");
                            return;
                        }
                        _ = &mut send => {}
                    }
                }
                full
            }
            Err(err) => {
                tracing::warn!(%err, "cannot claim emails from the outbox");
                false
            }
        };
        if full_batch {
            continue;
        }
        tokio::select! {
            biased;
            _ = &mut shutdown => break,
            _ = wake.0.notified() => {}
            _ = tokio::time::sleep(IDLE) => {}
        }
    }
    tracing::info!("email worker stopped");
}

/// Claims and sends one batch of due email, answering how many emails it tried. Without a
/// sender it claims nothing.
pub async fn drain_once(store: &Store, sender: Option<&SmtpSender>) -> Result<usize, StoreError> {
    let Some(sender) = sender else {
        return Ok(0);
    };
    let batch = store.claim_due_emails(BATCH, LEASE).await?;
    for email in &batch {
        deliver(store, sender, email).await;
    }
    Ok(batch.len())
}

/// How long to wait before attempt `attempts + 1`: 1 minute, doubling, at most an hour.
pub fn retry_delay(attempts: i64) -> time::Duration {
    let doublings = attempts.saturating_sub(1).clamp(0, 6) as u32;
    time::Duration::minutes(1i64 << doublings).min(time::Duration::hours(1))
}

/// Sends one claimed email and records the outcome. A failure to record leaves the row
/// leased, so it is retried when the lease ends; that is safe because of the Message-ID.
async fn deliver(store: &Store, sender: &SmtpSender, email: &OutboxEmail) {
    let outcome = sender.send(email).await;
    let recorded = match &outcome {
        Ok(()) => {
            tracing::info!(
                outbox_id = email.id,
                company = %email.company_id,
                kind = %email.kind,
                event_id = %email.event_id,
                "email sent"
            );
            store.mark_email_sent(email.company_id, email.id).await
        }
        Err(err) => {
            let give_up = err.permanent || email.attempts >= MAX_ATTEMPTS;
            let retry_at = (!give_up).then(|| now() + retry_delay(email.attempts));
            tracing::warn!(
                outbox_id = email.id,
                company = %email.company_id,
                kind = %email.kind,
                attempts = email.attempts,
                give_up,
                error = %err,
                "email not sent"
            );
            store
                .mark_email_failed(email.company_id, email.id, &err.message, retry_at)
                .await
        }
    };
    if let Err(err) = recorded {
        tracing::error!(outbox_id = email.id, %err, "cannot record an email's outcome");
    }
}

async fn release(store: &Store, emails: impl Iterator<Item = OutboxEmail>) {
    for email in emails {
        if let Err(err) = store.release_email(email.company_id, email.id).await {
            tracing::warn!(outbox_id = email.id, %err, "cannot release an email's lease");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_a_minute_doubling_up_to_an_hour() {
        let minutes: Vec<i64> = (1..=10).map(|a| retry_delay(a).whole_minutes()).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 60, 60, 60, 60]);
        assert_eq!(retry_delay(0).whole_minutes(), 1);
    }
}
