//! In-process change notices: after a use case commits a change to a company's requests,
//! open office inbox streams on this node re-read their count at once (streams on other
//! nodes notice within their poll).

use std::sync::Arc;

use doorstep_core::ids::CompanyId;
use tokio::sync::{broadcast, watch};

/// Tells open inbox streams that a company's New count may have changed.
#[derive(Clone)]
pub struct RequestEvents {
    inner: Arc<Channels>,
}

struct Channels {
    changed: broadcast::Sender<CompanyId>,
    closed: watch::Sender<bool>,
}

impl Default for RequestEvents {
    fn default() -> Self {
        Self::new()
    }
}

impl RequestEvents {
    /// A channel nobody listens to yet.
    pub fn new() -> Self {
        let (changed, _) = broadcast::channel(256);
        let (closed, _) = watch::channel(false);
        RequestEvents {
            inner: Arc::new(Channels { changed, closed }),
        }
    }

    /// Call after committing a change to `company`'s requests (one created, read,
    /// converted or declined): its open inbox streams re-read the count at once.
    pub fn notify(&self, company: CompanyId) {
        // No open stream is no error: nobody needs telling.
        let _ = self.inner.changed.send(company);
    }

    /// Ends every open stream, so graceful shutdown does not wait on them.
    pub fn close(&self) {
        self.inner.closed.send_replace(true);
    }

    /// A stream's receivers: the companies whose count changed, and whether to close.
    pub fn subscribe(&self) -> (broadcast::Receiver<CompanyId>, watch::Receiver<bool>) {
        (
            self.inner.changed.subscribe(),
            self.inner.closed.subscribe(),
        )
    }
}
