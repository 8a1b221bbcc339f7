//! `GET /jobs/events`: the status moves of the jobs the contact may see, as server-sent
//! events, so an open job page and the jobs list change by themselves. The stream reads
//! the moves from the database (`job_status_changes`, one indexed range of the account,
//! every [`POLL`]), so a move made on any node reaches every node's customers within a
//! second. Bounds: at most [`MAX_STREAMS`] open streams per process (more are answered
//! 503 and the browser retries), a keep-alive comment every 15 seconds, the session
//! re-checked every [`SESSION_CHECK`], every stream ended after [`LIFETIME`] (the browser
//! reconnects) and at once when the server shuts down.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use doorstep_core::authz::{ContactScope, PortalAction, contact_may};
use doorstep_core::ids::CompanyId;
use doorstep_store::Store;
use doorstep_store::office_jobs::StreamedChange;
use time::OffsetDateTime;
use tokio::sync::watch;

use super::status_class;
use crate::auth::session::SignedInContact;
use crate::display::when;
use crate::{AppState, WebError};
use doorstep_core::local_time::Zone;

/// How often an open stream reads the moves.
pub const POLL: Duration = Duration::from_millis(500);
/// How often the session that opened the stream is checked again.
const SESSION_CHECK: Duration = Duration::from_secs(15);
/// How long one stream lives before the browser is made to reconnect.
const LIFETIME: Duration = Duration::from_secs(30 * 60);
/// Open streams one process serves at most.
pub const MAX_STREAMS: usize = 1000;
/// How far back each read looks, so a move committed late (after a later one) is still
/// seen; moves already sent are remembered by id for as long.
const LOOK_BACK: time::Duration = time::Duration::seconds(60);

static OPEN: AtomicUsize = AtomicUsize::new(0);

/// One place among the open streams, given back when the stream ends.
struct Slot;

impl Slot {
    fn take() -> Option<Slot> {
        let mut n = OPEN.load(Ordering::Relaxed);
        loop {
            if n >= MAX_STREAMS {
                return None;
            }
            match OPEN.compare_exchange_weak(n, n + 1, Ordering::AcqRel, Ordering::Relaxed) {
                Ok(_) => return Some(Slot),
                Err(now) => n = now,
            }
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        OPEN.fetch_sub(1, Ordering::AcqRel);
    }
}

/// One open stream.
struct Feed {
    store: Store,
    company: CompanyId,
    zone: Zone,
    scope: ContactScope,
    session: String,
    idle: time::Duration,
    closed: watch::Receiver<bool>,
    started: OffsetDateTime,
    ends: tokio::time::Instant,
    poll: tokio::time::Interval,
    next_check: tokio::time::Instant,
    sent: HashMap<i64, OffsetDateTime>,
    queue: Vec<StreamedChange>,
    _slot: Slot,
}

impl Feed {
    async fn session_is_live(&self) -> bool {
        let cutoff = doorstep_store::now() - self.idle;
        match self
            .store
            .live_session(self.company, &self.session, cutoff)
            .await
        {
            Ok(session) => session.is_some(),
            Err(err) => {
                tracing::warn!(error = %err, "cannot re-check a job stream's session");
                true
            }
        }
    }

    /// The next move to send; `None` ends the stream.
    async fn next(&mut self) -> Option<StreamedChange> {
        loop {
            if let Some(change) = self.queue.pop() {
                return Some(change);
            }
            if *self.closed.borrow() || tokio::time::Instant::now() >= self.ends {
                return None;
            }
            tokio::select! {
                _ = self.closed.changed() => return None,
                _ = self.poll.tick() => {}
            }
            if tokio::time::Instant::now() >= self.next_check {
                if !self.session_is_live().await {
                    return None;
                }
                self.next_check = tokio::time::Instant::now() + SESSION_CHECK;
            }
            let since = self.started.max(doorstep_store::now() - LOOK_BACK);
            self.sent.retain(|_, at| *at >= since);
            match self
                .store
                .job_status_changes_since(self.company, &self.scope, since)
                .await
            {
                Ok(rows) => {
                    let mut fresh: Vec<StreamedChange> = rows
                        .into_iter()
                        .filter(|r| !self.sent.contains_key(&r.id))
                        .collect();
                    for r in &fresh {
                        self.sent.insert(r.id, r.changed_at);
                    }
                    // Popped from the end: oldest first.
                    fresh.reverse();
                    self.queue = fresh;
                }
                Err(err) => tracing::warn!(error = %err, "cannot read job status moves"),
            }
        }
    }
}

/// The event of one move: JSON with the job's number, the status (its code, label and
/// badge class) and when, as the page words it.
fn event(zone: &Zone, c: &StreamedChange) -> Event {
    let status = doorstep_core::status::JobStatus::parse(&c.status_text)
        .unwrap_or(doorstep_core::status::JobStatus::Unscheduled);
    let data = serde_json::json!({
        "id": c.id,
        "number": c.number,
        "status": status.as_str(),
        "label": status.label(),
        "class": status_class(status),
        "at": when(zone, c.changed_at),
    });
    Event::default()
        .event("status")
        .id(c.id.to_string())
        .data(data.to_string())
}

/// `GET /jobs/events`.
pub async fn stream(
    State(state): State<AppState>,
    contact: SignedInContact,
) -> Result<Response, WebError> {
    let company = &contact.portal.company;
    if !contact_may(&contact.scope, &company.settings, PortalAction::ViewJobs) {
        return Err(WebError::NotFound);
    }
    let Some(slot) = Slot::take() else {
        return Ok((
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5")],
            "Too many open streams; try again shortly.",
        )
            .into_response());
    };
    let (_, closed) = state.request_events.subscribe();
    let mut poll = tokio::time::interval(POLL);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let now = tokio::time::Instant::now();
    let feed = Feed {
        store: state.store.clone(),
        company: company.id,
        zone: company.time_zone.clone(),
        scope: contact.scope.clone(),
        session: contact.portal.session.id_hash.clone(),
        idle: state.config.session_idle,
        closed,
        // A move made while the page was on its way to the browser is still sent.
        started: doorstep_store::now() - time::Duration::seconds(5),
        ends: now + LIFETIME,
        poll,
        next_check: now + SESSION_CHECK,
        sent: HashMap::new(),
        queue: Vec::new(),
        _slot: slot,
    };
    let events = futures_util::stream::unfold(feed, |mut feed| async move {
        let change = feed.next().await?;
        Some((Ok::<Event, Infallible>(event(&feed.zone, &change)), feed))
    });
    let sse = Sse::new(events).keep_alive(
        KeepAlive::new()
            .interval(Duration::from_secs(15))
            .text("keep-alive"),
    );
    Ok((
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::HeaderName::from_static("x-accel-buffering"), "no"),
        ],
        sse,
    )
        .into_response())
}
