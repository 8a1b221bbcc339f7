//! Credentials and sessions: password hashing, single-use tokens, sign-in and the
//! extractors that require a signed-in person.

pub mod guard;
pub mod return_to;
pub mod session;
pub mod sign_in;
pub mod two_factor;

pub use doorstep_app::crypto::{password, secret_box, token};
