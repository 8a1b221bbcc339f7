//! `GET /office/requests/events`: the number of New requests as server-sent events, so
//! the office's badge changes without a reload. The count is sent on connect, whenever a
//! request is created or read ([`RequestEvents::notify`]), and checked every 15 seconds so
//! it is right even when a change came from another node. Every re-count first re-reads
//! the session: a stream ends when its session is signed out, expires or is locked, so a
//! badge never outlives the right to see it.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use doorstep_core::authz::OfficeArea;
use doorstep_core::ids::CompanyId;
use doorstep_store::Store;
use tokio::sync::{broadcast, watch};

use crate::auth::session::SignedInStaff;
use crate::{AppState, WebError};

/// How often an open stream re-reads the count without being told.
const POLL: Duration = Duration::from_secs(15);

/// One open stream: what it listens to and the count it last sent.
struct Feed {
    store: Store,
    company: CompanyId,
    /// The session that opened the stream, and how long it may sit unused.
    session: String,
    idle: time::Duration,
    changes: broadcast::Receiver<CompanyId>,
    closed: watch::Receiver<bool>,
    poll: tokio::time::Interval,
    last: Option<i64>,
}

impl Feed {
    /// Whether the session that opened the stream still may; a failed read keeps the
    /// stream (the next tick asks again).
    async fn session_is_live(&self) -> bool {
        let cutoff = doorstep_store::now() - self.idle;
        match self
            .store
            .live_session(self.company, &self.session, cutoff)
            .await
        {
            Ok(session) => session.is_some(),
            Err(err) => {
                tracing::warn!(error = %err, "cannot re-check an inbox stream's session");
                true
            }
        }
    }

    /// Waits for the next count worth sending; `None` ends the stream.
    async fn next(&mut self) -> Option<i64> {
        loop {
            if *self.closed.borrow() {
                return None;
            }
            let recount = if self.last.is_none() {
                true
            } else {
                tokio::select! {
                    _ = self.closed.changed() => false,
                    change = self.changes.recv() => match change {
                        Ok(company) => company == self.company,
                        Err(broadcast::error::RecvError::Lagged(_)) => true,
                        Err(broadcast::error::RecvError::Closed) => return None,
                    },
                    _ = self.poll.tick() => true,
                }
            };
            if !recount {
                continue;
            }
            // The extractor checked the session for the first count; later ones ask again.
            if self.last.is_some() && !self.session_is_live().await {
                return None;
            }
            match self.store.new_request_count(self.company).await {
                Ok(n) if Some(n) != self.last => {
                    self.last = Some(n);
                    return Some(n);
                }
                Ok(_) => {}
                // A failed read is tried again at the next tick; the badge keeps its value.
                Err(err) => tracing::warn!(error = %err, "cannot count new requests"),
            }
        }
    }
}

/// `GET /office/requests/events`: `event: count` with the number of New requests.
pub async fn stream(
    State(state): State<AppState>,
    staff: SignedInStaff,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let (changes, closed) = state.request_events.subscribe();
    let mut poll = tokio::time::interval(POLL);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick fires at once; the first count is read without it.
    poll.reset();
    let feed = Feed {
        store: state.store.clone(),
        company: staff.company.id,
        session: staff.session.id_hash.clone(),
        idle: state.config.session_idle,
        changes,
        closed,
        poll,
        last: None,
    };
    let events = futures_util::stream::unfold(feed, |mut feed| async move {
        let n = feed.next().await?;
        let event = Event::default().event("count").data(n.to_string());
        Some((Ok::<Event, Infallible>(event), feed))
    });
    let sse = Sse::new(events).keep_alive(
        KeepAlive::new()
            .interval(Duration::from_secs(20))
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
