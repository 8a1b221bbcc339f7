//! Credentials and sessions: password hashing, single-use tokens, sign-in and the
//! extractors that require a signed-in person.

pub mod links;
pub mod locked_notice;
pub mod password;
pub mod secret_box;
pub mod session;
pub mod sign_in;
pub mod token;
pub mod two_factor;
