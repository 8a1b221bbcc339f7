//! Doorstep's application layer. Every write of the product is one use case here: a
//! function taking an actor (which only sign-in can build, see [`sessions`]) and a typed
//! command. It authorizes through `core::authz`, validates with `core`, owns the
//! transaction, the audit record, the outbox rows and the wake-ups, and returns an
//! outcome for its caller — the office and portal pages today, the API and background
//! jobs tomorrow — to render. Reads stay with the store; the pages call it directly.

pub mod actor;
mod audit;
pub mod error;
pub mod events;
pub mod files;
pub mod links;
mod notify;
pub mod sessions;
pub mod support;

use std::sync::Arc;

use doorstep_store::Store;

pub use actor::{Admin, ContactActor, StaffActor};
pub use error::AppError;
pub use events::RequestEvents;
pub use links::Links;

/// What every use case reaches: the store, the mail worker's wake-up, the request
/// events, and the portal's public address. Cheap to clone.
#[derive(Clone)]
pub struct App {
    store: Store,
    mail_wake: doorstep_mail::Wake,
    request_events: RequestEvents,
    links: Arc<Links>,
}

impl App {
    /// Assembles the application from its parts.
    pub fn new(
        store: Store,
        mail_wake: doorstep_mail::Wake,
        request_events: RequestEvents,
        links: Links,
    ) -> Self {
        App {
            store,
            mail_wake,
            request_events,
            links: Arc::new(links),
        }
    }

    /// The store, for reads.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Public addresses of the portals, for links in emails.
    pub fn links(&self) -> &Links {
        &self.links
    }

    /// The inbox's change notices.
    pub fn request_events(&self) -> &RequestEvents {
        &self.request_events
    }

    /// Tells the mail worker a committed transaction queued email.
    fn mail_queued(&self) {
        self.mail_wake.wake();
    }
}
