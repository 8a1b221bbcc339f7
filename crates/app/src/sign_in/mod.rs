//! Signing in and out: passwords with throttles and lockout notices ([`password`]),
//! emailed sign-in links ([`links`]), opening and ending sessions and choosing the
//! account a login acts for ([`session`]).
//!
//! Signing in is done by someone not yet known, so these use cases take the company and
//! the [`Client`] (its address, browser and the session it had) instead of an actor.
//! What they answer never tells a wrong password from an unknown email or a locked login.

pub mod central;
pub mod links;
pub mod password;
pub mod session;

use std::net::IpAddr;

use doorstep_store::audit::NewAuditEvent;
use doorstep_store::sessions::SessionOwner;

pub use password::{Credentials, Outcome, Refusal};
pub use session::Opened;

/// Who is signing in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// A customer's contact, at the portal.
    Portal,
    /// Office staff.
    Office,
}

impl Audience {
    /// The audience a session owner belongs to.
    pub fn of(owner: SessionOwner) -> Self {
        match owner {
            SessionOwner::Staff(_) => Audience::Office,
            SessionOwner::Login(_) => Audience::Portal,
        }
    }
}

/// The browser signing in.
#[derive(Debug, Clone)]
pub struct Client {
    /// Its address.
    pub ip: IpAddr,
    /// Its self-description (shortened to 300 characters when stored).
    pub user_agent: String,
    /// The session token it brought, if any: signing in ends that session, so a
    /// planted cookie is worthless.
    pub session_token: Option<String>,
}

impl Client {
    /// A browser at `ip` that brought no session and said nothing about itself.
    pub fn at(ip: IpAddr) -> Client {
        Client {
            ip,
            user_agent: String::new(),
            session_token: None,
        }
    }
}

/// The audit log's name for an owner's kind, and its id.
fn owner_actor(owner: SessionOwner) -> (&'static str, i64) {
    match owner {
        SessionOwner::Staff(s) => ("staff", s.0),
        SessionOwner::Login(l) => ("contact", l.0),
    }
}

/// The audit log's subject for an owner (the sign-in they act on).
fn owner_subject(owner: SessionOwner) -> (&'static str, i64) {
    match owner {
        SessionOwner::Staff(s) => ("staff", s.0),
        SessionOwner::Login(l) => ("login", l.0),
    }
}

/// A record of `owner` doing `action` to their own sign-in.
pub(crate) fn owner_record(
    owner: SessionOwner,
    action: &'static str,
    ip: IpAddr,
    detail: serde_json::Value,
) -> NewAuditEvent {
    let (kind, id) = owner_actor(owner);
    crate::audit::record(
        (kind, Some(id), ""),
        action,
        owner_subject(owner),
        ip,
        detail,
    )
}
