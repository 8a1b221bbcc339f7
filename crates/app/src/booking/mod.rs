//! What customers send from the portal: service requests (drafts, photos, submission),
//! answers to the office's proposals, and visit changes (reschedule, cancel).
//!
//! Every office notice goes to the company's office notice address through
//! [`crate::notify::office`], in the transaction of the change it tells of.

pub mod checks;
pub mod drafts;
pub mod form;
pub mod proposals;
pub mod submit;
pub mod visits;

pub use checks::Context;
pub use form::{Errors, Step};

pub(crate) use crate::actor::Who;
